"""The arm palette: one look per arm, the same in every view and every export.

An arm's look is a colour plus a second, colour-free cue (line dash for curves, fill pattern for
bars). Looks are handed out in the registry's stable arm order, so an arm keeps its look whatever
else is selected. The seven colours were chosen (from Paul Tol's "bright" and "muted" schemes
and the Okabe–Ito blue) so that every pair differs by a CIEDE2000 ΔE of at least 20 under normal
vision and under simulated full deuteranopia and protanopia (Machado et al. 2009); the check is
``tests/unit/test_arm_palette.py``, using :mod:`components.charts.colour_vision`.

Beyond seven arms colours repeat, but never with the same second cue: two arms with one colour
always differ in dash and pattern. Arms of one trial are consecutive in the registry order, so
arms of a trial with up to seven arms never share a colour.

For a new panel: ``components.provenance.arm_looks(registry)[(trial_id, arm_id)]`` gives an
:class:`ArmLook`; use ``.colour`` for the mark, ``.dash`` for lines and ``.pattern`` for bars.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

#: Pairwise ΔE2000 ≥ 20 in normal vision, deuteranopia and protanopia (see the module doc).
ARM_COLOURS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#CC3311",  # red
    "#56B4E9",  # sky blue
    "#DDAA33",  # gold
    "#882255",  # wine
    "#000000",  # black
    "#888888",  # grey
)

#: Second cue for curves (plotly line dashes), one per round of the colours.
ARM_DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

#: Second cue for bars (plotly ``marker.pattern.shape``), one per round of the colours.
ARM_PATTERNS: tuple[str, ...] = ("", "/", "x", ".", "\\", "+")

#: Minimum ΔE2000 between two colours of the palette (the test checks it).
MIN_DELTA_E = 20.0


@dataclass(frozen=True)
class ArmLook:
    colour: str
    dash: str
    pattern: str


def look_for(index: int) -> ArmLook:
    """The look of the arm at ``index`` in the registry's stable arm order."""
    colour = ARM_COLOURS[index % len(ARM_COLOURS)]
    cue = (index // len(ARM_COLOURS)) % len(ARM_DASHES)
    return ArmLook(colour=colour, dash=ARM_DASHES[cue], pattern=ARM_PATTERNS[cue])


K = TypeVar("K", bound=Hashable)


def looks_for(keys: Sequence[K]) -> dict[K, ArmLook]:
    """Looks for an ordered, complete list of keys (every arm of the registry, in order)."""
    return {key: look_for(i) for i, key in enumerate(keys)}


def capacity() -> int:
    """How many arms get a distinct (colour, cue) pair before looks repeat."""
    return len(ARM_COLOURS) * len(ARM_DASHES)


def assign_looks(order: Sequence[K], groups: Sequence[Sequence[K]] = ()) -> dict[K, ArmLook]:
    """A look for every key of ``order`` (the registry's stable arm order), keyed by arm.

    Keys are taken in order; each gets the palette colour repeated least within the groups it
    belongs to (``groups``: arms shown together by default; first the worst single group, then
    all groups together), ties broken by how often the colour is used overall and then by
    palette order. Its cue is the first one no earlier key has with
    that colour, so no two keys share both colour and cue while the palette's capacity lasts.
    The result depends only on ``order`` and ``groups``, never on a selection.
    """
    member_of: dict[K, list[Sequence[K]]] = {key: [] for key in order}
    for group in groups:
        for key in group:
            if key in member_of:
                member_of[key].append(group)
    looks: dict[K, ArmLook] = {}
    used: dict[str, int] = dict.fromkeys(ARM_COLOURS, 0)
    taken: set[tuple[str, int]] = set()

    def clash(key: K, colour: str) -> tuple[int, int]:
        """(worst repeat of ``colour`` inside one of ``key``'s groups, repeats over all)."""
        counts = [
            sum(1 for k in group if k != key and k in looks and looks[k].colour == colour)
            for group in member_of[key]
        ]
        return (max(counts, default=0), sum(counts))

    for index, key in enumerate(order):
        colour = min(ARM_COLOURS, key=lambda c: (*clash(key, c), used[c], ARM_COLOURS.index(c)))
        cue = next((i for i in range(len(ARM_DASHES)) if (colour, i) not in taken), None)
        if cue is None:  # capacity exhausted: fall back to the plain cycle
            looks[key] = look_for(index)
            continue
        taken.add((colour, cue))
        used[colour] += 1
        looks[key] = ArmLook(colour=colour, dash=ARM_DASHES[cue], pattern=ARM_PATTERNS[cue])
    return looks


def bar_marker(colour: str, pattern: str, fill: str | None = None) -> dict[str, Any]:
    """Plotly bar marker of one arm: its colour (or a lighter ``fill``) and its pattern, drawn in
    white on a solid bar and in the arm's colour on a light one."""
    marker: dict[str, Any] = {"color": fill or colour}
    if pattern:
        line = colour if fill else "#ffffff"
        marker["pattern"] = {"shape": pattern, "fgcolor": line, "solidity": 0.3}
    return marker


def bars_marker(looks: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Bar marker for one trace holding several arms, from (colour, pattern) pairs."""
    marker: dict[str, Any] = {"color": [colour for colour, _ in looks]}
    if any(pattern for _, pattern in looks):
        marker["pattern"] = {
            "shape": [pattern for _, pattern in looks],
            "fgcolor": "#ffffff",
            "solidity": 0.25,
        }
    return marker
