"""Notes on definitions that differ between the chosen arms of the Safety view.

Adverse-event numbers of different trials look alike but are not: the category (treatment-
related, all-cause, immune-related), the band printed in a "grade ≥3" slot (≥3, 3–4, 3–5,
grade 3 only), the denominator and the term table's reporting threshold all vary by source.
The view never relabels them; it names every difference among the chosen arms in plain text,
shown above the chart and carried into every export's footnote, so a reader sees them before
comparing bars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analysis.adverse_events import AeCell, ArmKey, SummaryTable, TermTable, band_label

CATEGORY_DEFINITIONS: Mapping[str, str] = {
    "treatment-related": (
        "Treatment-related AEs (TRAE): events the investigators attributed to study treatment."
    ),
    "all-cause": "All-cause AEs: every adverse event, whatever its attribution.",
    "immune-related": (
        "Immune-related AEs (irAE): events with a likely immune mechanism, as each sponsor "
        "defined them (definitions differ between trials)."
    ),
    "treatment-emergent": (
        "Treatment-emergent AEs (TEAE): events starting or worsening on treatment, any attribution."
    ),
}


def _names(
    keys: set[ArmKey],
    chosen: Sequence[ArmKey],
    labels: Mapping[ArmKey, str],
    trial_names: Mapping[str, str],
) -> str:
    """``keys`` named compactly: a trial's name when every chosen arm of that trial is in
    ``keys``, else the arm labels."""
    out: list[str] = []
    for trial_id in dict.fromkeys(t for t, _ in chosen):
        arms = [k for k in chosen if k[0] == trial_id]
        mine = [k for k in arms if k in keys]
        if not mine:
            continue
        if len(mine) == len(arms):
            out.append(trial_names.get(trial_id, trial_id))
        else:
            out.extend(labels.get(k, f"{k[0]}/{k[1]}") for k in mine)
    return ", ".join(out)


def definition_notes(
    labels: Mapping[ArmKey, str],
    summary: SummaryTable | None = None,
    terms: TermTable | None = None,
    trial_names: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """Plain-text notes on definitions that differ between the chosen arms: category, grade
    bands in the "grade ≥3" slot, denominators, reporting thresholds, recomputed vs printed
    percentages. Arms are named by trial when all chosen arms of a trial share the value."""
    trial_names = trial_names or {}
    chosen: Sequence[ArmKey] = summary.arms if summary else terms.arms if terms else ()
    category = summary.category if summary else terms.category if terms else None
    notes: list[str] = []
    if category:
        notes.append(CATEGORY_DEFINITIONS.get(category, category))
    high_cells: list[AeCell] = []
    all_cells: list[AeCell] = []
    if summary:
        for item, row in zip(summary.items, summary.cells, strict=True):
            all_cells.extend(row)
            if item.key == "high":
                high_cells.extend(row)
    if terms:
        for term_row in terms.rows:
            all_cells.extend(term_row.any_cells)
            all_cells.extend(term_row.high_cells)
            high_cells.extend(term_row.high_cells)
    bands: dict[str, set[ArmKey]] = {}
    for cell in high_cells:
        if cell.reported and cell.grade_band and cell.arm_id is not None:
            bands.setdefault(cell.grade_band, set()).add((cell.trial_id, cell.arm_id))
    if len(bands) > 1 or set(bands) - {">=3"}:
        meaning = {
            ">=3": "grade ≥3",
            "3-4": "grade 3–4 (excludes grade-5 deaths)",
            "3-5": "grade 3–5 (includes deaths)",
            "3": "grade 3 only",
        }
        parts = [
            f"{meaning.get(band, band_label(band))}: {_names(keys, chosen, labels, trial_names)}"
            for band, keys in sorted(bands.items())
        ]
        notes.append("Grade bands differ and are not relabelled — " + "; ".join(parts) + ".")
    stated: dict[str, set[int]] = {}
    unstated: set[ArmKey] = set()
    for cell in all_cells:
        if not cell.reported or cell.arm_id is None:
            continue
        if cell.denominator_n is not None:
            name = trial_names.get(cell.trial_id, cell.trial_id)
            stated.setdefault(name, set()).add(cell.denominator_n)
        else:
            unstated.add((cell.trial_id, cell.arm_id))
    if stated or unstated:
        parts = [
            f"{name} N = {', '.join(str(n) for n in sorted(ns))}"
            for name, ns in sorted(stated.items())
        ]
        text = "Denominator = safety population N printed with each number (per arm in the table)"
        if parts:
            text += ": " + "; ".join(parts)
        if unstated:
            text += (
                ". N not stated with some numbers of "
                + _names(unstated, chosen, labels, trial_names)
                + " (published percentage shown, not recomputed)"
            )
        notes.append(text + ".")
    if terms:
        by_rule: dict[str, set[ArmKey]] = {}
        for key, threshold in terms.thresholds:
            by_rule.setdefault(threshold or "no term table or no rule stated", set()).add(key)
        parts = [
            f"{_names(keys, chosen, labels, trial_names)}: {rule}" for rule, keys in by_rule.items()
        ]
        notes.append(
            "Reporting threshold of each source's term table (a term missing from a table with "
            "a threshold is 'not reported (below threshold)', not 0) — " + "; ".join(parts) + "."
        )
    if terms and terms.unmapped:
        notes.append(
            "Not harmonised yet (no reviewed mapping; shown as printed): "
            + ", ".join(terms.unmapped)
            + "."
        )
    differing = sum(1 for c in all_cells if c.differs)
    notes.append(
        "Percentages are recomputed from n/N where both are printed"
        + (
            f"; the printed percentage is shown beside {differing} that differ."
            if differing
            else "."
        )
    )
    return tuple(notes)
