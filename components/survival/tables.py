"""Markup from the Survival model: the results tables, the fidelity badges, the list of arms not
shown and the caption.

Lightweight on purpose: plain elements with class names (styles in ``assets/app.css``) built
directly in the form Dash sends (:func:`components.survival.render.el`), rather than a Mantine
component per cell: the 6-arm results used to be ~500 Dash components, and building and
serialising them was most of the callback's time (issue 11).
"""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc

from analysis.survival import ArmSummary
from analysis.views.survival import ShownCurve, SurvivalModel
from analysis.views.survival.published import UNANCHORED_EXPLANATION
from analysis.views.survival.rules import hr_text, published_ci_text
from components import provenance
from components.survival.fidelity import fidelity_badge
from components.survival.figure import Colours, colour_of, published_source, user_style
from components.survival.render import el, join, table
from data import Registry


def _months(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.1f}"


def median_text(summary: ArmSummary) -> str:
    med = summary.median
    main = "NR (not reached)" if med.median_months is None else f"{med.median_months:.1f}"
    return f"{main} ({_months(med.ci_lower_months)}–{_months(med.ci_upper_months)})"


def landmark_text(summary: ArmSummary) -> str:
    lm = summary.landmark
    if lm is None:
        return "–"
    if lm.survival is None:
        return f"beyond follow-up ({lm.n_at_risk} at risk)"
    lo = "–" if lm.ci_lower is None else f"{100 * lm.ci_lower:.1f}"
    hi = "–" if lm.ci_upper is None else f"{100 * lm.ci_upper:.1f}"
    return f"{100 * lm.survival:.1f}% ({lo}–{hi})"


def rmst_text(summary: ArmSummary) -> str:
    rm = summary.rmst
    if rm is None:
        return "–"
    return f"{rm.rmst_months:.1f} ({rm.ci_lower_months:.1f}–{rm.ci_upper_months:.1f})"


def p_text(value: float | None) -> str:
    if value is None:
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _swatch(colours: Colours, item: ShownCurve) -> Any:
    return el(
        "Span",
        "■ ",
        style={"color": colour_of(colours, item)[0]},
        className="escc-swatch",
        **{"aria-hidden": "true"},
    )


def _published_median(item: ShownCurve) -> str:
    pub = item.published
    return pub.median.text() if pub is not None and pub.median is not None else "not reported"


def _published_landmark(item: ShownCurve, months: float) -> str:
    lm = item.published.landmark_at(months) if item.published is not None else None
    return lm.rate.text("%") if lm is not None else f"none at {months:g} mo"


def _arm_rows(registry: Registry, model: SurvivalModel) -> list[Any]:
    colours = provenance.arm_colours(registry)
    return [
        el(
            "Tr",
            [
                el("Td", [_swatch(colours, item), item.label]),
                el("Td", fidelity_badge(item)),
                el("Td", f"{item.analysis_label} ({item.data_cutoff or 'cut-off NR'})"),
                el("Td", str(item.summary.n_patients)),
                el("Td", str(item.summary.n_events)),
                el("Td", median_text(item.summary)),
                el("Td", _published_median(item), className="escc-published"),
                el("Td", landmark_text(item.summary)),
                el(
                    "Td",
                    _published_landmark(item, model.state.landmark_months),
                    className="escc-published",
                ),
                el("Td", rmst_text(item.summary)),
            ],
        )
        for item in model.curves
    ]


def _user_swatch(index: int) -> Any:
    return el(
        "Span",
        "■ ",
        style={"color": user_style(index)[0]},
        className="escc-swatch",
        **{"aria-hidden": "true"},
    )


def _user_pill(grade: str) -> Any:
    return el("Span", f"user-supplied · grade {grade}", className="escc-pill escc-pill-user")


def _user_arm_rows(model: SurvivalModel) -> list[Any]:
    """User-supplied curves (issue 16): labelled as such, the reader's citation in place of an
    analysis, never a fidelity badge (there is no published value to check against)."""
    return [
        el(
            "Tr",
            [
                el("Td", [_user_swatch(k), item.label]),
                el("Td", _user_pill(item.curve.grade)),
                el("Td", f"source (as typed): {item.curve.citation}"),
                el("Td", str(item.summary.n_patients)),
                el("Td", str(item.summary.n_events)),
                el("Td", median_text(item.summary)),
                el("Td", landmark_text(item.summary)),
                el("Td", rmst_text(item.summary)),
            ],
            className="escc-user-row",
        )
        for k, item in enumerate(model.user_curves)
    ]


def _user_comparison_rows(model: SurvivalModel) -> list[Any]:
    index = {item.token: k for k, item in enumerate(model.user_curves)}
    body = []
    for row in model.user_comparisons:
        cox = row.result.cox
        drm = row.result.rmst_difference
        drm_text = (
            "–"
            if drm is None
            else f"{drm.difference_months:+.1f} ({drm.ci_lower_months:+.1f} to "
            f"{drm.ci_upper_months:+.1f})"
        )
        body.append(
            el(
                "Tr",
                [
                    el("Td", [_user_swatch(index.get(row.arm.token, 0)), row.arm.label]),
                    el(
                        "Td",
                        el(
                            "Span",
                            f"user-supplied vs {row.reference_label} — "
                            + provenance.CROSS_TRIAL_LABEL,
                            className="escc-pill escc-pill-cross",
                        ),
                    ),
                    el("Td", hr_text(cox.hazard_ratio, cox.ci_lower, cox.ci_upper)),
                    el("Td", "not applicable (user-supplied)"),
                    el("Td", p_text(row.result.log_rank.p_value)),
                    el("Td", drm_text),
                ],
                className="escc-user-row",
            )
        )
    return body


def _comparison_rows(registry: Registry, model: SurvivalModel) -> list[Any]:
    colours = provenance.arm_colours(registry)
    body = []
    for row in model.comparisons:
        cox = row.result.cox
        drm = row.result.rmst_difference
        published: Any
        if row.cross_trial:
            kind = el(
                "Span",
                "Unanchored — across trials",
                className="escc-pill escc-pill-cross",
                title=UNANCHORED_EXPLANATION,
            )
            published = "none (never randomised against each other)"
        else:
            kind = el("Span", "within-trial, randomised", className="escc-pill escc-pill-within")
            pub = row.published
            if pub is None:
                published = "not reported for this pair and analysis"
            else:
                source = published_source(registry, pub) + (
                    " (inverted from the published direction)" if pub.inverted else ""
                )
                published = [
                    el("Div", f"{pub.hazard_ratio:.2f} ({published_ci_text(pub)})"),
                    el("Div", source, className="escc-note escc-dimmed"),
                ]
        drm_text = (
            "–"
            if drm is None
            else f"{drm.difference_months:+.1f} ({drm.ci_lower_months:+.1f} to "
            f"{drm.ci_upper_months:+.1f})"
        )
        dim = {"className": "escc-unanchored"} if row.cross_trial else {}
        body.append(
            el(
                "Tr",
                [
                    el("Td", [_swatch(colours, row.arm), row.arm.label]),
                    el("Td", kind),
                    el(
                        "Td",
                        hr_text(cox.hazard_ratio, cox.ci_lower, cox.ci_upper)
                        + (" (unanchored)" if row.cross_trial else ""),
                        **dim,
                    ),
                    el("Td", published),
                    el(
                        "Td",
                        "not given (not randomised)"
                        if row.cross_trial
                        else p_text(row.result.log_rank.p_value),
                        **dim,
                    ),
                    el("Td", drm_text, **dim),
                ],
            )
        )
    return body


def results_tables(registry: Registry, model: SurvivalModel) -> Any:
    """Per-arm table and arm-vs-reference table under the figure."""
    if not model.curves and not model.user_curves:
        return el("P", "No curve to summarise.", className="escc-note escc-dimmed")
    state = model.state
    tau_text = "–" if model.tau_months is None else f"{model.tau_months:g}"
    head = (
        "Arm",
        "Fidelity",
        "Analysis",
        "N",
        "Events",
        "Median, months (95% CI), reconstructed",
        "Median, published",
        f"S({state.landmark_months:g} mo) (95% CI), reconstructed",
        f"S({state.landmark_months:g} mo), published",
        f"RMST({tau_text} mo), months (95% CI)",
    )
    parts: list[Any] = [
        el("H5", "Per arm", className="escc-table-title"),
        table(head, _arm_rows(registry, model) + _user_arm_rows(model)),
    ]
    if model.tau_clamped and model.tau_months is not None:
        parts.append(
            dmc.Alert(
                f"RMST horizon τ = {state.tau_months:g} months was clamped to "
                f"{model.tau_months:.1f} months, the shortest follow-up among the shown curves "
                "(RMST beyond a curve's follow-up is not estimable).",
                color="yellow",
                variant="light",
            )
        )
    if model.comparisons or model.user_comparisons:
        ref_label = (
            model.reference.label
            if model.reference is not None
            else model.user_comparisons[0].reference_label
        )
        comp_head = (
            f"Arm vs reference ({ref_label})",
            "Comparison",
            "Cox HR (95% CI), reconstructed",
            "Published HR",
            "Log-rank p",
            f"ΔRMST({tau_text} mo), months (95% CI)",
        )
        parts.extend(
            [
                el("H5", "Versus the reference arm", className="escc-table-title"),
                table(
                    comp_head,
                    _comparison_rows(registry, model) + _user_comparison_rows(model),
                ),
                *(
                    [el("P", UNANCHORED_EXPLANATION, className="escc-note escc-unanchored-note")]
                    if any(row.cross_trial for row in model.comparisons) or model.user_comparisons
                    else []
                ),
                el(
                    "P",
                    "HR < 1 favours the arm over the reference. Cox model with Efron ties and "
                    "log-rank test on the reconstructed data; ΔRMST variance = sum of the two "
                    "arms' Greenwood-type variances (independent arms).",
                    className="escc-note escc-dimmed",
                ),
            ]
        )
    if model.reference_note:
        parts.append(dmc.Alert(model.reference_note, color="yellow", variant="light"))
    return el("Div", parts, className="escc-results")


def missing_list(model: SurvivalModel) -> Any:
    """The chosen arms without a curve, each with its reason (never silently dropped)."""
    if not model.missing:
        return None
    items = []
    for m in model.missing:
        parts: list[Any] = [f"{m.label} — {m.reason}"]
        if m.forest_search is not None:
            parts += [
                " (",
                el("A", "Forest view at this subgroup", href="/forest" + m.forest_search),
                ")",
            ]
        items.append(el("Li", parts))
    return dmc.Alert(
        el("Ul", items),
        title=f"Not shown for {model.state.endpoint}, {model.population_label}",
        color="gray",
        variant="light",
    )


def caption_of(registry: Registry, model: SurvivalModel) -> Any:
    """Sources (linked), their levels, reconstruction grades, caveats and the data version."""
    parts: list[Any] = []
    for trial_id in dict.fromkeys(c.trial.id for c in model.curves):
        trial = registry.trial(trial_id)
        refs = list(
            dict.fromkeys(
                ref
                for c in model.curves
                if c.trial.id == trial_id
                for ref in c.curve.inputs.source_refs
            )
        )
        levels = dict.fromkeys(trial.publication(r).level for r in refs)
        parts.append(
            el(
                "Span",
                [
                    el("Strong", trial.name + " "),
                    *join(provenance.citation_links(trial, refs)),
                    " ",
                    *[provenance.source_badge(level) for level in levels],
                ],
            )
        )
    for item in model.user_curves:
        parts.append(
            el(
                "Span",
                [
                    el("Strong", "User-supplied (not curated) "),
                    f"{item.label} — source as typed by the reader: {item.curve.citation}",
                ],
                className="escc-user-source",
            )
        )
    grades = "; ".join(
        [f"{c.label}: grade {c.curve.grade}" for c in model.curves]
        + [f"{c.label}: {c.curve.grade_text}" for c in model.user_curves]
    )
    notes = list(model.caveats)
    if grades:
        notes.insert(0, f"Reconstruction grades — {grades}.")
    return provenance.caption(
        parts, data_version=registry.data_version, cross_trial=model.cross_trial, notes=notes
    )
