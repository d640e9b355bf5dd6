"""Reconstruction of individual patient data (IPD) from published survival results.

One engine, three input grades; every result says which grade made it:

* **A** — digitised Kaplan-Meier curve + numbers at risk (+ total events):
  ``reconstruct_from_curve`` (Guyot et al., BMC Med Res Methodol 2012;12:9, in IPDfromKM's
  modified-iKM form; module ``guyot``).
* **B** — numbers-at-risk table (+ printed cumulative censored counts) + total events + published
  median / landmarks, no curve: ``reconstruct_from_table`` / ``reconstruct_arms_from_tables``
  (module ``table``).
* **C** — summary numbers only (N, events, median, landmarks, accrual and follow-up):
  ``reconstruct_from_summary`` (module ``summary``).

All three are deterministic (same input, byte-identical ``ReconstructedIPD.to_csv()``), return
exactly N patients, and match a published event total exactly when one is given. Fidelity
against published numbers and reference curves: ``analysis.fidelity``.

Command line (``python -m analysis.reconstruct --help``)::

    python -m analysis.reconstruct --curve CURVE.csv --at-risk RISK.csv [--events N] \\
        [--percent] --out IPD.csv
    python -m analysis.reconstruct --spec SPEC.toml --out IPD.csv

Spec file (TOML) for grades B and C, times in months, survival as fractions::

    grade = "B"                      # or "C"
    [followup]                       # optional for B, required for C
    accrual_months = 17.3
    min_followup_months = 5.6
    max_followup_months = 22.9
    median_followup_months = 10.8    # median potential follow-up (reverse KM)
    accrual_start = 2018-12-03       # dates may replace the three lengths
    accrual_end = 2020-05-12
    data_cutoff = 2020-10-30
    [[arm]]                          # one or two arms
    label = "camrelizumab + chemotherapy"
    events = 135
    median_months = 15.3             # or "NR"
    landmarks = [ { time_months = 12, survival = 0.615 } ]
    time_months = [0, 2, 4, 6]       # grade B
    n_at_risk = [298, 294, 285, 260] # grade B
    # censored_cumulative = [...]    # grade B, optional: cumulative censored counts as printed
    n = 298                          # grade C

See ``analysis.reconstruct.spec`` for the full rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.reconstruct.censoring import FollowUp
    from analysis.reconstruct.guyot import reconstruct_from_curve
    from analysis.reconstruct.spec import Spec, load_spec, parse_spec, reconstruct_spec
    from analysis.reconstruct.summary import SummaryArm, reconstruct_from_summary
    from analysis.reconstruct.table import (
        TableArm,
        reconstruct_arms_from_tables,
        reconstruct_from_table,
    )
    from analysis.reconstruct.types import (
        Grade,
        Landmark,
        ReconstructedIPD,
        ReconstructionInputError,
    )

# Names are resolved on first use (PEP 562): grade A (``guyot``) needs only NumPy, while grades
# B and C import SciPy's optimisers, which cost most of a command-line run's start-up time.
_HOME = {
    "FollowUp": "censoring",
    "reconstruct_from_curve": "guyot",
    "Spec": "spec",
    "load_spec": "spec",
    "parse_spec": "spec",
    "reconstruct_spec": "spec",
    "SummaryArm": "summary",
    "reconstruct_from_summary": "summary",
    "TableArm": "table",
    "reconstruct_arms_from_tables": "table",
    "reconstruct_from_table": "table",
    "Grade": "types",
    "Landmark": "types",
    "ReconstructedIPD": "types",
    "ReconstructionInputError": "types",
}


def _module(home: str) -> Any:
    # Plain import statements (not import by name), so the layer test sees every dependency;
    # imported on first use on purpose (module docstring), hence the noqa.
    if home == "censoring":
        from analysis.reconstruct import censoring  # noqa: PLC0415

        return censoring
    if home == "guyot":
        from analysis.reconstruct import guyot  # noqa: PLC0415

        return guyot
    if home == "spec":
        from analysis.reconstruct import spec  # noqa: PLC0415

        return spec
    if home == "summary":
        from analysis.reconstruct import summary  # noqa: PLC0415

        return summary
    if home == "table":
        from analysis.reconstruct import table  # noqa: PLC0415

        return table
    from analysis.reconstruct import types  # noqa: PLC0415

    return types


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'analysis.reconstruct' has no attribute {name!r}")
    value = getattr(_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "FollowUp",
    "Grade",
    "Landmark",
    "ReconstructedIPD",
    "ReconstructionInputError",
    "Spec",
    "SummaryArm",
    "TableArm",
    "load_spec",
    "parse_spec",
    "reconstruct_arms_from_tables",
    "reconstruct_from_curve",
    "reconstruct_from_summary",
    "reconstruct_from_table",
    "reconstruct_spec",
]
