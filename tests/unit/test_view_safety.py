"""analysis.views.safety and analysis.views.defaults: the Safety state (links written before
the restructure open the same view), the reviewed default arms read from data, and the model's
rules."""

from __future__ import annotations

import pytest

from analysis.views import safety as sv
from analysis.views.defaults import parse_view_defaults, view_defaults
from data import DataValidationError, load_registry

# The default arms as they were written in components/safety_panel.py before issue 11
# (DEFAULT_ARMS, in this order): data/vocab/view_defaults.toml must keep them.
PREVIOUS_DEFAULT = (
    "alter_e003.chemo_free",
    "nct05013697.triple",
    "orient15.sint_chemo",
    "orient15.placebo_chemo",
    "keynote590.pembro_chemo",
    "keynote590.placebo_chemo",
    "checkmate648.nivo_chemo",
    "checkmate648.chemo",
)


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def test_default_arms_come_from_data_with_a_reason(reg) -> None:
    assert sv.SPEC.default(reg).arms == PREVIOUS_DEFAULT
    safety = view_defaults(reg)["safety"]
    assert len(safety.reason) > 40 and safety.reviewed_on


@pytest.mark.parametrize(
    ("text", "rule", "key"),
    [
        ("[safety\n", "toml-syntax", "(file)"),
        (
            '[safety]\narms = ["nope.x"]\nreason = "r"\nreviewed_by = "a"\n'
            'reviewed_on = "2026-01-01"',
            "unknown-arm",
            "safety.arms[0]",
        ),
        (
            '[safety]\narms = []\nreason = "r"\nreviewed_by = "a"\nreviewed_on = "2026-01-01"',
            "required-field",
            "safety.arms",
        ),
        (
            '[safety]\narms = ["orient15.sint_chemo"]\nreviewed_by = "a"\n'
            'reviewed_on = "2026-01-01"',
            "required-field",
            "safety.reason",
        ),
        (
            '[safety]\narms = ["orient15.sint_chemo"]\nreason = "r"\nreviewed_by = "a"\n'
            'reviewed_on = "5 Dec"',
            "date-format",
            "safety.reviewed_on",
        ),
        (
            '[safety]\narms = ["orient15.sint_chemo", "orient15.sint_chemo"]\nreason = "r"\n'
            'reviewed_by = "a"\nreviewed_on = "2026-01-01"\nextra = 1',
            "unknown-key",
            "safety.extra",
        ),
    ],
)
def test_malformed_defaults_name_file_key_and_rule(reg, text, rule, key) -> None:
    with pytest.raises(DataValidationError) as raised:
        parse_view_defaults(reg, text)
    found = {(p.file, p.key, p.rule) for p in raised.value.problems}
    assert ("vocab/view_defaults.toml", key, rule) in found


def test_old_links_open_the_same_state(reg) -> None:
    """Query strings as the pre-restructure panel wrote them."""
    state, notices = sv.SPEC.from_query(
        reg,
        {
            "arms": "orient15.sint_chemo,nct05013697.triple",
            "cat": "ac",
            "chart": "terms",
            "grade": "high",
            "min": "10",
            "sort": "alpha",
            "strict": "1",
        },
    )
    assert notices == []
    assert state == sv.SafetyState(
        arms=("orient15.sint_chemo", "nct05013697.triple"),  # the order chosen is kept
        chart="terms",
        category="all-cause",
        grade="high",
        strict=True,
        sort="alpha",
        min_pct=10,
    )
    assert sv.SPEC.to_search(reg, state, safe=",.") == (
        "?arms=orient15.sint_chemo,nct05013697.triple&cat=ac&chart=terms&grade=high&min=10"
        "&sort=alpha&strict=1"
    )


def test_empty_arms_keep_the_default_from_a_link_and_ask_from_a_callback(reg) -> None:
    state, notices = sv.SPEC.from_query(reg, {"arms": ""})
    assert state.arms == PREVIOUS_DEFAULT and notices == [sv.NO_ARM]
    assert sv.SPEC.from_inputs(reg, {"arms": []}) == (None, [sv.NO_ARM])


def test_model_says_why_a_term_chart_is_empty(reg) -> None:
    state = sv.SafetyState(arms=("nct05013697.triple",), chart="terms", min_pct=100)
    model = sv.build(reg, state)
    assert model.summary is None and model.terms is not None and not model.terms.rows
    assert model.empty_message and "minimum frequency" in model.empty_message
    assert model.charted_slots == ("any", "high") and not model.cross_trial
    # a source without a term table: nothing is reported, so nothing is "below the minimum"
    bare = sv.build(reg, sv.SafetyState(arms=("alter_e003.chemo_free",), chart="terms"))
    assert bare.empty_message == "No treatment-related AE term is reported for the chosen arms."
    assert bare.blanket_arms == (0,)


def test_model_sources_and_blanket_arms(reg) -> None:
    state = sv.SafetyState(arms=("nct05013697.triple", "orient15.sint_chemo"), chart="heatmap")
    model = sv.build(reg, state)
    assert model.cross_trial and model.charted_slots == ("any",)
    assert {t for t, _ in model.sources} == {"nct05013697", "orient15"}
    assert model.blanket_arms == ()  # both sources print term tables
    assert model.labels[0].startswith("NCT05013697")
