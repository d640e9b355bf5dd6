"""Frequentist contrast-based network meta-analysis of log hazard ratios by generalised least
squares.

Model (all on the log-HR scale; any log ratio works the same way). Each randomised comparison
``k`` of treatment ``t1`` against ``t2`` in study ``s`` gives ``y_k`` = log HR(t1 vs t2) with a
within-study variance. With basic parameters ``d_t`` = log HR(t vs reference), d_reference = 0,

    y = X d + u + e,    e ~ N(0, V),    u ~ N(0, tau^2 K),

where row ``k`` of the design ``X`` is +1 at ``t1`` and -1 at ``t2`` (reference column dropped).

* **Within-study covariance ``V``.** Contrasts of one multi-arm trial that share an arm are
  correlated: cov(y_a, y_b) = var(shared arm). Published HRs give no arm-level variance, so it is
  approximated from the two contrasts' own variances: cov = ±rho sqrt(v_a v_b) with
  rho = :data:`SHARED_ARM_CORRELATION` = 0.5 (sign + when the shared arm is on the same side of
  both contrasts). This is exact when every arm of the trial contributes the same variance to its
  contrasts (1/d for d events per arm, i.e. equal event counts), close to the truth for CheckMate
  648 (three arms of 321-325 patients), and keeps V positive definite for any number of arms
  (Franchini et al. 2012, Res Synth Methods 3:142, discuss the approximation; Rücker's
  reweighting in R netmeta would need the third contrast, which CheckMate 648 does not report).
  Callers with arm-level data pass their own ``covariance`` instead (the golden test does, for
  log odds ratios from counts, Gleser & Olkin 2009 eq. 19.11).
* **Random effects.** One heterogeneity variance tau^2 common to every contrast (the usual
  "homogeneous variance" assumption); consistency then implies a random-effects correlation of
  1/2 between contrasts of one study that share an arm (K_ab = ±1/2, K_aa = 1). This is R
  metafor's ``rma.mv(yi, V, mods = ~ <treatments> - 1, random = ~ comp | study, rho = 1/2)``.
* **tau^2 by REML**, the root of the restricted-likelihood score y'P K P y - tr(P K) with
  P = S^-1 - S^-1 X (X' S^-1 X)^-1 X' S^-1 and S = V + tau^2 K, solved to ~1e-14. tau^2 is never
  negative: it is exactly 0 when the score at 0 is <= 0. When the model is saturated (as many
  contrasts as parameters: a tree network with one trial per edge, which is what first-line ESCC
  has) tau^2 is **not estimable** (the restricted likelihood is flat); the fit then reports
  ``tau2_estimable = False``, uses tau^2 = 0, and the random-effects answer equals the fixed one.
* **Inference.** d = (X' S^-1 X)^-1 X' S^-1 y, cov(d) = (X' S^-1 X)^-1; Wald z intervals. Any
  pairwise log HR(a vs b) = d_a - d_b with variance c' cov(d) c. The row h' = c'(X'S^-1X)^-1 X'S^-1
  gives each input contrast's weight in that estimate (d_ab = h'y): inputs with non-zero weight
  are the HRs an estimate came from, and are cited.
* **Heterogeneity/inconsistency.** Q = r' V^-1 r (fixed-effect residuals), df = contrasts -
  parameters; Q mixes within-design heterogeneity and between-design inconsistency.

P-scores (Rücker & Schwarzer 2015, BMC Med Res Methodol 15:58): for treatment i,
P_i = mean over j != i of Phi((d_j - d_i) / se(d_i - d_j)) when a lower HR is better. **A P-score
is not the probability of being best.** It is the mean one-sided certainty that i beats each
other treatment, ignores the size of the differences, has no confidence interval, and changes
when treatments are added to or removed from the network. The result carries, beside it, the
rank interval from :data:`RANK_DRAWS` draws of the estimates' multivariate normal (fixed seed
:data:`RANK_SEED`, so deterministic), which shows how little the ranking is pinned down.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

# chdtrc is what scipy.stats.chi2.sf calls (same numbers); scipy.stats and scipy.optimize are
# not imported at module level because they add seconds to `import app` (issue 11).
from scipy.special import chdtrc, ndtr

from analysis.types import FloatArray, HrContrast, check_ci_level, log_hr_estimate

NmaModel = Literal["fixed", "random"]

SHARED_ARM_CORRELATION = 0.5
"""Correlation assumed between two contrasts of one trial that share an arm (see module doc)."""

RANDOM_EFFECTS_CORRELATION = 0.5
"""Correlation of the random effects of two contrasts of one study sharing an arm (consistency)."""

RANK_DRAWS = 10_000
"""Draws of the multivariate normal of the estimates used for the rank intervals."""

RANK_SEED = 20150831
"""Seed of those draws (fixed: same input, same output)."""

CONTRIBUTION_TOLERANCE = 1e-10
"""|weight| below which an input contrast is treated as not contributing to an estimate."""

P_SCORE_CAVEAT = (
    "P-scores are not probabilities of being best: each is the mean one-sided certainty that a "
    "regimen beats each of the others (Rücker & Schwarzer 2015). They ignore how large the "
    "differences are, carry no confidence interval, and change when regimens are added or "
    "removed. Read them with the rank intervals and the league table's confidence intervals."
)

_ROOT_XTOL = 1e-15
_ROOT_RTOL = 1e-13


@dataclass(frozen=True)
class Contrast:
    """One randomised comparison: log HR of ``treatment`` vs ``comparator`` in ``study``.

    ``key`` identifies the evidence it came from (cited by every estimate it feeds).
    """

    study: str
    treatment: str
    comparator: str
    log_hr: float
    se_log_hr: float
    key: str


@dataclass(frozen=True)
class NmaFit:
    """A fitted network. Estimates are log HR of each treatment vs ``reference`` (0 for it).

    ``covariance_log[i][j]`` is cov(d_i, d_j) (reference row/column zero). ``weights[i]`` gives
    each input contrast's weight in d_i (same order as ``contrast_keys``). ``tau2`` is the
    heterogeneity variance used (0 for ``model == "fixed"``, and 0 when not estimable);
    ``tau2_method`` says which: "REML", "fixed" or "not estimable (saturated model)".
    """

    model: NmaModel
    treatments: tuple[str, ...]
    reference: str
    contrast_keys: tuple[str, ...]
    studies: tuple[str, ...]
    n_contrasts: int
    estimates_log: tuple[float, ...]
    covariance_log: tuple[tuple[float, ...], ...]
    weights: tuple[tuple[float, ...], ...]
    tau2: float
    tau2_estimable: bool
    tau2_method: str
    q: float
    q_df: int
    q_p_value: float | None
    i2_percent: float | None
    shared_arm_correlation: float | None

    def index(self, treatment: str) -> int:
        try:
            return self.treatments.index(treatment)
        except ValueError:
            raise KeyError(
                f"{treatment!r} is not in the network; known: {', '.join(self.treatments)}"
            ) from None


@dataclass(frozen=True)
class RelativeEffect(HrContrast):
    """HR of ``treatment`` vs ``comparator`` from the network, with its CI and what fed it.

    ``contributions`` pairs each input contrast key with its weight in the log-HR estimate
    (weights of a tree network are +-1 along the path; loops give fractions).
    """

    contributions: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class PScore:
    """P-score of one treatment (lower HR = better) with its rank interval.

    ``rank_median`` and ``rank_lower``/``rank_upper`` (2.5 and 97.5 percentiles, each the
    smallest rank whose cumulative share of draws reaches the level) come from
    :data:`RANK_DRAWS` draws of the estimates; rank 1 = lowest HR. See :data:`P_SCORE_CAVEAT`.
    """

    treatment: str
    p_score: float
    rank_median: float
    rank_lower: float
    rank_upper: float
    n_treatments: int


def _shared_arm_sign(a: Contrast, b: Contrast) -> int:
    """+1/-1 when contrasts a and b (same study) share one arm on the same/opposite side, else 0."""
    side_a = {a.treatment: 1, a.comparator: -1}
    side_b = {b.treatment: 1, b.comparator: -1}
    shared = set(side_a) & set(side_b)
    if len(shared) != 1:
        if len(shared) == 2:
            raise ValueError(
                f"study {a.study!r} gives the same comparison twice ({a.key}, {b.key})"
            )
        return 0
    arm = shared.pop()
    return side_a[arm] * side_b[arm]


def _structure(contrasts: Sequence[Contrast], correlation: float) -> FloatArray:
    """Matrix with diagonal 1 and ±correlation for pairs of one study sharing an arm."""
    n = len(contrasts)
    out = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            if contrasts[i].study == contrasts[j].study:
                value = correlation * _shared_arm_sign(contrasts[i], contrasts[j])
                out[i, j] = out[j, i] = value
    return out


def within_study_covariance(
    contrasts: Sequence[Contrast], correlation: float = SHARED_ARM_CORRELATION
) -> FloatArray:
    """V with var = se^2 and cov = ±correlation * se_a * se_b for contrasts sharing an arm."""
    se = np.array([c.se_log_hr for c in contrasts], dtype=np.float64)
    return _structure(contrasts, correlation) * np.outer(se, se)


def network_components(edges: Sequence[tuple[str, str]], nodes: Sequence[str]) -> list[list[str]]:
    """Connected components (each in ``nodes`` order), largest first, ties in node order."""
    parent = {n: n for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    groups: dict[str, list[str]] = {}
    for n in nodes:
        groups.setdefault(find(n), []).append(n)
    order = {n: i for i, n in enumerate(nodes)}
    return sorted(groups.values(), key=lambda g: (-len(g), order[g[0]]))


def _check_inputs(contrasts: Sequence[Contrast], treatments: Sequence[str]) -> None:
    if not contrasts:
        raise ValueError("a network needs at least one contrast")
    known = set(treatments)
    if len(known) != len(treatments):
        raise ValueError("treatments must be unique")
    for c in contrasts:
        if c.treatment == c.comparator:
            raise ValueError(f"contrast {c.key!r} compares {c.treatment!r} with itself")
        if c.treatment not in known or c.comparator not in known:
            raise ValueError(f"contrast {c.key!r} uses a treatment not in {sorted(known)}")
        if not (math.isfinite(c.log_hr) and math.isfinite(c.se_log_hr) and c.se_log_hr > 0):
            raise ValueError(f"contrast {c.key!r} needs a finite log HR and se > 0")
    keys = [c.key for c in contrasts]
    if len(set(keys)) != len(keys):
        raise ValueError("contrast keys must be unique")
    parts = network_components([(c.treatment, c.comparator) for c in contrasts], treatments)
    if len(parts) > 1:
        listed = "; ".join(" + ".join(p) for p in parts)
        raise ValueError(f"the network is disconnected: components {listed}")


def _design(contrasts: Sequence[Contrast], treatments: Sequence[str], reference: str) -> FloatArray:
    columns = [t for t in treatments if t != reference]
    x = np.zeros((len(contrasts), len(columns)))
    for k, c in enumerate(contrasts):
        if c.treatment != reference:
            x[k, columns.index(c.treatment)] += 1.0
        if c.comparator != reference:
            x[k, columns.index(c.comparator)] -= 1.0
    return x


@dataclass(frozen=True)
class _Gls:
    beta: FloatArray
    cov: FloatArray
    hat: FloatArray


def _gls(x: FloatArray, y: FloatArray, sigma: FloatArray) -> _Gls:
    sigma_inv = np.linalg.inv(sigma)
    xtw = x.T @ sigma_inv
    cov: FloatArray = np.asarray(np.linalg.inv(xtw @ x), dtype=np.float64)
    hat: FloatArray = cov @ xtw
    return _Gls(beta=hat @ y, cov=cov, hat=hat)


def _reml_score(x: FloatArray, y: FloatArray, v: FloatArray, k: FloatArray, tau2: float) -> float:
    """2 d/d tau^2 of the restricted log-likelihood: y'PKPy - tr(PK)."""
    sigma_inv = np.linalg.inv(v + tau2 * k)
    xtw = x.T @ sigma_inv
    p = sigma_inv - xtw.T @ np.linalg.solve(xtw @ x, xtw)
    pk = p @ k
    return float(y @ pk @ p @ y - np.trace(pk))


def _reml_tau2(x: FloatArray, y: FloatArray, v: FloatArray, k: FloatArray) -> float:
    if _reml_score(x, y, v, k, 0.0) <= 0.0:
        return 0.0
    upper = max(1e-4, float(np.mean(np.diag(v))))
    for _ in range(200):
        if _reml_score(x, y, v, k, upper) < 0.0:
            break
        upper *= 2.0
    else:  # pragma: no cover - the score turns negative for large tau^2 whenever df > 0
        raise RuntimeError("could not bracket the REML estimating equation")
    from scipy.optimize import brentq  # noqa: PLC0415 - heavy import, only when tau^2 > 0

    return float(
        brentq(
            lambda t2: _reml_score(x, y, v, k, t2),
            0.0,
            upper,
            xtol=_ROOT_XTOL,
            rtol=_ROOT_RTOL,
            maxiter=500,
        )
    )


def fit_nma(
    contrasts: Sequence[Contrast],
    *,
    treatments: Sequence[str] | None = None,
    reference: str | None = None,
    model: NmaModel = "random",
    covariance: FloatArray | None = None,
    shared_arm_correlation: float = SHARED_ARM_CORRELATION,
) -> NmaFit:
    """Fit the network (see module docstring for the model and its assumptions).

    ``treatments`` fixes the order (default: order of first appearance); ``reference`` defaults
    to the first. ``covariance`` replaces the within-study V built with
    ``shared_arm_correlation``; it must be symmetric positive definite and block-diagonal by
    study. Raises ``ValueError`` for a disconnected network, a treatment compared with itself,
    a study giving the same comparison twice, or non-finite inputs.
    """
    order: list[str] = list(treatments) if treatments is not None else []
    if treatments is None:
        for c in contrasts:
            for t in (c.treatment, c.comparator):
                if t not in order:
                    order.append(t)
    _check_inputs(contrasts, order)
    ref = reference if reference is not None else order[0]
    if ref not in order:
        raise ValueError(f"reference {ref!r} is not a treatment of the network")
    if not 0.0 <= shared_arm_correlation < 1.0:
        raise ValueError("shared_arm_correlation must be in [0, 1)")
    n = len(contrasts)
    y = np.array([c.log_hr for c in contrasts], dtype=np.float64)
    x = _design(contrasts, order, ref)
    if covariance is None:
        v = within_study_covariance(contrasts, shared_arm_correlation)
        rho: float | None = shared_arm_correlation
    else:
        v = np.array(covariance, dtype=np.float64)
        rho = None
        if v.shape != (n, n) or not np.allclose(v, v.T):
            raise ValueError(f"covariance must be a symmetric {n} x {n} matrix")
    try:
        np.linalg.cholesky(v)
    except np.linalg.LinAlgError:
        raise ValueError("the within-study covariance is not positive definite") from None
    if np.linalg.matrix_rank(x) < x.shape[1]:  # pragma: no cover - excluded by connectivity
        raise ValueError("the network does not identify every treatment effect")
    k = _structure(contrasts, RANDOM_EFFECTS_CORRELATION)
    df = n - x.shape[1]

    fixed = _gls(x, y, v)
    resid = y - x @ fixed.beta
    q = float(resid @ np.linalg.solve(v, resid))
    if df == 0:
        q = 0.0  # saturated: residuals are rounding noise
    q_p = float(chdtrc(df, q)) if df > 0 else None
    i2 = 100.0 * max(0.0, (q - df) / q) if df > 0 and q > 0 else (0.0 if df > 0 else None)

    tau2_estimable = df > 0
    if model == "fixed":
        tau2, method, fit = 0.0, "fixed", fixed
    elif model == "random":
        if tau2_estimable:
            tau2, method = _reml_tau2(x, y, v, k), "REML"
            fit = _gls(x, y, v + tau2 * k) if tau2 > 0 else fixed
        else:
            tau2, method, fit = 0.0, "not estimable (saturated model)", fixed
    else:
        raise ValueError(f"unknown model {model!r}; use 'fixed' or 'random'")

    p = len(order)
    idx = [order.index(t) for t in order if t != ref]
    est = np.zeros(p)
    cov = np.zeros((p, p))
    weights = np.zeros((p, n))
    est[idx] = fit.beta
    cov[np.ix_(idx, idx)] = fit.cov
    weights[idx, :] = fit.hat
    return NmaFit(
        model=model,
        treatments=tuple(order),
        reference=ref,
        contrast_keys=tuple(c.key for c in contrasts),
        studies=tuple(dict.fromkeys(c.study for c in contrasts)),
        n_contrasts=n,
        estimates_log=tuple(float(e) for e in est),
        covariance_log=tuple(tuple(float(c) for c in row) for row in cov),
        weights=tuple(tuple(float(w) for w in row) for row in weights),
        tau2=tau2,
        tau2_estimable=tau2_estimable,
        tau2_method=method,
        q=q,
        q_df=df,
        q_p_value=q_p,
        i2_percent=i2,
        shared_arm_correlation=rho,
    )


def relative_effect(
    fit: NmaFit, treatment: str, comparator: str, ci_level: float = 0.95
) -> RelativeEffect:
    """HR of ``treatment`` vs ``comparator`` with a Wald CI at ``ci_level`` (fraction)."""
    level = check_ci_level(ci_level)
    i, j = fit.index(treatment), fit.index(comparator)
    if i == j:
        raise ValueError("treatment and comparator must differ")
    cov = fit.covariance_log
    d = fit.estimates_log[i] - fit.estimates_log[j]
    var = cov[i][i] + cov[j][j] - 2.0 * cov[i][j]
    se = math.sqrt(max(var, 0.0))
    w = [a - b for a, b in zip(fit.weights[i], fit.weights[j], strict=True)]
    contributions = tuple(
        (key, float(wk))
        for key, wk in zip(fit.contrast_keys, w, strict=True)
        if abs(wk) > CONTRIBUTION_TOLERANCE
    )
    return RelativeEffect(
        treatment=treatment,
        comparator=comparator,
        **log_hr_estimate(d, se, level),
        contributions=contributions,
    )


def league_table(fit: NmaFit, ci_level: float = 0.95) -> tuple[RelativeEffect, ...]:
    """Every ordered pair (row treatment vs column treatment), rows in treatment order."""
    return tuple(
        relative_effect(fit, a, b, ci_level)
        for a in fit.treatments
        for b in fit.treatments
        if a != b
    )


def p_scores(fit: NmaFit, *, lower_is_better: bool = True) -> tuple[PScore, ...]:
    """P-scores with simulated rank intervals; see :data:`P_SCORE_CAVEAT`.

    ``lower_is_better`` (default, hazard ratios of death or progression): treatment i beats j
    when log HR(i vs j) < 0; set False for outcomes where a higher ratio is better.
    """
    sign = 1.0 if lower_is_better else -1.0
    t = len(fit.treatments)
    est = np.array(fit.estimates_log)
    cov = np.array(fit.covariance_log)
    scores = np.zeros(t)
    for i in range(t):
        total = 0.0
        for j in range(t):
            if i != j:
                se = math.sqrt(max(cov[i, i] + cov[j, j] - 2.0 * cov[i, j], 0.0))
                total += float(ndtr(sign * (est[j] - est[i]) / se))
        scores[i] = total / (t - 1) if t > 1 else 1.0
    idx = [i for i, name in enumerate(fit.treatments) if name != fit.reference]
    rng = np.random.default_rng(RANK_SEED)
    draws = np.zeros((RANK_DRAWS, t))
    if idx:
        sub = cov[np.ix_(idx, idx)]
        chol = np.linalg.cholesky(sub)
        draws[:, idx] = est[idx] + rng.standard_normal((RANK_DRAWS, len(idx))) @ chol.T
    order = (sign * draws).argsort(axis=1)  # order[k, r] = treatment at rank r + 1 in draw k
    # counts[i, r] = draws in which treatment i has rank r + 1.
    counts = np.zeros((t, t), dtype=np.int64)
    np.add.at(counts, (order, np.broadcast_to(np.arange(t), order.shape)), 1)
    cdf = np.cumsum(counts, axis=1) / RANK_DRAWS

    def quantile(q: float) -> FloatArray:
        # Smallest rank whose cumulative share reaches q (the "inverted CDF" quantile).
        return np.asarray(np.argmax(cdf >= q - 1e-12, axis=1) + 1, dtype=np.float64)

    lower, median, upper = quantile(0.025), quantile(0.5), quantile(0.975)
    return tuple(
        PScore(
            treatment=name,
            p_score=float(scores[i]),
            rank_median=float(median[i]),
            rank_lower=float(lower[i]),
            rank_upper=float(upper[i]),
            n_treatments=t,
        )
        for i, name in enumerate(fit.treatments)
    )
