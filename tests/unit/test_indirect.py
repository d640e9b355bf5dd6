"""Bucher anchored indirect comparisons, worked by hand (analysis.indirect).

Sintilimab + chemotherapy (ORIENT-15) vs pembrolizumab + chemotherapy (KEYNOTE-590) through
their chemotherapy controls, OS, for the ITT (ESCC) population and the PD-L1 CPS >= 10 subgroup.
The inputs are read from the registry (asserted equal to the printed values below), the
arithmetic is written out with z = 1.959964 (the 97.5 % normal quantile) and 6-decimal logs, so
the hand values carry ~1e-6 rounding: tolerance 2e-5 absolute on logs/SEs, 1e-4 relative on HRs.
"""

from __future__ import annotations

import math

import pytest

from analysis.indirect import bucher
from analysis.meta import study_from_hr_ci
from analysis.network import build_network
from analysis.nma import Contrast, fit_nma, relative_effect
from data import load_registry

HAND_ATOL = 2e-5
HAND_RTOL = 1e-4


def _registry_hr(population: str, trial_id: str) -> tuple[float, float, float, float]:
    net = build_network(load_registry(), "OS", population, "lumped")
    ev = next(c.evidence for c in net.contrasts if c.trial_id == trial_id)
    assert ev.hazard_ratio is not None and ev.ci_lower is not None
    assert ev.ci_upper is not None and ev.ci_level_percent is not None
    return ev.hazard_ratio, ev.ci_lower, ev.ci_upper, ev.ci_level_percent


def test_sintilimab_vs_pembrolizumab_os_itt_by_hand() -> None:
    """ORIENT-15 ITT (interim; the final-analysis HR 0.661 has no CI):
        HR 0.628 (95 % CI 0.508-0.777)
        ln 0.628 = -0.465215; ln 0.508 = -0.677274; ln 0.777 = -0.252315
        se_1 = (-0.252315 - (-0.677274)) / (2 x 1.959964) = 0.424959 / 3.919928 = 0.108410
    KEYNOTE-590 ESCC subgroup (its ITT mixes histologies; the ESCC HR is used):
        HR 0.72 (95 % CI 0.60-0.88)
        ln 0.72 = -0.328504; ln 0.60 = -0.510826; ln 0.88 = -0.127833
        se_2 = (-0.127833 - (-0.510826)) / 3.919928 = 0.382993 / 3.919928 = 0.097704
    Indirect:
        ln HR = -0.465215 - (-0.328504) = -0.136711      HR = 0.628 / 0.72 = 0.872222
        se = sqrt(0.108410^2 + 0.097704^2) = sqrt(0.011753 + 0.009546) = sqrt(0.021299) = 0.145941
        95 % CI: -0.136711 -/+ 1.959964 x 0.145941 = -0.136711 -/+ 0.286039
               = (-0.422750, 0.149328) -> HR (0.6552, 1.1610)
        z = -0.136711 / 0.145941 = -0.9368, p = 2 (1 - Phi(0.9368)) = 0.3489
    """
    assert _registry_hr("ITT", "orient15") == (0.628, 0.508, 0.777, 95.0)
    assert _registry_hr("ITT", "keynote590") == (0.72, 0.60, 0.88, 95.0)
    sint = study_from_hr_ci("ORIENT-15", 0.628, 0.508, 0.777, 0.95)
    pembro = study_from_hr_ci("KEYNOTE-590", 0.72, 0.60, 0.88, 0.95)
    assert sint.se_log_hr == pytest.approx(0.108410, abs=HAND_ATOL)
    assert pembro.se_log_hr == pytest.approx(0.097704, abs=HAND_ATOL)
    r = bucher(sint, pembro, treatment="sintilimab", comparator="pembrolizumab", common="chemo")
    assert r.log_hr == pytest.approx(-0.136711, abs=HAND_ATOL)
    assert r.hr == pytest.approx(0.872222, rel=HAND_RTOL)
    assert r.se_log_hr == pytest.approx(0.145941, abs=HAND_ATOL)
    assert r.ci_lower == pytest.approx(0.6552, rel=HAND_RTOL)
    assert r.ci_upper == pytest.approx(1.1610, rel=HAND_RTOL)
    assert r.z == pytest.approx(-0.9368, abs=1e-4)
    assert r.p_value == pytest.approx(0.3489, abs=1e-4)
    assert r.ci_level == 0.95


def test_sintilimab_vs_pembrolizumab_os_cps10_by_hand() -> None:
    """ORIENT-15 PD-L1 CPS >= 10 (22C3, interim): HR 0.638 (95 % CI 0.48-0.848)
        ln 0.638 = -0.449417; ln 0.48 = -0.733969; ln 0.848 = -0.164875
        se_1 = (-0.164875 + 0.733969) / 3.919928 = 0.569094 / 3.919928 = 0.145180
    KEYNOTE-590 ESCC CPS >= 10 (22C3; not the all-histology CPS >= 10 HR 0.62):
        HR 0.57 (95 % CI 0.43-0.75)
        ln 0.57 = -0.562119; ln 0.43 = -0.843970; ln 0.75 = -0.287682
        se_2 = (-0.287682 + 0.843970) / 3.919928 = 0.556288 / 3.919928 = 0.141913
    Indirect:
        ln HR = -0.449417 - (-0.562119) = 0.112702       HR = 0.638 / 0.57 = 1.119298
        se = sqrt(0.145180^2 + 0.141913^2) = sqrt(0.021077 + 0.020139) = sqrt(0.041216) = 0.203018
        95 % CI: 0.112702 -/+ 1.959964 x 0.203018 = 0.112702 -/+ 0.397908
               = (-0.285206, 0.510610) -> HR (0.7519, 1.6663)
    The point estimate flips side compared with ITT (0.87 -> 1.12); both intervals span 1 widely.
    """
    assert _registry_hr("CPS>=10", "orient15") == (0.638, 0.48, 0.848, 95.0)
    assert _registry_hr("CPS>=10", "keynote590") == (0.57, 0.43, 0.75, 95.0)
    sint = study_from_hr_ci("ORIENT-15", 0.638, 0.48, 0.848, 0.95)
    pembro = study_from_hr_ci("KEYNOTE-590", 0.57, 0.43, 0.75, 0.95)
    assert sint.se_log_hr == pytest.approx(0.145180, abs=HAND_ATOL)
    assert pembro.se_log_hr == pytest.approx(0.141913, abs=HAND_ATOL)
    r = bucher(sint, pembro, treatment="sintilimab", comparator="pembrolizumab", common="chemo")
    assert r.log_hr == pytest.approx(0.112702, abs=HAND_ATOL)
    assert r.hr == pytest.approx(1.119298, rel=HAND_RTOL)
    assert r.se_log_hr == pytest.approx(0.203018, abs=HAND_ATOL)
    assert (r.ci_lower, r.ci_upper) == pytest.approx((0.7519, 1.6663), rel=HAND_RTOL)


@pytest.mark.parametrize("population", ["ITT", "CPS>=10"])
def test_network_estimate_equals_bucher_in_a_tree(population: str) -> None:
    """With one independent trial per edge, the NMA estimate is the Bucher comparison."""
    net = build_network(load_registry(), "OS", population, "lumped")
    by_trial = {c.trial_id: c for c in net.contrasts}
    sint, pembro = by_trial["orient15"], by_trial["keynote590"]
    fit = fit_nma(
        [
            Contrast(c.trial_id, c.treatment, c.comparator, c.log_hr, c.se_log_hr, c.evidence.key)
            for c in net.contrasts
        ]
    )
    nma = relative_effect(fit, sint.treatment, pembro.treatment)
    r = bucher(
        study_from_hr_ci("ORIENT-15", *_registry_hr(population, "orient15")[:3], 0.95),
        study_from_hr_ci("KEYNOTE-590", *_registry_hr(population, "keynote590")[:3], 0.95),
        treatment=sint.treatment,
        comparator=pembro.treatment,
        common="chemo",
    )
    assert (nma.log_hr, nma.se_log_hr) == pytest.approx((r.log_hr, r.se_log_hr), rel=1e-12)
    assert {k for k, _ in nma.contributions} == {sint.evidence.key, pembro.evidence.key}


def test_ci_level_of_each_input_is_used() -> None:
    """CheckMate 648 nivo+chemo ITT OS: HR 0.74, 99.1 % CI 0.58-0.96. z_0.9955 = 2.612054,
    se = (ln 0.96 - ln 0.58) / (2 x 2.612054) = 0.503905 / 5.224108 = 0.096458; reading it as a
    95 % CI would give 0.128550 (33 % too large)."""
    nivo = study_from_hr_ci("CheckMate 648", 0.74, 0.58, 0.96, 0.991)
    assert nivo.se_log_hr == pytest.approx(0.096458, abs=HAND_ATOL)
    pembro = study_from_hr_ci("KEYNOTE-590", 0.72, 0.60, 0.88, 0.95)
    r = bucher(nivo, pembro, treatment="nivolumab", comparator="pembrolizumab", common="chemo")
    assert r.se_log_hr == pytest.approx(math.hypot(0.096458, 0.097704), abs=HAND_ATOL)


def test_bucher_refuses_the_same_trial_twice() -> None:
    a = study_from_hr_ci("CheckMate 648", 0.74, 0.58, 0.96, 0.991)
    b = study_from_hr_ci("CheckMate 648", 0.78, 0.62, 0.98, 0.982)
    with pytest.raises(ValueError, match="independent"):
        bucher(a, b, treatment="nivo+chemo", comparator="nivo+ipi", common="chemo")
    with pytest.raises(ValueError, match="differ"):
        bucher(a, a, treatment="x", comparator="x", common="chemo")
