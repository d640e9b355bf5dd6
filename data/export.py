"""Exports of the long evidence table (``python -m data export``; the app's download).

Formats (:data:`FORMATS`):

``csv``
    Plain CSV: header row first, UTF-8 without byte-order mark, comma, CRLF; one row per number,
    the data version in the last column. Opens with ``pandas.read_csv(path)``, R's
    ``read.csv(path)``, Python's ``csv`` module and spreadsheets, no options needed. Text cells
    beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading single quote
    so spreadsheets do not evaluate them (OWASP CSV injection; RELIABILITY SEC-12); numeric and
    boolean columns are written as plain numbers / ``true`` / ``false`` (never quoted).
``datapackage``
    The Frictionless ``datapackage.json`` describing that CSV (:mod:`data.package`).
``zip``
    Both files in one archive (``evidence.csv`` + ``datapackage.json``), the data package.
``json``
    ``{"meta": {...}, "columns": [...], "rows": [{...}, ...]}``.

All are deterministic for a given data version (no timestamps), so identical data gives
identical bytes.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any, Literal

from data.evidence import EXPORT_COLUMNS
from data.package import CSV_COLUMNS, CSV_NAME, PACKAGE_NAME, descriptor, field_type
from data.registry import Registry

__all__ = [
    "CSV_TRIGGERS",
    "FORMATS",
    "ExportFormat",
    "csv_bytes",
    "export_bytes",
    "neutralise_cell",
    "read_export_csv",
    "write_export",
    "write_package",
]

CSV_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
ExportFormat = Literal["csv", "json", "datapackage", "zip"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "json", "datapackage", "zip")
#: Fixed timestamp of the zip members (the zip format needs one; a constant keeps it reproducible).
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
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


def csv_bytes(registry: Registry) -> bytes:
    """The plain evidence CSV (see the module docstring)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(CSV_COLUMNS))
    text_columns = {c for c in CSV_COLUMNS if field_type(c) == "string"}
    for row in registry.evidence_rows():
        cells = {**row, "data_version": registry.data_version}
        writer.writerow(
            [
                neutralise_cell(_cell_text(cells[c])) if c in text_columns else _cell_text(cells[c])
                for c in CSV_COLUMNS
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _json_bytes(payload: object) -> bytes:
    return (json.dumps(payload, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode(
        "utf-8"
    )


def export_bytes(registry: Registry, fmt: ExportFormat) -> bytes:
    """The whole evidence table as bytes in the chosen format."""
    if fmt == "json":
        rows = registry.evidence_rows()
        payload = {"meta": _meta(registry), "columns": list(EXPORT_COLUMNS), "rows": rows}
        return _json_bytes(payload)
    if fmt == "csv":
        return csv_bytes(registry)
    if fmt == "datapackage":
        return _json_bytes(descriptor(registry, csv_bytes(registry)))
    if fmt == "zip":
        data = csv_bytes(registry)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in (
                (CSV_NAME, data),
                (PACKAGE_NAME, _json_bytes(descriptor(registry, data))),
            ):
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, content)
        return out.getvalue()
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_package(registry: Registry, folder: Path) -> tuple[Path, Path]:
    """Write ``evidence.csv`` and ``datapackage.json`` into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = csv_bytes(registry)
    csv_path, package_path = folder / CSV_NAME, folder / PACKAGE_NAME
    csv_path.write_bytes(data)
    package_path.write_bytes(_json_bytes(descriptor(registry, data)))
    return csv_path, package_path


def write_export(registry: Registry, fmt: ExportFormat, out: Path) -> int:
    """Write the export to ``out``; returns the number of bytes written."""
    data = export_bytes(registry, fmt)
    out.write_bytes(data)
    return len(data)


def read_export_csv(data: bytes) -> list[dict[str, str]]:
    """Parse an exported CSV back into string cells (undoes the formula neutralisation; also
    reads files of earlier versions, which began with a byte-order mark and ``#`` lines)."""
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
