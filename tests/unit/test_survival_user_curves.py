"""User-supplied curves in the Survival view (issue 16): drawn beside the shipped arms, compared
with the reference, in the tables, caption, CSV rows, footnote and IPD — always labelled
"user-supplied" with the reader's citation — and never drawn for another endpoint or population.
"""

from __future__ import annotations

import json

import pytest

from analysis.survival import SurvivalSample, cox_hazard_ratio
from analysis.usercurves import store
from analysis.usercurves.build import ArmNumbers, check_meta, reconstruct_curve
from analysis.usercurves.uploads import CurvePoints
from analysis.views.survival import SPEC, build, csv_rows
from components.survival.callbacks import outputs
from components.survival.export import figure_for
from components.survival.render import to_wire
from data import load_registry

CITATION = "Test A et al. Generated figure, Figure 1"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture
def stored(tmp_path):
    store.configure(tmp_path / "user-curves")
    points = CurvePoints(
        "arm", (0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0), (1.0, 0.9, 0.78, 0.66, 0.55, 0.47, 0.4)
    )
    numbers = ArmNumbers((0.0, 6.0, 12.0, 18.0), (200, 150, 100, 50))
    curve = reconstruct_curve(
        points, numbers, check_meta("My arm", "OS", "ITT", CITATION), source="test"
    )
    yield store.put(curve), curve
    store.configure(None)


def test_user_curve_beside_shipped_arms(registry, stored) -> None:
    cid, curve = stored
    state, problems = SPEC.from_query(
        registry, {"user": cid, "arms": "escort1st:placebo_chemo,escort1st:cam_chemo"}
    )
    assert problems == []
    model = build(registry, state)
    assert [s.label for s in model.user_curves] == ["My arm (user-supplied)"]
    assert len(model.user_comparisons) == 1
    comp = model.user_comparisons[0]
    assert comp.reference_label == model.reference.label
    expected = cox_hazard_ratio(
        SurvivalSample.from_arrays(curve.time_months, curve.event), model.reference.curve.sample
    )
    assert comp.result.cox.hazard_ratio == pytest.approx(expected.hazard_ratio)
    rows = csv_rows(model, lambda _p: "")
    user_rows = [r for r in rows if str(r["row_type"]).startswith("user-supplied")]
    assert len(user_rows) == 2
    assert all(CITATION in str(r["trial"]) for r in user_rows)
    assert any(CITATION in c for c in model.caveats)
    figure, caption, _missing, results = outputs(registry, model)
    names = [t.get("name") for t in figure["data"]]
    assert any("My arm (user-supplied)" in str(n) for n in names)
    text = json.dumps(to_wire([caption, results]))
    assert "user-supplied" in text and CITATION in text
    # The at-risk table under the chart has a row for the user arm.
    assert "My arm (user-supplied)" in json.dumps(figure["layout"])
    _fig, footnote, _csv, ipd = figure_for(registry, {"user": cid, "arms": "escort1st:cam_chemo"})
    assert any(a.trial == "User-supplied" for a in ipd)
    assert any(CITATION in line for line in footnote.lines())
    assert SPEC.to_query(registry, state)["user"] == cid


def test_user_curve_of_another_endpoint_or_missing_is_listed(registry, stored) -> None:
    cid, _curve = stored
    state, _ = SPEC.from_query(registry, {"user": f"{cid},u{'0' * 20}", "ep": "PFS"})
    model = build(registry, state)
    assert model.user_curves == ()
    reasons = [m.reason for m in model.missing if m.token.startswith("user:")]
    assert any("it is an OS curve" in r for r in reasons)
    assert any("not found on this server" in r for r in reasons)


def test_malformed_user_ids_are_dropped_and_named(registry) -> None:
    state, problems = SPEC.from_query(registry, {"user": "../../etc,<script>"})
    assert state.user_curves == ()
    assert problems and "user-supplied curve" in problems[0]
    ok, bad = SPEC.from_inputs(registry, {"user_curves": ["not-an-id"]})
    assert ok is None and bad
