"""The server-side store of user curves: content-addressed files under the cache directory.

Layout: ``<root>/<id>.json``, one record per curve (:meth:`UserCurve.to_json`), where ``root``
is ``<ESCC_CACHE_DIR>/user-curves`` (the app calls :func:`configure`; without it, a folder under
the system temp directory). The id is the hash of the record's content, so storing the same curve
twice writes one file, a record can be checked against its id when read, and a shared link names
exactly one curve.

Limits (documented in docs/add-a-curve.md):

* :data:`MAX_RECORD_BYTES` per record (a 5,000-patient arm is ~80 kB);
* :data:`MAX_STORE_BYTES` in total: when a write would pass it, the records read or written
  longest ago are removed first;
* :data:`EXPIRY_DAYS` without being read or written: a record is removed (a link to it then
  says the curve has expired and asks to add it again). Reading a record renews it.

Nothing in a record or a file name identifies the uploader (no IP address, account, file name
or upload time is kept; the file's modification time is the last use). Writes are atomic
(temporary file + rename), so readers in other workers never see half a record.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from pathlib import Path

from analysis.usercurves.model import ID_RE, UserCurve, UserCurveError, from_json

MAX_RECORD_BYTES = 1_000_000
MAX_STORE_BYTES = 200_000_000
EXPIRY_DAYS = 90
_DAY_S = 86_400.0

_lock = threading.Lock()
_root: Path | None = None


class StoreError(RuntimeError):
    """The store cannot take the curve (quota, disk); one line for the reader."""


def configure(root: Path | None) -> None:
    """Use ``root`` for every later call (the app passes ``<cache dir>/user-curves``; None: the
    default)."""
    global _root  # noqa: PLW0603 - one store per process, configured once at start-up
    with _lock:
        _root = root


def root() -> Path:
    base = _root or Path(tempfile.gettempdir()) / "escc-explorer-cache" / "user-curves"
    base.mkdir(parents=True, exist_ok=True)
    return base


def _path(curve_id: str) -> Path:
    if not ID_RE.match(curve_id):
        raise UserCurveError("not a user-curve id")
    return root() / f"{curve_id}.json"


def put(curve: UserCurve, *, now: float | None = None) -> str:
    """Store ``curve`` (idempotent) and return its id; :class:`StoreError` over the limits."""
    text = curve.to_json().encode("utf-8")
    if len(text) > MAX_RECORD_BYTES:
        raise StoreError(f"the curve is {len(text)} bytes stored; the limit is {MAX_RECORD_BYTES}")
    cid = curve.id
    path = _path(cid)
    stamp = time.time() if now is None else now
    with _lock:
        purge(now=stamp, incoming=len(text))
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(text)
                os.replace(tmp, path)
            except OSError as exc:
                Path(tmp).unlink(missing_ok=True)
                raise StoreError(f"the curve could not be stored ({exc.strerror})") from None
        os.utime(path, (stamp, stamp))
    return cid


def get(curve_id: str, *, now: float | None = None) -> UserCurve | None:
    """The curve with this id, or None when it is not (or no longer) stored. A record whose
    content does not match its id is treated as absent (and removed)."""
    try:
        path = _path(curve_id)
    except UserCurveError:
        return None
    stamp = time.time() if now is None else now
    try:
        stat = path.stat()
        if stamp - stat.st_mtime > EXPIRY_DAYS * _DAY_S:
            path.unlink(missing_ok=True)
            return None
        if stat.st_size > MAX_RECORD_BYTES:
            return None
        text = path.read_bytes()
    except OSError:
        return None
    try:
        curve = from_json(text)
    except UserCurveError:
        path.unlink(missing_ok=True)
        return None
    if curve.id != curve_id:
        return None
    with contextlib.suppress(OSError):
        os.utime(path, (stamp, stamp))
    return curve


def purge(*, now: float | None = None, incoming: int = 0) -> int:
    """Remove expired records, then the least recently used until ``incoming`` more bytes fit
    under :data:`MAX_STORE_BYTES`; returns how many were removed."""
    stamp = time.time() if now is None else now
    entries = []
    for path in root().glob("u*.json"):
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((st.st_mtime, st.st_size, path))
    removed = 0
    total = 0
    keep = []
    for mtime, size, path in entries:
        if stamp - mtime > EXPIRY_DAYS * _DAY_S:
            path.unlink(missing_ok=True)
            removed += 1
        else:
            keep.append((mtime, size, path))
            total += size
    keep.sort()
    while keep and total + incoming > MAX_STORE_BYTES:
        _mtime, size, path = keep.pop(0)
        path.unlink(missing_ok=True)
        total -= size
        removed += 1
    return removed
