"""Network graph of an indirect-comparison evidence network (pure builder, no dash).

Conventions, set once here:

* a node is a treatment regimen; its **area** grows with the patients randomised to it (marker
  diameter ~ sqrt(patients), so a node with four times the patients looks four times as large);
  a node with arms whose N is not reported says so in its label and hover ("N ≥ …");
* an edge is a direct randomised comparison; its **width** grows with the number of trials, and
  its hover names them; two arms of one multi-arm trial with no HR between them published are
  joined by a dotted edge;
* layout: each connected part of the network is drawn as a star around its hub (the common
  comparator): the hub in the centre, regimens compared with it on a circle, regimens reached
  only through another regimen further out beside their neighbour. Disconnected parts sit in a
  grid (two per row up to four parts), greyed unless they are the part analysed;
* the reference regimen has a thick outline; every text is escaped for plotly's HTML subset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from components.charts.palette import ARM_COLOURS
from components.charts.theme import (
    SCREEN,
    ChartTheme,
    dress_layout,
    escape_plotly_text,
    plotly_template,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

NODE_COLOUR = ARM_COLOURS[0]
HUB_COLOUR = "#57606a"
OTHER_PART_COLOUR = "#afb8c1"
EDGE_COLOUR = "#8c959f"
REFERENCE_OUTLINE = "#1f2328"
MIN_NODE_PX = 14.0
MAX_NODE_PX = 64.0
#: Room kept for labels on each side of a part's drawing, in layout units (a star has radius
#: 1); disconnected parts are drawn in a grid (:func:`grid_columns`), each with this margin.
LABEL_ROOM = 1.6
#: Room above and below a part for its labels, in layout units.
ROW_ROOM = 0.6
LABEL_CHARS = 60
#: Longest label line: longer labels break at " + " (regimens are "drug + drug + chemo").
LINE_CHARS = 24


@dataclass(frozen=True)
class GraphNode:
    """A regimen node. ``part`` 0 is the analysed part of the network; ``hub`` marks the common
    comparator a part is drawn around."""

    id: str
    label: str
    n_patients: int
    n_arms_unknown: int
    trial_names: tuple[str, ...]
    hub: bool = False
    reference: bool = False
    part: int = 0


@dataclass(frozen=True)
class GraphEdge:
    """Two regimens randomised in ``trial_names``; ``published`` False (dotted) when no HR
    between them is published (two arms of one multi-arm trial)."""

    node_a: str
    node_b: str
    trial_names: tuple[str, ...]
    published: bool = True


@dataclass(frozen=True)
class NetworkOptions:
    title: str | None = None
    footnote: str | None = None
    theme: ChartTheme = SCREEN


def _e(text: str) -> str:
    return escape_plotly_text(text)


def _clip(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def label_lines(text: str) -> list[str]:
    """A regimen label broken into lines of at most :data:`LINE_CHARS` at its " + " joins
    (a single part longer than that keeps its own line)."""
    lines: list[str] = []
    for part in _clip(text).split(" + "):
        if lines and len(lines[-1]) + 3 + len(part) <= LINE_CHARS:
            lines[-1] = f"{lines[-1]} + {part}"
        else:
            lines.append(part if not lines else f"+ {part}")
    return lines


def patients_text(node: GraphNode) -> str:
    """ "612 patients", "N ≥ 321 (1 arm without N)", "N not reported"."""
    if node.n_arms_unknown == 0:
        return f"{node.n_patients} patients"
    if node.n_patients == 0:
        return "N not reported"
    arms = "arm" if node.n_arms_unknown == 1 else "arms"
    return f"N ≥ {node.n_patients} ({node.n_arms_unknown} {arms} without N)"


def _parts(nodes: Sequence[GraphNode]) -> list[list[GraphNode]]:
    by_part: dict[int, list[GraphNode]] = {}
    for node in nodes:
        by_part.setdefault(node.part, []).append(node)
    return [by_part[k] for k in sorted(by_part)]


def grid_columns(n_parts: int) -> int:
    """Parts per row when a network falls apart: one, two (up to four parts), then three."""
    return 1 if n_parts <= 1 else 2 if n_parts <= 4 else 3


def grid_rows(n_parts: int) -> int:
    return max(1, math.ceil(n_parts / grid_columns(n_parts)))


def _span(values: Sequence[float]) -> tuple[float, float]:
    """(width, minimum) of some coordinates."""
    return max(values) - min(values), min(values)


def star_layout(
    nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]
) -> dict[str, tuple[float, float]]:
    """Positions of every node (see the module docstring); deterministic for given inputs."""
    neighbours: dict[str, list[str]] = {n.id: [] for n in nodes}
    for edge in edges:
        if edge.node_a in neighbours and edge.node_b in neighbours:
            neighbours[edge.node_a].append(edge.node_b)
            neighbours[edge.node_b].append(edge.node_a)
    drawn: list[dict[str, tuple[float, float]]] = []
    for part in _parts(nodes):
        hub = next((n.id for n in part if n.hub), part[0].id)
        # Breadth-first from the hub: depth 1 on the unit circle, deeper nodes outwards.
        depth = {hub: 0}
        parent: dict[str, str] = {}
        queue = [hub]
        for current in queue:
            for other in neighbours[current]:
                if other not in depth:
                    depth[other] = depth[current] + 1
                    parent[other] = current
                    queue.append(other)
        for node in part:  # not reachable from the hub (cannot happen for a real part)
            depth.setdefault(node.id, 1)
        ring = [n.id for n in part if depth[n.id] == 1]
        angle: dict[str, float] = {
            node_id: math.pi / 2 - 2 * math.pi * i / max(len(ring), 1)
            for i, node_id in enumerate(ring)
        }
        local: dict[str, tuple[float, float]] = {hub: (0.0, 0.0)}
        for node_id in ring:
            local[node_id] = (math.cos(angle[node_id]), math.sin(angle[node_id]))
        deeper = sorted((n.id for n in part if depth[n.id] > 1), key=lambda k: depth[k])
        for node_id in deeper:
            base = angle.get(parent.get(node_id, hub), 0.0)
            siblings = [k for k in deeper if parent.get(k) == parent.get(node_id)]
            spread = 0.35 * (siblings.index(node_id) - (len(siblings) - 1) / 2)
            angle[node_id] = base + spread
            radius = 1.0 + 0.7 * (depth[node_id] - 1)
            local[node_id] = (radius * math.cos(angle[node_id]), radius * math.sin(angle[node_id]))
        drawn.append(local)
    # Parts in a grid (row-major, analysed part first), each centred in a cell that leaves
    # room for labels beside and above/below its nodes.
    columns = grid_columns(len(drawn))
    spans = [(_span([p[0] for p in d.values()]), _span([p[1] for p in d.values()])) for d in drawn]
    cell_w = max(w for (w, _), _ in spans) + 2 * LABEL_ROOM
    cell_h = max(h for _, (h, _) in spans) + 2 * ROW_ROOM
    positions: dict[str, tuple[float, float]] = {}
    for i, local in enumerate(drawn):
        (width, x_min), (height, y_min) = spans[i]
        x_shift = (i % columns) * cell_w + (cell_w - width) / 2 - x_min
        y_shift = -(i // columns) * cell_h - (cell_h - height) / 2 - (y_min + height)
        for node_id, (x, y) in local.items():
            positions[node_id] = (x + x_shift, y + y_shift)
    return positions


_DIRECTIONS: tuple[tuple[float, str], ...] = tuple(
    (math.radians(deg), pos)
    for deg, pos in (
        (90, "top center"),
        (45, "top right"),
        (0, "middle right"),
        (-45, "bottom right"),
        (-90, "bottom center"),
        (-135, "bottom left"),
        (180, "middle left"),
        (135, "top left"),
    )
)


def _angle_gap(a: float, b: float) -> float:
    return abs(math.atan2(math.sin(a - b), math.cos(a - b)))


def text_positions(
    nodes: Sequence[GraphNode],
    edges: Sequence[GraphEdge],
    positions: dict[str, tuple[float, float]],
) -> dict[str, str]:
    """Where each node's label goes: on the side facing away from its edges (the direction
    farthest from every edge leaving the node), so labels do not sit on the lines."""
    out: dict[str, str] = {}
    for node in nodes:
        x0, y0 = positions[node.id]
        angles = []
        for edge in edges:
            if node.id in (edge.node_a, edge.node_b):
                other = edge.node_b if edge.node_a == node.id else edge.node_a
                if other in positions:
                    x1, y1 = positions[other]
                    angles.append(math.atan2(y1 - y0, x1 - x0))
        if not angles:
            out[node.id] = "bottom center"
            continue
        best = max(_DIRECTIONS, key=lambda d: min(_angle_gap(d[0], a) for a in angles))
        out[node.id] = best[1]
    return out


def _node_size(node: GraphNode, largest: int) -> float:
    if largest <= 0 or node.n_patients <= 0:
        return MIN_NODE_PX
    return MIN_NODE_PX + (MAX_NODE_PX - MIN_NODE_PX) * math.sqrt(node.n_patients / largest)


def network_figure_dict(
    nodes: Sequence[GraphNode],
    edges: Sequence[GraphEdge],
    options: NetworkOptions | None = None,
) -> dict[str, Any]:
    """The network graph as a plain plotly dict (exports validate it with
    :func:`build_network_figure`)."""
    options = options or NetworkOptions()
    theme = options.theme
    positions = star_layout(nodes, edges)
    part_of = {n.id: n.part for n in nodes}
    largest = max((n.n_patients for n in nodes), default=0)
    traces: list[dict[str, Any]] = []
    mid_x: list[float] = []
    mid_y: list[float] = []
    mid_text: list[str] = []
    for edge in edges:
        if edge.node_a not in positions or edge.node_b not in positions:
            continue
        (xa, ya), (xb, yb) = positions[edge.node_a], positions[edge.node_b]
        n = len(edge.trial_names)
        traces.append(
            {
                "type": "scatter",
                "x": [xa, xb],
                "y": [ya, yb],
                "mode": "lines",
                "line": {
                    "color": EDGE_COLOUR if part_of[edge.node_a] == 0 else OTHER_PART_COLOUR,
                    "width": theme.line_width * (1.0 + 1.5 * (n - 1)),
                    "dash": "solid" if edge.published else "dot",
                },
                "hoverinfo": "skip",
                "showlegend": False,
                "name": _e(f"{edge.node_a} – {edge.node_b}"),
                "meta": {"edge": [edge.node_a, edge.node_b], "n_trials": n},
            }
        )
        mid_x.append((xa + xb) / 2)
        mid_y.append((ya + yb) / 2)
        trials = "trial" if n == 1 else "trials"
        text = f"{n} {trials}: {', '.join(edge.trial_names)}"
        if not edge.published:
            text += " (arms of one trial; no HR between them published)"
        mid_text.append(_e(text))
    # Invisible markers at edge midpoints carry the edges' hover text.
    traces.append(
        {
            "type": "scatter",
            "x": mid_x,
            "y": mid_y,
            "mode": "markers",
            "marker": {"size": 12, "color": "rgba(0,0,0,0)"},
            "hovertemplate": "%{text}<extra></extra>",
            "text": mid_text,
            "showlegend": False,
            "name": "direct comparisons",
        }
    )
    ordered = [n for n in nodes if n.id in positions]
    where = text_positions(ordered, edges, positions)
    colours = [
        OTHER_PART_COLOUR if n.part != 0 else (HUB_COLOUR if n.hub else NODE_COLOUR)
        for n in ordered
    ]
    hover = [
        _e(f"{n.label} — {patients_text(n)}; trials: {', '.join(n.trial_names)}")
        + ("<br>reference" if n.reference else "")
        for n in ordered
    ]
    labels = [
        "<br>".join(
            f"<b>{_e(line)}</b>" if n.reference else _e(line) for line in label_lines(n.label)
        )
        for n in ordered
    ]
    labels = [f"{lab}<br>{_e(patients_text(n))}" for lab, n in zip(labels, ordered, strict=True)]
    traces.append(
        {
            "type": "scatter",
            "x": [positions[n.id][0] for n in ordered],
            "y": [positions[n.id][1] for n in ordered],
            "mode": "markers+text",
            "marker": {
                "size": [_node_size(n, largest) for n in ordered],
                "color": colours,
                "line": {
                    "color": [REFERENCE_OUTLINE if n.reference else "#ffffff" for n in ordered],
                    "width": [4 if n.reference else 1.5 for n in ordered],
                },
                "opacity": 0.9,
            },
            "text": labels,
            "textposition": [where[n.id] for n in ordered],
            "textfont": {"size": theme.font_size - 1},
            "hovertemplate": "%{customdata}<extra></extra>",
            "customdata": hover,
            "showlegend": False,
            "name": "regimens",
            "meta": {"nodes": [n.id for n in ordered]},
            "cliponaxis": False,
        }
    )
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    layout: dict[str, Any] = {
        # Room for labels beside the outermost nodes (the star is drawn as an ellipse).
        "xaxis": {
            "visible": False,
            "range": [min(xs) - LABEL_ROOM, max(xs) + LABEL_ROOM],
            "fixedrange": True,
        },
        "yaxis": {
            "visible": False,
            "range": [min(ys) - ROW_ROOM, max(ys) + ROW_ROOM],
            "fixedrange": True,
        },
        "hovermode": "closest",
        "showlegend": False,
    }
    title = _e(options.title) if options.title else None
    bottom = dress_layout(layout, theme, title=title, footnote=options.footnote, bottom_px=30)
    layout["margin"] = {"l": 20, "r": 20, "t": 60 if options.title else 20, "b": bottom}
    layout["template"] = plotly_template()
    return {"data": traces, "layout": layout}


def build_network_figure(
    nodes: Sequence[GraphNode],
    edges: Sequence[GraphEdge],
    options: NetworkOptions | None = None,
) -> go.Figure:
    """The network graph as a validated ``go.Figure`` (exports; the same JSON as the dict)."""
    import plotly.graph_objects as go  # noqa: PLC0415 - only exports need the validated figure

    return go.Figure(network_figure_dict(nodes, edges, options))
