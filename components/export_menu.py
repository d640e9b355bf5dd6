"""The per-chart export menu (format, size, theme, download) and its "Add to deck" button.

Panels place :func:`export_controls` above each exportable chart; the callbacks behind it live in
:mod:`components.export_panel`, which knows the charts only through the panels it is given.
"""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import dcc

from components import ids
from components.export import IMAGE_FORMATS
from components.export.images import MAX_SIDE_PX, MIN_SIDE_PX

DATA_FORMATS = ("csv", "ipd")
FORMAT_LABELS = {"png": "PNG", "svg": "SVG", "pdf": "PDF", "csv": "Data (CSV)", "ipd": "IPD (CSV)"}


def export_controls(chart: str, *, patient_data: bool = False) -> Any:
    """The Export menu and "Add to deck" button for one chart (place it above the chart)."""
    formats = [*IMAGE_FORMATS, "csv", *(["ipd"] if patient_data else [])]

    def cid(kind: str) -> dict[str, str]:
        return {"type": kind, "chart": chart}

    return dmc.Group(
        [
            dmc.Popover(
                [
                    dmc.PopoverTarget(
                        dmc.Button("Export…", variant="light", size="xs", id=cid(ids.EXPORT_OPEN))
                    ),
                    dmc.PopoverDropdown(
                        dmc.Stack(
                            [
                                dmc.SegmentedControl(
                                    id=cid(ids.EXPORT_FORMAT),
                                    data=[{"value": f, "label": FORMAT_LABELS[f]} for f in formats],
                                    value="png",
                                    size="xs",
                                ),
                                dmc.Group(
                                    [
                                        dmc.Select(
                                            id=cid(ids.EXPORT_SIZE),
                                            label="Size",
                                            data=[
                                                {"value": "16:9", "label": "16:9 slide"},
                                                {"value": "4:3", "label": "4:3 slide"},
                                                {"value": "custom", "label": "Custom"},
                                            ],
                                            value="16:9",
                                            allowDeselect=False,
                                            w=130,
                                            size="xs",
                                        ),
                                        dmc.NumberInput(
                                            id=cid(ids.EXPORT_WIDTH),
                                            label="Width (px)",
                                            value=1600,
                                            min=MIN_SIDE_PX,
                                            max=MAX_SIDE_PX,
                                            w=110,
                                            size="xs",
                                        ),
                                        dmc.NumberInput(
                                            id=cid(ids.EXPORT_HEIGHT),
                                            label="Height (px)",
                                            value=900,
                                            min=MIN_SIDE_PX,
                                            max=MAX_SIDE_PX,
                                            w=110,
                                            size="xs",
                                        ),
                                    ],
                                    gap="xs",
                                    align="flex-end",
                                ),
                                dmc.Text(id=cid(ids.EXPORT_SIZE_NOTE), size="xs", c="red", maw=380),
                                dmc.SegmentedControl(
                                    id=cid(ids.EXPORT_THEME),
                                    data=[
                                        {"value": "presentation", "label": "Presentation theme"},
                                        {"value": "screen", "label": "As on screen"},
                                    ],
                                    value="presentation",
                                    size="xs",
                                ),
                                dmc.Text(
                                    "Images carry the sources, reconstruction grades, caveats "
                                    "and data version in a footnote; CSV files carry them in a "
                                    "header block.",
                                    size="xs",
                                    c="dimmed",
                                    maw=380,
                                ),
                                dmc.Button("Download", id=cid(ids.EXPORT_DOWNLOAD), size="xs"),
                                dmc.Text(id=cid(ids.EXPORT_STATUS), size="xs"),
                            ],
                            gap="xs",
                        )
                    ),
                ],
                position="bottom-start",
                shadow="md",
                trapFocus=False,
            ),
            dmc.Button("Add to deck", id=cid(ids.EXPORT_ADD), variant="subtle", size="xs"),
            dcc.Download(id=cid(ids.EXPORT_FILE)),
        ],
        gap="xs",
    )
