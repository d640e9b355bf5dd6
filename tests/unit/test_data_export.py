"""Export of the long evidence table: CSV/JSON round trip, determinism, SEC-12 neutralisation."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from data import EXPORT_COLUMNS, Registry, load_registry
from data.export import CSV_TRIGGERS, export_bytes, neutralise_cell, read_export_csv
from data.loader import load_uncached
from data.manifest import write_manifest

FIXTURE = Path(__file__).resolve().parent / "fixtures_data"
REQUIRED = (
    "trial_id",
    "trial_name",
    "nct",
    "arm_id",
    "arm_label",
    "analysis_id",
    "population",
    "measure",
    "value",
    "ci_lower",
    "ci_upper",
    "ci_level",
    "n",
    "N",
    "unit",
    "source_ref",
    "locator",
    "source_level",
    "derived",
    "not_reported_reason",
    "curation_note",
    "endpoint",
    "scoring_system",
    "cutoff",
)


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry()


def test_required_columns_present() -> None:
    assert set(REQUIRED) <= set(EXPORT_COLUMNS)


def test_csv_round_trip_matches_registry_rows(reg: Registry) -> None:
    rows = reg.evidence_rows()
    data = export_bytes(reg, "csv")
    assert data.startswith(b"trial_id,")  # header row first: no BOM, no comment lines
    back = read_export_csv(data)
    assert len(back) == len(rows)
    assert list(back[0]) == [*EXPORT_COLUMNS, "data_version"]
    assert {row["data_version"] for row in back} == {reg.data_version}
    for original, parsed in zip(rows, back, strict=True):
        for column in (
            "trial_id",
            "arm_id",
            "population",
            "measure",
            "unit",
            "source_ref",
            "locator",
            "status",
            "ci_text",
            "p_value",
            "p_sided",
            "curation_note",
        ):
            expected = original[column]
            assert parsed[column] == ("" if expected is None else str(expected)), column
        for column in ("value", "ci_lower", "ci_upper", "ci_level", "timepoint_months"):
            expected = original[column]
            if expected is None:
                assert parsed[column] == ""
            else:
                assert float(parsed[column]) == pytest.approx(float(expected), abs=0, rel=1e-12)
        for column in ("n", "N"):
            expected = original[column]
            assert parsed[column] == ("" if expected is None else str(int(expected)))
        assert parsed["derived"] == ("true" if original["derived"] else "false")


def test_json_round_trip(reg: Registry) -> None:
    payload = json.loads(export_bytes(reg, "json").decode("utf-8"))
    assert payload["meta"]["data_version"] == reg.data_version
    assert payload["columns"] == list(EXPORT_COLUMNS)
    assert payload["rows"] == json.loads(json.dumps(reg.evidence_rows()))


def test_export_is_deterministic(reg: Registry) -> None:
    assert export_bytes(reg, "csv") == export_bytes(reg, "csv")
    assert export_bytes(reg, "json") == export_bytes(reg, "json")


def test_unknown_format_rejected(reg: Registry) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_bytes(reg, "xlsx")  # type: ignore[arg-type]


@pytest.mark.parametrize("prefix", CSV_TRIGGERS)
def test_sec12_neutralise_cell(prefix: str) -> None:
    assert neutralise_cell(prefix + "cmd") == "'" + prefix + "cmd"
    assert neutralise_cell("safe" + prefix) == "safe" + prefix


def test_sec12_formula_cells_from_data_are_neutralised(tmp_path: Path) -> None:
    """A data file whose text cells start with = + - @ tab CR exports them prefixed with '."""
    root = tmp_path / "data"
    shutil.copytree(FIXTURE, root)
    toml = root / "trials" / "fixture_trial" / "trial.toml"
    payloads = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
    text = toml.read_text(encoding="utf-8")
    text = text.replace('note = "plain note"', f"note = {json.dumps(payloads[0])}")
    text = text.replace('locator = "Table 1"', f"locator = {json.dumps(payloads[1])}")
    text = text.replace('locator = "Table 2"', f"locator = {json.dumps(payloads[2])}")
    text = text.replace('item = "Age, years: median (range)"', f"item = {json.dumps(payloads[3])}")
    text = text.replace('label = "Experimental"', f"label = {json.dumps(payloads[4])}")
    text = text.replace(
        'locator = "Figure 2 (numbers at risk)"', f"locator = {json.dumps(payloads[5])}"
    )
    toml.write_text(text, encoding="utf-8")
    write_manifest(root)
    registry = load_uncached(root)
    data = export_bytes(registry, "csv")
    lines = data.decode("utf-8-sig").splitlines(keepends=True)
    body = "".join(line for line in lines if not line.startswith("#"))
    raw_cells = {cell for row in csv.reader(io.StringIO(body, newline="")) for cell in row}
    for payload in payloads:
        assert "'" + payload in raw_cells, payload
        assert payload not in raw_cells, payload
    values = {cell for row in read_export_csv(data) for cell in row.values()}
    assert set(payloads) <= values  # the reader restores the original text
