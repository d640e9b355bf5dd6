"""Temporary directories of the export renderers: one per browser, removed with it.

Each Chromium the export engine starts gets a directory ``escc-export-<pid>-*`` (under
``EngineConfig.temp_root``, default the system temp dir) holding kaleido's page, Chromium's
profile and Chromium's own temporary files (its ``TMPDIR``). The engine removes it when the
browser closes; directories whose process no longer exists (a SIGKILLed worker) are removed when
a browser next starts in that temp dir. Keep the temp dir's path short: Chromium's profile holds
a UNIX socket, whose path may not exceed 107 bytes.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger("escc.export")

WORKDIR_PREFIX = "escc-export-"
_WORKDIR_RE = re.compile(rf"^{WORKDIR_PREFIX}(\d+)-")
_SWEPT: set[tuple[int, str]] = set()


def temp_root(configured: Path | None) -> Path:
    return configured if configured is not None else Path(tempfile.gettempdir())


def make_workdir(configured: Path | None) -> Path:
    """A new private directory for one browser (page, profile, Chromium's TMPDIR).

    The first call in a process also removes directories left by processes that no longer
    exist (:func:`sweep_stale_workdirs`).
    """
    root = temp_root(configured)
    root.mkdir(parents=True, exist_ok=True)
    if (os.getpid(), str(root)) not in _SWEPT:
        _SWEPT.add((os.getpid(), str(root)))
        sweep_stale_workdirs(root)
    workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-", dir=root))
    (workdir / "tmp").mkdir()
    return workdir


def remove_workdir(workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a process of another user counts as alive). Also used by
    the deck jobs to tell a job whose owning worker has gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_workdirs(root: Path) -> int:
    """Remove browser directories whose process has exited; returns how many were removed."""
    removed = 0
    try:
        entries = list(root.iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = _WORKDIR_RE.match(entry.name)
        if match is None or not entry.is_dir() or pid_alive(int(match.group(1))):
            continue
        remove_workdir(entry)
        removed += 1
    if removed:
        log.info("export: removed %d browser directories of exited processes", removed)
    return removed


def workdirs(root: Path | None = None) -> list[Path]:
    """Browser directories that exist now under ``root`` (tests and benchmarks count them)."""
    base = temp_root(root)
    try:
        return sorted(p for p in base.iterdir() if p.name.startswith(WORKDIR_PREFIX))
    except OSError:
        return []
