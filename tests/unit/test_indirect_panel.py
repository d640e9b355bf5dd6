"""The Indirect comparisons panel without a browser: state and URL, reference fallback, the
survival-view link of single-arm studies, citations on every number, charts and exports.

Numbers asserted here are the network estimates of tests/unit/test_indirect.py (Bucher by hand)
and notes/issue-17.md, rounded as the page shows them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

import pytest

from analysis.network import ENDPOINTS, build_network
from analysis.network_nodes import NODES_MODES
from analysis.views.indirect import SPEC, IndirectState, build
from analysis.views.indirect.model import HeterogeneityRow
from analysis.views.indirect.rows import CSV_COLUMNS, forest_csv_rows, network_csv_rows
from analysis.views.indirect.state import population_keys, reference_choices
from analysis.views.survival.state import SPEC as SURVIVAL_SPEC
from components.charts.network import (
    MAX_NODE_PX,
    GraphEdge,
    GraphNode,
    build_network_figure,
    label_lines,
    network_figure_dict,
    star_layout,
    text_positions,
)
from components.indirect import common_bundle, layout, network_bundle, reference_bundle
from components.indirect.callbacks import canonical_state, render, state_from_inputs
from components.indirect.figure import cite_marks, forest_figure
from components.indirect.tables import heterogeneity_block
from data import Registry, load_registry

PEMBRO = "pembrolizumab+chemo"
SINTI = "sintilimab+chemo"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def _strings(value: object) -> list[str]:
    """Every string in a tree of plain data or Dash components."""
    if isinstance(value, str):
        return [value]
    if hasattr(value, "to_plotly_json"):
        value = value.to_plotly_json()
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def test_state_round_trips_through_the_url(registry: Registry) -> None:
    state = IndirectState(
        endpoint="PFS",
        population="CPS>=10",
        across_systems=True,
        analysis="earliest",
        nodes="backbone",
        reference=PEMBRO,
        model="fixed",
    )
    search = SPEC.to_search(registry, state)
    assert "ref=pembrolizumab%2Bchemo" in search and "pop=CPS%3E%3D10" in search
    again, problems = SPEC.from_query(registry, dict(parse_qsl(search[1:])))
    assert (again, problems) == (state, [])
    assert SPEC.to_search(registry, IndirectState()) == ""


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"pop": "<script>"}, "population"),
        ({"ep": "DFS", "m": "bayes"}, "endpoint"),
        ({"ref": "../../etc/passwd"}, "reference regimen"),
        ({"nodes": "by-class", "an": "median"}, "node definition"),
        ({"x": "yes"}, "across-systems switch"),
        ({"zzz": "1"}, "unknown setting"),
    ],
)
def test_bad_link_values_are_reset_and_named(registry: Registry, query, named) -> None:
    state, problems = SPEC.from_query(registry, query)
    assert any(named in p for p in problems), problems
    assert state.endpoint in ENDPOINTS and state.population in population_keys(registry)
    page_text = " ".join(_strings(layout(registry, query)))
    assert "were not recognised and were reset" in page_text
    assert "<script>" not in page_text.replace("'<script>'", "")


def test_callback_values_off_their_lists_are_refused(registry: Registry) -> None:
    good = {
        "endpoint": "OS",
        "population": "ITT",
        "across": False,
        "analysis": "latest",
        "nodes": "lumped",
        "reference": None,
        "model": "random",
    }
    assert state_from_inputs(registry, **good) == (IndirectState(), [])
    for key, bad in [
        ("endpoint", "DFS"),
        ("population", "CPS>=999"),
        ("across", "true"),
        ("analysis", ["latest"]),
        ("nodes", None),
        ("reference", "<img src=x>"),
        ("model", {"$ne": 1}),
    ]:
        state, problems = state_from_inputs(registry, **{**good, key: bad})
        assert state is None and problems, key


def test_population_keys_keep_scoring_systems_apart(registry: Registry) -> None:
    keys = population_keys(registry)
    assert keys[0] == "ITT" and "CPS>=10" in keys and "TPS>=1" in keys
    systems = [k.split(">")[0].split("<")[0] for k in keys[1:]]
    # Grouped: once a system ends, it never comes back.
    assert systems == sorted(systems, key=systems.index)


def test_every_node_of_every_selection_is_an_allowed_reference(registry: Registry) -> None:
    allowed = set(reference_choices(registry))
    for endpoint in ENDPOINTS:
        for population in population_keys(registry):
            for nodes in NODES_MODES:
                net = build_network(registry, endpoint, population, nodes)
                assert {n.id for n in net.nodes} <= allowed, (endpoint, population, nodes)


def test_reference_absent_from_the_network_falls_back_with_a_message(registry: Registry) -> None:
    # Nivolumab + ipilimumab has no CPS >= 10 HR in the evidence base.
    state = IndirectState(population="CPS>=10", reference="ipilimumab+nivolumab")
    assert "ipilimumab+nivolumab" in reference_choices(registry)  # a valid reference elsewhere
    assert "ipilimumab+nivolumab" in {n.id for n in build(registry, IndirectState()).nodes}
    view = build(registry, state)
    assert view.reference == view.common_node == "chemo"
    assert any(
        "reference nivolumab + ipilimumab is not in this network" in m for m in view.messages
    )
    assert canonical_state(state, view).reference is None


def test_chosen_reference_gives_bucher_numbers_in_forest_and_league(registry: Registry) -> None:
    view = build(registry, IndirectState(population="CPS>=10", reference=PEMBRO))
    row = next(r for r in view.forest_vs_reference if r.treatment == SINTI)
    assert row.text == "1.12 (0.75–1.67)"  # test_indirect.py: 1.119 (0.7519-1.6663)
    assert view.league_cell(SINTI, PEMBRO) == row
    assert {c.treatment for c in view.forest_vs_common} == {PEMBRO, SINTI, "tislelizumab+chemo"}
    # The page shows both forests when the reference is not the comparator.
    out = render(registry, view)
    assert out[6] == {}  # the common-comparator section is visible
    assert "1.12 (0.75–1.67)" in _strings(out[10])  # league table


def test_every_estimate_cites_the_published_hrs_it_rests_on(registry: Registry) -> None:
    view = build(registry, IndirectState())
    keys = {c.key for c in view.citations}
    assert view.league and all(set(r.evidence_keys) <= keys for r in view.league)
    sinti_vs_pembro = view.league_cell(SINTI, PEMBRO)
    cited = [view.citations[int(n) - 1] for n in cite_marks(view, sinti_vs_pembro)[1:-1].split(",")]
    assert {c.trial_name for c in cited} == {"ORIENT-15", "KEYNOTE-590"}
    league_text = _strings(render(registry, view)[10])
    for cell in view.league:
        assert cite_marks(view, cell) in league_text
    figure = forest_figure(registry, view, "reference")
    texts = [t for trace in figure["data"] for t in trace.get("text") or [] if isinstance(t, str)]
    assert all(cite_marks(view, r) in texts for r in view.forest_vs_reference)
    # Each input HR is listed at the level its source printed (CheckMate 648: 99.1 %).
    assert any("99.1% CI 0.58–0.96" in c.text for c in view.citations)


def test_backbone_nodes_disconnect_the_network_and_say_so(registry: Registry) -> None:
    view = build(registry, IndirectState(nodes="backbone"))
    assert view.status == "disconnected"
    text = " ".join(_strings(layout(registry, {"nodes": "backbone"})))
    assert "Network disconnected" in text and "cannot be compared by an anchored method" in text
    # Choosing a regimen of another part analyses that part instead.
    other = next(n for n in view.nodes if n.component != 0)
    moved = build(registry, IndirectState(nodes="backbone", reference=other.id))
    assert next(n for n in moved.nodes if n.id == other.id).component == 0


def test_single_arm_studies_say_why_and_link_to_the_survival_view(registry: Registry) -> None:
    view = build(registry, IndirectState(population="CPS>=10"))
    single = {x.trial_id: x for x in view.excluded if x.kind == "single-arm"}
    assert {"alter_e003", "nct05013697"} <= set(single)
    for trial_id, row in single.items():
        assert "no randomised comparator" in row.reason
        assert row.link is not None
        url = urlsplit(row.link)
        assert url.path == "/survival"
        state, problems = SURVIVAL_SPEC.from_query(registry, dict(parse_qsl(url.query)))
        assert problems == []
        assert state.population == "CPS>=10"
        assert any(a.startswith(f"{trial_id}:") for a in state.arms)
        assert any(a.startswith("keynote590:") for a in state.arms)
    page = " ".join(_strings(layout(registry, {"pop": "CPS>=10"})))
    assert "Open its unanchored comparisons in the survival view" in page


def test_csv_rows_name_their_sources(registry: Registry) -> None:
    view = build(registry, IndirectState(reference=PEMBRO))
    rows = forest_csv_rows(view, "reference")
    assert all(set(r) <= set(CSV_COLUMNS) for r in rows)
    estimates = [r for r in rows if r["row"] == "vs reference"]
    inputs = {r["cited_hrs"] for r in rows if r["row"] == "input HR"}
    assert len(estimates) == len(view.forest_vs_reference)
    for r in estimates:
        assert set(str(r["cited_hrs"]).split()) <= inputs
    network = network_csv_rows(view)
    assert sum(r["row"] == "league" for r in network) == len(view.league)
    assert sum(r["row"] == "node" for r in network) == len(view.nodes)


@pytest.mark.parametrize("bundle", [network_bundle, reference_bundle, common_bundle])
def test_export_bundles_rebuild_from_the_query(registry: Registry, bundle) -> None:
    query = {"pop": "CPS>=10", "ref": PEMBRO, "ep": "OS"}
    made = bundle(registry, query)
    assert made.columns == CSV_COLUMNS and made.rows
    assert "PD-L1 CPS ≥10" in made.title
    lines = " ".join(made.footnote.lines())
    assert "KEYNOTE-590: HR 0.57 (95% CI 0.43–0.75)" in lines
    assert registry.data_version in lines
    hostile = bundle(registry, {"pop": "<script>", "ref": "x" * 5000})
    assert "ITT" in hostile.title


def _graph() -> tuple[list[GraphNode], list[GraphEdge]]:
    nodes = [
        GraphNode("c", "chemo", 1000, 0, ("A", "B", "C"), hub=True),
        GraphNode("a", "drug a + chemotherapy", 250, 0, ("A",)),
        GraphNode("b", "drug b + chemotherapy", 0, 1, ("B",), reference=True),
        GraphNode("d", "drug d + drug a + chemotherapy", 30, 0, ("D",)),
        GraphNode("x", "lonely", 100, 0, ("E",), part=1),
        GraphNode("y", "lonely partner", 100, 0, ("E",), part=1),
    ]
    edges = [
        GraphEdge("a", "c", ("A",)),
        GraphEdge("b", "c", ("B",)),
        GraphEdge("d", "a", ("D",)),
        GraphEdge("x", "y", ("E", "F")),
    ]
    return nodes, edges


def test_network_layout_sizes_and_labels() -> None:
    nodes, edges = _graph()
    pos = star_layout(nodes, edges)
    hub = pos["c"]
    dist = {k: ((x - hub[0]) ** 2 + (y - hub[1]) ** 2) ** 0.5 for k, (x, y) in pos.items()}
    assert dist["a"] == pytest.approx(1.0) and dist["b"] == pytest.approx(1.0)
    assert dist["d"] > 1.0  # reached through drug a only: further out
    assert min(pos["x"][0], pos["y"][0]) > max(pos[k][0] for k in "cabd")  # parts side by side
    figure = network_figure_dict(nodes, edges)
    node_trace = figure["data"][-1]
    sizes = dict(zip(node_trace["meta"]["nodes"], node_trace["marker"]["size"], strict=True))
    assert sizes["c"] == MAX_NODE_PX and sizes["a"] > sizes["d"] > sizes["b"]
    assert "N not reported" in " ".join(node_trace["text"])
    widths = {
        tuple(t["meta"]["edge"]): t["line"]["width"]
        for t in figure["data"]
        if "meta" in t and "edge" in t["meta"]
    }
    assert widths[("x", "y")] > widths[("a", "c")]
    where = text_positions(nodes, edges, pos)
    # "b" sits below the hub with one edge going up: its label goes below it; "a" sits above
    # the hub with edges up (to "d") and down (to the hub): its label goes to the side.
    assert where["b"] == "bottom center"
    assert where["a"] in ("middle right", "middle left")
    assert all(len(line) <= 24 for line in label_lines("tiragolumab + atezolizumab + paclitaxel"))
    checked = build_network_figure(nodes, edges).to_json()
    assert json.loads(json.dumps(figure, sort_keys=True)) == json.loads(checked)


def test_layout_is_the_default_view_for_an_empty_query(registry: Registry) -> None:
    text = " ".join(_strings(layout(registry, {})))
    assert "Indirect comparisons" in text
    assert "0.58 (0.43–0.78)" in text  # toripalimab + chemo vs chemo, OS ITT (JUPITER-06)
    assert "tau² not estimable" in text
    assert "ALTER-E-003" in text and "NCT05013697" in text


def test_hrs_with_an_unknown_interval_level_are_left_out_with_that_reason(
    registry: Registry,
) -> None:
    """CheckMate 648 prints PFS intervals whose level the evidence base does not know (issue 13):
    no standard error can be derived, so the PFS network leaves them out and says why."""
    view = build(registry, IndirectState(endpoint="PFS"))
    assert "checkmate648" not in {c.trial_id for c in view.citations}
    reasons = [s.reason for s in view.skipped if s.key.startswith("checkmate648:")]
    assert reasons and all(
        "confidence level of the printed interval not known" in r for r in reasons
    )
    assert any(x.trial_name == "CheckMate 648" for x in view.excluded)


def test_heterogeneity_of_a_contrast_with_two_trials_is_shown_with_its_hrs(
    registry: Registry,
) -> None:
    """No selection of today's evidence has two trials on one contrast; the block is checked on
    a view given one such row (the statistics are tested in test_indirect_nma.py)."""
    view = build(registry, IndirectState())
    first, second = view.citations[0], view.citations[1]
    row = HeterogeneityRow(
        node_a="a",
        node_b="b",
        label_a="regimen A",
        label_b="regimen B",
        k=2,
        hr=0.7,
        ci_lower=0.6,
        ci_upper=0.8,
        tau2=0.0123,
        i2_percent=41.0,
        q=1.7,
        q_p_value=0.19,
        evidence_keys=(first.key, second.key),
    )
    text = _strings(heterogeneity_block(replace(view, heterogeneity=(row,))))
    assert "regimen A vs regimen B" in text and "0.70 (0.60–0.80)" in text
    assert "[1, 2]" in text and "41 %" in text and "1.70 (p = 0.190)" in text
    empty = " ".join(_strings(heterogeneity_block(view)))
    assert "No comparison here rests on two or more trials" in empty


def test_disconnected_parts_are_laid_out_in_a_grid() -> None:
    nodes = [GraphNode(f"n{i}", f"node {i}", 10, 0, ("T",), part=i // 2) for i in range(10)]
    edges = [GraphEdge(f"n{i}", f"n{i + 1}", ("T",)) for i in range(0, 10, 2)]
    pos = star_layout(nodes, edges)
    rows = sorted({round(pos[f"n{2 * p}"][1] + pos[f"n{2 * p + 1}"][1], 6) for p in range(5)})
    assert len(rows) == 2  # five parts: three per row, two rows
    xs = [min(pos[f"n{2 * p}"][0], pos[f"n{2 * p + 1}"][0]) for p in range(3)]
    assert xs == sorted(xs) and len(set(xs)) == 3


def test_multi_arm_trial_joins_its_experimental_arms_with_an_unpublished_edge(
    registry: Registry,
) -> None:
    """CheckMate 648 randomised nivolumab + chemotherapy and nivolumab + ipilimumab together but
    published each only against chemotherapy: one dotted edge joins them, marked unpublished."""
    view = build(registry, IndirectState())
    within = [e for e in view.edges if not e.published]
    assert [(e.node_a, e.node_b, e.trial_names) for e in within] == [
        ("nivolumab+chemo", "ipilimumab+nivolumab", ("CheckMate 648",))
    ]
    assert view.league_cell("nivolumab+chemo", "ipilimumab+nivolumab").direct
    figure = network_figure_dict(
        [
            GraphNode(n.id, n.label, n.n_patients, 0, n.trial_names, hub=n.is_common_comparator)
            for n in view.nodes
        ],
        [GraphEdge(e.node_a, e.node_b, e.trial_names, e.published) for e in view.edges],
    )
    dashes = {
        tuple(t["meta"]["edge"]): t["line"]["dash"]
        for t in figure["data"]
        if "edge" in (t.get("meta") or {})
    }
    assert dashes[("nivolumab+chemo", "ipilimumab+nivolumab")] == "dot"
    assert set(dashes.values()) == {"solid", "dot"}
