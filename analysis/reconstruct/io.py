"""Reading curve and at-risk CSV files with messages that name the file, row and problem.

Accepted layouts:

* curve: header ``time,survival`` (any case, extra columns ignored), or no header and two
  numeric columns (WebPlotDigitizer's default export);
* at-risk table: header ``time,n_at_risk`` with an optional ``n_censored_cumulative`` column,
  or no header and two numeric columns.

Separators: comma, or semicolon / tab when the first line has no comma. A UTF-8 byte-order mark
is ignored. Row numbers in messages count data rows from 1 (the header is not counted), matching
``ReconstructionInputError``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from analysis.reconstruct.types import ReconstructionInputError

#: Files larger than this are refused (a digitised curve has hundreds of rows, not millions).
MAX_INPUT_BYTES = 5_000_000


@dataclass(frozen=True)
class CsvColumns:
    """Numeric columns read from a CSV file, by header name."""

    columns: dict[str, list[float | None]]
    n_rows: int


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReconstructionInputError(
            f"cannot read file ({exc.strerror})", source=str(path)
        ) from exc
    if size > MAX_INPUT_BYTES:
        raise ReconstructionInputError(
            f"file is {size} bytes; the limit is {MAX_INPUT_BYTES}", source=str(path)
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReconstructionInputError(
            f"cannot read file ({exc.strerror})", source=str(path)
        ) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReconstructionInputError(
            "file is not UTF-8 text (save it as CSV, UTF-8)", source=str(path)
        ) from exc


def _number(cell: str) -> float | None:
    text = cell.strip()
    if text == "":
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def read_numeric_csv(
    path: Path, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> CsvColumns:
    """Read the ``required`` (and present ``optional``) numeric columns of a CSV file.

    Without a header the first ``len(required)`` columns are taken in order. Empty cells are
    allowed only in optional columns (they become None).
    """
    text = _read_text(path)
    source = str(path)
    lines = text.splitlines()
    if not lines or not any(line.strip() for line in lines):
        raise ReconstructionInputError("file is empty", source=source)
    first = lines[0]
    delimiter = ","
    if "," not in first:
        delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    rows = [r for r in rows if any(c.strip() for c in r)]
    header = [c.strip().lower() for c in rows[0]]
    try:
        [_number(c) for c in rows[0][: len(required)]]
        has_header = False
    except ValueError:
        has_header = True
    if has_header:
        missing = [name for name in required if name not in header]
        if missing:
            raise ReconstructionInputError(
                f"missing column(s) {', '.join(missing)}; the header is {','.join(header)}",
                source=source,
            )
        index = {name: header.index(name) for name in (*required, *optional) if name in header}
        data = rows[1:]
    else:
        index = {name: k for k, name in enumerate(required)}
        data = rows
    if not data:
        raise ReconstructionInputError("file has a header but no data rows", source=source)
    columns: dict[str, list[float | None]] = {name: [] for name in index}
    for row_no, row in enumerate(data, start=1):
        for name, k in index.items():
            if k >= len(row):
                raise ReconstructionInputError(
                    f"has {len(row)} column(s); column {name!r} is missing",
                    source=source,
                    row=row_no,
                )
            try:
                value = _number(row[k])
            except ValueError:
                raise ReconstructionInputError(
                    f"{name} {row[k].strip()!r} is not a number", source=source, row=row_no
                ) from None
            if value is None and name in required:
                raise ReconstructionInputError(f"{name} is empty", source=source, row=row_no)
            columns[name].append(value)
    return CsvColumns(columns=columns, n_rows=len(data))


def read_curve_csv(path: Path) -> tuple[list[float], list[float]]:
    """``(time, survival)`` from a curve CSV (see the module docstring)."""
    cols = read_numeric_csv(path, required=("time", "survival"))
    return (
        [float(v) for v in cols.columns["time"] if v is not None],
        [float(v) for v in cols.columns["survival"] if v is not None],
    )


def read_risk_csv(path: Path) -> tuple[list[float], list[float], list[float | None] | None]:
    """``(time, n_at_risk, n_censored_cumulative or None)`` from an at-risk CSV."""
    cols = read_numeric_csv(
        path, required=("time", "n_at_risk"), optional=("n_censored_cumulative",)
    )
    censored = cols.columns.get("n_censored_cumulative")
    return (
        [float(v) for v in cols.columns["time"] if v is not None],
        [float(v) for v in cols.columns["n_at_risk"] if v is not None],
        censored if censored is not None and any(v is not None for v in censored) else None,
    )
