"""OCR of tick labels and numbers-at-risk tables on figures drawn here with matplotlib.

Each figure is drawn with known tick labels and a known table, so the expected readings are the
values drawn (exact: integers and tick values must come back unchanged). The plot box is taken
from matplotlib's own axes extent, not measured. Also: the input guards, the typed errors for a
missing or slow tesseract, and the number parsing rules.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from analysis.digitise import ocr, ocr_axes, ocr_table
from analysis.digitise.types import PlotBox
from tests.unit.test_digitise_ocr_figures import require_tesseract


@dataclass(frozen=True)
class Drawn:
    image: np.ndarray
    box: PlotBox


@dataclass(frozen=True)
class Style:
    """How a synthetic figure is drawn."""

    x_ticks: tuple[float, ...] = (0, 3, 6, 9, 12, 15, 18, 21, 24)
    x_limits: tuple[float, float] = (0, 25)
    y_fraction: bool = False  # y labels 0.0–1.0 instead of 0–100
    rows: tuple[tuple[str, tuple[int, ...]], ...] = ()
    censored: tuple[tuple[int, ...], ...] = ()  # printed as "n (c)" in the same cell
    labels_above: bool = False  # arm label on its own line above the numbers (JAMA style)
    x_labels: tuple[str, ...] | None = None  # printed tick labels, if not the tick values
    width_in: float = 8.0
    dpi: int = 100
    colour_rows: bool = False
    jpeg_quality: int | None = None


def draw(style: Style) -> Drawn:
    """A KM-like figure with tick labels and a numbers-at-risk table under it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.transforms import blended_transform_factory

    n_rows = len(style.rows)
    lines = n_rows * (2 if style.labels_above else 1)
    table_in = 0.4 + 0.3 * lines  # header line + one line per row (two with labels above)
    height_in = 0.25 + 2.3 + 0.75 + table_in
    fig = Figure(figsize=(style.width_in, height_in), dpi=style.dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.28, (table_in + 0.75) / height_in, 0.66, 2.3 / height_in))
    colours = ("#1f77b4", "#d62728", "#2ca02c")
    top = 1.0 if style.y_fraction else 100.0
    for i in range(max(1, n_rows)):
        t = np.linspace(0, style.x_limits[1] * 0.9, 12)
        s = top * np.exp(-t / (8 + 6 * i))
        ax.step(t, s, where="post", color=colours[i % 3], linewidth=1.5)
    ax.set_xlim(*style.x_limits)
    ax.set_ylim(0, top)
    ax.set_xticks(style.x_ticks)
    if style.x_labels is not None:
        ax.set_xticklabels(style.x_labels)
    y_ticks = np.linspace(0, top, 6)
    ax.set_yticks(y_ticks)
    ax.set_yticklabels([f"{v:.1f}" if style.y_fraction else f"{v:.0f}" for v in y_ticks])
    ax.tick_params(labelsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("Months since randomisation", fontsize=10)
    ax.set_ylabel("Overall survival", fontsize=10)
    under = blended_transform_factory(ax.transData, fig.transFigure)
    line_in = 0.3
    y = (table_in - 0.15) / height_in
    fig.text(0.02, y, "No. at risk", fontsize=10, va="center")
    for i, (label, counts) in enumerate(style.rows):
        colour = colours[i % 3] if style.colour_rows else "black"
        if style.labels_above:
            y -= line_in / height_in
            fig.text(0.1, y, label, fontsize=10, color=colour, va="center")
            y -= 0.6 * line_in / height_in  # the numbers just under their label
        else:
            y -= line_in / height_in
        if not style.labels_above:
            fig.text(0.02, y, label, fontsize=10, color=colour, va="center")
        for k, n in enumerate(counts):
            text = str(n) if not style.censored else f"{n} ({style.censored[i][k]})"
            ax.text(
                style.x_ticks[k], y, text, transform=under, ha="center", va="center",
                fontsize=10, color=colour,
            )  # fmt: skip
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())[..., :3].copy()
    if style.jpeg_quality is not None:
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="JPEG", quality=style.jpeg_quality)
        with Image.open(io.BytesIO(buffer.getvalue())) as decoded:
            image = np.asarray(decoded.convert("RGB"))
    extent = ax.get_window_extent()
    height = image.shape[0]
    box = PlotBox(
        left=round(extent.x0),
        top=round(height - extent.y1),
        right=round(extent.x1) - 1,
        bottom=round(height - extent.y0) - 1,
    )
    return Drawn(image, box)


TWO_ARMS = (
    ("Drug + chemotherapy", (250, 231, 198, 160, 122, 91, 60, 33, 12)),
    ("Chemotherapy", (248, 220, 171, 120, 84, 52, 30, 14, 4)),
)


@pytest.fixture(scope="module", autouse=True)
def _tesseract() -> None:
    require_tesseract()


def _table(drawn: Drawn, x_limits: tuple[float, float]) -> ocr.AtRiskReading:
    return ocr_table.read_at_risk_table(drawn.image, drawn.box, x_limits)


def _counts(reading: ocr.AtRiskReading) -> list[tuple[int, ...]]:
    return [tuple(c.n_at_risk for c in arm.cells) for arm in reading.arms]


# ---- tick labels ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain() -> Drawn:
    return draw(Style(rows=TWO_ARMS))


def test_ticks_read_exactly_and_mapped_to_the_axes(plain: Drawn) -> None:
    reading = ocr_axes.read_axis_ticks(plain.image, plain.box)
    assert reading.x is not None and reading.y is not None
    assert [t.value for t in reading.x.ticks] == [0, 3, 6, 9, 12, 15, 18, 21, 24]
    assert all(t.used_in_fit for t in reading.x.ticks)
    assert reading.x_range == (0.0, 24.0)
    assert reading.x.step == 3.0
    assert [t.value for t in reading.y.ticks] == [0, 20, 40, 60, 80, 100]
    assert reading.y_range == (0.0, 100.0)
    assert reading.y_scale == "percent"
    # The fit puts the plot edges at the axis limits drawn (0 and 25 months; 0 and 100 %),
    # within 1 % of the range: label centres are placed to about a pixel.
    x_left, x_right = reading.x_range_at_edges or (np.nan, np.nan)
    assert x_left == pytest.approx(0.0, abs=0.25) and x_right == pytest.approx(25.0, abs=0.25)
    y_bottom, y_top = reading.y_range_at_edges or (np.nan, np.nan)
    assert y_bottom == pytest.approx(0.0, abs=1.0) and y_top == pytest.approx(100.0, abs=1.0)
    # Tick pixels: first/last labelled tick, left to right and bottom to top.
    assert reading.x_tick_px is not None and reading.x_tick_px[0] < reading.x_tick_px[1]
    assert reading.y_tick_px is not None and reading.y_tick_px[0] > reading.y_tick_px[1]
    assert all(t.confidence > 0 for t in (*reading.x.ticks, *reading.y.ticks))
    assert not [f for f in reading.flags if "fit" in f.reason or "uneven" in f.reason]


def test_fraction_scale_small_jpeg_figure() -> None:
    """A 450-px-wide figure saved as JPEG at quality 70, survival printed as 0.0–1.0."""
    rows = (("Drug", TWO_ARMS[0][1]), ("Chemo", TWO_ARMS[1][1]))
    drawn = draw(Style(rows=rows, y_fraction=True, width_in=4.5, jpeg_quality=70))
    assert drawn.image.shape[1] == 450
    reading = ocr_axes.read_axis_ticks(drawn.image, drawn.box)
    assert reading.y_scale == "fraction"
    assert reading.y_range == (0.0, 1.0)
    assert reading.x_range == (0.0, 24.0)
    table = _table(drawn, (0.0, 25.0))
    assert _counts(table) == [counts for _, counts in rows]
    assert table.labels == ("Drug", "Chemo")


def test_misprinted_tick_is_left_out_and_flagged() -> None:
    """A label that breaks the even spacing ("21" printed at 12) is not used by the fit."""
    labels = ("0", "3", "6", "9", "21", "15", "18", "21", "24")
    drawn = draw(Style(x_labels=labels))
    reading = ocr_axes.read_axis_ticks(drawn.image, drawn.box)
    assert reading.x is not None
    unused = [t for t in reading.x.ticks if not t.used_in_fit]
    assert [t.value for t in unused] == [21.0]
    assert reading.x_range == (0.0, 24.0)
    assert any(f.where == "x" and f.text == "21" and "does not fit" in f.reason
               for f in reading.flags)  # fmt: skip


# ---- numbers-at-risk table -----------------------------------------------------------------


def test_table_read_exactly_with_labels_and_times(plain: Drawn) -> None:
    reading = _table(plain, (0.0, 25.0))
    assert reading.times == (0, 3, 6, 9, 12, 15, 18, 21, 24)
    assert _counts(reading) == [counts for _, counts in TWO_ARMS]
    assert reading.labels == tuple(label for label, _ in TWO_ARMS)
    assert all(c.n_censored is None for c in reading.rows)
    assert not any("rises" in f.reason or "no number" in f.reason for f in reading.flags)
    # The flat view the digitiser's CLI writes: one row per printed number.
    assert [(c.curve, c.time) for c in reading.rows][:2] == [(0, 0.0), (0, 3.0)]


def test_three_coloured_arms_labels_above_and_censored_counts() -> None:
    rows = (
        ("Arm A", (300, 280, 240, 200, 150, 100, 61, 30, 9)),
        ("Arm B", (301, 270, 222, 181, 140, 90, 52, 20, 3)),
        ("Arm C", (299, 250, 190, 131, 88, 60, 31, 11, 0)),
    )
    censored = (
        (0, 2, 5, 9, 14, 22, 40, 61, 80),
        (0, 1, 4, 8, 12, 20, 33, 50, 71),
        (0, 3, 3, 6, 10, 15, 28, 44, 58),
    )
    drawn = draw(Style(rows=rows, censored=censored, labels_above=True, colour_rows=True))
    reading = _table(drawn, (0.0, 25.0))
    assert _counts(reading) == [counts for _, counts in rows]
    assert [tuple(c.n_censored for c in arm.cells) for arm in reading.arms] == list(censored)
    # Row labels are read as printed, except that tesseract may drop the space in "Arm A".
    assert [label.replace(" ", "") for label in reading.labels] == ["ArmA", "ArmB", "ArmC"]


def test_rising_count_is_flagged_not_corrected() -> None:
    rows = (("Arm A", (120, 100, 80, 85, 40, 20, 10, 5, 1)),)
    drawn = draw(Style(rows=rows))
    reading = _table(drawn, (0.0, 25.0))
    assert _counts(reading) == [rows[0][1]]  # read as printed
    cells = {c.time: c for c in reading.rows}
    assert cells[6.0].low_confidence and cells[9.0].low_confidence
    assert any("rises between t=6 and t=9" in f.reason for f in reading.flags)


def test_no_table_under_the_plot_is_reported() -> None:
    drawn = draw(Style(rows=()))
    reading = _table(drawn, (0.0, 25.0))
    assert reading.arms == () and reading.rows == ()
    assert any("no numbers-at-risk rows" in f.reason for f in reading.flags)


# ---- guards and errors ---------------------------------------------------------------------


def test_refuses_bad_arrays_and_boxes() -> None:
    box = PlotBox(10, 10, 50, 50)
    good = np.full((100, 100, 3), 255, dtype=np.uint8)
    bad_inputs = [
        (good[..., 0], box, "shape"),
        (good.astype(np.float32), box, "8-bit"),
        (np.zeros((ocr.MAX_IMAGE_SIDE_PX + 1, 4, 3), dtype=np.uint8), box, "larger than"),
        (good, PlotBox(10, 10, 150, 50), "not inside"),
        (good, PlotBox(50, 10, 10, 50), "not inside"),
    ]
    for image, plot_box, message in bad_inputs:
        with pytest.raises(ocr.OcrInputError, match=message):
            ocr_axes.read_axis_ticks(image, plot_box)
    with pytest.raises(ocr.OcrInputError, match="x range"):
        ocr_table.read_at_risk_table(good, box, (5.0, 5.0))
    with pytest.raises(ocr.OcrInputError, match="x range"):
        ocr_table.read_at_risk_table(good, box, (0.0, float("nan")))


def test_pixel_limit_is_checked_before_any_work() -> None:
    side = int(np.sqrt(ocr.MAX_IMAGE_PIXELS)) + 1
    assert side <= ocr.MAX_IMAGE_SIDE_PX  # the pixel cap binds before the side cap here
    image = np.broadcast_to(np.uint8(255), (side, side, 3))
    with pytest.raises(ocr.OcrInputError, match="larger than"):
        ocr_axes.read_axis_ticks(image, PlotBox(1, 1, 10, 10))


def test_missing_tesseract_is_a_typed_one_line_error(monkeypatch) -> None:
    monkeypatch.setattr(ocr, "TESSERACT_BINARY", "tesseract-not-installed-here")
    with pytest.raises(ocr.TesseractNotFoundError) as info:
        ocr_axes.read_axis_ticks(np.full((60, 60, 3), 255, np.uint8), PlotBox(10, 5, 50, 40))
    with pytest.raises(ocr.TesseractNotFoundError):
        ocr_table.read_at_risk_table(
            np.full((60, 60, 3), 255, np.uint8), PlotBox(10, 5, 50, 40), (0, 1)
        )
    message = str(info.value)
    assert "\n" not in message and "tesseract-ocr" in message
    assert isinstance(info.value, ocr.OcrError)


def test_timeout_stops_tesseract(monkeypatch, plain: Drawn) -> None:
    monkeypatch.setattr(ocr, "TESSERACT_TIMEOUT_S", 0.001)
    with pytest.raises(ocr.OcrTimeoutError, match="longer than"):
        ocr_axes.read_axis_ticks(plain.image, plain.box)


def test_tesseract_runs_without_a_shell() -> None:
    source = Path(ocr.__file__).read_text(encoding="utf-8")
    assert "shell=True" not in source
    assert len(re.findall(r"subprocess\.run\(", source)) == 1  # the one guarded call site
    assert "timeout=TESSERACT_TIMEOUT_S" in source
    assert ocr.tesseract_version().startswith("tesseract")


@pytest.mark.parametrize(
    ("text", "value", "interpreted"),
    [
        ("24", 24.0, False),
        ("0·5", 0.5, False),  # Lancet's middle dot
        ("90-", 90.0, False),  # a tick mark touching the label
        ("100%", 100.0, False),
        ("1O", 10.0, True),
        ("O", 0.0, True),
    ],
)
def test_parse_number(text: str, value: float, interpreted: bool) -> None:
    number = ocr.parse_number(text)
    assert number is not None
    assert (number.value, number.interpreted) == (value, interpreted)


@pytest.mark.parametrize("text", ["|", "I", "l", "Months", "-", "3-6", ""])
def test_parse_number_refuses_non_numbers(text: str) -> None:
    assert ocr.parse_number(text) is None
