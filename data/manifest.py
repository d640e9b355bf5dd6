"""SHA-256 manifest of the data files and the data version derived from it.

``data/MANIFEST.toml`` lists every data file (``trials/**/*.toml``, ``trials/**/*.csv`` and the
reviewed vocabularies ``vocab/*.toml``, e.g. the adverse-event term harmonisation) with its
SHA-256. The loader refuses to start when a file is missing, unlisted or changed, or when the
data root holds a symbolic link (``data/files.py`` reads every file), so every
data change goes through a deliberate manifest refresh (``python -m data manifest``) that shows
up in review (RELIABILITY DATA-06). The data version shown in the UI is the first 12 hex digits of
the SHA-256 of the sorted ``path<TAB>hash`` lines, i.e. it changes whenever any data file changes.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

from data.errors import DataValidationError, Problem
from data.files import MANIFEST_LIMIT_BYTES, decode_text, is_data_file, read_bounded, scan_tree

__all__ = [
    "MANIFEST_NAME",
    "compute_manifest",
    "data_files",
    "data_version_of",
    "read_manifest",
    "render_manifest",
    "write_manifest",
]

MANIFEST_NAME = "MANIFEST.toml"
VERSION_DIGITS = 12


def data_files(root: Path) -> list[str]:
    """Relative POSIX paths of every data file under ``root``, sorted (links never followed)."""
    return [rel for rel in scan_tree(root).files if is_data_file(rel)]


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def compute_manifest(root: Path) -> dict[str, str]:
    """Current ``{relative path: sha256}`` of the data files on disk.

    Raises :class:`DataValidationError` when the root holds a symbolic link or a special file:
    the manifest must never vouch for content that lives outside the data root.
    """
    scan = scan_tree(root)
    if scan.problems:
        raise DataValidationError(scan.problems)
    return {rel: sha256_file(root / rel) for rel in scan.files if is_data_file(rel)}


def render_manifest(hashes: dict[str, str]) -> str:
    lines = [
        "# SHA-256 of every data file under data/. Do not edit by hand:",
        "# refresh with `python -m data manifest` and record the change in data/CHANGELOG.md.",
        "",
        "[files]",
    ]
    lines.extend(f'"{rel}" = "{digest}"' for rel, digest in sorted(hashes.items()))
    return "\n".join(lines) + "\n"


def write_manifest(root: Path) -> dict[str, str]:
    """Recompute and write ``MANIFEST.toml``; returns the hashes written."""
    hashes = compute_manifest(root)
    (root / MANIFEST_NAME).write_text(render_manifest(hashes), encoding="utf-8")
    return hashes


def read_manifest(root: Path) -> tuple[dict[str, str], list[Problem]]:
    """Parse ``MANIFEST.toml`` (not a link, at most 256 KB); problems instead of exceptions."""
    raw, problem = read_bounded(root / MANIFEST_NAME, MANIFEST_NAME, MANIFEST_LIMIT_BYTES)
    if raw is None:
        return {}, [problem] if problem is not None else []
    text, problem = decode_text(MANIFEST_NAME, raw)
    if text is None:
        return {}, [problem] if problem is not None else []
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [Problem(MANIFEST_NAME, "(file)", "toml-syntax", str(exc))]
    files = parsed.get("files")
    problems: list[Problem] = []
    unknown = sorted(set(parsed) - {"files"})
    for key in unknown:
        problems.append(Problem(MANIFEST_NAME, key, "unknown-key", "only [files] is allowed"))
    if not isinstance(files, dict):
        problems.append(Problem(MANIFEST_NAME, "files", "required-field", "missing [files] table"))
        return {}, problems
    hashes: dict[str, str] = {}
    for rel, digest in files.items():
        if not isinstance(digest, str) or len(digest) != 64:
            problems.append(
                Problem(
                    MANIFEST_NAME, f"files.{rel}", "sha256-manifest", "not a SHA-256 hex digest"
                )
            )
            continue
        hashes[rel] = digest
    return hashes, problems


def data_version_of(hashes: dict[str, str]) -> str:
    """Short hex version derived from all manifest hashes."""
    text = "".join(f"{rel}\t{digest}\n" for rel, digest in sorted(hashes.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:VERSION_DIGITS]
