"""Network meta-analysis core (analysis.nma): properties that hold whatever the data.

The numbers against R are in tests/golden/test_nma_vs_r.py; these tests use SYNTHETIC log HRs
(illustrative, not any trial's results).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.nma import (
    Contrast,
    fit_nma,
    league_table,
    network_components,
    p_scores,
    relative_effect,
    within_study_covariance,
)

# SYNTHETIC: a triangle A-B-C with a loop (2 two-arm trials + 1 three-arm trial) and a spur D.
LOOP = [
    Contrast("t1", "A", "C", -0.30, 0.10, "t1:A-C"),
    Contrast("t2", "B", "C", -0.10, 0.12, "t2:B-C"),
    Contrast("t3", "A", "C", -0.45, 0.15, "t3:A-C"),
    Contrast("t3", "B", "C", 0.05, 0.15, "t3:B-C"),
    Contrast("t4", "A", "B", -0.60, 0.20, "t4:A-B"),
    Contrast("t5", "D", "A", 0.10, 0.25, "t5:D-A"),
]


def test_shared_arm_covariance_sign_and_size() -> None:
    v = within_study_covariance(LOOP)
    assert v[2, 3] == pytest.approx(0.5 * 0.15 * 0.15)  # share C on the comparator side
    flipped = [LOOP[2], Contrast("t3", "C", "B", -0.05, 0.15, "t3:C-B")]
    assert within_study_covariance(flipped)[0, 1] == pytest.approx(-0.5 * 0.15 * 0.15)
    assert v[0, 1] == 0.0  # different trials are independent
    np.testing.assert_allclose(np.diag(v), [c.se_log_hr**2 for c in LOOP])


def test_fixed_effect_gls_by_hand_for_two_trials_of_one_contrast() -> None:
    """Two trials of A vs C only: GLS = inverse-variance pooling (weights 1/0.01 and 1/0.0225)."""
    fit = fit_nma(LOOP[:1] + LOOP[2:3], treatments=["C", "A"], model="fixed")
    w1, w2 = 1 / 0.10**2, 1 / 0.15**2
    assert fit.reference == "C" and fit.estimates_log[0] == 0.0
    assert fit.estimates_log[1] == pytest.approx((w1 * -0.30 + w2 * -0.45) / (w1 + w2))
    assert fit.covariance_log[1][1] == pytest.approx(1 / (w1 + w2))
    assert fit.q_df == 1


def test_loop_network_estimates_tau2_and_cites_every_contributing_contrast() -> None:
    fit = fit_nma(LOOP, treatments=["C", "A", "B", "D"], model="random")
    assert fit.tau2_estimable and fit.tau2_method == "REML"
    assert fit.tau2 > 0
    assert fit.q_df == 6 - 3
    d_ab = relative_effect(fit, "A", "B")
    keys = {k for k, _ in d_ab.contributions}
    assert {"t1:A-C", "t2:B-C", "t4:A-B"} <= keys
    assert "t5:D-A" not in keys  # the spur cannot inform A vs B
    # Weights reproduce the estimate: d = h'y.
    y = {c.key: c.log_hr for c in LOOP}
    assert sum(w * y[k] for k, w in d_ab.contributions) == pytest.approx(d_ab.log_hr)
    # The spur D is reached through A only: weight +1 on t5 in D vs A.
    assert relative_effect(fit, "D", "A").contributions == (("t5:D-A", pytest.approx(1.0)),)


def test_tau2_is_zero_not_negative_for_homogeneous_data() -> None:
    same = [
        Contrast("s1", "A", "C", -0.30, 0.10, "s1"),
        Contrast("s2", "A", "C", -0.31, 0.10, "s2"),
        Contrast("s3", "A", "C", -0.29, 0.12, "s3"),
    ]
    fit = fit_nma(same, model="random")
    assert fit.tau2 == 0.0 and fit.tau2_estimable
    fixed = fit_nma(same, model="fixed")
    assert fit.estimates_log == fixed.estimates_log


def test_saturated_network_flags_tau2_not_estimable() -> None:
    star = [
        Contrast("s1", "A", "C", -0.30, 0.10, "s1"),
        Contrast("s2", "B", "C", -0.10, 0.12, "s2"),
    ]
    fit = fit_nma(star, model="random")
    assert (fit.tau2, fit.tau2_estimable, fit.q_df, fit.q_p_value) == (0.0, False, 0, None)
    assert "not estimable" in fit.tau2_method


def test_league_table_is_antisymmetric_and_complete() -> None:
    fit = fit_nma(LOOP, model="random")
    table = league_table(fit)
    t = len(fit.treatments)
    assert len(table) == t * (t - 1)
    cells = {(r.treatment, r.comparator): r for r in table}
    for (a, b), r in cells.items():
        back = cells[(b, a)]
        assert r.log_hr == pytest.approx(-back.log_hr)
        assert r.se_log_hr == pytest.approx(back.se_log_hr)
        assert r.ci_lower == pytest.approx(1 / back.ci_upper)
        assert r.ci_lower < r.hr < r.ci_upper


def test_p_scores_average_one_half_and_rank_intervals_are_valid() -> None:
    fit = fit_nma(LOOP, model="random")
    scores = p_scores(fit)
    assert sum(s.p_score for s in scores) / len(scores) == pytest.approx(0.5)
    for s in scores:
        assert 0.0 <= s.p_score <= 1.0
        assert 1 <= s.rank_lower <= s.rank_median <= s.rank_upper <= len(scores)
    # Deterministic (fixed seed): same input, same output.
    assert p_scores(fit) == scores
    # Reversing the direction mirrors the scores.
    higher = p_scores(fit, lower_is_better=False)
    for lo, hi in zip(scores, higher, strict=True):
        assert lo.p_score + hi.p_score == pytest.approx(1.0)


def test_disconnected_network_is_refused_with_its_components() -> None:
    with pytest.raises(ValueError, match="disconnected"):
        fit_nma([LOOP[0], Contrast("s9", "X", "Y", 0.1, 0.1, "s9")])
    parts = network_components([("A", "C"), ("X", "Y")], ["A", "C", "X", "Y", "Z"])
    assert parts == [["A", "C"], ["X", "Y"], ["Z"]]


@pytest.mark.parametrize(
    ("contrasts", "message"),
    [
        ([Contrast("s", "A", "A", 0.1, 0.1, "k")], "itself"),
        ([Contrast("s", "A", "C", math.nan, 0.1, "k")], "finite"),
        ([Contrast("s", "A", "C", 0.1, 0.0, "k")], "se > 0"),
        ([], "at least one"),
        (
            [Contrast("s", "A", "C", 0.1, 0.1, "k"), Contrast("s", "C", "A", -0.1, 0.1, "j")],
            "twice",
        ),
    ],
)
def test_bad_inputs_are_refused(contrasts: list[Contrast], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_nma(contrasts)


def test_unknown_treatment_names_the_known_ones() -> None:
    fit = fit_nma(LOOP)
    with pytest.raises(KeyError, match="known"):
        relative_effect(fit, "A", "Z")
