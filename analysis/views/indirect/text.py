"""The view model as Markdown: the league table and a full summary (the note and the CLI)."""

from __future__ import annotations

from analysis.views.indirect.model import IndirectView


def league_markdown(view: IndirectView) -> str:
    """The league table as a Markdown matrix: cell (row i, column j) = HR of i vs j (95 % CI);
    numbered headers with a legend, so the table stays narrow enough to read."""
    ids = [n.id for n in view.nodes if n.component == 0]
    index = {n: i + 1 for i, n in enumerate(ids)}
    labels = {n.id: n.label for n in view.nodes}
    head = "| row vs column | " + " | ".join(f"({index[n]})" for n in ids) + " |"
    rule = "|---" * (len(ids) + 1) + "|"
    lines = [head, rule]
    for a in ids:
        cells = [f"**({index[a]})**" if a == b else view.league_cell(a, b).text for b in ids]
        lines.append(f"| ({index[a]}) {labels[a]} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("HR < 1 favours the row regimen. " + view.method)
    return "\n".join(lines)


def summary_markdown(view: IndirectView) -> str:
    """League table, P-scores with rank intervals, heterogeneity, exclusions and citations."""
    out = [
        f"### {view.endpoint}, {view.population_label}, nodes: {view.nodes_mode}, "
        f"analysis: {view.analysis}, {view.model} effects",
        "",
    ]
    out.extend(f"> {m}" for m in view.messages)
    if view.status == "empty":
        return "\n".join(out)
    out += ["", league_markdown(view), ""]
    out += ["| regimen | P-score | median rank (95 % interval) |", "|---|---|---|"]
    out += [
        f"| {s.label} | {s.p_score:.2f} | {s.rank_median:g} ({s.rank_lower:g}–{s.rank_upper:g}) |"
        for s in view.p_scores
    ]
    out += ["", view.p_score_caveat, ""]
    if view.network_heterogeneity is not None:
        out += [view.network_heterogeneity.text, ""]
    for h in view.heterogeneity:
        out.append(
            f"- {h.label_a} vs {h.label_b}: {h.k} trials, pooled HR {h.hr:.2f} "
            f"({h.ci_lower:.2f}–{h.ci_upper:.2f}), tau² {h.tau2:.3g}, I² {h.i2_percent:.0f} %"
        )
    out += ["", "Evidence (every estimate cites these HRs):", ""]
    out += [f"- `{c.key}` {c.text}" for c in view.citations]
    out += ["", "Not in the network:", ""]
    out += [f"- {x.trial_name}: {x.reason}" for x in view.excluded]
    out += [f"- `{s.key}` skipped: {s.reason}" for s in view.skipped]
    return "\n".join(out)
