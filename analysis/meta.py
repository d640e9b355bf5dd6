"""Pooling of published hazard ratios: inverse-variance fixed effect and random effects.

Inputs are published hazard ratios with their confidence interval *and the level of that
interval* (CheckMate 648 printed 99.1% intervals for some comparisons). Each is converted to
log(HR) and a standard error with the normal quantile of its own level:
se = (log(upper) - log(lower)) / (2 z_{(1 + level)/2}).

Models (all on the log-HR scale; any other log ratio works the same way):

* ``"FE"`` — inverse-variance fixed effect (common effect).
* ``"REML"`` — random effects, tau^2 by restricted maximum likelihood (Viechtbauer 2005, J Educ
  Behav Stat 30:261), the default of R metafor ``rma(yi, sei = sei, method = "REML")``.
* ``"PM"`` — random effects, tau^2 by Paule-Mandel (generalised Q equal to k - 1).
* ``"DL"`` — random effects, DerSimonian-Laird moment estimator (for comparison with older
  papers).

tau^2 is never negative: REML and PM return exactly 0 when the estimating equation has no
positive root (the score at 0 is <= 0, or Q(0) <= k - 1). The I^2 reported follows metafor: for
random-effects fits I^2 = tau^2 / (tau^2 + s^2) with s^2 the "typical" within-study variance
(Higgins & Thompson 2002, eq. 9); for FE it is (Q - df) / Q clamped at 0. ``i2_from_q_percent``
always carries the Q-based version. Both lie in [0, 100].

Prediction interval for the effect in a new study (Higgins, Thompson & Spiegelhalter 2009, JRSS-A
172:137; Riley et al. 2011, BMJ 342:d549): mu +/- t_{k-2} sqrt(se(mu)^2 + tau^2), needs k >= 3.
R metafor 3.8 ``predict()`` instead uses the normal quantile (or t_{k-1} with Knapp-Hartung),
which is narrower for small k; ``prediction="metafor"`` reproduces that for cross-checks.

Knapp-Hartung (``knapp_hartung=True``, metafor ``test = "knha"``): se scaled by the weighted
residual variance, t_{k-1} reference distribution, no truncation of the scaling factor.

Leave-one-out and the ratio of hazard ratios (subgroup interaction within a trial) are here too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

# The ufuncs scipy.stats' t and chi2 distributions call themselves (t.ppf = stdtrit, t.sf(x) =
# stdtr(-x), chi2.sf = chdtrc: the same numbers, pinned by tests/unit/test_lazy_imports.py).
# scipy.stats is not imported because it adds seconds to `import app` (issue 11).
from scipy.special import chdtrc, stdtr, stdtrit

from analysis.types import FloatArray, check_ci_level, two_sided_normal_p, two_sided_z, wald_ratio

PoolingMethod = Literal["FE", "REML", "PM", "DL"]
PredictionMethod = Literal["higgins_riley", "metafor"]

_ROOT_XTOL = 1e-14
_ROOT_RTOL = 1e-12


@dataclass(frozen=True)
class StudyEstimate:
    """One study's log hazard ratio and its standard error, with what it was derived from.

    ``log_ci_asymmetry`` = |log HR - midpoint of the log CI| / se: near 0 for a correctly
    transcribed symmetric Wald interval; values above ~0.1 suggest a typo or a non-Wald interval
    (rounding of printed values alone gives small non-zero values).
    """

    label: str
    log_hr: float
    se_log_hr: float
    hazard_ratio: float
    ci_lower: float
    ci_upper: float
    ci_level: float
    log_ci_asymmetry: float


def log_hr_and_se(
    hazard_ratio: float, ci_lower: float, ci_upper: float, ci_level: float
) -> tuple[float, float]:
    """log(HR) and its SE from a published HR and CI at ``ci_level`` (fraction, e.g. 0.991).

    SE = (log upper - log lower) / (2 z), z the standard-normal quantile at (1 + level)/2: a 99.1%
    interval is wider than a 95% one for the same SE, so using 1.96 for it would overstate the
    SE by ~34% and underweight the study.
    """
    z = two_sided_z(ci_level)
    values = (hazard_ratio, ci_lower, ci_upper)
    if not all(math.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"HR and CI limits must be positive finite numbers, got {values}")
    if not ci_lower <= hazard_ratio <= ci_upper or ci_lower == ci_upper:
        raise ValueError(
            f"need lower <= HR <= upper with lower < upper, got HR {hazard_ratio} "
            f"({ci_lower}-{ci_upper})"
        )
    se = (math.log(ci_upper) - math.log(ci_lower)) / (2.0 * z)
    return math.log(hazard_ratio), se


def study_from_hr_ci(
    label: str, hazard_ratio: float, ci_lower: float, ci_upper: float, ci_level: float
) -> StudyEstimate:
    """Build a :class:`StudyEstimate` from a published HR with its CI and CI level."""
    level = check_ci_level(ci_level)
    log_hr, se = log_hr_and_se(hazard_ratio, ci_lower, ci_upper, level)
    midpoint = (math.log(ci_lower) + math.log(ci_upper)) / 2.0
    return StudyEstimate(
        label=label,
        log_hr=log_hr,
        se_log_hr=se,
        hazard_ratio=float(hazard_ratio),
        ci_lower=float(ci_lower),
        ci_upper=float(ci_upper),
        ci_level=level,
        log_ci_asymmetry=abs(log_hr - midpoint) / se,
    )


def study_from_log_hr(label: str, log_hr: float, se_log_hr: float) -> StudyEstimate:
    """Build a :class:`StudyEstimate` from a log HR and its SE (CI fields use the 95% level)."""
    if not (math.isfinite(log_hr) and math.isfinite(se_log_hr) and se_log_hr > 0):
        raise ValueError(f"need finite log HR and se > 0, got {log_hr}, {se_log_hr}")
    wald = wald_ratio(log_hr, se_log_hr, 0.95)
    return StudyEstimate(
        label=label,
        log_hr=float(log_hr),
        se_log_hr=float(se_log_hr),
        hazard_ratio=wald.ratio,
        ci_lower=wald.ci_lower,
        ci_upper=wald.ci_upper,
        ci_level=0.95,
        log_ci_asymmetry=0.0,
    )


@dataclass(frozen=True)
class MetaAnalysisResult:
    """A pooled estimate. ``*_log`` fields are on the log-HR scale, ``hr*`` fields exponentiated.

    ``tau2``/``tau`` are in (log HR)^2 / log HR units; ``weights_percent`` are the weights the
    pooled estimate used (random-effects weights for RE methods), in study order. Prediction
    interval fields are ``None`` when the method cannot give one (fewer than 3 studies for
    ``higgins_riley``). ``q_p_value`` is ``None`` with a single study.
    """

    method: str
    k: int
    labels: tuple[str, ...]
    estimate_log: float
    se_log: float
    ci_lower_log: float
    ci_upper_log: float
    hr: float
    hr_ci_lower: float
    hr_ci_upper: float
    ci_level: float
    test: str
    statistic: float
    df_test: int | None
    p_value: float
    tau2: float
    tau: float
    i2_percent: float
    i2_from_q_percent: float
    h2: float
    q: float
    q_df: int
    q_p_value: float | None
    prediction: str
    pi_lower_log: float | None
    pi_upper_log: float | None
    pi_hr_lower: float | None
    pi_hr_upper: float | None
    weights_percent: tuple[float, ...]


def _q_statistic(y: FloatArray, v: FloatArray, tau2: float) -> float:
    w = 1.0 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    return float(np.sum(w * (y - mu) ** 2))


def _reml_score(y: FloatArray, v: FloatArray, tau2: float) -> float:
    """d/d tau^2 of the REML log-likelihood, times 2: y'PPy - tr(P) for the intercept-only model."""
    w = 1.0 / (v + tau2)
    sum_w = float(np.sum(w))
    mu = float(np.sum(w * y) / sum_w)
    trace_p = sum_w - float(np.sum(w**2)) / sum_w
    return float(np.sum(w**2 * (y - mu) ** 2)) - trace_p


def _positive_root(func: Callable[[float], float], start: float) -> float:
    """Root of a function positive at 0 and negative for large tau^2 (bracket by doubling)."""
    upper = max(start, 1e-4)
    for _ in range(200):
        if func(upper) < 0:
            break
        upper *= 2.0
    else:  # pragma: no cover - the score/Q equations always turn negative eventually
        raise RuntimeError("could not bracket the tau^2 estimating equation")
    # Only heterogeneous pools reach the root finder; scipy.optimize costs ~1 s to import.
    from scipy.optimize import brentq  # noqa: PLC0415 - heavy import, only REML/PM with tau^2 > 0

    return float(brentq(func, 0.0, upper, xtol=_ROOT_XTOL, rtol=_ROOT_RTOL, maxiter=500))


def _tau2(y: FloatArray, v: FloatArray, method: PoolingMethod) -> float:
    k = y.size
    if method == "FE" or k < 2:
        return 0.0
    w = 1.0 / v
    sum_w = float(np.sum(w))
    c = sum_w - float(np.sum(w**2)) / sum_w
    q_fe = _q_statistic(y, v, 0.0)
    dl = max(0.0, (q_fe - (k - 1)) / c)
    if method == "DL":
        return dl
    if method == "PM":
        if q_fe <= k - 1:
            return 0.0
        return _positive_root(lambda t2: _q_statistic(y, v, t2) - (k - 1), dl)
    if method == "REML":
        if _reml_score(y, v, 0.0) <= 0.0:
            return 0.0
        return _positive_root(lambda t2: _reml_score(y, v, t2), dl)
    raise ValueError(f"unknown pooling method {method!r}; use FE, REML, PM or DL")


def pool_log_estimates(
    log_estimates: Sequence[float],
    standard_errors: Sequence[float],
    *,
    labels: Sequence[str] | None = None,
    method: PoolingMethod = "REML",
    ci_level: float = 0.95,
    knapp_hartung: bool = False,
    prediction: PredictionMethod = "higgins_riley",
) -> MetaAnalysisResult:
    """Pool log ratios with known standard errors (the core of :func:`pool`).

    Estimate mu = sum w_i y_i / sum w_i with w_i = 1 / (se_i^2 + tau^2); se(mu) = (sum w_i)^-1/2;
    Wald z (or Knapp-Hartung t_{k-1}) interval and p. Q is Cochran's Q with fixed-effect weights,
    df = k - 1. Assumes within-study SEs are known (large-sample) and studies independent.
    """
    level = check_ci_level(ci_level)
    y = np.asarray(log_estimates, dtype=np.float64)
    se = np.asarray(standard_errors, dtype=np.float64)
    k = int(y.size)
    if k == 0:
        raise ValueError("nothing to pool: at least one study is needed")
    if se.shape != y.shape or y.ndim != 1:
        raise ValueError("log_estimates and standard_errors must be 1-D and of equal length")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ValueError("estimates must be finite and standard errors finite and > 0")
    names = tuple(labels) if labels is not None else tuple(f"study {i + 1}" for i in range(k))
    if len(names) != k:
        raise ValueError("labels must match the number of studies")
    if knapp_hartung and k < 2:
        raise ValueError("Knapp-Hartung needs at least two studies")

    v = se**2
    tau2 = _tau2(y, v, method)
    w = 1.0 / (v + tau2)
    sum_w = float(np.sum(w))
    mu = float(np.sum(w * y) / sum_w)
    se_mu = math.sqrt(1.0 / sum_w)
    if knapp_hartung:
        se_mu = math.sqrt(float(np.sum(w * (y - mu) ** 2)) / ((k - 1) * sum_w))
        crit = float(stdtrit(k - 1, 0.5 + level / 2.0))
        statistic = mu / se_mu if se_mu > 0 else math.copysign(math.inf, mu)
        p_value = float(2.0 * stdtr(k - 1, -abs(statistic)))
        test, df_test = "knha", k - 1
    else:
        crit = two_sided_z(level)
        statistic = mu / se_mu
        p_value = two_sided_normal_p(statistic)
        test, df_test = "z", None

    w_fe = 1.0 / v
    q = _q_statistic(y, v, 0.0)
    q_df = k - 1
    q_p = float(chdtrc(q_df, q)) if q_df > 0 else None
    i2_from_q = 100.0 * max(0.0, (q - q_df) / q) if q_df > 0 and q > 0 else 0.0
    if method == "FE":
        i2 = i2_from_q
        h2 = q / q_df if q_df > 0 else 1.0
    else:
        sum_fe = float(np.sum(w_fe))
        denominator = sum_fe**2 - float(np.sum(w_fe**2))
        typical_v = (k - 1) * sum_fe / denominator if denominator > 0 else float(v[0])
        i2 = 100.0 * tau2 / (tau2 + typical_v)
        h2 = (tau2 + typical_v) / typical_v
    i2 = min(100.0, max(0.0, i2))

    pi_lower: float | None = None
    pi_upper: float | None = None
    if prediction == "higgins_riley":
        if k >= 3:
            half = float(stdtrit(k - 2, 0.5 + level / 2.0)) * math.sqrt(se_mu**2 + tau2)
            pi_lower, pi_upper = mu - half, mu + half
    elif prediction == "metafor":
        half = crit * math.sqrt(se_mu**2 + tau2)
        pi_lower, pi_upper = mu - half, mu + half
    else:
        raise ValueError(f"unknown prediction method {prediction!r}")

    return MetaAnalysisResult(
        method=method,
        k=k,
        labels=names,
        estimate_log=mu,
        se_log=se_mu,
        ci_lower_log=mu - crit * se_mu,
        ci_upper_log=mu + crit * se_mu,
        hr=math.exp(mu),
        hr_ci_lower=math.exp(mu - crit * se_mu),
        hr_ci_upper=math.exp(mu + crit * se_mu),
        ci_level=level,
        test=test,
        statistic=statistic,
        df_test=df_test,
        p_value=p_value,
        tau2=tau2,
        tau=math.sqrt(tau2),
        i2_percent=i2,
        i2_from_q_percent=i2_from_q,
        h2=h2,
        q=q,
        q_df=q_df,
        q_p_value=q_p,
        prediction=prediction,
        pi_lower_log=pi_lower,
        pi_upper_log=pi_upper,
        pi_hr_lower=None if pi_lower is None else math.exp(pi_lower),
        pi_hr_upper=None if pi_upper is None else math.exp(pi_upper),
        weights_percent=tuple(float(x) for x in 100.0 * w / sum_w),
    )


def pool(
    studies: Sequence[StudyEstimate],
    *,
    method: PoolingMethod = "REML",
    ci_level: float = 0.95,
    knapp_hartung: bool = False,
    prediction: PredictionMethod = "higgins_riley",
) -> MetaAnalysisResult:
    """Pool published HRs (see module docstring for the methods).

    The caller decides what may be pooled: within one PD-L1 scoring system and cut-off by default;
    across systems only on request and labelled so. Pass a tuple to make the call cacheable.
    """
    return pool_log_estimates(
        [s.log_hr for s in studies],
        [s.se_log_hr for s in studies],
        labels=[s.label for s in studies],
        method=method,
        ci_level=ci_level,
        knapp_hartung=knapp_hartung,
        prediction=prediction,
    )


@dataclass(frozen=True)
class LeaveOneOut:
    """The pooled result with study ``omitted_label`` left out."""

    omitted_label: str
    result: MetaAnalysisResult


def leave_one_out(
    studies: Sequence[StudyEstimate],
    *,
    method: PoolingMethod = "REML",
    ci_level: float = 0.95,
    knapp_hartung: bool = False,
    prediction: PredictionMethod = "higgins_riley",
) -> tuple[LeaveOneOut, ...]:
    """Re-pool k times, each time without one study (metafor ``leave1out``). Needs k >= 2."""
    if len(studies) < 2:
        raise ValueError("leave-one-out needs at least two studies")
    return tuple(
        LeaveOneOut(
            omitted_label=studies[i].label,
            result=pool(
                [s for j, s in enumerate(studies) if j != i],
                method=method,
                ci_level=ci_level,
                knapp_hartung=knapp_hartung,
                prediction=prediction,
            ),
        )
        for i in range(len(studies))
    )


@dataclass(frozen=True)
class RatioOfHazardRatios:
    """HR_numerator / HR_denominator (e.g. PD-L1 high vs low within one trial) with CI and p.

    ``p_value`` tests equality of the two HRs (interaction test on the log scale).
    """

    numerator_label: str
    denominator_label: str
    ratio: float
    ci_lower: float
    ci_upper: float
    ci_level: float
    log_ratio: float
    se_log_ratio: float
    z: float
    p_value: float


def ratio_of_hazard_ratios(
    numerator: StudyEstimate, denominator: StudyEstimate, ci_level: float = 0.95
) -> RatioOfHazardRatios:
    """Subgroup interaction: log ratio = log HR_1 - log HR_2, SE = sqrt(se_1^2 + se_2^2).

    Assumption: the two estimates are independent, which holds for disjoint subgroups of one
    trial (e.g. CPS >= 10 and CPS < 10 patients) analysed separately; it does NOT hold for nested
    subgroups (CPS >= 1 vs ITT), whose estimates share patients. Reference: Altman & Bland,
    BMJ 2003;326:219 ("Interaction revisited").
    """
    level = check_ci_level(ci_level)
    log_ratio = numerator.log_hr - denominator.log_hr
    se = math.sqrt(numerator.se_log_hr**2 + denominator.se_log_hr**2)
    wald = wald_ratio(log_ratio, se, level)
    return RatioOfHazardRatios(
        numerator_label=numerator.label,
        denominator_label=denominator.label,
        ratio=wald.ratio,
        ci_lower=wald.ci_lower,
        ci_upper=wald.ci_upper,
        ci_level=level,
        log_ratio=log_ratio,
        se_log_ratio=se,
        z=wald.z,
        p_value=wald.p_value,
    )
