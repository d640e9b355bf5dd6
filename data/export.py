"""CSV / JSON export of the long evidence table (``python -m data export``; app download).

CSV: UTF-8 with a byte-order mark (so spreadsheet programs detect the encoding), provenance
header lines starting with ``#`` (data version, licence caveat, column meaning), then a header row
and one row per number. Any cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is prefixed with a single quote so spreadsheets do not evaluate it (OWASP CSV injection;
RELIABILITY SEC-12). JSON: ``{"meta": {...}, "columns": [...], "rows": [{...}, ...]}``.
Both are deterministic for a given data version (no timestamps), so identical data gives
identical bytes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Literal

from data.evidence import EXPORT_COLUMNS
from data.registry import Registry

__all__ = [
    "CSV_TRIGGERS",
    "export_bytes",
    "neutralise_cell",
    "read_export_csv",
    "write_export",
]

CSV_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
EXPORT_TITLE = "ESCC first-line trial explorer - curated evidence table (one row per number)"
PROVENANCE_NOTE = (
    "Every row cites its source (source_ref, citation, doi/pmid/link, locator, source_level). "
    "Values are as published; derived values are flagged with their arithmetic. "
    "Cross-trial comparisons are not randomised."
)


def neutralise_cell(text: str) -> str:
    """Prefix a single quote when a cell would be read as a formula by a spreadsheet."""
    if text.startswith(CSV_TRIGGERS):
        return "'" + text
    return text


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)) if abs(value) < 1e15 else repr(value)
        return f"{value:.10f}".rstrip("0").rstrip(".")
    return str(value)


def _meta(registry: Registry) -> dict[str, Any]:
    return {
        "title": EXPORT_TITLE,
        "data_version": registry.data_version,
        "trials": len(registry.trials),
        "provenance": PROVENANCE_NOTE,
    }


def export_bytes(registry: Registry, fmt: Literal["csv", "json"]) -> bytes:
    """The whole evidence table as bytes in the chosen format."""
    rows = registry.evidence_rows()
    if fmt == "json":
        payload = {"meta": _meta(registry), "columns": list(EXPORT_COLUMNS), "rows": rows}
        return (json.dumps(payload, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode(
            "utf-8"
        )
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}; use 'csv' or 'json'")
    buffer = io.StringIO(newline="")
    meta = _meta(registry)
    # Header lines are written raw (not as CSV cells) so that each one starts with '#'.
    buffer.write(f"# {meta['title']}\r\n")
    buffer.write(f"# data_version={meta['data_version']}; encoding=UTF-8; rows={len(rows)}\r\n")
    buffer.write(f"# {PROVENANCE_NOTE}\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(EXPORT_COLUMNS))
    for row in rows:
        writer.writerow([neutralise_cell(_cell_text(row[c])) for c in EXPORT_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def write_export(registry: Registry, fmt: Literal["csv", "json"], out: Path) -> int:
    """Write the export to ``out``; returns the number of bytes written."""
    data = export_bytes(registry, fmt)
    out.write_bytes(data)
    return len(data)


def read_export_csv(data: bytes) -> list[dict[str, str]]:
    """Parse an exported CSV back into string cells (skips ``#`` header lines, undoes the
    formula neutralisation). Used by the round-trip tests and by anyone re-importing a file."""
    text = data.decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        start += 1
    reader = csv.DictReader(io.StringIO("".join(lines[start:]), newline=""))
    out: list[dict[str, str]] = []
    for row in reader:
        clean: dict[str, str] = {}
        for key, cell in row.items():
            if cell.startswith("'") and cell[1:].startswith(CSV_TRIGGERS):
                cell = cell[1:]
            clean[key] = cell
        out.append(clean)
    return out
