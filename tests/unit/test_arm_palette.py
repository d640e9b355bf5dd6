"""Arm colours: one look per arm in every view, distinct for readers with and without the two
common colour-vision deficiencies (issue 15).

Golden numbers:
* CIEDE2000 pairs from Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula:
  implementation notes, supplementary test data, and mathematical observations", Color Res.
  Appl. 30:21–30, Table 1 (pairs 1, 2, 7, 11, 17, 19, 24 of 34), printed to 4 decimals; tolerance
  1e-4.
* Simulated L*a*b* of the Okabe–Ito blue under full deuteranopia/protanopia: computed once with
  colorspacious 1.1.2 (``cspace_convert`` from ``{"name": "sRGB1+CVD", "cvd_type":
  "deuteranomaly"/"protanomaly", "severity": 100}`` to CIELab, the same Machado et al. 2009
  matrices); tolerance 0.05 (colorspacious's white point and matrix rounding differ slightly).
"""

from __future__ import annotations

import itertools

import pytest

from analysis.views.together import arm_order, shown_together
from components import provenance
from components.charts import colour_vision as cv
from components.charts import palette
from data import load_registry

SHARMA_PAIRS = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
    ((90.8027, -2.0831, 1.441), (91.1528, -1.6435, 0.0447), 1.4441),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA_PAIRS)
def test_ciede2000_matches_sharma_test_data(lab1: cv.Lab, lab2: cv.Lab, expected: float) -> None:
    assert cv.delta_e_2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert cv.delta_e_2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(
    ("vision", "expected"),
    [
        ("normal", (45.97, -2.74, -41.37)),  # #0072B2 itself (colorspacious sRGB1 -> CIELab)
        ("deuteranopia", (43.79, 9.49, -44.08)),
        ("protanopia", (49.22, 6.88, -37.65)),
    ],
)
def test_simulation_matches_colorspacious(vision: cv.Vision, expected: cv.Lab) -> None:
    assert cv.srgb_to_lab("#0072B2", vision) == pytest.approx(expected, abs=0.05)


def test_simulation_moves_red_green_and_keeps_grey() -> None:
    # A red and a green that differ a lot normally become close for a deuteranope; a grey stays
    # grey (Machado rows sum to one). These guard the simulation against being a no-op.
    assert cv.difference("#CC3311", "#117733") > 40
    assert cv.difference("#CC3311", "#117733", "deuteranopia") < 20
    assert cv.difference("#CC3311", "#117733", "protanopia") < 20
    assert cv.simulate("#888888", "protanopia") == "#888888"


def test_palette_colours_differ_pairwise_under_every_vision() -> None:
    worst = min(
        (cv.worst_difference(a, b), a, b) for a, b in itertools.combinations(palette.ARM_COLOURS, 2)
    )
    (delta, vision), a, b = worst
    assert delta >= palette.MIN_DELTA_E, f"{a} vs {b}: ΔE2000 {delta:.1f} under {vision}"


def test_palette_colours_are_visible_on_white() -> None:
    # Lines of width >= 2 px on white: every colour at least 2:1 against the page.
    assert min(cv.contrast_on_white(c) for c in palette.ARM_COLOURS) >= 2.0


REGISTRY = load_registry()
LOOKS = provenance.arm_looks(REGISTRY)


def _group_name(group: tuple[tuple[str, str], ...]) -> str:
    return ",".join(f"{t}:{a}" for t, a in group)


@pytest.mark.parametrize("group", shown_together(REGISTRY), ids=_group_name)
def test_arms_shown_together_differ(group: tuple[tuple[str, str], ...]) -> None:
    """Every pair of arms in a group shown together: ΔE2000 ≥ 20 under normal vision,
    deuteranopia and protanopia; where the group has more arms than the palette has colours,
    a pair sharing a colour differs in its second cue (dash, fill pattern)."""
    colours = [LOOKS[key].colour for key in group]
    assert len(set(colours)) == min(len(group), len(palette.ARM_COLOURS)), group
    for a, b in itertools.combinations(group, 2):
        look_a, look_b = LOOKS[a], LOOKS[b]
        if look_a.colour == look_b.colour:
            assert (look_a.dash, look_a.pattern) != (look_b.dash, look_b.pattern), (a, b)
            continue
        delta, vision = cv.worst_difference(look_a.colour, look_b.colour)
        assert delta >= palette.MIN_DELTA_E, (a, b, vision, delta)


def test_any_two_arms_differ_in_colour_or_cue() -> None:
    """Whatever a reader selects, two arms never share both colour and second cue."""
    order = arm_order(REGISTRY)
    assert len(order) <= palette.capacity()
    seen = {(LOOKS[key].colour, LOOKS[key].dash) for key in order}
    assert len(seen) == len(order)


def test_looks_are_keyed_by_arm_not_by_selection() -> None:
    order = arm_order(REGISTRY)
    again = palette.assign_looks(order, shown_together(REGISTRY))
    assert again == LOOKS
    assert provenance.arm_colours(REGISTRY) == {k: (v.colour, v.dash) for k, v in LOOKS.items()}


def test_issue_15_collisions_are_gone() -> None:
    # The pairs the issue found colliding (same or near-identical colour when shown together).
    pairs = [
        (("jupiter06", "tori_tp"), ("orient15", "sint_chemo")),
        (("nct05013697", "triple"), ("checkmate648", "nivo_chemo")),
        (("orient15", "placebo_chemo"), ("checkmate648", "nivo_chemo")),
        (("escort1st", "cam_chemo"), ("skyscraper08", "tira_atezo_tp")),
    ]
    for a, b in pairs:
        look_a, look_b = LOOKS[a], LOOKS[b]
        if look_a.colour == look_b.colour:
            # only allowed inside a default group larger than the palette (Safety's 8 arms)
            assert (look_a.dash, look_a.pattern) != (look_b.dash, look_b.pattern), (a, b)
            assert any(
                a in g and b in g and len(g) > len(palette.ARM_COLOURS)
                for g in shown_together(REGISTRY)
            ), (a, b)
        else:
            delta = cv.worst_difference(look_a.colour, look_b.colour)[0]
            assert delta >= palette.MIN_DELTA_E, (a, b)


def test_assignment_spreads_colours_in_a_group_and_gives_cues_beyond_the_palette() -> None:
    keys = [f"k{i}" for i in range(10)]
    looks = palette.assign_looks(keys, [keys])
    assert len({looks[k].colour for k in keys}) == len(palette.ARM_COLOURS)
    assert len({(looks[k].colour, looks[k].dash) for k in keys}) == 10
    assert {looks[k].pattern for k in keys} >= {"", "/"}
