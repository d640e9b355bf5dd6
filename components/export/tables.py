"""CSV downloads: the numbers behind a chart, and reconstructed IPD for KM charts (SEC-12).

File format
* Encoding: UTF-8 **with a byte-order mark**. Excel opens a CSV as the system's legacy code page
  unless the file starts with the BOM, which would garble "–", "≥" or accented author names;
  every other reader (pandas ``encoding="utf-8-sig"``, R ``readr``, LibreOffice) accepts it. The
  header block also says ``encoding: UTF-8``.
* Line ends ``\\r\\n`` (RFC 4180); cells quoted only when needed (``csv.QUOTE_MINIMAL``).
* Provenance block first: one single-cell row per line, each starting with ``#`` (title,
  sources with DOIs, reconstruction grades and caveats, data version, app version, export date),
  then the column header row, then the data rows. A reader skips leading rows whose first cell
  starts with ``#`` (:func:`read_csv_rows` does).

Formula neutralisation (RELIABILITY SEC-12, OWASP "CSV injection")
* A **text** cell whose first character is ``=``, ``+``, ``-``, ``@``, tab or carriage return is
  prefixed with a single quote ``'`` so spreadsheets show it as text instead of evaluating it.
  The triggers are :data:`data.export.CSV_TRIGGERS`, shared with the evidence-table export.
* **Numbers** (int, float, Decimal, numpy numbers; not bool) are written as numbers and never
  prefixed: ``-0.25`` stays a negative number a spreadsheet can compute with. This is safe
  because the text of a number is produced here (``repr`` of a finite float, ``str`` of an
  int), never taken from input, so it cannot carry a formula. NaN and infinities are refused
  (``None`` means "not reported" and is written as an empty cell).
* Provenance lines are neutralised the same way after the ``# `` prefix, and CR/LF/tab inside
  them become spaces, so no header text can start a cell or a line of its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from analysis.survival import SurvivalSample
from components.export.footnote import Footnote
from data.export import CSV_TRIGGERS

Provenance = Mapping[str, str] | Sequence[str]


def neutralise_text(text: str) -> str:
    """``'`` + text when a spreadsheet would read the text as a formula."""
    return "'" + text if text.startswith(CSV_TRIGGERS) else text


def cell_text(value: object) -> str:
    """The CSV text of one value, following the module's neutralisation rule."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("NaN/infinite values cannot be exported; use None for not reported")
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("NaN/infinite values cannot be exported; use None for not reported")
        return repr(number)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise_text(str(value))


def _header_line(text: str) -> str:
    flat = " ".join(text.replace("\r", " ").replace("\n", " ").replace("\t", " ").split())
    return "# " + neutralise_text(flat)


def provenance_block(
    provenance: Provenance,
    *,
    title: str | None = None,
    exported: dt.date | None = None,
) -> list[str]:
    """Header lines (each starting ``# ``); a mapping gives ``key: value`` lines."""
    lines: list[str] = []
    if title:
        lines.append(title)
    if isinstance(provenance, Mapping):
        lines.extend(f"{key}: {value}" for key, value in provenance.items())
    else:
        if isinstance(provenance, str):
            raise TypeError("provenance must be a mapping or a sequence of lines, not a string")
        lines.extend(provenance)
    if exported is not None:
        lines.append(f"export date: {exported.isoformat()}")
    lines.append("encoding: UTF-8")
    return [_header_line(line) for line in lines]


def csv_bytes(
    rows: Iterable[Mapping[str, object]],
    columns: Sequence[str],
    provenance: Provenance,
    *,
    title: str | None = None,
    exported: dt.date | None = None,
) -> bytes:
    """The table as CSV bytes (UTF-8 with BOM) with a ``#`` provenance block.

    ``columns`` fixes the column order; a row missing a column gets an empty cell, a row with
    an unknown column raises ``KeyError`` (so nothing is silently dropped). Column names are
    neutralised like text cells.
    """
    if not columns:
        raise ValueError("at least one column is needed")
    known = set(columns)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in provenance_block(provenance, title=title, exported=exported):
        writer.writerow([line])
    writer.writerow([neutralise_text(str(c)) for c in columns])
    for row in rows:
        extra = set(row) - known
        if extra:
            raise KeyError(f"row has columns not in the export: {sorted(extra)}")
        writer.writerow([cell_text(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def footnote_provenance(footnote: Footnote) -> list[str]:
    """Provenance lines from a chart's footnote (same sources and caveats as the image)."""
    return list(footnote.provenance_lines())


@dataclass(frozen=True)
class IpdArm:
    """Reconstructed individual patient data of one arm, as drawn on a KM chart."""

    trial: str
    arm: str
    sample: SurvivalSample
    grade: str | None = None


IPD_COLUMNS: tuple[str, ...] = ("trial", "arm", "grade", "patient", "time_months", "event")


def ipd_csv_bytes(
    arms: Sequence[IpdArm],
    provenance: Provenance,
    *,
    title: str | None = None,
    exported: dt.date | None = None,
) -> bytes:
    """One row per patient: trial, arm, grade, patient number (1..n within the arm, in time
    order), ``time_months`` and ``event`` (1 = event, 0 = censored)."""
    rows = (
        {
            "trial": arm.trial,
            "arm": arm.arm,
            "grade": arm.grade,
            "patient": i,
            "time_months": float(t),
            "event": int(e),
        }
        for arm in arms
        for i, (t, e) in enumerate(
            zip(arm.sample.times_months, arm.sample.events, strict=True), start=1
        )
    )
    return csv_bytes(rows, IPD_COLUMNS, provenance, title=title, exported=exported)


def read_csv_rows(data: bytes) -> tuple[list[str], list[str], list[list[str]]]:
    """Parse an export back: (provenance lines, column names, data rows), all as text."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    provenance: list[str] = []
    header: list[str] | None = None
    body: list[list[str]] = []
    for row in reader:
        if header is None and row and row[0].startswith("#"):
            provenance.append(row[0])
        elif header is None:
            header = row
        else:
            body.append(row)
    return provenance, header or [], body
