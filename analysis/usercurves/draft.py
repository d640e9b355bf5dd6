"""An upload as an editable draft: curves, axis ranges, plot area and numbers at risk read.

For an image the digitiser (:func:`analysis.digitise.engine.digitise`) traces the curves; the
axis ranges and the numbers-at-risk table are read by OCR (:mod:`analysis.digitise.ocr`) when
tesseract is installed. Every reading is a suggestion the reader confirms in the view: when the
tick labels cannot be read the curves are traced against provisional ranges (0–1 on both axes)
and :func:`rescale` maps them to the ranges the reader types, which is exact because the pixel
→ value map is linear between the same two ticks.

A draft travels to the browser as JSON (:meth:`Draft.to_json`) and comes back with the reader's
edits; :func:`draft_from_json` checks it as strictly as an uploaded CSV (it is user input).
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from PIL import Image

from analysis.digitise.image import DigitiseError
from analysis.digitise.types import PlotBox
from analysis.usercurves.uploads import (
    MAX_CURVES,
    MAX_PATIENTS_PER_ARM,
    CurvePoints,
    CurveUpload,
    ImageUpload,
    PatientArm,
    PatientUpload,
    Upload,
    UploadError,
    check_curve,
    clean_name,
)

#: Widest preview image sent back to the browser (re-encoded from the decoded pixels, so the
#: uploaded bytes themselves are never echoed).
PREVIEW_MAX_WIDTH = 900
#: Most points per draft curve and most at-risk columns accepted back from the browser.
MAX_DRAFT_POINTS = 5_000
MAX_AT_RISK_COLUMNS = 40
PROVISIONAL_RANGE = (0.0, 1.0)


@dataclass(frozen=True)
class DraftCurve:
    """One curve as traced or uploaded: survival as a fraction under the draft's ranges; the
    numbers at risk read for it (empty when none); the colour it was traced in."""

    name: str
    colour: str
    time: tuple[float, ...]
    survival: tuple[float, ...]
    at_risk: tuple[int | None, ...] = ()


@dataclass(frozen=True)
class Draft:
    """Everything the view shows for confirmation."""

    kind: str  # "image", "curves" or "patients"
    source: str
    curves: tuple[DraftCurve, ...] = ()
    patients: tuple[PatientArm, ...] = ()
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    ranges_read: bool = False
    at_risk_times: tuple[float, ...] = ()
    plot_box: tuple[int, int, int, int] | None = None
    #: Pixel positions of the two reference ticks of each axis (x columns low, high; y rows
    #: low, high): with ``x_range``/``y_range`` they map data to the image for the overlay.
    axis_px: tuple[float, float, float, float] | None = None
    image_size: tuple[int, int] | None = None
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "curves": [
                {
                    "name": c.name,
                    "colour": c.colour,
                    "time": list(c.time),
                    "survival": list(c.survival),
                    "at_risk": list(c.at_risk),
                }
                for c in self.curves
            ],
            "patients": [
                {"name": a.name, "time": list(a.time), "event": list(a.event)}
                for a in self.patients
            ],
            "x_range": None if self.x_range is None else list(self.x_range),
            "y_range": None if self.y_range is None else list(self.y_range),
            "ranges_read": self.ranges_read,
            "at_risk_times": list(self.at_risk_times),
            "plot_box": None if self.plot_box is None else list(self.plot_box),
            "axis_px": None if self.axis_px is None else list(self.axis_px),
            "image_size": None if self.image_size is None else list(self.image_size),
            "notes": list(self.notes),
        }


def preview_data_url(image: ImageUpload) -> str:
    """The decoded figure re-encoded as PNG (at most :data:`PREVIEW_MAX_WIDTH` wide)."""
    im = Image.fromarray(image.image)
    if im.width > PREVIEW_MAX_WIDTH:
        im = im.resize(
            (PREVIEW_MAX_WIDTH, max(1, round(im.height * PREVIEW_MAX_WIDTH / im.width))),
            Image.Resampling.BILINEAR,
        )
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def draft_from_upload(upload: Upload, *, use_ocr: bool = True) -> Draft:
    """The draft of any upload; :class:`UploadError` when an image cannot be digitised."""
    if isinstance(upload, CurveUpload):
        return Draft(
            kind="curves",
            source=upload.source,
            curves=tuple(
                DraftCurve(name=c.name, colour="", time=c.time, survival=c.survival)
                for c in upload.curves
            ),
            notes=upload.notes,
        )
    if isinstance(upload, PatientUpload):
        return Draft(kind="patients", source="patient-level", patients=upload.arms)
    return _image_draft(upload, use_ocr=use_ocr)


def _image_draft(upload: ImageUpload, *, use_ocr: bool) -> Draft:
    # The tracer and the OCR readers (with scipy.ndimage) load with the first image upload,
    # not at `import app` (~0.17 s; issue 11, session 5).
    from analysis.digitise import ocr, ocr_axes, ocr_table  # noqa: PLC0415
    from analysis.digitise.engine import digitise, find_plot_box  # noqa: PLC0415

    image = upload.image
    notes: list[str] = []
    try:
        box = find_plot_box(image)
    except DigitiseError as exc:
        raise UploadError(
            f"no plot axes found in the image ({exc}); crop the screenshot to one Kaplan–Meier "
            "panel with its axes"
        ) from None
    x_range = y_range = PROVISIONAL_RANGE
    x_px = y_px = None
    ranges_read = False
    reading = None
    if use_ocr:
        try:
            reading = ocr_axes.read_axis_ticks(image, box)
        except ocr.OcrError as exc:
            notes.append(f"tick labels not read ({exc}): type the axis ranges")
    if reading is not None and reading.x_range is not None and reading.y_range is not None:
        x_range, y_range = reading.x_range, reading.y_range
        x_px, y_px = reading.x_tick_px, reading.y_tick_px
        ranges_read = True
        notes.extend(f"check: {item}" for item in reading.low_confidence)
    elif reading is not None:
        notes.append("the axis tick labels could not be read: type the axis ranges")
    try:
        fig = digitise(image, x_range=x_range, y_range=y_range, x_tick_px=x_px, y_tick_px=y_px)
    except DigitiseError as exc:
        raise UploadError(f"no curve could be traced: {exc}") from None
    curves = [
        DraftCurve(name=f"curve {c.index + 1}", colour=c.colour, time=c.time, survival=c.survival)
        for c in fig.curves[:MAX_CURVES]
    ]
    notes.extend(fig.warnings)
    notes.extend(f"curve {c.index + 1}: {w}" for c in fig.curves for w in c.warnings)
    times: tuple[float, ...] = ()
    if ranges_read and reading is not None and reading.x_range_at_edges is not None:
        try:
            table = ocr_table.read_at_risk_table(image, fig.plot_box, reading.x_range_at_edges)
        except ocr.OcrError as exc:
            table = None
            notes.append(f"numbers at risk not read ({exc}): type them")
        if table is not None and table.arms:
            times = table.times
            for k, arm in enumerate(table.arms[: len(curves)]):
                cells = {cell.time: cell.n_at_risk for cell in arm.cells}
                curves[k] = replace(curves[k], at_risk=tuple(cells.get(t) for t in times))
                if arm.label:
                    curves[k] = replace(curves[k], name=clean_name(arm.label, curves[k].name))
            notes.extend(f"check: {w}" for w in table.warnings)
            notes.append(
                "numbers-at-risk rows are matched to curves in order (top row = curve 1): "
                "check which row belongs to which colour"
            )
        elif table is not None:
            notes.append("no numbers-at-risk table read under the figure: type it if printed")
    b = fig.plot_box
    return Draft(
        kind="image",
        source=f"{upload.fmt} figure",
        curves=tuple(curves),
        x_range=x_range,
        y_range=y_range,
        ranges_read=ranges_read,
        at_risk_times=times,
        plot_box=(b.left, b.top, b.right, b.bottom),
        axis_px=(*fig.axis_map.x_px, *fig.axis_map.y_px),
        image_size=(upload.width, upload.height),
        notes=tuple(notes),
    )


def rescale(
    curve: CurvePoints,
    old_x: tuple[float, float],
    new_x: tuple[float, float],
    old_y: tuple[float, float],
    new_y: tuple[float, float],
) -> CurvePoints:
    """Map a curve traced under ``old_x``/``old_y`` to the reader's ``new_x``/``new_y`` (values
    at the same two ticks). Survival is a fraction: a y range above 1.5 is in percent."""
    ox, nx = np.asarray(old_x), np.asarray(new_x)
    t = nx[0] + (np.asarray(curve.time) - ox[0]) * (nx[1] - nx[0]) / (ox[1] - ox[0])
    old_scale = 100.0 if max(old_y) > 1.5 else 1.0
    new_scale = 100.0 if max(new_y) > 1.5 else 1.0
    value = np.asarray(curve.survival) * old_scale
    share = (value - old_y[0]) / (old_y[1] - old_y[0])
    s = (new_y[0] + share * (new_y[1] - new_y[0])) / new_scale
    return CurvePoints(
        name=curve.name,
        time=tuple(float(x) for x in t),
        survival=tuple(float(min(max(x, 0.0), 1.0)) for x in s),
    )


# ---- the draft back from the browser -----------------------------------------------------------


def _floats(value: object, what: str, limit: int) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) > limit:
        raise UploadError(f"the draft's {what} is malformed (upload the file again)")
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | float) or not math.isfinite(item):
            raise UploadError(f"the draft's {what} is malformed (upload the file again)")
        out.append(float(item))
    return tuple(out)


def _pair(value: object, what: str) -> tuple[float, float] | None:
    if value is None:
        return None
    got = _floats(value, what, 2)
    if len(got) != 2:
        raise UploadError(f"the draft's {what} is malformed (upload the file again)")
    return got[0], got[1]


def _objects(
    raw: dict[str, Any], key: str, most: int, bad: UploadError
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The objects listed under ``key`` (none when it is absent), numbered; ``bad`` when it is
    not a list of at most ``most`` objects (raised at the first item that is not one)."""
    items = raw.get(key) or []
    if not isinstance(items, list) or len(items) > most:
        raise bad
    for k, item in enumerate(items):
        if not isinstance(item, dict):
            raise bad
        yield k, item


def draft_from_json(raw: object) -> Draft:
    """A draft sent back by the browser, checked (curves go through the CSV checks again)."""
    bad = UploadError("the draft is malformed: upload the file again")
    if not isinstance(raw, dict) or raw.get("kind") not in ("image", "curves", "patients"):
        raise bad
    curves: list[DraftCurve] = []
    for k, item in _objects(raw, "curves", MAX_CURVES, bad):
        name = clean_name(str(item.get("name", "")), f"curve {k + 1}")
        points, _notes = check_curve(
            name,
            list(_floats(item.get("time"), "curve times", MAX_DRAFT_POINTS)),
            list(_floats(item.get("survival"), "curve survival", MAX_DRAFT_POINTS)),
            "draft",
        )
        at_risk = item.get("at_risk") or []
        if not isinstance(at_risk, list) or len(at_risk) > MAX_AT_RISK_COLUMNS:
            raise bad
        counts = tuple(
            n if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else None
            for n in at_risk
        )
        colour = str(item.get("colour", ""))[:7]
        curves.append(DraftCurve(name, colour, points.time, points.survival, counts))
    patients: list[PatientArm] = []
    for k, arm in _objects(raw, "patients", MAX_CURVES, bad):
        times = _floats(arm.get("time"), "patient times", MAX_PATIENTS_PER_ARM)
        events = _floats(arm.get("event"), "patient events", MAX_PATIENTS_PER_ARM)
        if len(times) != len(events) or any(e not in (0.0, 1.0) for e in events):
            raise bad
        if any(t < 0 for t in times) or not times:
            raise bad
        patients.append(
            PatientArm(
                clean_name(str(arm.get("name", "")), f"arm {k + 1}"),
                times,
                tuple(int(e) for e in events),
            )
        )
    box = raw.get("plot_box")
    size = raw.get("image_size")
    return Draft(
        kind=str(raw["kind"]),
        source=str(raw.get("source", ""))[:40],
        curves=tuple(curves),
        patients=tuple(patients),
        x_range=_pair(raw.get("x_range"), "x range"),
        y_range=_pair(raw.get("y_range"), "y range"),
        ranges_read=bool(raw.get("ranges_read")),
        at_risk_times=_floats(raw.get("at_risk_times") or [], "at-risk times", 40),
        plot_box=None if box is None else _box(box),
        axis_px=_axis_px(raw.get("axis_px")),
        image_size=None if size is None else _size(size),
        notes=(),
    )


def _box(value: object) -> tuple[int, int, int, int]:
    got = _floats(value, "plot box", 4)
    if len(got) != 4:
        raise UploadError("the draft's plot box is malformed (upload the file again)")
    return int(got[0]), int(got[1]), int(got[2]), int(got[3])


def _axis_px(value: object) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    got = _floats(value, "axis pixels", 4)
    if len(got) != 4 or got[0] == got[1] or got[2] == got[3]:
        raise UploadError("the draft's axis pixels are malformed (upload the file again)")
    return got[0], got[1], got[2], got[3]


def _size(value: object) -> tuple[int, int]:
    got = _floats(value, "image size", 2)
    if len(got) != 2:
        raise UploadError("the draft's image size is malformed (upload the file again)")
    return int(got[0]), int(got[1])


def json_size(draft: Draft) -> int:
    """Bytes of the draft's JSON (the browser keeps it; bounded by the limits above)."""
    return len(json.dumps(draft.to_json()))


__all__ = [
    "Draft",
    "DraftCurve",
    "PlotBox",
    "draft_from_json",
    "draft_from_upload",
    "preview_data_url",
    "rescale",
]
