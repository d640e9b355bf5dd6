"""Reading the data root so that nothing can change behind the manifest (issue 14).

Every byte the loader parses comes from :func:`read_verified_files`, which

* walks the data root without following links and refuses a symbolic link anywhere under it
  (rule ``symlink``): a linked folder or file would otherwise be read from outside the root,
  and a linked folder was not even listed in the manifest;
* reads only files that are listed in ``MANIFEST.toml`` *and* found by that walk, so a manifest
  entry can never point outside the root (``manifest-path``);
* opens each file with ``O_NOFOLLOW`` and checks it is a regular file (``not-a-regular-file``:
  a FIFO would block start-up), refuses files above their size limit before reading them
  (``file-too-large``), and hashes exactly the bytes it returns (``sha256-manifest``), so a file
  swapped between the check and the parse is caught;
* labels what it cannot use precisely: ``file-unreadable`` (the OS refused), ``file-not-text``
  (not UTF-8, e.g. a binary file) — never ``file-missing`` for a file that exists.

No message quotes the content of a refused file: a link to ``/etc/passwd`` is reported by name.
The verified texts are kept in :class:`DataFiles`, which the registry carries, so files read
after start-up (vocabularies, digitised curves) are the ones that were hashed.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from data.errors import Problem

__all__ = [
    "MANIFEST_LIMIT_BYTES",
    "DataFiles",
    "is_data_file",
    "limit_for",
    "read_bounded",
    "read_verified_files",
    "scan_tree",
]

#: Largest accepted file, by suffix. The largest shipped files are ~150 KB (a trial.toml) and
#: ~21 KB (a CSV); the limits leave room for growth while refusing a padded or runaway file
#: before it is read (a 150 MB trial.toml used to be parsed whole).
SIZE_LIMITS = {".toml": 1024 * 1024, ".csv": 1024 * 1024}
MANIFEST_LIMIT_BYTES = 256 * 1024
_CHUNK = 64 * 1024


def limit_for(rel: str) -> int:
    return SIZE_LIMITS.get(PurePosixPath(rel).suffix, 1024 * 1024)


def is_data_file(rel: str) -> bool:
    """Files the manifest covers: ``trials/**/*.toml|csv`` and ``vocab/*.toml``."""
    parts = PurePosixPath(rel).parts
    suffix = PurePosixPath(rel).suffix
    if len(parts) >= 2 and parts[0] == "trials":
        return suffix in (".toml", ".csv")
    return len(parts) == 2 and parts[0] == "vocab" and suffix == ".toml"


@dataclass(frozen=True)
class TreeScan:
    """What a link-free walk of the data root found."""

    files: tuple[str, ...]
    dirs: tuple[str, ...]
    problems: tuple[Problem, ...]


def _walk(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """``(relative path, lstat)`` of everything under ``root``; never follows a link."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            rel = Path(entry.path).relative_to(root).as_posix()
            yield rel, info
            if stat.S_ISDIR(info.st_mode):
                stack.append(Path(entry.path))


def scan_tree(root: Path) -> TreeScan:
    """List regular files and folders under ``root``; links and special files are problems."""
    files: list[str] = []
    dirs: list[str] = []
    problems: list[Problem] = []
    for rel, info in _walk(root):
        mode = info.st_mode
        if stat.S_ISLNK(mode):
            problems.append(
                Problem(
                    rel,
                    "(file)",
                    "symlink",
                    "symbolic links are refused anywhere under the data root; put the file "
                    "itself here and refresh the manifest",
                )
            )
        elif stat.S_ISDIR(mode):
            dirs.append(rel)
        elif stat.S_ISREG(mode):
            files.append(rel)
        elif is_data_file(rel):
            problems.append(Problem(rel, "(file)", "not-a-regular-file", "not a regular file"))
    return TreeScan(tuple(sorted(files)), tuple(sorted(dirs)), tuple(problems))


def read_bounded(path: Path, rel: str, limit: int) -> tuple[bytes | None, Problem | None]:
    """The bytes of ``path`` (a regular file, not a link, at most ``limit`` bytes)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None, Problem(rel, "(file)", "file-missing", "file does not exist")
    except OSError as exc:
        if os.path.islink(path):
            return None, Problem(rel, "(file)", "symlink", "symbolic links are refused")
        return None, Problem(rel, "(file)", "file-unreadable", f"cannot open: {exc.strerror}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, Problem(rel, "(file)", "not-a-regular-file", "not a regular file")
        if info.st_size > limit:
            return None, _too_large(rel, info.st_size, limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:  # grew after fstat
                return None, _too_large(rel, total, limit)
            chunks.append(chunk)
        return b"".join(chunks), None
    except OSError as exc:
        return None, Problem(rel, "(file)", "file-unreadable", f"cannot read: {exc.strerror}")
    finally:
        os.close(fd)


def _too_large(rel: str, size: int, limit: int) -> Problem:
    return Problem(
        rel,
        "(file)",
        "file-too-large",
        f"{size:,} bytes; the limit for this kind of file is {limit:,} bytes "
        "(data/files.py SIZE_LIMITS)",
    )


def decode_text(rel: str, raw: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 text of ``raw``; a binary or mis-encoded file is named, never quoted."""
    if b"\x00" in raw:
        return None, Problem(rel, "(file)", "file-not-text", "binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, Problem(
            rel, "(file)", "file-not-text", f"not UTF-8 text (invalid byte at offset {exc.start})"
        )


@dataclass(frozen=True)
class DataFiles:
    """Verified contents of the data root: every listed file that passed every check."""

    root: Path
    texts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    dirs: tuple[str, ...] = ()
    on_disk: frozenset[str] = frozenset()

    def has(self, rel: str) -> bool:
        return rel in self.texts

    def exists(self, rel: str) -> bool:
        """Whether the walk found a regular file at ``rel`` (verified or not)."""
        return rel in self.on_disk

    def text(self, rel: str) -> str | None:
        """The verified file's text; None when it is absent or was refused (problem reported)."""
        return self.texts.get(rel)

    def subdirs(self, rel_folder: str) -> tuple[str, ...]:
        """Names of the real (non-link) folders directly inside ``rel_folder``."""
        prefix = rel_folder.rstrip("/") + "/"
        return tuple(
            d[len(prefix) :]
            for d in self.dirs
            if d.startswith(prefix) and "/" not in d[len(prefix) :]
        )


def _safe_manifest_key(rel: str) -> bool:
    path = PurePosixPath(rel)
    return (
        bool(rel)
        and not path.is_absolute()
        and "\\" not in rel
        and all(part not in ("", ".", "..") for part in rel.split("/"))
    )


def read_verified_files(
    root: Path, listed: Mapping[str, str], scan: TreeScan | None = None
) -> tuple[DataFiles, list[Problem]]:
    """Read every data file found by the link-free walk, checking each against the manifest.

    Returns the files' texts and the problems: links and special files, manifest entries that
    are not plain relative paths, listed files that are missing, data files that are not
    listed, files too large, unreadable, not text, or changed since the manifest was written.

    A file that is unlisted or changed is still returned (bounded, inside the root, text), so
    that one validation run also reports what is wrong inside it; the loader builds a registry
    only when there are no problems at all, i.e. only from files the manifest vouches for.
    """
    scan = scan if scan is not None else scan_tree(root)
    problems = list(scan.problems)
    on_disk = [rel for rel in scan.files if is_data_file(rel)]
    refused = {p.file for p in scan.problems}
    for rel in sorted(listed):
        if not _safe_manifest_key(rel):
            problems.append(
                Problem("MANIFEST.toml", f"files.{rel}", "manifest-path", "not a path inside data/")
            )
        elif rel not in on_disk and rel not in refused:
            problems.append(Problem(rel, "(file)", "file-missing", "listed in MANIFEST.toml"))
    texts: dict[str, str] = {}
    for rel in on_disk:
        raw, problem = read_bounded(root / rel, rel, limit_for(rel))
        if raw is None:
            if problem is not None:
                problems.append(problem)
            continue
        if rel not in listed:
            problems.append(
                Problem(rel, "(file)", "file-not-in-manifest", "data file is not in MANIFEST.toml")
            )
        else:
            actual = hashlib.sha256(raw).hexdigest()
            if actual != listed[rel]:
                problems.append(
                    Problem(
                        rel,
                        "(file)",
                        "sha256-manifest",
                        f"SHA-256 {actual[:12]}… differs from MANIFEST.toml {listed[rel][:12]}… "
                        "(review the change, then run `python -m data manifest`)",
                    )
                )
        text, problem = decode_text(rel, raw)
        if text is None:
            if problem is not None:
                problems.append(problem)
            continue
        texts[rel] = text
    files = DataFiles(
        root=root,
        texts=MappingProxyType(texts),
        dirs=scan.dirs,
        on_disk=frozenset(scan.files),
    )
    return files, problems
