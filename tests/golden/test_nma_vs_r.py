"""Golden tests: analysis.nma against R metafor 3.8-1 ``rma.mv`` (Debian r-cran-metafor, metadat
1.2-0), R 4.2.2 Patched (2022-11-10 r83330).

Expected numbers were computed once in R and hard-coded; R is not needed to run the tests. Common
R preamble:

    library(metafor)
    f <- function(x) cat(paste(sprintf("%.10g", x), collapse = ", "), "\\n")

(a) ``dat.hasselblad1998`` (shipped with metafor via metadat; Hasselblad 1998, Med Decis Making
18:37; 24 smoking-cessation trials, 4 interventions, two three-arm trials), contrast-based log
odds ratios with the multi-arm covariance from the arm counts, exactly as in the dataset's help
page:

    dat <- to.wide(dat.hasselblad1998, study = "study", grp = "trt", ref = "no_contact",
                   grpvars = 6:7)
    dat <- escalc(measure = "OR", ai = xi.1, n1i = ni.1, ci = xi.2, n2i = ni.2, add = 1/2,
                  to = "all", data = dat)
    calc.v <- function(x) {
      v <- matrix(1/(x$xi.2[1] + 1/2) + 1/(x$ni.2[1] - x$xi.2[1] + 1/2),
                  nrow = nrow(x), ncol = nrow(x))
      diag(v) <- x$vi; v }
    V <- bldiag(lapply(split(dat, dat$study), calc.v))
    dat <- contrmat(dat, grp1 = "trt.1", grp2 = "trt.2")
    # metafor's default nlminb stops ~1e-6 (relative) short of the REML root; nlm with tight
    # tolerances and optim's BFGS/Nelder-Mead agree with each other and with us to < 2e-8.
    ctl <- list(optimizer = "nlm", gradtol = 1e-12, steptol = 1e-12)
    r <- rma.mv(yi, V, mods = ~ self_help + ind_counseling + grp_counseling - 1,
                random = ~ comp | study, rho = 1/2, data = dat, control = ctl)
    f(r$tau2); f(r$beta); f(r$se); f(r$vb[1, 2]); f(r$vb[1, 3]); f(r$vb[2, 3])
    f(c(r$QE, r$k - r$p))
    fe <- rma.mv(yi, V, mods = ~ self_help + ind_counseling + grp_counseling - 1, data = dat)
    f(fe$beta); f(fe$se); f(c(fe$QE, fe$QEp))
    cvec <- c(0, -1, 1); f(c(sum(cvec * r$beta), sqrt(t(cvec) %*% r$vb %*% cvec)))
    # P-scores of the random-effects fit, a higher odds ratio of quitting being better:
    d <- c(0, r$beta); vb <- rbind(0, cbind(0, r$vb)); nt <- length(d)
    f(sapply(1:nt, function(i) mean(sapply(setdiff(1:nt, i), function(j)
      pnorm((d[i] - d[j]) / sqrt(vb[i, i] + vb[j, j] - 2 * vb[i, j]))))))

(b) This project's ITT OS network (lumped nodes, latest analyses; the HRs are those
``analysis.network.build_network(registry, "OS", "ITT")`` selects, asserted below), with the
CheckMate 648 covariance built the way ``analysis.nma`` builds it (correlation 1/2 between the
two contrasts sharing the chemotherapy arm) and SEs from each CI at its own level:

    study <- c("ASTRUM-007", "CheckMate 648", "CheckMate 648", "ESCORT-1st", "GEMSTONE-304",
               "JUPITER-06", "KEYNOTE-590", "ORIENT-15", "RATIONALE-306", "SKYSCRAPER-08")
    trt <- c("serp", "nivo_chemo", "nivo_ipi", "cam", "sug", "tori", "pembro", "sint", "tisle",
             "tira_atezo")
    hr  <- c(0.70, 0.74, 0.78, 0.70, 0.70, 0.58, 0.72, 0.628, 0.70, 0.70)
    lo  <- c(0.57, 0.58, 0.62, 0.58, 0.55, 0.43, 0.60, 0.508, 0.59, 0.55)
    hi  <- c(0.86, 0.96, 0.98, 0.84, 0.90, 0.78, 0.88, 0.777, 0.83, 0.88)
    lev <- c(0.95, 0.991, 0.982, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95)
    yi <- log(hr); sei <- (log(hi) - log(lo)) / (2 * qnorm(1 - (1 - lev) / 2))
    V <- diag(sei^2); V[2, 3] <- V[3, 2] <- 0.5 * sei[2] * sei[3]
    X <- sapply(trt, function(t) as.numeric(trt == t)); comp <- trt
    fe <- rma.mv(yi, V, mods = X, intercept = FALSE)
    re <- rma.mv(yi, V, mods = X, intercept = FALSE, random = ~ comp | study, rho = 1/2)
    f(sei); f(fe$beta); f(fe$se); f(re$tau2); f(re$beta); f(re$se)
    cvec <- as.numeric(trt == "nivo_chemo") - as.numeric(trt == "nivo_ipi")
    f(c(sum(cvec * fe$beta), sqrt(t(cvec) %*% fe$vb %*% cvec)))
    d <- c(0, fe$beta); vb <- rbind(0, cbind(0, fe$vb)); nt <- length(d)
    f(sapply(1:nt, function(i) mean(sapply(setdiff(1:nt, i), function(j)
      pnorm((d[j] - d[i]) / sqrt(vb[i, i] + vb[j, j] - 2 * vb[i, j]))))))

The ITT OS network is a star with one trial per edge: the model is saturated, so tau^2 is not
estimable; R's REML returns the boundary 0, ``analysis.nma`` returns 0 and flags it.

Tolerance: rtol = 1e-6 on estimates, SEs, covariances and tau^2 (R prints 10 significant digits);
Q within 1e-6 relative.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.meta import study_from_hr_ci
from analysis.network import build_network
from analysis.nma import Contrast, fit_nma, p_scores, relative_effect
from data import load_registry

RTOL = 1e-6

# metadat::dat.hasselblad1998 after to.wide(ref = "no_contact"), in R's row order:
# (study, trt.1, trt.2, xi.1, ni.1, xi.2, ni.2); none = no contact, self = self-help,
# ind = individual counselling, grp = group counselling.
HASSELBLAD = [
    (1, "ind", "none", 363, 714, 75, 731), (2, "grp", "none", 10, 138, 9, 140),
    (2, "ind", "none", 23, 140, 9, 140), (3, "ind", "none", 9, 205, 2, 106),
    (4, "ind", "none", 237, 1561, 58, 549), (5, "ind", "none", 9, 48, 0, 33),
    (6, "ind", "self", 16, 43, 20, 49), (7, "ind", "none", 31, 98, 3, 100),
    (8, "ind", "none", 26, 95, 1, 31), (9, "grp", "self", 29, 170, 11, 78),
    (9, "ind", "self", 12, 85, 11, 78), (10, "ind", "none", 17, 77, 6, 39),
    (11, "self", "none", 77, 694, 79, 702), (12, "self", "none", 21, 535, 18, 671),
    (13, "ind", "none", 107, 761, 64, 642), (14, "grp", "ind", 20, 74, 12, 76),
    (15, "grp", "ind", 3, 26, 9, 55), (16, "grp", "self", 32, 127, 7, 66),
    (17, "ind", "none", 8, 90, 5, 62), (18, "ind", "none", 34, 237, 20, 234),
    (19, "grp", "none", 9, 20, 0, 20), (20, "self", "none", 19, 149, 8, 116),
    (21, "ind", "none", 143, 1031, 95, 1107), (22, "ind", "none", 36, 504, 15, 187),
    (23, "ind", "none", 73, 675, 78, 584), (24, "ind", "none", 54, 888, 69, 1177),
]  # fmt: skip
HB_TREATMENTS = ["none", "self", "ind", "grp"]


def _hasselblad() -> tuple[list[Contrast], np.ndarray]:
    """escalc(measure = "OR", add = 1/2, to = "all") and calc.v from the module docstring."""
    contrasts = []
    for k, (study, t1, t2, x1, n1, x2, n2) in enumerate(HASSELBLAD):
        a, b, c, d = x1 + 0.5, n1 - x1 + 0.5, x2 + 0.5, n2 - x2 + 0.5
        log_or = math.log(a * d / (b * c))
        contrasts.append(
            Contrast(str(study), t1, t2, log_or, math.sqrt(1 / a + 1 / b + 1 / c + 1 / d), f"r{k}")
        )
    n = len(HASSELBLAD)
    v = np.zeros((n, n))
    for i, row_i in enumerate(HASSELBLAD):
        for j, row_j in enumerate(HASSELBLAD):
            if i == j:
                v[i, j] = contrasts[i].se_log_hr ** 2
            elif row_i[0] == row_j[0]:  # same study: variance of the shared (trt.2) arm
                x2, n2 = row_i[5], row_i[6]
                v[i, j] = 1 / (x2 + 0.5) + 1 / (n2 - x2 + 0.5)
    return contrasts, v


def test_hasselblad_random_effects_matches_rma_mv() -> None:
    contrasts, v = _hasselblad()
    fit = fit_nma(contrasts, treatments=HB_TREATMENTS, model="random", covariance=v)
    assert fit.tau2_method == "REML"
    assert fit.tau2 == pytest.approx(0.4323618923, rel=RTOL)
    np.testing.assert_allclose(
        fit.estimates_log[1:], [0.388845302, 0.6864192721, 0.8437760885], rtol=RTOL
    )
    cov = np.array(fit.covariance_log)
    np.testing.assert_allclose(
        np.sqrt(np.diag(cov))[1:], [0.3221479109, 0.1903818259, 0.3640805084], rtol=RTOL
    )
    np.testing.assert_allclose(
        [cov[1, 2], cov[1, 3], cov[2, 3]],
        [0.01481600597, 0.03931492474, 0.02465740631],
        rtol=RTOL,
    )
    assert (fit.q, fit.q_df) == (pytest.approx(202.3333547, rel=RTOL), 23)
    grp_vs_ind = relative_effect(fit, "grp", "ind")
    assert (grp_vs_ind.log_hr, grp_vs_ind.se_log_hr) == pytest.approx(
        (0.1573568164, 0.3456660868), rel=RTOL
    )
    assert grp_vs_ind.treatment == "grp"
    np.testing.assert_allclose(
        [p.p_score for p in p_scores(fit, lower_is_better=False)],
        [0.04136700615, 0.3991679998, 0.713029923, 0.8464350711],
        rtol=RTOL,
    )


def test_hasselblad_fixed_effect_matches_rma_mv() -> None:
    contrasts, v = _hasselblad()
    fit = fit_nma(contrasts, treatments=HB_TREATMENTS, model="fixed", covariance=v)
    assert fit.tau2 == 0.0
    np.testing.assert_allclose(
        fit.estimates_log[1:], [0.2011346139, 0.6463864543, 0.7010951921], rtol=RTOL
    )
    np.testing.assert_allclose(
        np.sqrt(np.diag(np.array(fit.covariance_log)))[1:],
        [0.1248291829, 0.05855298925, 0.1844032558],
        rtol=RTOL,
    )
    assert fit.q == pytest.approx(202.3333547, rel=RTOL)
    assert fit.q_p_value == pytest.approx(1.225424401e-30, rel=1e-4)


def test_hasselblad_covariance_matters() -> None:
    """Dropping the multi-arm covariance changes the answer, so the tests above can fail."""
    contrasts, v = _hasselblad()
    independent = fit_nma(
        contrasts, treatments=HB_TREATMENTS, model="random", covariance=np.diag(np.diag(v))
    )
    assert abs(independent.tau2 - 0.4323618923) > 1e-4


# (b) Project ITT OS network: (study, node, HR, lower, upper, CI level) as R's vectors.
ITT_OS = [
    ("ASTRUM-007", "serplulimab+chemo", 0.70, 0.57, 0.86, 0.95),
    ("CheckMate 648", "nivolumab+chemo", 0.74, 0.58, 0.96, 0.991),
    ("CheckMate 648", "ipilimumab+nivolumab", 0.78, 0.62, 0.98, 0.982),
    ("ESCORT-1st", "camrelizumab+chemo", 0.70, 0.58, 0.84, 0.95),
    ("GEMSTONE-304", "sugemalimab+chemo", 0.70, 0.55, 0.90, 0.95),
    ("JUPITER-06", "toripalimab+chemo", 0.58, 0.43, 0.78, 0.95),
    ("KEYNOTE-590", "pembrolizumab+chemo", 0.72, 0.60, 0.88, 0.95),
    ("ORIENT-15", "sintilimab+chemo", 0.628, 0.508, 0.777, 0.95),
    ("RATIONALE-306", "tislelizumab+chemo", 0.70, 0.59, 0.83, 0.95),
    ("SKYSCRAPER-08", "atezolizumab+tiragolumab+chemo", 0.70, 0.55, 0.88, 0.95),
]
R_SEI = [0.1049243842, 0.09645764476, 0.09676817412, 0.09448484544, 0.125634065,
         0.151918279, 0.0977039005, 0.1084098754, 0.08706873355, 0.1199010882]  # fmt: skip
R_BETA = [-0.3566749439, -0.3011050928, -0.2484613593, -0.3566749439, -0.3566749439,
          -0.5447271754, -0.328504067, -0.4652151125, -0.3566749439, -0.3566749439]  # fmt: skip
R_P_SCORES = [0.001075083981, 0.539521108, 0.4088991712, 0.2813596661, 0.5401658311,
              0.5384223342, 0.8633354175, 0.4700808165, 0.7777512117, 0.5406776989,
              0.5387116608]  # fmt: skip


def test_registry_itt_os_network_is_the_one_computed_in_r() -> None:
    """The R vectors above are what the network builder selects from the evidence base."""
    net = build_network(load_registry(), "OS", "ITT", "lumped")
    got = sorted(
        (
            c.evidence.trial_name,
            c.treatment,
            c.evidence.hazard_ratio,
            c.evidence.ci_lower,
            c.evidence.ci_upper,
            (c.evidence.ci_level_percent or 0) / 100.0,
        )
        for c in net.contrasts
    )
    assert got == sorted(ITT_OS)
    assert all(c.comparator == "chemo" for c in net.contrasts)


@pytest.mark.parametrize("model", ["fixed", "random"])
def test_itt_os_network_matches_rma_mv(model: str) -> None:
    net = build_network(load_registry(), "OS", "ITT", "lumped")
    by_node = {c.treatment: c for c in net.contrasts}
    contrasts = [
        Contrast(
            study=study,
            treatment=node,
            comparator="chemo",
            log_hr=by_node[node].log_hr,
            se_log_hr=by_node[node].se_log_hr,
            key=node,
        )
        for study, node, *_ in ITT_OS
    ]
    np.testing.assert_allclose([c.se_log_hr for c in contrasts], R_SEI, rtol=RTOL)
    for (study, _node, hr, lo, hi, level), se in zip(ITT_OS, R_SEI, strict=True):
        assert study_from_hr_ci(study, hr, lo, hi, level).se_log_hr == pytest.approx(se, rel=RTOL)
    fit = fit_nma(
        contrasts,
        treatments=["chemo", *(row[1] for row in ITT_OS)],
        model="random" if model == "random" else "fixed",
    )
    assert fit.tau2 == 0.0  # R: re$tau2 = 0 (boundary); here: saturated, not estimable
    assert fit.tau2_estimable is False
    assert fit.q_df == 0
    np.testing.assert_allclose(fit.estimates_log[1:], R_BETA, rtol=RTOL)
    np.testing.assert_allclose(np.sqrt(np.diag(np.array(fit.covariance_log)))[1:], R_SEI, rtol=RTOL)
    within = relative_effect(fit, "nivolumab+chemo", "ipilimumab+nivolumab")
    assert (within.log_hr, within.se_log_hr) == pytest.approx(
        (-0.05264373349, 0.09661328373), rel=RTOL
    )
    np.testing.assert_allclose([p.p_score for p in p_scores(fit)], R_P_SCORES, rtol=RTOL)
