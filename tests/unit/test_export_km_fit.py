"""KM charts re-fitted to fixed slide sizes: panels do not overlap, the legend sits above the
curves, and the footnote wraps inside the image (the left margin is known, not automatic)."""

from __future__ import annotations

import pytest

from components.export import SLIDE_4_3, SLIDE_16_9, prepare_figure
from components.export.images import CHAR_WIDTH_EM
from components.survival import export_bundle
from data import load_registry

QUERY = {
    "arms": "nct05013697:triple,checkmate648:nivo_chemo,checkmate648:chemo,"
    "escort1st:cam_chemo,keynote590:pembro_chemo",
    "ci": "1",
}


@pytest.mark.parametrize("size", [SLIDE_16_9, SLIDE_4_3], ids=["16:9", "4:3"])
@pytest.mark.parametrize("theme", ["presentation", "screen"])
def test_km_slide_layout(size, theme) -> None:
    bundle = export_bundle(load_registry(), QUERY)
    out = prepare_figure(bundle.figure, size=size, theme=theme, footnote=bundle.footnote)
    layout = out["layout"]
    curves, table = layout["yaxis"]["domain"], layout["yaxis2"]["domain"]
    assert table[0] == 0.0 and table[1] < curves[0] < curves[1] == 1.0
    assert layout["yaxis2"]["automargin"] is False
    assert (layout["legend"]["y"], layout["legend"]["yanchor"]) == (1.0, "bottom")
    margin = layout["margin"]
    paper = size.height_px - margin["t"] - margin["b"]
    assert (curves[1] - curves[0]) * paper >= 0.3 * paper  # the curves keep a real share
    note = next(a for a in layout["annotations"] if a.get("name") == "footnote")
    widest = max(len(line) for line in note["text"].split("<br>"))
    assert widest * CHAR_WIDTH_EM * note["font"]["size"] <= size.width_px - margin["l"]
    assert bundle.footnote.data_version in note["text"]


def test_dense_rows_shrink_to_the_row_pitch() -> None:
    """A response chart with every arm (about 40 rows) keeps its rows apart on a 16:9 slide."""
    from components import response as rp
    from components.export.images import DENSE_FONT_PER_ROW

    bundle = rp.export_bundle(load_registry(), {})
    out = prepare_figure(bundle.figure, size=SLIDE_16_9, footnote=bundle.footnote)
    layout = out["layout"]
    axis = layout["yaxis"]
    margin = layout["margin"]
    paper = SLIDE_16_9.height_px - margin["t"] - margin["b"]
    pitch = (
        paper
        * (axis.get("domain", [0, 1])[1] - axis.get("domain", [0, 1])[0])
        / abs(axis["range"][1] - axis["range"][0])
    )
    assert len(axis["tickvals"]) >= 20
    assert layout["font"]["size"] <= DENSE_FONT_PER_ROW * pitch + 0.01
