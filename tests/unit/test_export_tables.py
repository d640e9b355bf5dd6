"""CSV downloads: round trip through csv.reader, SEC-12 formula neutralisation, provenance block,
UTF-8 with BOM; the reconstructed-IPD CSV; descriptive, safe file names."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import numpy as np
import pytest

from analysis.survival import SurvivalSample
from components.export import (
    IPD_COLUMNS,
    Footnote,
    IpdArm,
    SourceRef,
    cell_text,
    csv_bytes,
    export_filename,
    ipd_csv_bytes,
    read_csv_rows,
)
from components.export.naming import MAX_NAME_CHARS
from data.export import CSV_TRIGGERS

DAY = dt.date(2026, 11, 21)
COLUMNS = ("arm", "hr", "ci_lower", "n", "note")
FOOTNOTE = Footnote(
    sources=(SourceRef("Doki et al. 2022", doi="10.1056/NEJMoa2111380", full="Doki Y et al."),),
    data_version="0a1b2c3d4e5f",
    app_version="0.1.0",
    cross_trial=True,
)


def _parse(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark (Excel needs it)
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_round_trip_with_provenance_block() -> None:
    rows = [
        {"arm": "Nivolumab + chemo", "hr": 0.74, "ci_lower": 0.58, "n": 321, "note": "≥ 1% PD-L1"},
        {"arm": "Chemo", "hr": None, "ci_lower": None, "n": 324, "note": "not reported"},
    ]
    data = csv_bytes(rows, COLUMNS, FOOTNOTE.provenance_lines(), title="OS HR", exported=DAY)
    parsed = _parse(data)
    header_rows = [r for r in parsed if r[0].startswith("#")]
    assert parsed[: len(header_rows)] == header_rows  # provenance comes first
    header_text = " ".join(r[0] for r in header_rows)
    for needed in ("OS HR", "doi:10.1056/NEJMoa2111380", "0a1b2c3d4e5f", "2026-11-21", "UTF-8"):
        assert needed in header_text
    assert "not randomised" in header_text
    assert all(len(r) == 1 for r in header_rows)
    body = parsed[len(header_rows) :]
    assert body[0] == list(COLUMNS)
    assert body[1] == ["Nivolumab + chemo", "0.74", "0.58", "321", "≥ 1% PD-L1"]
    assert body[2] == ["Chemo", "", "", "324", "not reported"]
    provenance, columns, table = read_csv_rows(data)
    assert columns == list(COLUMNS) and table == body[1:] and len(provenance) == len(header_rows)


@pytest.mark.parametrize("trigger", CSV_TRIGGERS)
def test_text_cells_starting_with_a_trigger_are_neutralised(trigger: str) -> None:
    payload = f'{trigger}HYPERLINK("http://evil","x")'
    rows = [{"arm": payload, "hr": 1.0, "ci_lower": 0.5, "n": 1, "note": f"{trigger}1+1"}]
    _prov, _cols, table = read_csv_rows(csv_bytes(rows, COLUMNS, ["p"]))
    assert table[0][0] == "'" + payload
    assert table[0][4] == f"'{trigger}1+1"


def test_numbers_stay_numbers_even_when_negative() -> None:
    rows = [{"arm": "-5", "hr": -0.25, "ci_lower": -3, "n": np.int64(-2), "note": Decimal("-1.5")}]
    _prov, _cols, table = read_csv_rows(csv_bytes(rows, COLUMNS, ["p"]))
    # The text "-5" is neutralised; the numbers are written as numbers.
    assert table[0] == ["'-5", "-0.25", "-3", "-2", "-1.5"]
    assert float(table[0][1]) == -0.25


def test_cell_text_rules() -> None:
    assert cell_text(None) == ""
    assert cell_text(True) == "true"
    assert cell_text(np.float64(0.1)) == "0.1"
    assert cell_text(DAY) == "2026-11-21"
    assert cell_text("@SUM(A1)") == "'@SUM(A1)"
    assert cell_text("safe = text") == "safe = text"  # only the first character matters
    for bad in (float("nan"), float("inf"), np.float64("-inf"), Decimal("NaN")):
        with pytest.raises(ValueError, match="NaN"):
            cell_text(bad)


def test_provenance_text_is_neutralised_and_kept_on_one_line() -> None:
    evil = {"title": "=cmd|' /C calc'!A0", "source": "a,=1+1\r\n=2+2\tb"}
    data = csv_bytes([], COLUMNS, evil)
    text = data.decode("utf-8-sig")
    # Every physical line of the header block starts with '#' (or '"#' when quoted).
    header_lines = text.split("\r\n")[:3]
    assert all(line.lstrip('"').startswith("#") for line in header_lines)
    parsed = _parse(data)
    assert parsed[0] == ["# title: =cmd|' /C calc'!A0"]  # '#' first: never a formula cell
    assert parsed[1] == ["# source: a,=1+1 =2+2 b"]  # one quoted cell: the comma splits nothing
    assert not any(cell.startswith(CSV_TRIGGERS) for row in parsed for cell in row)


def test_column_names_are_neutralised_and_rows_checked() -> None:
    _prov, columns, _table = read_csv_rows(csv_bytes([], ["=x", "y"], ["p"]))
    assert columns == ["'=x", "y"]
    with pytest.raises(KeyError, match="not in the export"):
        csv_bytes([{"arm": "a", "extra": 1}], COLUMNS, ["p"])
    with pytest.raises(TypeError):
        csv_bytes([], COLUMNS, "a string is not a list of lines")
    with pytest.raises(ValueError):
        csv_bytes([], (), ["p"])


def test_ipd_csv_round_trips_the_sample() -> None:
    times = np.array([5.5, 0.25, 12.0, 3.125])
    events = np.array([1, 0, 1, 0])
    sample = SurvivalSample.from_arrays(times, events)
    arms = [IpdArm("CheckMate 648", "=nivolumab+chemo", sample, grade="A")]
    data = ipd_csv_bytes(arms, FOOTNOTE.provenance_lines(), exported=DAY)
    _prov, columns, table = read_csv_rows(data)
    assert columns == list(IPD_COLUMNS)
    assert [r[1] for r in table] == ["'=nivolumab+chemo"] * 4
    assert [float(r[4]) for r in table] == sorted(times.tolist())
    order = np.argsort(times, kind="stable")
    assert [int(r[5]) for r in table] == events[order].tolist()
    assert [int(r[3]) for r in table] == [1, 2, 3, 4]
    assert {r[2] for r in table} == {"A"}


# -- file names ----------------------------------------------------------------------------
def test_filename_example() -> None:
    name = export_filename("km", ["checkmate648", "ALTER-E-003"], "OS", "ITT", date=DAY, ext="png")
    assert name == "km_os_itt_checkmate648-vs-alter-e-003_2026-11-21.png"
    display = export_filename("ae", "CheckMate 648 (nivo + chemo)", None, None, date=DAY, ext="csv")
    assert display == "ae_checkmate-648-nivo-chemo_2026-11-21.csv"


@pytest.mark.parametrize(
    "hostile",
    ["../../etc/passwd", "a/b\\c", "nul\x00byte", "Ésophage – CPS≥10", "<script>", " ", "😀"],
)
def test_filename_is_safe_ascii(hostile: str) -> None:
    name = export_filename(hostile, [hostile, hostile], hostile, hostile, date=DAY, ext="csv")
    stem, ext = name.rsplit(".", 1)
    assert ext == "csv"
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in stem)
    assert ".." not in name and "/" not in name and "\\" not in name
    assert stem[0].isalnum() and "--" not in stem and "__" not in stem


def test_filename_length_is_capped() -> None:
    arms = [f"Very long trial name number {i} with many words" for i in range(20)]
    name = export_filename("forest", arms, "pfs", "pd-l1 cps >= 10", date=DAY, ext="pdf")
    assert len(name) <= MAX_NAME_CHARS
    assert name.startswith("forest_pfs_pd-l1-cps-10_very-long-trial")
    assert name.endswith("-etc_2026-11-21.pdf")


def test_filename_rejects_unknown_extension() -> None:
    with pytest.raises(ValueError, match="extension"):
        export_filename("km", "x", None, None, date=DAY, ext="exe")
    assert export_filename("deck", [], None, None, date=DAY, ext=".PPTX") == "deck_2026-11-21.pptx"
