"""Command line: ``python -m data validate|export|manifest`` (and ``python -m data.validate``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import cast

from data.consistency import ci_p_summary
from data.errors import DataValidationError
from data.export import FORMATS, ExportFormat, write_export, write_package
from data.loader import DEFAULT_ROOT, load_uncached
from data.manifest import data_version_of, write_manifest

__all__ = ["main", "validate_main"]


def _root(arg: str | None) -> Path:
    return Path(arg).resolve() if arg else DEFAULT_ROOT


def _validate(root: Path) -> int:
    try:
        registry = load_uncached(root)
    except DataValidationError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    rows = registry.evidence_rows()
    sys.stdout.write(
        f"ok: {len(registry.trials)} trials, {len(rows)} evidence rows, "
        f"data_version {registry.data_version}\n"
    )
    numbers = [row for trial in registry.trials for row in trial.efficacy]
    sys.stdout.write(ci_p_summary(numbers).text() + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data", description=__doc__)
    parser.add_argument("--root", help="data root (default: the data/ package folder)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="validate every data file; exit 1 listing all problems")
    exp = sub.add_parser("export", help="write the long evidence table")
    exp.add_argument("--format", choices=(*FORMATS, "package"), required=True)
    exp.add_argument(
        "--out",
        required=True,
        help="output file; for --format package a folder (evidence.csv + datapackage.json)",
    )
    sub.add_parser("manifest", help="recompute MANIFEST.toml after a reviewed data change")
    args = parser.parse_args(argv)
    root = _root(args.root)
    if args.command == "validate":
        return _validate(root)
    if args.command == "manifest":
        try:
            hashes = write_manifest(root)
        except DataValidationError as exc:  # a link or special file under the root
            sys.stderr.write(f"{exc}\nMANIFEST.toml not written.\n")
            return 1
        sys.stdout.write(
            f"wrote {root / 'MANIFEST.toml'}: {len(hashes)} files, "
            f"data_version {data_version_of(hashes)}\n"
        )
        return 0
    try:
        registry = load_uncached(root)
    except DataValidationError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    if args.format == "package":
        csv_path, package_path = write_package(registry, Path(args.out))
        sys.stdout.write(
            f"wrote {csv_path} and {package_path} (data_version {registry.data_version})\n"
        )
        return 0
    size = write_export(registry, cast(ExportFormat, args.format), Path(args.out))
    sys.stdout.write(f"wrote {args.out} ({size} bytes, data_version {registry.data_version})\n")
    return 0


def validate_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.validate")
    parser.add_argument("--root", help="data root (default: the data/ package folder)")
    args = parser.parse_args(argv)
    return _validate(_root(args.root))
