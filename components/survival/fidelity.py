"""The Survival view's fidelity badge (grade and the DATA-03 verdict) and the
published-vs-reconstructed check it opens, as markup. The checks themselves are built in
:mod:`analysis.views.survival`; this module only draws them."""

from __future__ import annotations

from typing import Any

from analysis.views.survival import FidelityReport, ShownCurve
from analysis.views.survival.published import GRADE_C_TEXT
from analysis.views.survival.rules import TOLERANCE_TEXT
from components import ids, provenance
from components.survival.render import MANTINE, el, join, table
from data import Registry


def fidelity_details(registry: Registry, trial_id: str, report: FidelityReport) -> Any:
    """The published-vs-reconstructed check of one curve (popover content)."""
    rows = []
    for check in report.checks:
        if check.passed is None:
            verdict, kind = "no published value", "none"
        else:
            verdict, kind = ("pass", "pass") if check.passed else ("FAIL", "fail")
        rows.append(
            el(
                "Tr",
                [
                    el("Td", check.name),
                    el("Td", check.published),
                    el("Td", check.reconstructed),
                    el("Td", verdict, className=f"escc-check-{kind}"),
                ],
            )
        )
    parts: list[Any] = [
        el("P", report.heading, className="escc-fidelity-heading"),
        el("P", report.method, className="escc-note"),
        table(("Check", "Published", "Reconstructed", "Result"), rows),
        el("P", TOLERANCE_TEXT, className="escc-note escc-dimmed"),
    ]
    if report.followup_notes:
        parts.append(
            el("P", "Follow-up: " + "; ".join(report.followup_notes) + ".", className="escc-note")
        )
    if report.engine_warnings:
        parts.append(
            el(
                "P",
                "Engine notes: " + "; ".join(report.engine_warnings) + ".",
                className="escc-note escc-warning",
            )
        )
    links = provenance.citation_links(registry.trial(trial_id), report.source_refs)
    if links:
        parts.append(el("Div", ["Inputs from: ", *join(links)], className="escc-caption"))
    return el("Div", parts, className="escc-fidelity")


#: Shown in a fidelity popover until its check has arrived (it is sent when first opened).
LOADING_CHECK = "Loading the published-vs-reconstructed check…"


def fidelity_badge(item: ShownCurve) -> Any:
    """Grade badge coloured by the DATA-03 checks; opens the published-vs-reconstructed check."""
    return badge_markup(item.curve.key.slug, item.curve.grade, item.passed)


def badge_text(grade: str, passed: bool | None) -> str:
    """Grade C never reads "checks passed" alone: its shape is a model through the published
    median and landmarks, so matching them is no evidence about the rest of the curve."""
    if grade == "C":
        verdict = GRADE_C_TEXT if passed else GRADE_C_TEXT + "; check failed"
    else:
        verdict = "checks passed" if passed else "check failed"
    return f"grade {grade} · {verdict}"


def badge_markup(slug: str, grade: str, passed: bool | None) -> Any:
    """The badge of one curve (``slug`` = its library key). The check itself is not sent with
    the results: six checks were two thirds of a 6-arm response, and few readers open them, so
    the popover asks for its check when it is first opened (callback ``fidelity_check``)."""
    text = badge_text(grade, passed)
    return el(
        "Popover",
        [
            el(
                "PopoverTarget",
                el(
                    "Button",
                    text,
                    MANTINE,
                    id={"type": ids.SURVIVAL_FIDELITY, "curve": slug},
                    size="compact-xs",
                    variant="light",
                    color="teal" if passed else "orange",
                    className="escc-fidelity-badge",
                ),
                MANTINE,
            ),
            el(
                "PopoverDropdown",
                el(
                    "Div",
                    LOADING_CHECK,
                    id={"type": ids.SURVIVAL_FIDELITY_BODY, "curve": slug},
                    className="escc-note escc-dimmed",
                ),
                MANTINE,
            ),
        ],
        MANTINE,
        position="bottom-start",
        shadow="md",
        withArrow=True,
        trapFocus=False,
        width=640,
    )
