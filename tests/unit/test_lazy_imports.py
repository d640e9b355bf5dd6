"""Heavy modules are imported only by the paths that use them (issue 11: start-up time).

Checked in a fresh interpreter, by which modules end up in ``sys.modules`` — not by timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import special, stats

ROOT = Path(__file__).resolve().parents[2]


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_grade_a_reconstruction_cli_does_not_import_scipy(tmp_path: Path) -> None:
    curve = tmp_path / "curve.csv"
    risk = tmp_path / "risk.csv"
    curve.write_text("time,survival\n0,1\n2,0.9\n4,0.8\n6,0.7\n", encoding="utf-8")
    risk.write_text("time,n_at_risk\n0,50\n3,44\n6,38\n", encoding="utf-8")
    out = tmp_path / "ipd.csv"
    loaded = _loaded_after(
        "from analysis.reconstruct.__main__ import main\n"
        f"assert main(['--curve', {str(curve)!r}, '--at-risk', {str(risk)!r}, "
        f"'--out', {str(out)!r}]) == 0"
    )
    assert out.read_text(encoding="utf-8").startswith("time,event")
    assert not any(m == "scipy" or m.startswith("scipy.") for m in loaded)


def test_grades_b_and_c_still_resolve_through_the_package() -> None:
    loaded = _loaded_after("from analysis.reconstruct import reconstruct_from_table, TableArm")
    assert "analysis.reconstruct.table" in loaded


#: Imported by `import app` before session 4 though no start-up path used them (issue 11): the
#: statistics modules now call scipy.special's ufuncs, and the rest import these where used.
NOT_AT_APP_IMPORT = ("scipy.stats", "scipy.optimize", "scipy.interpolate", "pandas", "lifelines")


def test_import_app_leaves_the_heavy_statistics_modules_unloaded() -> None:
    loaded = _loaded_after("import app")
    assert "app" in loaded and "analysis.curve_library" in loaded
    assert not [m for m in NOT_AT_APP_IMPORT if m in loaded]


def test_the_special_functions_give_the_distributions_numbers_exactly() -> None:
    """meta, nma and proportions call the ufuncs scipy.stats itself calls; the numbers must be
    the same bits as the distribution methods they replaced (SciPy could change either)."""
    df = np.arange(1.0, 60.0)[:, None]
    q = np.linspace(0.5, 0.9995, 40)[None, :]
    x = np.linspace(0.0, 25.0, 40)[None, :]
    assert np.array_equal(stats.t.ppf(q, df), special.stdtrit(df, q))
    assert np.array_equal(stats.t.sf(x, df), special.stdtr(df, -x))
    assert np.array_equal(stats.chi2.sf(x, df), special.chdtrc(df, x))
    assert np.array_equal(stats.norm.sf(x), special.ndtr(-x))
    # Clopper-Pearson bounds for every x/n with n up to 120 and the levels the app uses.
    n = np.repeat(np.arange(1.0, 121.0), np.arange(1, 121))
    k = np.concatenate([np.arange(1.0, m + 1) for m in range(1, 121)])
    for tail in (0.025, 0.975, 0.005, 0.995, 0.0045, 0.9955):
        assert np.array_equal(
            stats.beta.ppf(tail, k, n - k + 1), special.betaincinv(k, n - k + 1, tail)
        )


#: Needed only when an export is made (issue 11, session 5): python-pptx for decks, kaleido and
#: choreographer for images. gunicorn's master imports them before forking (when_ready).
EXPORT_ONLY = ("pptx", "kaleido", "choreographer")


def test_import_app_leaves_the_export_libraries_unloaded() -> None:
    loaded = _loaded_after("import app")
    assert "components.export.deck" in loaded and "components.export.engine" in loaded
    assert not [m for m in EXPORT_ONLY if m in loaded]


def test_the_master_preload_imports_the_export_libraries() -> None:
    loaded = _loaded_after(
        "import runpy\n"
        "conf = runpy.run_path('gunicorn.conf.py')\n"
        "class _Log:\n"
        "    def info(self, *args): pass\n"
        "class _Server:\n"
        "    log = _Log()\n"
        "conf['when_ready'](_Server())"
    )
    assert all(m in loaded for m in EXPORT_ONLY)


#: Needed only when a user uploads a screenshot (Add a curve): the curve tracer and the OCR
#: readers, which bring scipy.ndimage (issue 11, session 5).
UPLOAD_ONLY = ("analysis.digitise.engine", "analysis.digitise.ocr", "scipy.ndimage")


def test_import_app_leaves_the_screenshot_reader_unloaded() -> None:
    loaded = _loaded_after("import app")
    assert "analysis.usercurves.draft" in loaded
    assert not [m for m in UPLOAD_ONLY if m in loaded]
