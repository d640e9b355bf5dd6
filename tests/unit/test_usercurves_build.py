"""Add a curve (issue 16): reconstruction from a generated figure with known truth, the
at-risk-vs-curve contradiction check, grades, and the content-addressed store.

Accuracy truth: two arms of 260 simulated patients (``tests.unit.addcurve_figures``, seed 16;
exponential times, medians 14 and 10 months, uniform accrual, administrative censoring). The
whole path — PNG bytes → upload check → digitiser + OCR of the axis labels and the at-risk table
→ grade-A reconstruction without the event totals — must give each arm's events within 3 % of
the simulated count and the Cox ln HR within 0.03 of the simulated data's (issue 16).
"""

from __future__ import annotations

import math
import os
import shutil
import time
from pathlib import Path

import pytest

from analysis.survival import SurvivalSample, cox_hazard_ratio
from analysis.usercurves import store
from analysis.usercurves.build import (
    ArmNumbers,
    check_meta,
    patient_curve,
    reconstruct_curve,
)
from analysis.usercurves.draft import Draft, draft_from_json, draft_from_upload, rescale
from analysis.usercurves.model import UserCurveError, from_json
from analysis.usercurves.uploads import CurvePoints, PatientArm, parse_upload
from tests.unit.addcurve_figures import draw_with_table, simulated_arms

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract-ocr not installed (scripts/setup.sh)"
)


@pytest.fixture(scope="module")
def figure_draft() -> tuple[object, Draft]:
    fig = draw_with_table(simulated_arms())
    return fig, draft_from_upload(parse_upload(fig.png))


@needs_tesseract
def test_ocr_reads_axes_and_table(figure_draft) -> None:
    fig, draft = figure_draft
    assert draft.ranges_read
    assert draft.x_range == (0.0, 30.0)
    assert draft.y_range == (0.0, 100.0)
    assert draft.at_risk_times == fig.ticks
    assert [c.at_risk for c in draft.curves] == [tuple(r) for r in fig.at_risk]
    assert [c.name for c in draft.curves] == list(fig.names)


@needs_tesseract
def test_whole_path_accuracy_against_simulated_truth(figure_draft) -> None:
    fig, draft = figure_draft
    built = []
    for curve, arm in zip(draft.curves, fig.arms, strict=True):
        numbers = ArmNumbers(draft.at_risk_times, tuple(int(n) for n in curve.at_risk))
        meta = check_meta(curve.name, "OS", "ITT", "generated test figure")
        uc = reconstruct_curve(
            CurvePoints(curve.name, curve.time, curve.survival), numbers, meta, source="figure"
        )
        assert uc.grade == "A"
        assert abs(uc.n_events - arm.events) <= 0.03 * arm.events, (uc.n_events, arm.events)
        assert all(c.passed is not False for c in uc.checks), uc.checks
        built.append(uc)
    truth = [SurvivalSample.from_arrays(a.time, a.event) for a in fig.arms]
    ln_true = math.log(cox_hazard_ratio(truth[0], truth[1]).hazard_ratio)
    ln_rec = math.log(cox_hazard_ratio(built[0].sample(), built[1].sample()).hazard_ratio)
    assert abs(ln_rec - ln_true) <= 0.03, (ln_rec, ln_true)


def _curve() -> CurvePoints:
    return CurvePoints("arm", (0.0, 3.0, 6.0, 9.0, 12.0), (1.0, 0.9, 0.75, 0.6, 0.5))


def test_table_contradicting_the_curve_is_refused() -> None:
    meta = check_meta("arm", "OS", "ITT", "x")
    # 100 at risk at 0 and S(3) = 0.9 allow at most 90 at risk at 3 months; 99 contradicts.
    numbers = ArmNumbers((0.0, 3.0, 6.0), (100, 99, 70))
    with pytest.raises(UserCurveError, match="contradict the curve"):
        reconstruct_curve(_curve(), numbers, meta, source="csv")


def test_rising_table_is_refused() -> None:
    meta = check_meta("arm", "OS", "ITT", "x")
    with pytest.raises(UserCurveError, match="can only fall"):
        reconstruct_curve(_curve(), ArmNumbers((0.0, 3.0), (100, 120)), meta, source="csv")


def test_without_table_grade_c_needs_n_and_events() -> None:
    meta = check_meta("arm", "PFS", "CPS>=10", "x")
    with pytest.raises(UserCurveError, match="N and the total"):
        reconstruct_curve(_curve(), ArmNumbers(n=100), meta, source="csv")
    uc = reconstruct_curve(_curve(), ArmNumbers(n=100, events=48), meta, source="csv")
    assert uc.grade == "C"
    assert uc.n_patients == 100 and uc.n_events == 48
    assert "lower" in uc.grade_text


def test_meta_is_checked() -> None:
    with pytest.raises(UserCurveError, match="citation"):
        check_meta("arm", "OS", "ITT", "   ")
    with pytest.raises(UserCurveError, match="PD-L1 key"):
        check_meta("arm", "OS", "CPS over 10", "x")
    with pytest.raises(UserCurveError, match="endpoint"):
        check_meta("arm", "DFS", "ITT", "x")


def test_rescale_maps_provisional_ranges() -> None:
    traced = CurvePoints("c", (0.0, 0.5, 1.0), (1.0, 0.5, 0.2))
    got = rescale(traced, (0.0, 1.0), (0.0, 24.0), (0.0, 1.0), (0.0, 100.0))
    assert got.time == (0.0, 12.0, 24.0)
    assert got.survival == pytest.approx((1.0, 0.5, 0.2))


def test_draft_round_trip_and_tampering() -> None:
    draft = draft_from_upload(parse_upload(b"time,survival\n0,1\n3,0.8\n6,0.6\n"))
    back = draft_from_json(draft.to_json())
    assert back.curves[0].time == draft.curves[0].time
    raw = draft.to_json()
    raw["curves"][0]["survival"] = ["1", None]
    with pytest.raises(ValueError, match="malformed"):
        draft_from_json(raw)


@pytest.fixture
def tmp_store(tmp_path: Path):
    store.configure(tmp_path / "user-curves")
    yield tmp_path / "user-curves"
    store.configure(None)


def _user_curve(name: str = "arm"):
    times = tuple(float(t) for t in range(1, 21))
    arm = PatientArm(name, times, tuple(t % 2 for t in range(20)))
    return patient_curve(arm, check_meta(name, "OS", "ITT", "Doe J. Congress abstract 2026"))


def test_store_round_trip_is_content_addressed(tmp_store: Path) -> None:
    uc = _user_curve()
    cid = store.put(uc)
    assert cid == uc.id and cid.startswith("u")
    assert store.put(uc) == cid  # idempotent
    assert len(list(tmp_store.glob("u*.json"))) == 1
    got = store.get(cid)
    assert got is not None and got.time_months == uc.time_months
    assert got.citation == "Doe J. Congress abstract 2026"
    assert _user_curve("other").id != cid
    text = (tmp_store / f"{cid}.json").read_text()
    for word in ("ip", "filename", "uploaded", "user_agent"):
        assert f'"{word}"' not in text


def test_store_refuses_tampered_and_bad_ids(tmp_store: Path) -> None:
    cid = store.put(_user_curve())
    path = tmp_store / f"{cid}.json"
    path.write_text(path.read_text().replace('"event":[0,1', '"event":[1,1'))
    assert store.get(cid) is None
    assert store.get("../../etc/passwd") is None
    assert store.get("u" + "0" * 20) is None
    with pytest.raises(UserCurveError):
        from_json("{}")


def test_store_expiry_and_quota(tmp_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = time.time()
    old = store.put(_user_curve("old"), now=now - (store.EXPIRY_DAYS + 1) * 86_400)
    assert store.get(old, now=now) is None
    first = store.put(_user_curve("a"), now=now - 10)
    size = os.path.getsize(tmp_store / f"{first}.json")
    monkeypatch.setattr(store, "MAX_STORE_BYTES", int(size * 1.5))
    second = store.put(_user_curve("b"), now=now)
    assert store.get(second, now=now) is not None
    assert store.get(first, now=now) is None  # least recently used went first
