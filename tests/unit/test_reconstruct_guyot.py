"""Grade A (Guyot et al. 2012) reconstruction: robustness to real digitisations and recovery of
simulated data.

Property checks (hypothesis is not installed): for every scenario x size x seed of
``test_reconstruct_helpers`` the IPD is simulated, its KM curve is "digitised exactly" (one point
per event time), the at-risk table is read every 3 months, and the reconstruction must recover
the KM. Tolerances were measured on this grid (largest max|dS| over >= 10 at risk: 0.011 without
and 0.031 with the event total, both at N = 60; event counts within 2 or 1 %) and locked with
headroom: ``0.015 + 1.5 / N`` for the curve, ``max(2, 1 %)`` for events.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.fidelity import curve_agreement, kaplan_meier
from analysis.reconstruct import ReconstructionInputError, reconstruct_from_curve
from analysis.reconstruct.guyot import allocate
from analysis.reconstruct.prepare import prepare_curve, prepare_table
from tests.unit.test_reconstruct_helpers import SCENARIOS, SIZES, simulate_arm

RISK_T = [0, 3, 6, 9, 12]
RISK_N = [100, 80, 55, 30, 10]
CURVE_T = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 7.0, 8.0, 10.0, 11.0, 12.5]
CURVE_S = [0.98, 0.94, 0.90, 0.85, 0.80, 0.76, 0.70, 0.66, 0.60, 0.57, 0.55]


def _km_error(ipd, sim) -> float:  # type: ignore[no-untyped-def]
    t, e = ipd.arrays()
    km = kaplan_meier(sim.time, sim.event)
    return curve_agreement(t, e, km.time_months, km.survival).max_abs_diff


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("label", "kwargs"), SCENARIOS)
def test_recovers_simulated_km_without_event_total(label: str, kwargs: dict, size: int) -> None:
    for seed in range(3):
        sim = simulate_arm(n=size, seed=seed, **kwargs)
        ipd = reconstruct_from_curve(
            sim.curve_time, sim.curve_survival, sim.risk_time, sim.n_at_risk
        )
        assert ipd.n_patients == size
        assert _km_error(ipd, sim) <= 0.015 + 1.5 / size, (label, seed)
        true_events = int(sim.event.sum())
        assert abs(ipd.n_events - true_events) <= max(2, 0.01 * true_events), (label, seed)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("label", "kwargs"), SCENARIOS)
def test_event_total_is_matched_exactly(label: str, kwargs: dict, size: int) -> None:
    for seed in range(3):
        sim = simulate_arm(n=size, seed=seed, **kwargs)
        true_events = int(sim.event.sum())
        ipd = reconstruct_from_curve(
            sim.curve_time,
            sim.curve_survival,
            sim.risk_time,
            sim.n_at_risk,
            total_events=true_events,
        )
        assert ipd.n_patients == size
        assert ipd.n_events == true_events
        assert _km_error(ipd, sim) <= 0.015 + 1.5 / size, (label, seed)


def test_at_risk_table_is_reproduced_when_consistent() -> None:
    sim = simulate_arm(n=250, seed=7)
    ipd = reconstruct_from_curve(sim.curve_time, sim.curve_survival, sim.risk_time, sim.n_at_risk)
    t, _ = ipd.arrays()
    rebuilt = [(t >= x).sum() for x in sim.risk_time]
    assert np.abs(np.asarray(rebuilt) - sim.n_at_risk).max() <= 1


def _base(**kw):  # type: ignore[no-untyped-def]
    args = {"total_events": None}
    args.update(kw)
    return reconstruct_from_curve(CURVE_T, CURVE_S, RISK_T, RISK_N, **args)


def test_unsorted_points_give_the_same_result() -> None:
    order = np.random.default_rng(1).permutation(len(CURVE_T))
    shuffled = reconstruct_from_curve(
        np.asarray(CURVE_T)[order], np.asarray(CURVE_S)[order], RISK_T, RISK_N
    )
    assert shuffled.to_csv() == _base().to_csv()
    assert "points sorted by time" in shuffled.warnings


def test_unsorted_at_risk_rows_are_sorted() -> None:
    res = reconstruct_from_curve(CURVE_T, CURVE_S, RISK_T[::-1], RISK_N[::-1])
    assert res.to_csv() == _base().to_csv()


def test_non_monotone_points_are_pooled() -> None:
    noisy = list(CURVE_S)
    noisy[3], noisy[4] = 0.79, 0.81  # a small upward blip
    res = reconstruct_from_curve(CURVE_T, noisy, RISK_T, RISK_N)
    assert any("isotonic" in w for w in res.warnings)
    prepared = prepare_curve(CURVE_T, noisy)
    assert np.all(np.diff(prepared.survival) <= 0)
    assert res.n_patients == 100


def test_duplicate_times_are_a_vertical_drop() -> None:
    t = [*CURVE_T[:4], CURVE_T[3], *CURVE_T[4:]]
    s = [*CURVE_S[:4], CURVE_S[3] - 0.03, *[x - 0.03 for x in CURVE_S[4:]]]
    res = reconstruct_from_curve(t, s, RISK_T, RISK_N)
    times, events = res.arrays()
    # the drop at the duplicated time becomes several events at that time
    assert events[times == CURVE_T[3]].sum() >= 3
    assert res.n_patients == 100


@pytest.mark.parametrize("scale", ["auto", "percent"])
def test_percent_input(scale: str) -> None:
    res = reconstruct_from_curve(
        CURVE_T, [100 * x for x in CURVE_S], RISK_T, RISK_N, survival_scale=scale
    )
    assert res.to_csv() == _base().to_csv()


def test_curve_starting_below_one_is_rescaled() -> None:
    t = [0.0, *CURVE_T]
    s = [0.97 * x for x in [1.0, *CURVE_S]]
    res = reconstruct_from_curve(t, s, RISK_T, RISK_N)
    assert any("rescaled" in w for w in res.warnings)
    assert res.to_csv() == reconstruct_from_curve(t, [1.0, *CURVE_S], RISK_T, RISK_N).to_csv()


def test_first_point_after_zero_gets_origin() -> None:
    prepared = prepare_curve([2.0, 4.0], [0.9, 0.8])
    assert prepared.time_months[0] == 0.0
    assert prepared.survival[0] == 1.0


def test_points_after_last_at_risk_time_form_a_final_interval() -> None:
    t = [*CURVE_T, 13.0, 14.0, 15.0]
    s = [*CURVE_S, 0.45, 0.35, 0.30]
    res = reconstruct_from_curve(t, s, RISK_T, RISK_N)
    times, events = res.arrays()
    assert events[times > 12].sum() >= 1  # events in the open final interval
    assert res.n_patients == 100
    assert times.max() <= 15.0


def test_terminal_zero_point_is_ignored() -> None:
    with_sentinel = reconstruct_from_curve([*CURVE_T, 12.5], [*CURVE_S, 0.0], RISK_T, RISK_N)
    assert with_sentinel.to_csv() == _base().to_csv()
    assert any("end marker" in w for w in with_sentinel.warnings)


def test_points_after_table_zero_are_ignored() -> None:
    risk_n = [100, 80, 55, 30, 0]
    plain = reconstruct_from_curve(CURVE_T[:-1], CURVE_S[:-1], RISK_T, risk_n)
    sentinel = reconstruct_from_curve(
        [*CURVE_T[:-1], 12.0, 12.5], [*CURVE_S[:-1], 0.55, 0.0], RISK_T, risk_n
    )
    assert sentinel.to_csv() == plain.to_csv()
    assert sentinel.n_patients == 100


def test_curve_dropping_more_than_the_table_clamps_censoring() -> None:
    # the table says only 5 leave in 3-6 months but the curve drops by 30 %
    risk_n = [100, 80, 75, 40, 10]
    res = reconstruct_from_curve(CURVE_T, CURVE_S, RISK_T, risk_n)
    assert res.n_patients == 100
    assert any("censoring set to 0" in w for w in res.warnings)
    times, events = res.arrays()
    in_interval = (times >= 3) & (times < 6)
    assert (events[in_interval] == 0).sum() == 0  # no censoring where it would be negative


@pytest.mark.parametrize("total", [20, 45, 60, 75])
def test_event_total_calibration_both_directions(total: int) -> None:
    free = _base().n_events
    res = _base(total_events=total)
    assert res.n_events == total
    assert res.n_patients == 100
    assert (total == free) == (not any("published total" in w for w in res.warnings))
    t, _ = res.arrays()
    # calibration never changes the at-risk counts inside the curve's range
    base_t, _ = _base().arrays()
    for x in RISK_T[:-1]:
        assert (t >= x).sum() == (base_t >= x).sum()


def test_deterministic_bytes() -> None:
    sim = simulate_arm(n=300, seed=3, shape=0.8)
    runs = {
        reconstruct_from_curve(
            sim.curve_time, sim.curve_survival, sim.risk_time, sim.n_at_risk, total_events=150
        ).to_csv()
        for _ in range(3)
    }
    assert len(runs) == 1


def test_allocate_respects_caps_and_total() -> None:
    assert allocate(10, [1, 1, 1], [2, 10, 10]) == [2, 4, 4]
    assert sum(allocate(7, [0.2, 5.0, 0.1], [1, 3, 5])) == 7
    assert allocate(3, [0, 0, 0], [1, 1, 1]) == [1, 1, 1]
    with pytest.raises(ValueError, match="cannot place"):
        allocate(5, [1, 1], [1, 1])


@pytest.mark.parametrize(
    "case",
    [
        ([1, 2], [0.9, float("nan")], [0], [10], "survival is missing", 2),
        ([1, 2], [0.9, 1.5], [0], [10], "above 1", 2),
        ([1, 2], [0.9, -0.2], [0], [10], "negative", 2),
        ([1, -5], [0.9, 0.8], [0, 3], [10, 5], "time -5 is negative", 2),
        ([1, 2], [0.9], [0], [10], "has 1", None),
        ([], [], [0], [10], "no points", None),
        ([1, 2], [0.9, 0.8], [0, 3, 6], [10, 12, 3], "increases", 2),
        ([1, 2], [0.9, 0.8], [1, 3], [10, 5], "must be 0", 1),
        ([1, 2], [0.9, 0.8], [0, 3], [10, 4.5], "whole number", 2),
        ([1, 2], [0.9, 0.8], [0, 3, 3], [10, 5, 4], "appears twice", 3),
        ([1, 2], [0.9, 0.8], [0], [0], "positive", 1),
    ],
)
def test_malformed_input_raises_with_row(case: tuple[object, ...]) -> None:
    curve_t, curve_s, risk_t, risk_n, message, row = case
    with pytest.raises(ReconstructionInputError, match=str(message)) as info:
        reconstruct_from_curve(curve_t, curve_s, risk_t, risk_n)  # type: ignore[arg-type]
    assert info.value.row == row


@pytest.mark.parametrize("total", [-1, 101, 2.5, True])
def test_bad_event_total(total: object) -> None:
    with pytest.raises(ReconstructionInputError, match="total events"):
        reconstruct_from_curve(CURVE_T, CURVE_S, RISK_T, RISK_N, total_events=total)  # type: ignore[arg-type]


def test_random_garbage_never_escapes_as_another_exception() -> None:
    """Malformed inputs raise ReconstructionInputError or succeed, never anything else."""
    rng = np.random.default_rng(11)
    for _ in range(300):
        k = int(rng.integers(0, 8))
        curve_t = rng.choice([-1.0, 0.0, 1.0, 2.0, 5.0, np.nan, 1e9], size=k)
        curve_s = rng.choice([-0.5, 0.0, 0.5, 1.0, 1.01, 80.0, np.inf], size=k)
        m = int(rng.integers(0, 5))
        risk_t = rng.choice([0.0, 0.0, 3.0, 6.0, -3.0], size=m)
        risk_n = rng.choice([0, 5, 10, 20, -1, 2.5], size=m)
        try:
            res = reconstruct_from_curve(curve_t, curve_s, risk_t, risk_n)
        except ReconstructionInputError:
            continue
        assert res.n_patients == int(prepare_table(risk_t, risk_n).n_at_risk[0])
