"""The evidence export opens as-is in the common readers (issue 13).

Audit finding: ``pandas.read_csv("evidence.csv")`` raised ``ParserError: Expected 1 fields in
line 3, saw 5`` because the file began with a byte-order mark and ``#`` comment lines. Each test
here reads the exported files with a reader's default call, no options.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from data import load_registry
from data.cli import main as cli_main
from data.evidence import EXPORT_COLUMNS
from data.export import export_bytes, write_package
from data.package import CSV_COLUMNS, FIELDS
from data.registry import Registry

FRICTIONLESS = Path(sys.executable).with_name("frictionless")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def package(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("package")
    write_package(registry, folder)
    return folder


def test_pandas_default_read(registry: Registry, package: Path) -> None:
    frame = pd.read_csv(package / "evidence.csv")
    assert list(frame.columns) == list(CSV_COLUMNS)
    assert len(frame) == len(registry.evidence_rows())
    for column in ("value", "ci_lower", "ci_upper", "ci_level", "timepoint_months", "cutoff"):
        assert frame[column].dtype == "float64", column
    hr = frame[(frame.trial_id == "checkmate648") & (frame.measure == "hr")]
    assert 99.1 in set(hr.ci_level)  # levels are kept, never assumed 95
    assert set(frame.data_version) == {registry.data_version}


def test_python_csv_module_default_read(registry: Registry, package: Path) -> None:
    raw = (package / "evidence.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.startswith(b"trial_id,")
    with (package / "evidence.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(CSV_COLUMNS)
    assert {len(r) for r in rows} == {len(CSV_COLUMNS)}
    assert len(rows) == len(registry.evidence_rows()) + 1
    by_name = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert all(r["derived"] in ("true", "false") for r in by_name)


def test_r_read_csv_default_read(registry: Registry, package: Path) -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not installed")
    script = 'd <- read.csv("evidence.csv"); cat(nrow(d), ncol(d), class(d$value), sep = " ")'
    done = subprocess.run(
        [rscript, "-e", script],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    n_rows, n_cols, value_class = done.stdout.split()
    assert (int(n_rows), int(n_cols)) == (len(registry.evidence_rows()), len(CSV_COLUMNS))
    assert value_class == "numeric"


def _frictionless(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FRICTIONLESS), "validate", "datapackage.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_frictionless_validate_accepts_the_package(package: Path) -> None:
    if not FRICTIONLESS.exists():
        pytest.skip("frictionless not installed (requirements-dev.txt)")
    done = _frictionless(package)
    assert done.returncode == 0, done.stdout + done.stderr


def test_frictionless_validate_catches_a_changed_number_and_a_bad_type(
    package: Path, tmp_path: Path
) -> None:
    if not FRICTIONLESS.exists():
        pytest.skip("frictionless not installed (requirements-dev.txt)")
    shutil.copytree(package, tmp_path / "edited")
    edited = tmp_path / "edited" / "evidence.csv"
    text = edited.read_bytes().decode("utf-8")
    assert ",0.54," in text
    edited.write_bytes(text.replace(",0.54,", ",0.55,", 1).encode("utf-8"))
    assert _frictionless(tmp_path / "edited").returncode != 0  # bytes/hash no longer match
    # A non-number in a number column fails the schema even with bytes and hash updated.
    lines = text.split("\r\n")
    header = lines[0].split(",")
    cells = next(csv.reader([lines[1]]))
    cells[header.index("ci_level")] = "ninety-five"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    lines[1] = out.getvalue().rstrip("\r\n")
    data = "\r\n".join(lines).encode("utf-8")
    edited.write_bytes(data)
    descriptor = json.loads((tmp_path / "edited" / "datapackage.json").read_text())
    resource = descriptor["resources"][0]
    resource.pop("hash")
    resource["bytes"] = len(data)
    (tmp_path / "edited" / "datapackage.json").write_text(json.dumps(descriptor))
    done = _frictionless(tmp_path / "edited")
    assert done.returncode != 0 and "type-error" in done.stdout


def test_descriptor_types_every_column(registry: Registry) -> None:
    descriptor = json.loads(export_bytes(registry, "datapackage"))
    assert descriptor["version"] == registry.data_version
    assert descriptor["licenses"] and descriptor["sources"]
    assert all(s["path"].startswith("https://") for s in descriptor["sources"])
    fields = descriptor["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == list(CSV_COLUMNS)
    assert set(FIELDS) == set(CSV_COLUMNS) and set(EXPORT_COLUMNS) < set(CSV_COLUMNS)
    assert all(f["description"] for f in fields)
    types = {f["name"]: f["type"] for f in fields}
    assert types["value"] == "number" and types["n"] == "integer" and types["derived"] == "boolean"


def test_zip_holds_the_same_package(registry: Registry, package: Path) -> None:
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(registry, "zip")))
    assert sorted(archive.namelist()) == ["datapackage.json", "evidence.csv"]
    assert archive.read("evidence.csv") == (package / "evidence.csv").read_bytes()
    assert archive.read("datapackage.json") == (package / "datapackage.json").read_bytes()
    assert export_bytes(registry, "zip") == export_bytes(registry, "zip")  # reproducible


def test_cli_writes_the_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["export", "--format", "package", "--out", str(tmp_path / "pkg")]) == 0
    assert (tmp_path / "pkg" / "evidence.csv").exists()
    assert (tmp_path / "pkg" / "datapackage.json").exists()
    assert "datapackage.json" in capsys.readouterr().out
