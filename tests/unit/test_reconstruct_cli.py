"""``python -m analysis.reconstruct``: the three modes, output format, and clear errors.

Bad input must give a message naming the file (and row or key) and a non-zero exit status,
never a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analysis.reconstruct.__main__ import EXIT_INPUT, EXIT_OK, main

ROOT = Path(__file__).resolve().parents[2]

CURVE = "time,survival\n0.5,0.98\n1.5,0.94\n2.5,0.90\n3.5,0.85\n4.5,0.80\n7.0,0.70\n10.0,0.60\n"
RISK = "time,n_at_risk\n0,100\n3,80\n6,55\n9,30\n"

SPEC_B = """
grade = "B"
[followup]
accrual_start = 2018-12-03
accrual_end = 2020-05-12
data_cutoff = 2020-10-30
[[arm]]
label = "experimental"
events = 60
median_months = 9.5
landmarks = [ { time_months = 6, survival = 0.75 } ]
time_months = [0, 3, 6, 9, 12]
n_at_risk = [150, 140, 110, 70, 30]
[[arm]]
label = "control"
events = 75
median_months = 7.5
time_months = [0, 3, 6, 9, 12]
n_at_risk = [150, 135, 95, 55, 20]
"""

SPEC_C = """
grade = "C"
[followup]
median_followup_months = 14.0
[[arm]]
n = 66
events = 30
median_months = 12.5
landmarks = [ { time_months = 6, survival_percent = 78.0 } ]
"""


def _files(tmp_path: Path, curve: str = CURVE, risk: str = RISK) -> tuple[Path, Path, Path]:
    c, r = tmp_path / "curve.csv", tmp_path / "risk.csv"
    c.write_text(curve, encoding="utf-8")
    r.write_text(risk, encoding="utf-8")
    return c, r, tmp_path / "ipd.csv"


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_grade_a_writes_ipd(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c, r, out = _files(tmp_path)
    code, stdout, _ = _run(["--curve", str(c), "--at-risk", str(r), "--out", str(out)], capsys)
    assert code == EXIT_OK
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "time,event"
    assert len(lines) == 101
    assert all(line.split(",")[1] in {"0", "1"} for line in lines[1:])
    assert '"n": 100' in stdout


def test_grade_a_is_byte_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c, r, out = _files(tmp_path)
    args = ["--curve", str(c), "--at-risk", str(r), "--events", "40", "--out", str(out)]
    assert _run(args, capsys)[0] == EXIT_OK
    first = out.read_bytes()
    assert _run(args, capsys)[0] == EXIT_OK
    assert out.read_bytes() == first
    assert sum(line.endswith(",1") for line in first.decode().splitlines()) == 40


def test_percent_and_headerless_semicolon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c, r, out = _files(tmp_path)
    assert _run(["--curve", str(c), "--at-risk", str(r), "--out", str(out)], capsys)[0] == 0
    reference = out.read_bytes()
    pct = "\n".join(
        f"{t};{float(s) * 100:g}" for t, s in (ln.split(",") for ln in CURVE.splitlines()[1:])
    )
    c2, r2, out2 = _files(tmp_path / "x" if (tmp_path / "x").mkdir() is None else tmp_path, pct)
    code, _, _ = _run(
        ["--curve", str(c2), "--at-risk", str(r2), "--percent", "--out", str(out2)], capsys
    )
    assert code == 0
    assert out2.read_bytes() == reference


@pytest.mark.parametrize(
    ("curve", "risk", "expected"),
    [
        ("time,survival\n1,0.9\n2,abc\n", RISK, "curve.csv: row 2: survival 'abc' is not a number"),
        ("time,survival\n1,0.9\n2,\n", RISK, "curve.csv: row 2: survival is empty"),
        ("t,s\n1,0.9\n", RISK, "curve.csv: missing column(s) time, survival"),
        ("time,survival\n1,0.9\n2,1.7\n", RISK, "curve.csv: row 2: survival 1.7 is above 1"),
        (CURVE, "time,n_at_risk\n0,100\n3,120\n", "risk.csv: row 2: n_at_risk increases"),
        (
            CURVE,
            "time,n_at_risk\n3,100\n6,80\n",
            "risk.csv: row 1: the first at-risk time must be 0",
        ),
        ("", RISK, "curve.csv: file is empty"),
        ("time,survival\n", RISK, "curve.csv: file has a header but no data rows"),
    ],
)
def test_bad_csv_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], curve: str, risk: str, expected: str
) -> None:
    c, r, out = _files(tmp_path, curve, risk)
    code, _, err = _run(["--curve", str(c), "--at-risk", str(r), "--out", str(out)], capsys)
    assert code == EXIT_INPUT
    assert expected in err
    assert "Traceback" not in err
    assert not out.exists()


def test_binary_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c, r, out = _files(tmp_path)
    c.write_bytes(b"\xff\xfe\x00\x01garbage")
    code, _, err = _run(["--curve", str(c), "--at-risk", str(r), "--out", str(out)], capsys)
    assert code == EXIT_INPUT
    assert "not UTF-8" in err


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--out", "x.csv"],
        ["--curve", "a.csv", "--out", "x.csv"],
        ["--spec", "s.toml", "--curve", "a.csv", "--out", "x.csv"],
        ["--curve", "a.csv", "--at-risk", "b.csv", "--events", "many", "--out", "x.csv"],
    ],
)
def test_usage_errors(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(args, capsys)
    assert code == EXIT_INPUT
    assert "error" in err
    assert "Traceback" not in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        ["--curve", str(tmp_path / "nope.csv"), "--at-risk", "r.csv", "--out", "o.csv"], capsys
    )
    assert code == EXIT_INPUT
    assert "nope.csv: cannot read file" in err


def test_spec_grade_b_two_arms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC_B, encoding="utf-8")
    out = tmp_path / "ipd.csv"
    code, stdout, _ = _run(["--spec", str(spec), "--out", str(out)], capsys)
    assert code == EXIT_OK
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "time,event,arm"
    assert len(lines) == 301
    exp = [ln for ln in lines[1:] if ln.endswith(",experimental")]
    assert sum(ln.split(",")[1] == "1" for ln in exp) == 60
    assert stdout.count('"grade": "B"') == 2


def test_spec_grade_c(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC_C, encoding="utf-8")
    out = tmp_path / "ipd.csv"
    assert _run(["--spec", str(spec), "--out", str(out)], capsys)[0] == EXIT_OK
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "time,event"
    assert len(lines) == 67
    assert sum(ln.endswith(",1") for ln in lines[1:]) == 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'grade = "B"\n[[arm]]\ntime_months = [0, 3]\nn_at_risk = [10]\n',
            "arm[0].n_at_risk: has 1",
        ),
        ('grade = "C"\n[[arm]]\nn = 10\n', "followup: grade C needs"),
        ('grade = "D"\n', 'grade: must be "B" or "C"'),
        ('grade = "B"\ncolour = 1\n', "colour: unknown key"),
        (
            'grade = "B"\n[[arm]]\nn_at_risk = [1]\ntime_months = [0]\nmedian_months = "soon"\n',
            'arm[0].median_months: must be a number or "NR"',
        ),
        (
            'grade = "C"\n[followup]\nmax_followup_months = 10\n[[arm]]\nn = 10\n'
            "landmarks = [ { time_months = 3 } ]\n",
            "give exactly one of survival",
        ),
        (
            'grade = "C"\n[followup]\naccrual_start = 2020-01-01\ndata_cutoff = 2019-01-01\n'
            "[[arm]]\nn = 10\n",
            "maximum follow-up is negative",
        ),
        ("grade = \n", "not valid TOML"),
    ],
)
def test_spec_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text(text, encoding="utf-8")
    code, _, err = _run(["--spec", str(spec), "--out", str(tmp_path / "o.csv")], capsys)
    assert code == EXIT_INPUT
    assert "bad.toml" in err
    assert expected in err
    assert "Traceback" not in err


def test_help_documents_both_modes_and_the_spec(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--help"], capsys)
    assert code == 0
    for needle in (
        "--curve CURVE.csv",
        "--spec SPEC.toml",
        "[followup]",
        "[[arm]]",
        "censored_cumulative",
        "time,event",
    ):
        assert needle in out


def test_module_entry_point_runs_without_traceback(tmp_path: Path) -> None:
    c, r, out = _files(tmp_path, risk="time,n_at_risk\n0,100\n3,x\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis.reconstruct",
            "--curve",
            str(c),
            "--at-risk",
            str(r),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == EXIT_INPUT
    assert "risk.csv: row 2: n_at_risk 'x' is not a number" in proc.stderr
    assert "Traceback" not in proc.stderr
