"""The reviewed map from printed AE terms to harmonised clinical terms (data/vocab/ae_terms.toml).

Part of :mod:`analysis.adverse_events` (the package docstring states the rules).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.adverse_events.vocab import KINDS, MAX_TEXT, TERM_MAP_PATH, Kind
from data.registry import Registry


class TermMapError(ValueError):
    """The term map is malformed or does not fit the data; ``problems`` lists every issue as
    ``file: key: [rule] detail`` (the format of :class:`data.DataValidationError`)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            f"AE term map failed validation ({len(self.problems)} problem(s)):\n  - "
            + "\n  - ".join(self.problems)
        )


@dataclass(frozen=True)
class TermEntry:
    """One reviewed mapping: ``printed`` (exactly as in the data) -> ``harmonised``."""

    printed: str
    harmonised: str
    kind: Kind
    rule: str


@dataclass(frozen=True)
class TermMap:
    """The reviewed harmonisation map. ``sha256`` identifies the file content."""

    entries: tuple[TermEntry, ...]
    standard: str
    reviewed_by: str
    reviewed_on: str
    sha256: str
    _by_printed: Mapping[str, TermEntry] = field(repr=False, compare=False, hash=False)

    def get(self, printed: str) -> TermEntry | None:
        return self._by_printed.get(printed)

    def kind_of(self, harmonised: str) -> Kind | None:
        for entry in self.entries:
            if entry.harmonised == harmonised:
                return entry.kind
        return None


_META_KEYS = {"standard", "reviewed_by", "reviewed_on"}
#: A term entry's fields, in the order they are checked.
_TERM_TEXTS = ("printed", "harmonised", "kind", "rule")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _text(value: object) -> str | None:
    """A clean one-line string, or None when the value is not one."""
    if not isinstance(value, str):
        return None
    if not value.strip() or value != value.strip() or len(value) > MAX_TEXT:
        return None
    if any(ch in value for ch in "\n\r\t"):
        return None
    return value


def _texts_of(
    table: Mapping[str, object], keys: Sequence[str], where: str, what: str, problems: list[str]
) -> dict[str, str]:
    """The one-line string fields ``keys`` of a TOML table (checked in that order); a key not
    among them, or one missing or not a one-line string, is added to ``problems``."""
    problems.extend(
        f"{where}.{key}: [unknown-key] not a {what} field" for key in sorted(set(table) - set(keys))
    )
    values: dict[str, str] = {}
    for key in keys:
        value = _text(table.get(key))
        if value is None:
            problems.append(f"{where}.{key}: [required-field] needs a non-empty one-line string")
        else:
            values[key] = value
    return values


def parse_term_map(text: str, *, source: str = str(TERM_MAP_PATH)) -> TermMap:
    """Parse and validate the term map TOML; raise :class:`TermMapError` listing every problem.

    Closed schema: a ``[meta]`` table (``standard``, ``reviewed_by``, ``reviewed_on`` as
    ``YYYY-MM-DD``) and ``[[term]]`` entries with exactly ``printed``, ``harmonised``, ``kind``
    (one of :data:`KINDS`) and ``rule``, all non-empty one-line strings of at most 200
    characters. A printed term appears once (also case-insensitively); one harmonised term
    has one kind.
    """
    problems: list[str] = []
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TermMapError([f"{source}: (file): [toml-syntax] {exc}"]) from None
    for key in sorted(set(parsed) - {"meta", "term"}):
        problems.append(f"{source}: {key}: [unknown-key] only [meta] and [[term]] are allowed")
    meta = parsed.get("meta")
    meta_values: dict[str, str] = {}
    if not isinstance(meta, dict):
        problems.append(f"{source}: meta: [required-field] missing [meta] table")
    else:
        meta_values = _texts_of(meta, sorted(_META_KEYS), f"{source}: meta", "meta", problems)
        if "reviewed_on" in meta_values and not _DATE.match(meta_values["reviewed_on"]):
            problems.append(f"{source}: meta.reviewed_on: [status-value] expected YYYY-MM-DD")
    terms = parsed.get("term")
    entries: list[TermEntry] = []
    if not isinstance(terms, list) or not terms:
        problems.append(f"{source}: term: [required-field] needs at least one [[term]] entry")
        terms = []
    seen: dict[str, int] = {}
    kinds: dict[str, tuple[str, int]] = {}
    for i, raw in enumerate(terms):
        where = f"{source}: term[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: [type:table] each term must be a table")
            continue
        values = _texts_of(raw, _TERM_TEXTS, where, "term", problems)
        if "kind" in values and values["kind"] not in KINDS:
            problems.append(
                f"{where}.kind: [allowed-values] {values['kind']!r} not in {', '.join(KINDS)}"
            )
            continue
        if len(values) != 4:
            continue
        folded = values["printed"].casefold()
        if folded in seen:
            problems.append(
                f"{where}.printed: [duplicate-id] {values['printed']!r} already mapped in "
                f"term[{seen[folded]}]"
            )
            continue
        seen[folded] = i
        previous = kinds.get(values["harmonised"])
        if previous is not None and previous[0] != values["kind"]:
            problems.append(
                f"{where}.kind: [allowed-values] harmonised term {values['harmonised']!r} is "
                f"kind {previous[0]!r} in term[{previous[1]}]"
            )
            continue
        kinds.setdefault(values["harmonised"], (values["kind"], i))
        entries.append(
            TermEntry(
                printed=values["printed"],
                harmonised=values["harmonised"],
                kind=values["kind"],  # type: ignore[arg-type]  # checked against KINDS above
                rule=values["rule"],
            )
        )
    if problems:
        raise TermMapError(problems)
    return TermMap(
        entries=tuple(entries),
        standard=meta_values["standard"],
        reviewed_by=meta_values["reviewed_by"],
        reviewed_on=meta_values["reviewed_on"],
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        _by_printed={e.printed: e for e in entries},
    )


def load_term_map(path: Path) -> TermMap:
    """Read and validate the term map at ``path`` (see :func:`parse_term_map`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TermMapError([f"{path.name}: (file): [file-missing] {exc}"]) from None
    return parse_term_map(text, source=path.name)


def unmapped_terms(registry: Registry, term_map: TermMap) -> tuple[str, ...]:
    """Printed AE terms (term rows, not summary rows) that have no entry in the map, sorted."""
    found = {
        row.term
        for trial in registry.trials
        for row in trial.adverse_events
        if row.summary_item is None
    }
    return tuple(sorted(t for t in found if term_map.get(t) is None))


def term_map_problems(registry: Registry, term_map: TermMap) -> list[str]:
    """Everything that makes the map unusable with this data: unmapped printed terms, and
    two printed terms of one source table (same trial, arm, analysis, category, grade band)
    mapped to the same harmonised term."""
    source = str(TERM_MAP_PATH)
    problems = [
        f"{source}: term: [required-field] printed AE term {term!r} has no entry"
        for term in unmapped_terms(registry, term_map)
    ]
    for trial in registry.trials:
        groups: dict[tuple[Any, ...], list[str]] = {}
        for row in trial.adverse_events:
            entry = term_map.get(row.term) if row.summary_item is None else None
            if entry is None:
                continue
            key = (row.arm, row.analysis, row.category, row.grade_band, entry.harmonised)
            groups.setdefault(key, []).append(row.term)
        for key, printed in groups.items():
            if len(set(printed)) > 1:
                problems.append(
                    f"{source}: term: [duplicate-id] {trial.id}: {sorted(set(printed))} would "
                    f"merge into {key[-1]!r} within one source table (arm {key[0]}, "
                    f"analysis {key[1]}, {key[2]}, grade {key[3]})"
                )
    return problems


NOT_HARMONISED = " (not harmonised)"


def empty_term_map() -> TermMap:
    """No reviewed mapping: every printed term is shown as printed, marked not harmonised."""
    return TermMap(
        entries=(),
        standard="no reviewed term map",
        reviewed_by="nobody",
        reviewed_on="never",
        sha256="",
        _by_printed={},
    )


def check_term_map(registry: Registry, path: Path | None = None) -> TermMap:
    """Load the map from the registry's data root (or ``path``) for the app.

    A malformed map, or one that would merge two printed terms of one source table, raises
    :class:`TermMapError` (the app refuses to start, like any data error). A data root without
    a map (test fixtures; the shipped root lists the file in its manifest, so it cannot go
    missing silently) gives :func:`empty_term_map`. Printed terms without an entry do not stop
    the app: they are shown as printed and marked "(not harmonised)"; the unit test
    ``test_term_map_is_complete_for_every_ae_term_in_the_data`` fails and lists them.
    """
    if path is not None:
        term_map = load_term_map(path)
    else:
        # The text verified against the manifest at load time, never a fresh read from disk.
        text = registry.data_text(TERM_MAP_PATH.as_posix())
        if text is None:
            return empty_term_map()
        term_map = parse_term_map(text, source=TERM_MAP_PATH.name)
    problems = [p for p in term_map_problems(registry, term_map) if "[duplicate-id]" in p]
    if problems:
        raise TermMapError(problems)
    return term_map


def term_entry(term_map: TermMap, printed: str) -> TermEntry:
    """The reviewed entry, or a visible stand-in for a printed term without one."""
    entry = term_map.get(printed)
    if entry is not None:
        return entry
    return TermEntry(
        printed=printed,
        harmonised=printed + NOT_HARMONISED,
        kind="term",
        rule="no reviewed mapping yet: shown as printed",
    )
