"""Unit rules of the closed schema (models constructed directly, without files)."""

from __future__ import annotations

import pydantic
import pytest

from data.schema import CitedNumber, Curve, IpdRow, Population, Publication

CITE = {"ref": "p", "locator": "Table 1"}


def rules(exc: pydantic.ValidationError) -> set[str]:
    out: set[str] = set()
    for err in exc.errors():
        for _field, rule, _detail in (err.get("ctx") or {}).get(
            "problems", [(None, err["type"], "")]
        ):
            out.add(rule)
    return out


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"value": 1.0, "unit": "months", "extra": 1, **CITE}, "extra_forbidden"),
        ({"status": "not_reported"}, "reason-required"),
        ({"status": "not_reported", "reason": "x", "value": 1.0}, "status-value"),
        ({"value": 1.0, "unit": "months", "derived": True, **CITE}, "derivation-required"),
        ({"value": 101.0, "unit": "%", **CITE}, "percent-range"),
        ({"value": 50.0, "unit": "%", "n": 6, "N": 5, **CITE}, "n-le-N"),
        (
            {"value": 1.0, "unit": "ratio", "p": "p<0.05", "p_sided": "not stated", **CITE},
            "identifier-format",
        ),
        ({"value": 1.0, "unit": "months", "ci": (0.5, 2.0), **CITE}, "ci-level"),
        (
            {"value": 1.0, "unit": "months", "range": (3.0, 2.0), "range_kind": "range", **CITE},
            "ci-order",
        ),
        ({"value": 3.0, "unit": "count", "n": 2, **CITE}, "status-value"),
        ({"status": "not_reached", "unit": "months"}, "ref-required"),
        ({"value": float("inf"), "unit": "months", **CITE}, "finite-number"),
    ],
)
def test_cited_number_rules(kwargs: dict[str, object], rule: str) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        CitedNumber.model_validate(kwargs)
    assert rule in rules(info.value)


def test_valid_numbers() -> None:
    nr = CitedNumber(status="not_reached", unit="months", ci=(13.2, "NE"), ci_level=95, **CITE)
    assert nr.value is None and nr.is_reported
    gap = CitedNumber(status="not_reported", reason="not in abstract")
    assert not gap.is_reported
    p = CitedNumber(value=0.0001, qualifier="<", unit="p", p_sided="not stated", **CITE)
    assert p.qualifier == "<"
    one_sided = CitedNumber(
        value=0.7,
        unit="ratio",
        ci=(0.58, 0.84),
        ci_level=95,
        p="<0.0001",
        p_sided="one-sided",
        **CITE,
    )
    assert one_sided.p_sided == "one-sided"


def test_population_pdl1_rules_and_key() -> None:
    band = Population(
        id="tap_5_lt10",
        kind="pdl1",
        label="TAP 5-<10",
        scoring_system="TAP",
        operator=">=",
        cutoff=5,
        upper_operator="<",
        cutoff_upper=10,
    )
    assert band.pdl1_key == "TAP>=5<10"
    with pytest.raises(pydantic.ValidationError):
        Population(id="x", kind="pdl1", label="missing cut-off", scoring_system="CPS")
    with pytest.raises(pydantic.ValidationError):
        Population(id="x", kind="itt", label="ITT with a cut-off", cutoff=1)


def test_publication_link_precedence() -> None:
    pub = Publication(key="a", citation="c", level="primary publication", doi="10.1000/x", pmid="1")
    assert pub.link == "https://doi.org/10.1000/x"
    sec = Publication(
        key="b",
        citation="c",
        level="secondary summary",
        reports_on_doi="10.1000/y",
        url_read="http://insecure.example",
    )
    assert sec.link == "https://doi.org/10.1000/y"
    with pytest.raises(pydantic.ValidationError):
        Publication(
            key="c", citation="c", level="secondary summary", url_read="http://only.example"
        )


def test_curve_rules() -> None:
    ok = Curve(
        id="c",
        arm="a",
        endpoint="OS",
        population="itt",
        analysis="p",
        ref="r",
        locator="Fig 2",
        at_risk=({"time_months": 0, "n_at_risk": 5}, {"time_months": 3, "n_at_risk": 5}),
    )
    assert len(ok.at_risk) == 2
    with pytest.raises(pydantic.ValidationError) as info:
        Curve(
            id="c",
            arm="a",
            endpoint="OS",
            population="itt",
            analysis="p",
            ref="r",
            locator="Fig 2",
            at_risk=({"time_months": 1, "n_at_risk": 5}, {"time_months": 1, "n_at_risk": 6}),
        )
    assert {"at-risk-start", "at-risk-time-order", "at-risk-nonincreasing"} <= rules(info.value)


def test_ipd_rows() -> None:
    assert IpdRow(time_months=0.0, event=1).event == 1
    with pytest.raises(pydantic.ValidationError) as info:
        IpdRow(time_months=-1.0, event=3)
    assert {"ipd-time-nonneg", "ipd-event-binary"} <= rules(info.value)
