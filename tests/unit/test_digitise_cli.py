"""The digitiser's command line (issue 12): exact interface, outputs, and one-line errors (exit 2,
never a traceback) for bad input: not an image, too large, disallowed format, no axes, fewer
curves than asked, missing ranges without the OCR reader, --at-risk-out without the reader."""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from analysis.digitise import image as image_module
from analysis.digitise.__main__ import EXIT_INPUT, EXIT_OK, main
from tests.unit.km_figures import Style, draw_figure, simulate_arm


@cache
def _figure_bytes() -> bytes:
    rng = np.random.default_rng(5)
    arms = [simulate_arm(rng, 200, 8.0), simulate_arm(rng, 200, 13.0)]
    return draw_figure(arms, Style(width_px=600, height_px=400))


@pytest.fixture
def figure(tmp_path: Path) -> Path:
    path = tmp_path / "km.png"
    path.write_bytes(_figure_bytes())
    return path


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``analysis.digitise.ocr`` unimportable, whether or not it exists in this checkout."""
    monkeypatch.setitem(sys.modules, "analysis.digitise.ocr", None)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == EXIT_INPUT
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_writes_curves_csv_and_one_json_line_per_curve(
    figure: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "curves.csv"
    code, stdout, _ = _run(
        capsys, str(figure), "--x-range", "0,30", "--y-range", "0,100", "--out", str(out)
    )
    assert code == EXIT_OK
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["curve", "color", "time", "survival"]
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert [line["curve"] for line in lines] == [1, 2]
    for line in lines:
        mine = [r for r in rows if int(r["curve"]) == line["curve"]]
        assert line["points"] == len(mine)
        assert {r["color"] for r in mine} == {line["color"]}
        assert line["x_extent"][0] == 0.0 and 20.0 < line["x_extent"][1] <= 30.0
        assert isinstance(line["warnings"], list)
        s = [float(r["survival"]) for r in mine]
        assert s[0] == 1.0 and all(b <= a for a, b in itertools.pairwise(s))
        assert 0.0 <= min(s) < 0.6  # a fraction, not a percent


def test_user_colours_select_and_order_curves(
    figure: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "curves.csv"
    code, stdout, _ = _run(
        capsys,
        str(figure),
        "--x-range", "0,30", "--y-range", "0,100",
        "--colors", "#1f77b4",
        "--out", str(out),
    )  # fmt: skip
    assert code == EXIT_OK
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert [line["color"] for line in lines] == ["#1f77b4"]


def test_crop_and_fraction_axis(
    figure: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "curves.csv"
    code, _, _ = _run(
        capsys,
        str(figure),
        "--x-range", "0,30", "--y-range", "0,1",
        "--crop", "0,0,600,400",
        "--out", str(out),
    )  # fmt: skip
    assert code == EXIT_OK
    s = [float(r["survival"]) for r in csv.DictReader(out.open())]
    assert max(s) == 1.0 and min(s) >= 0.0


def test_not_an_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "fig.png"
    fake.write_text("time,survival\n0,1\n")
    code, _, err = _run(
        capsys, str(fake), "--x-range", "0,30", "--y-range", "0,100", "--out", str(tmp_path / "o")
    )
    _assert_one_line_error(code, err, "not a readable PNG or JPEG")
    assert not (tmp_path / "o").exists()


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        capsys, str(tmp_path / "nope.png"), "--x-range", "0,1", "--y-range", "0,1", "--out", "o"
    )
    _assert_one_line_error(code, err, "cannot read the file")


def test_disallowed_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gif = tmp_path / "fig.gif"
    Image.new("RGB", (200, 200), "white").save(gif, format="GIF")
    code, _, err = _run(capsys, str(gif), "--x-range", "0,1", "--y-range", "0,1", "--out", "o")
    _assert_one_line_error(code, err, "not a readable PNG or JPEG")


def test_too_many_pixels_refused_before_decoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    side = int(np.sqrt(image_module.MAX_IMAGE_PIXELS)) + 100
    big = tmp_path / "big.png"
    Image.new("1", (side, side), 1).save(big)  # a bilevel image compresses to a few kB
    assert big.stat().st_size < 1_000_000
    code, _, err = _run(capsys, str(big), "--x-range", "0,1", "--y-range", "0,1", "--out", "o")
    _assert_one_line_error(code, err, "MAX_IMAGE_PIXELS")


def test_too_large_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.jpg"
    with big.open("wb") as handle:
        handle.truncate(image_module.MAX_FILE_BYTES + 1)
    code, _, err = _run(capsys, str(big), "--x-range", "0,1", "--y-range", "0,1", "--out", "o")
    _assert_one_line_error(code, err, "MAX_FILE_BYTES")


def test_no_axes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "blank.png"
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, format="PNG")
    blank.write_bytes(buf.getvalue())
    code, _, err = _run(capsys, str(blank), "--x-range", "0,1", "--y-range", "0,1", "--out", "o")
    _assert_one_line_error(code, err, "no axes found")


def test_fewer_curves_than_asked(figure: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        capsys, str(figure), "--x-range", "0,30", "--y-range", "0,100", "--curves", "3",
        "--out", "o",
    )  # fmt: skip
    _assert_one_line_error(code, err, "found 2 curve(s) but 3 were asked for")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--x-range", "30,0", "--y-range", "0,100"], "--x-range"),
        (["--x-range", "0;30", "--y-range", "0,100"], "--x-range"),
        (["--x-range", "0,30", "--y-range", "0,100", "--crop", "0,0,5000,10"], "crop"),
        (["--x-range", "0,30", "--y-range", "0,100", "--colors", "red"], "#rrggbb"),
        (["--x-range", "0,30", "--y-range", "0,100", "--curves", "0"], "--curves"),
        (["--x-range", "0,30"], "required"),  # --out missing
    ],
)
def test_bad_arguments(
    figure: Path, capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    argv = [str(figure), *args]
    if "--x-range" in args and args != ["--x-range", "0,30"]:
        argv += ["--out", "o"]
    code, _, err = _run(capsys, *argv)
    _assert_one_line_error(code, err, fragment)


@pytest.mark.usefixtures("no_ocr")
def test_missing_ranges_without_ocr_ask_for_them(
    figure: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, str(figure), "--x-range", "0,30", "--out", "o")
    _assert_one_line_error(code, err, "--y-range", "not available")


@pytest.mark.usefixtures("no_ocr")
def test_at_risk_out_without_reader_stops_before_writing(
    figure: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "curves.csv"
    code, _, err = _run(
        capsys, str(figure), "--x-range", "0,30", "--y-range", "0,100", "--out", str(out),
        "--at-risk-out", str(tmp_path / "risk.csv"),
    )  # fmt: skip
    _assert_one_line_error(code, err, "at-risk", "not available")
    assert not out.exists()
