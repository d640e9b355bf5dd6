"""SHA-256 manifest of the data files and the data version derived from it.

``data/MANIFEST.toml`` lists every data file (``trials/**/*.toml``, ``trials/**/*.csv`` and the
reviewed vocabularies ``vocab/*.toml``, e.g. the adverse-event term harmonisation) with its
SHA-256. The loader refuses to start when a file is missing, unlisted or changed, so every
data change goes through a deliberate manifest refresh (``python -m data manifest``) that shows
up in review (RELIABILITY DATA-06). The data version shown in the UI is the first 12 hex digits of
the SHA-256 of the sorted ``path<TAB>hash`` lines, i.e. it changes whenever any data file changes.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

from data.errors import Problem

__all__ = [
    "MANIFEST_NAME",
    "compute_manifest",
    "data_files",
    "data_version_of",
    "manifest_problems",
    "read_manifest",
    "render_manifest",
    "write_manifest",
]

MANIFEST_NAME = "MANIFEST.toml"
DATA_PATTERNS = ("trials/**/*.toml", "trials/**/*.csv", "vocab/*.toml")
VERSION_DIGITS = 12


def data_files(root: Path) -> list[str]:
    """Relative POSIX paths of every data file under ``root``, sorted."""
    found: set[str] = set()
    for pattern in DATA_PATTERNS:
        for path in root.glob(pattern):
            if path.is_file():
                found.add(path.relative_to(root).as_posix())
    return sorted(found)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compute_manifest(root: Path) -> dict[str, str]:
    """Current ``{relative path: sha256}`` of the data files on disk."""
    return {rel: sha256_file(root / rel) for rel in data_files(root)}


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
    """Parse ``MANIFEST.toml``; problems instead of exceptions."""
    path = root / MANIFEST_NAME
    if not path.is_file():
        return {}, [Problem(MANIFEST_NAME, "(file)", "file-missing", "MANIFEST.toml not found")]
    try:
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
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


def manifest_problems(root: Path, listed: dict[str, str]) -> list[Problem]:
    """Compare the manifest with the files on disk (missing, unlisted, changed)."""
    problems: list[Problem] = []
    on_disk = set(data_files(root))
    for rel in sorted(listed):
        if rel not in on_disk:
            problems.append(Problem(rel, "(file)", "file-missing", "listed in MANIFEST.toml"))
            continue
        actual = sha256_file(root / rel)
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
    for rel in sorted(on_disk - set(listed)):
        problems.append(
            Problem(rel, "(file)", "file-not-in-manifest", "data file is not in MANIFEST.toml")
        )
    return problems


def data_version_of(hashes: dict[str, str]) -> str:
    """Short hex version derived from all manifest hashes."""
    text = "".join(f"{rel}\t{digest}\n" for rel, digest in sorted(hashes.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:VERSION_DIGITS]
