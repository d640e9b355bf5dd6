"""Golden tests: analysis.meta against R metafor 3.8-1 (Debian r-cran-metafor), R 4.2.2.

Expected numbers were computed once in R and hard-coded; R is not needed to run the tests. Common
R preamble for every docstring below:

    library(metafor)
    f <- function(x) cat(paste(sprintf("%.10g", x), collapse = ", "), "\\n")
    # metafor stops REML at |change in tau^2| < 1e-5 and PM's uniroot at tol ~1.2e-4 by default;
    # tightened so R's answer is the exact root (we solve to ~1e-14).
    ctl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 1000)
    show <- function(r) { p <- predict(r)
      f(c(r$tau2, r$beta, r$se, r$ci.lb, r$ci.ub, r$pval, r$QE, r$QEp, r$I2, r$H2))
      f(c(p$pi.lb, p$pi.ub)); f(weights(r)) }

Datasets: ``dat.bcg`` shipped with metafor (Colditz et al., JAMA 1994; 13 BCG vaccine trials) as log
risk ratios via ``escalc(measure = "RR", ...)``; a homogeneous 4-study set; a SYNTHETIC set of five
hazard ratios (illustrative numbers, not any trial's results) where one CI is at the 99.1% level.

Tolerance: rtol = 1e-6 (R prints 10 significant digits; DATA-04 asks for <= 1e-3); p-values
within 1e-4 absolute (in practice far closer).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.meta import (
    MetaAnalysisResult,
    PoolingMethod,
    leave_one_out,
    pool,
    pool_log_estimates,
    study_from_hr_ci,
    study_from_log_hr,
)

RTOL = 1e-6
P_ATOL = 1e-4

# metafor::dat.bcg: tpos, tneg, cpos, cneg (vaccinated TB+, TB-, control TB+, TB-), trial order.
BCG = [
    (4, 119, 11, 128), (6, 300, 29, 274), (3, 228, 11, 209), (62, 13536, 248, 12619),
    (33, 5036, 47, 5761), (180, 1361, 372, 1079), (8, 2537, 10, 619), (505, 87886, 499, 87892),
    (29, 7470, 45, 7232), (17, 1699, 65, 1600), (186, 50448, 141, 27197), (5, 2493, 3, 2338),
    (27, 16886, 29, 17825),
]  # fmt: skip


def _bcg_log_rr() -> tuple[list[float], list[float]]:
    """As escalc(measure = "RR"): yi = log(a/(a+b)) - log(c/(c+d)),
    vi = 1/a - 1/(a+b) + 1/c - 1/(c+d).
    """
    yi = [math.log(a / (a + b)) - math.log(c / (c + d)) for a, b, c, d in BCG]
    sei = [math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)) for a, b, c, d in BCG]
    return yi, sei


def test_bcg_effect_sizes_match_escalc() -> None:
    """R: dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
    f(dat$yi[c(1, 8, 13)]); f(sqrt(dat$vi[c(1, 8, 13)]))
    """
    yi, sei = _bcg_log_rr()
    np.testing.assert_allclose(
        [yi[0], yi[7], yi[12]], [-0.8893113339, 0.01195233352, -0.01731394822], rtol=RTOL
    )
    np.testing.assert_allclose(
        [sei[0], sei[7], sei[12]], [0.5706003549, 0.06294107798, 0.2672165034], rtol=RTOL
    )


# R: for (m in c("REML", "PM", "FE", "DL")) show(rma(yi, vi, data = dat, method = m, control = ctl))
# Row: tau2, beta, se, ci.lb, ci.ub, pval, QE, QEp, I2, H2 | pi.lb, pi.ub (predict, z-based)
BCG_R = {
    "REML": (
        [0.3132432581, -0.7145323422, 0.1797815161, -1.066897639, -0.3621670455, 7.054258102e-05,
         152.2330081, 1.996764591e-26, 92.22138452, 12.85575824],
        [-1.866692218, 0.4376275336],
        [5.059482734, 6.364679373, 4.436027403, 9.698747019, 8.868456391, 10.09573854,
         6.027181414, 10.18943904, 8.743133212, 8.367607258, 9.925027, 3.821629063, 8.402851552],
    ),
    "PM": (
        [0.3180684522, -0.7149681535, 0.1808921915, -1.069510334, -0.360425973, 7.735364608e-05,
         152.2330081, 1.996764591e-26, 92.33033795, 13.03838414],
        [-1.875807082, 0.4458707755],
        [5.083791098, 6.382914693, 4.461461713, 9.678813204, 8.861055799, 10.0691064,
         6.047468076, 10.16115944, 8.73745055, 8.36679879, 9.901331094, 3.847046056, 8.401603079],
    ),
    "FE": (
        [0.0, -0.4302851637, 0.04049875171, -0.5096612584, -0.3509090689, 2.288629307e-26,
         152.2330081, 1.996764591e-26, 92.11734685, 12.68608401],
        [-0.5096612584, -0.3509090689],  # predict() of an FE model: the CI
        [0.5037548026, 0.8429126517, 0.3948664863, 8.19663306, 3.202779488, 23.75093412,
         0.7354358948, 41.40138987, 2.906302536, 2.246016468, 13.21399143, 0.3080058003,
         2.296977393],
    ),
    "DL": (
        [0.3087602629, -0.7141172221, 0.1787420895, -1.06444528, -0.3637891641, 6.462924305e-05,
         152.2330081, 1.996764591e-26, 92.11734685, 12.68608401],
        [-1.858153753, 0.4299193086],
        [5.036491683, 6.347329183, 4.412027225, 9.717646357, 8.875377382, 10.12106042,
         6.007913826, 10.21634253, 8.748416777, 8.368251724, 9.947531895, 3.797696622,
         8.403914374],
    ),
}  # fmt: skip


def _check(
    result_row: list[float], pi: list[float], weights: list[float], r: MetaAnalysisResult
) -> None:
    """Compare one pooled result with one block of R output (see the module docstring's show())."""
    tau2, beta, se, lb, ub, pval, q, qp, i2, h2 = result_row
    if tau2 == 0.0:
        assert r.tau2 == 0.0
    else:
        assert r.tau2 == pytest.approx(tau2, rel=RTOL)
    assert r.estimate_log == pytest.approx(beta, rel=RTOL)
    assert r.se_log == pytest.approx(se, rel=RTOL)
    assert r.ci_lower_log == pytest.approx(lb, rel=RTOL)
    assert r.ci_upper_log == pytest.approx(ub, rel=RTOL)
    assert r.p_value == pytest.approx(pval, abs=P_ATOL, rel=1e-4)
    assert r.q == pytest.approx(q, rel=RTOL)
    assert r.q_p_value == pytest.approx(qp, abs=P_ATOL)
    assert r.i2_percent == pytest.approx(i2, rel=RTOL, abs=1e-9)
    assert r.h2 == pytest.approx(h2, rel=RTOL)
    assert r.pi_lower_log == pytest.approx(pi[0], rel=RTOL)
    assert r.pi_upper_log == pytest.approx(pi[1], rel=RTOL)
    np.testing.assert_allclose(r.weights_percent, weights, rtol=RTOL)


@pytest.mark.parametrize("method", ["REML", "PM", "FE", "DL"])
def test_bcg_matches_rma(method: PoolingMethod) -> None:
    """R: show(rma(yi, vi, data = dat, method = method, control = ctl)); values in BCG_R.

    The prediction interval is compared in ``prediction="metafor"`` mode (metafor 3.8's
    predict() uses the normal quantile when test = "z").
    """
    yi, sei = _bcg_log_rr()
    result = pool_log_estimates(yi, sei, method=method, prediction="metafor")
    _check(*BCG_R[method], result)
    assert result.k == 13
    assert result.q_df == 12


def test_bcg_knapp_hartung_matches_rma_knha() -> None:
    """R: show(rma(yi, vi, data = dat, method = "REML", test = "knha", control = ctl))"""
    yi, sei = _bcg_log_rr()
    result = pool_log_estimates(yi, sei, method="REML", knapp_hartung=True, prediction="metafor")
    _check(
        [0.3132432581, -0.7145323422, 0.1807917441, -1.108443714, -0.3206209706,
         0.001920015096, 152.2330081, 1.996764591e-26, 92.22138452, 12.85575824],
        [-1.996016834, 0.5669521499],
        BCG_R["REML"][2],
        result,
    )  # fmt: skip
    assert result.test == "knha"
    assert result.df_test == 12


def test_bcg_higgins_riley_prediction_interval() -> None:
    """R: r <- rma(yi, vi, data = dat, method = "REML", control = ctl)
    f(c(r$beta - qt(0.975, r$k - 2) * sqrt(r$se^2 + r$tau2),
        r$beta + qt(0.975, r$k - 2) * sqrt(r$se^2 + r$tau2)))     # -2.008375907, 0.5793112226
    """
    yi, sei = _bcg_log_rr()
    result = pool_log_estimates(yi, sei, method="REML")
    assert result.prediction == "higgins_riley"
    assert result.pi_lower_log == pytest.approx(-2.008375907, rel=RTOL)
    assert result.pi_upper_log == pytest.approx(0.5793112226, rel=RTOL)


def test_bcg_leave_one_out_matches_leave1out() -> None:
    """R: r <- rma(yi, vi, data = dat, method = "REML", control = ctl); l <- leave1out(r)
    f(l$estimate); f(l$tau2)
    (leave1out ignores ``control``; an explicit loop
    sapply(1:13, function(i) rma(yi, vi, data = dat[-i, ], method = "REML", control = ctl)$tau2)
    prints the same 10 digits.)
    """
    estimates = [-0.7070837847, -0.6540312003, -0.6855544108, -0.6284093698, -0.7641700951,
                 -0.7108765556, -0.6552475998, -0.7947676045, -0.7411972993, -0.6530329153,
                 -0.7578586267, -0.7598120993, -0.7775361849]  # fmt: skip
    tau2 = [0.3361567018, 0.292583084, 0.3207379296, 0.2627581481, 0.3278032604, 0.3595540704,
            0.2930258698, 0.2731829294, 0.3494520098, 0.2987245046, 0.3404882878, 0.3081622148,
            0.3037333664]  # fmt: skip
    yi, sei = _bcg_log_rr()
    studies = tuple(
        study_from_log_hr(f"bcg {i + 1}", y, s)
        for i, (y, s) in enumerate(zip(yi, sei, strict=True))
    )
    rows = leave_one_out(studies, method="REML")
    assert [row.omitted_label for row in rows] == [s.label for s in studies]
    np.testing.assert_allclose([row.result.estimate_log for row in rows], estimates, rtol=RTOL)
    np.testing.assert_allclose([row.result.tau2 for row in rows], tau2, rtol=RTOL)


@pytest.mark.parametrize("method", ["REML", "PM"])
def test_homogeneous_set_gives_tau2_exactly_zero(method: PoolingMethod) -> None:
    """R: show(rma(yi = c(0.10, 0.12, 0.09, 0.11), sei = c(0.20, 0.25, 0.30, 0.22),
                   method = method, control = ctl))       # same output for "REML" and "PM":
    0, 0.1057095989, 0.1172241371, -0.1240454879, 0.3354646857, 0.3671772972, 0.007204885866,
    0.9998376991, 0, 1 | -0.1240454879, 0.3354646857 | 34.35374579, 21.9863973, 15.26833146,
    28.39152545
    """
    result = pool_log_estimates(
        [0.10, 0.12, 0.09, 0.11], [0.20, 0.25, 0.30, 0.22], method=method, prediction="metafor"
    )
    assert result.tau2 == 0.0  # exactly, not 1e-10
    assert result.i2_percent == 0.0
    _check(
        [0.0, 0.1057095989, 0.1172241371, -0.1240454879, 0.3354646857, 0.3671772972,
         0.007204885866, 0.9998376991, 0.0, 1.0],
        [-0.1240454879, 0.3354646857],
        [34.35374579, 21.9863973, 15.26833146, 28.39152545],
        result,
    )  # fmt: skip


# SYNTHETIC hazard ratios (not from any trial): (label, HR, lower, upper, CI level).
SYNTHETIC_HRS = (
    ("synthetic A", 0.74, 0.58, 0.94, 0.95),
    ("synthetic B (99.1% CI)", 0.64, 0.46, 0.90, 0.991),
    ("synthetic C", 0.70, 0.56, 0.88, 0.95),
    ("synthetic D", 0.86, 0.71, 1.04, 0.95),
    ("synthetic E", 0.62, 0.49, 0.78, 0.95),
)


def test_ci_level_99_1_is_converted_with_its_own_quantile() -> None:
    """R:
    hr <- c(0.74, 0.64, 0.70, 0.86, 0.62); lo <- c(0.58, 0.46, 0.56, 0.71, 0.49)
    hi <- c(0.94, 0.90, 0.88, 1.04, 0.78); lev <- c(0.95, 0.991, 0.95, 0.95, 0.95)
    yi <- log(hr); sei <- (log(hi) - log(lo)) / (2 * qnorm(1 - (1 - lev) / 2)); f(sei)
    s <- rma(yi, sei = sei, method = "REML", control = ctl); show(s)
    f(exp(c(s$beta, s$ci.lb, s$ci.ub)))
    f(c(s$beta - qt(0.975, s$k - 2) * sqrt(s$se^2 + s$tau2),
        s$beta + qt(0.975, s$k - 2) * sqrt(s$se^2 + s$tau2)))
    # Using 1.96 for every study instead (the error this test guards against):
    sw <- (log(hi) - log(lo)) / (2 * qnorm(0.975))
    w <- rma(yi, sei = sw, method = "REML", control = ctl); f(c(w$beta, w$se, w$tau2))
    # -0.3271391975, 0.06570869226, 0.006861440966
    """
    studies = tuple(study_from_hr_ci(*row) for row in SYNTHETIC_HRS)
    np.testing.assert_allclose(
        [s.se_log_hr for s in studies],
        [0.1231787358, 0.1284751842, 0.1153044462, 0.09737705007, 0.1185961916],
        rtol=RTOL,
    )
    result = pool(studies, method="REML", prediction="metafor")
    _check(
        [0.00712495177, -0.3346335395, 0.06407848132, -0.4602250551, -0.2090420239,
         1.767667205e-07, 5.867667279, 0.2092513311, 34.77798277, 1.53322458],
        [-0.5423435239, -0.1269235551],
        [18.41447876, 17.37582931, 20.10792497, 24.72446572, 19.37730124],
        result,
    )  # fmt: skip
    assert (result.hr, result.hr_ci_lower, result.hr_ci_upper) == pytest.approx(
        (0.7156002775, 0.6311415879, 0.8113611383), rel=RTOL
    )
    higgins = pool(studies, method="REML")
    assert (higgins.pi_lower_log, higgins.pi_upper_log) == pytest.approx(
        (-0.671897835, 0.002630755938), rel=RTOL
    )
    # The 1.96-for-everything mistake gives a visibly different answer, so the test can fail.
    wrong = pool(
        tuple(study_from_hr_ci(lab, h, lo, hi, 0.95) for lab, h, lo, hi, _ in SYNTHETIC_HRS)
    )
    assert (wrong.estimate_log, wrong.se_log, wrong.tau2) == pytest.approx(
        (-0.3271391975, 0.06570869226, 0.006861440966), rel=RTOL
    )
    assert abs(wrong.tau2 - result.tau2) > 1e-4


def test_synthetic_pm_matches_rma() -> None:
    """R (objects from the previous docstring): show(rma(yi, sei = sei, method = "PM",
    control = ctl))
    """
    studies = tuple(study_from_hr_ci(*row) for row in SYNTHETIC_HRS)
    _check(
        [0.005299050846, -0.3332833707, 0.06110942288, -0.4530556386, -0.2135111027,
         4.928286782e-08, 5.867667279, 0.2092513311, 28.39630129, 1.3965759],
        [-0.519566708, -0.1470000333],
        [18.24126668, 17.12623075, 20.08351185, 25.26402465, 19.28496607],
        pool(studies, method="PM", prediction="metafor"),
    )  # fmt: skip
