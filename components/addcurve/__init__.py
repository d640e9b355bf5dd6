"""Add-a-curve panel (issue 16): upload a Kaplan–Meier figure or a digitised/patient-level CSV,
confirm what was read, reconstruct, and open the curve in the Survival view.

The view model is :mod:`analysis.views.addcurve` (form rules, Survival link) on top of
:mod:`analysis.usercurves` (uploads, drafts, reconstruction, store); this package renders it:

* :mod:`.layout` — the page: upload area, figure with what was read, the form, results;
* :mod:`.callbacks` — the browser's size check, upload → draft, form → curves → store;
* :mod:`.figure` — the figure with the detected plot area, reference ticks and curves drawn
  over it; the results and checks.
"""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc

from components import ids
from components.addcurve.callbacks import register_callbacks
from components.addcurve.layout import layout
from data import Registry


def validation_components(_registry: Registry) -> list[Any]:
    """One instance of each pattern-matching control of the arm table (made by the upload
    callback), for the app's validation layout."""
    row = {"index": 0}
    return [
        dmc.Checkbox(id={"type": ids.ADDCURVE_ARM_INCLUDE, **row}),
        dmc.TextInput(id={"type": ids.ADDCURVE_ARM_NAME, **row}),
        dmc.TextInput(id={"type": ids.ADDCURVE_ARM_AT_RISK, **row}),
        dmc.NumberInput(id={"type": ids.ADDCURVE_ARM_N, **row}),
        dmc.NumberInput(id={"type": ids.ADDCURVE_ARM_EVENTS, **row}),
    ]


__all__ = ["layout", "register_callbacks", "validation_components"]
