"""Declared view state: one list of fields per view, from which everything else is derived.

A view's state is a frozen dataclass whose every field lies inside an allow-list taken from the
registry (or a numeric range). A :class:`StateSpec` names, for each field, the dataclass
attribute, the URL query key, the label used in messages, the allowed values and the default.
From that one declaration come

* :meth:`StateSpec.from_query` — a URL query (anything a user can type) to a state: values
  outside their allow-list are reset to the default and *named* in the returned problems, so the
  page can say what it ignored (SEC-02: a layout never raises);
* :meth:`StateSpec.from_inputs` — callback values to a state, strictly: any value outside its
  list gives ``(None, problems)`` and the callback shows the problem instead of computing
  (dropdown options are not a security boundary, STYLE 6);
* :meth:`StateSpec.to_query` / :meth:`StateSpec.to_search` — the canonical query string
  (sorted keys, defaults omitted), which :meth:`from_query` reads back to the same state.

Validation happens once per request, here; view models receive a state that is already valid
and never re-check it.

Field kinds: :class:`Choice` (one value from a list, optionally none), :class:`MultiChoice`
(an ordered subset, canonicalised to the allow-list's order), :class:`Number` (a bounded
decimal) and :class:`Flag` (on/off as ``1``/``0``). A view with a rule that spans fields
(e.g. "the reference arm must be one of the chosen arms") passes ``check``, which may adjust
the state and name what it changed.

Options for views whose URLs predate this module (so links written before stay valid):
``Choice.codes`` (the URL spells each value as a short code, e.g. ``cat=tr`` for
"treatment-related"), ``MultiChoice.ordered`` (the order chosen is the order drawn, so it is
kept instead of canonicalised), ``Number.blank`` (the value a cleared number box stands for) and
``StateSpec.always_written`` (URL keys written even when they hold the default).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from data import Registry

S = TypeVar("S")

#: Longest raw value quoted back in a problem message.
MAX_QUOTED_CHARS = 40
_DECIMAL_RE = re.compile(r"^-?\d{1,6}(?:\.\d{1,6})?$")


def quoted(value: object) -> str:
    """A short, quoted rendering of a rejected value for messages (never the whole value)."""
    text = value if isinstance(value, str) else type(value).__name__
    if len(text) > MAX_QUOTED_CHARS:
        text = text[:MAX_QUOTED_CHARS] + "…"
    return repr(text)


def shortened(value: object) -> str:
    """Like :func:`quoted` but without quotes (views whose messages read ``endpoint DFS``)."""
    text = value if isinstance(value, str) else type(value).__name__
    if len(text) > MAX_QUOTED_CHARS:
        text = text[:MAX_QUOTED_CHARS] + "…"
    return text


class _Invalid:
    """Marker for a value outside its allow-list (distinct from ``None``, a legal "none")."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()

AllowedFn = Callable[[Registry], Sequence[str]]


@dataclass(frozen=True)
class Choice:
    """One value from ``allowed(registry)``; ``None`` is legal only when ``optional``."""

    attr: str
    url: str
    label: str
    allowed: AllowedFn
    default: Callable[[Registry], str | None]
    optional: bool = False
    #: ``(value, code)`` pairs when the URL spells values as short codes (callbacks still use
    #: the values); empty means the URL carries the value itself.
    codes: tuple[tuple[str, str], ...] = ()

    def parse(self, registry: Registry, raw: str) -> Any:
        if self.codes:
            raw = next((value for value, code in self.codes if code == raw), "")
        return raw if raw in self.allowed(registry) else INVALID

    def accept(self, registry: Registry, value: object) -> Any:
        if value is None:
            return None if self.optional else INVALID
        if isinstance(value, str) and value in self.allowed(registry):
            return value
        return INVALID

    def format(self, value: Any) -> str | None:
        if value is None:
            return None
        return next((code for v, code in self.codes if v == value), str(value))


@dataclass(frozen=True)
class MultiChoice:
    """An ordered subset of ``allowed(registry)``, at most ``max_items`` long.

    Values are kept in the allow-list's order (so two links naming the same set are the same
    link). In a URL the items are joined by ``separator``; ``empty`` stands for "none chosen"
    (an absent key means "the default"). When a URL names some unknown items, the known ones
    are kept and the unknown ones named; when it names only unknown items, the default is kept.
    """

    attr: str
    url: str
    label: str
    allowed: AllowedFn
    default: Callable[[Registry], tuple[str, ...]]
    max_items: int
    empty: str = "-"
    separator: str = ","
    #: Keep the order the items were given in (first occurrence) instead of the allow-list's:
    #: for views that draw the arms in the order the user picked them.
    ordered: bool = False
    #: Longest list a callback may send, repeats included (``None``: no limit beyond
    #: ``max_items`` distinct items); a longer one is refused before any item is looked at.
    max_given: int | None = None

    def canonical(self, registry: Registry, items: Iterable[str]) -> tuple[str, ...]:
        if self.ordered:
            allowed = set(self.allowed(registry))
            return tuple(dict.fromkeys(i for i in items if i in allowed))
        chosen = set(items)
        return tuple(a for a in self.allowed(registry) if a in chosen)

    def format(self, value: Any) -> str | None:
        return self.separator.join(value) if value else self.empty


@dataclass(frozen=True)
class Number:
    """A finite number inside ``bounds`` (inclusive), rounded to ``decimals`` places."""

    attr: str
    url: str
    label: str
    bounds: tuple[float, float]
    default: float
    decimals: int = 1
    unit: str = ""
    #: What a cleared number box (``None`` or ``""`` from a callback) stands for; ``None``
    #: means a cleared box is invalid.
    blank: float | None = None

    def check(self, value: object) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        x = float(value)
        if not math.isfinite(x) or not self.bounds[0] <= x <= self.bounds[1]:
            return None
        return round(x, self.decimals)

    def parse(self, raw: str) -> Any:
        if not _DECIMAL_RE.match(raw):
            return INVALID
        checked = self.check(float(raw))
        return INVALID if checked is None else checked

    def range_text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.bounds[0]:g}–{self.bounds[1]:g}{unit}"

    def format(self, value: Any) -> str | None:
        return f"{value:g}"


@dataclass(frozen=True)
class Flag:
    """On/off, written ``1``/``0`` in the URL."""

    attr: str
    url: str
    label: str
    default: bool

    def format(self, value: Any) -> str | None:
        return "1" if value else "0"


@dataclass(frozen=True)
class KeyedChoice:
    """For some keys of a registry-given mapping, one value each (e.g. per trial, its analysis).

    ``allowed(registry)`` maps every key to the values it may take. The state holds the chosen
    ``(key, value)`` pairs sorted by key; a key without a pair is left to the view's own rule
    (the default is "no choices"). In a URL the pairs are written ``key:value`` and joined by
    ``separator``; a URL item naming an unknown key or value is dropped and named, and a raw
    value longer than ``max_chars`` is refused whole. Callbacks pass a mapping ``key -> value``
    in which ``unset`` means "no choice for this key"; anything else off the lists (or more
    keys than there are) rejects the state.

    Used where a view shows one control per registry item with a pattern-matching id (one
    analysis select per trial): the view turns the pattern-matching values and ids into the
    mapping, this field validates it.
    """

    attr: str
    url: str
    label: str
    allowed: Callable[[Registry], Mapping[str, Sequence[str]]]
    unset: str = "auto"
    max_chars: int = 1000
    separator: str = ","
    pair_separator: str = ":"
    default: tuple[tuple[str, str], ...] = ()

    def parse(self, registry: Registry, raw: str, problems: list[str]) -> Any:
        if len(raw) > self.max_chars:
            problems.append(f"{self.label} list (longer than {self.max_chars} characters)")
            return INVALID
        allowed = self.allowed(registry)
        chosen: dict[str, str] = {}
        for item in raw.split(self.separator):
            key, _, value = item.partition(self.pair_separator)
            if value in allowed.get(key, ()):
                chosen[key] = value
            else:
                problems.append(f"{self.label} {quoted(item)}" if item else f"{self.label} list")
        return tuple(sorted(chosen.items()))

    def accept(self, registry: Registry, value: object) -> Any:
        allowed = self.allowed(registry)
        if not isinstance(value, Mapping) or len(value) > len(allowed):
            return INVALID
        chosen: dict[str, str] = {}
        for key, item in value.items():
            options = allowed.get(key) if isinstance(key, str) else None
            if options is None or not isinstance(item, str):
                return INVALID
            if item == self.unset:
                continue
            if item not in options:
                return INVALID
            chosen[key] = item
        return tuple(sorted(chosen.items()))

    def format(self, value: Any) -> str | None:
        if not value:
            return None
        return self.separator.join(f"{k}{self.pair_separator}{v}" for k, v in value)


@dataclass(frozen=True)
class Tokens:
    """An ordered list of opaque ids that match ``pattern`` (e.g. content-addressed ids of
    user-supplied curves), at most ``max_items``. Whether an id names something that exists is
    the view's rule, not the URL's: a well-formed id is kept and the view says when it is not
    found; a malformed one is dropped and named."""

    attr: str
    url: str
    label: str
    pattern: re.Pattern[str]
    max_items: int
    separator: str = ","
    default: tuple[str, ...] = ()

    def parse(self, raw: str, problems: list[str]) -> Any:
        items = [item for item in raw.split(self.separator) if item]
        good = tuple(dict.fromkeys(i for i in items if self.pattern.match(i)))
        bad = [i for i in items if not self.pattern.match(i)]
        if bad:
            problems.append(
                f"{self.label} {quoted(bad[0])}" + (" and more" if len(bad) > 1 else "")
            )
        if len(good) > self.max_items:
            problems.append(f"more than {self.max_items} {self.label} (the first were kept)")
        return good[: self.max_items]

    def accept(self, value: object) -> Any:
        if value is None:
            return ()
        if not isinstance(value, list | tuple) or len(value) > self.max_items:
            return INVALID
        if not all(isinstance(v, str) and self.pattern.match(v) for v in value):
            return INVALID
        return tuple(dict.fromkeys(value))

    def format(self, value: Any) -> str | None:
        return self.separator.join(value) if value else None


Field = Choice | MultiChoice | Number | Flag | KeyedChoice | Tokens
CheckFn = Callable[[Registry, Any], tuple[Any, list[str]]]


@dataclass(frozen=True)
class StateSpec(Generic[S]):
    """The declared state of one view (module docstring)."""

    state_type: type[S]
    fields: tuple[Field, ...]
    #: Cross-field rule applied after the fields are parsed (may adjust the state).
    check: CheckFn | None = None
    #: Name URL keys that no field reads (some views list them, others ignore them silently).
    report_unknown_keys: bool = False
    #: Quote rejected values in messages (``endpoint 'DFS'``); False shows them as typed, cut
    #: to the same length (``endpoint DFS``), for views whose messages were written that way.
    quote_values: bool = True
    #: URL keys written even when their field holds the default (views whose links always
    #: carried them).
    always_written: tuple[str, ...] = ()
    #: Callback problems name only the field's label ("regimen classes") instead of describing
    #: the rule (views whose message already reads "Invalid selection (…)").
    label_only_problems: bool = False

    def __post_init__(self) -> None:
        declared = {f.name for f in fields(self.state_type)}  # type: ignore[arg-type]
        attrs = [f.attr for f in self.fields]
        urls = [f.url for f in self.fields]
        if len(set(attrs)) != len(attrs) or len(set(urls)) != len(urls):
            raise ValueError(f"{self.state_type.__name__}: duplicate field or URL key")
        missing = set(attrs) - declared
        if missing:
            raise ValueError(f"{self.state_type.__name__} has no field(s) {sorted(missing)}")

    # -- defaults ------------------------------------------------------------------------------

    def default(self, registry: Registry) -> S:
        values: dict[str, Any] = {}
        for f in self.fields:
            if isinstance(f, Choice | MultiChoice):
                values[f.attr] = f.default(registry)
            elif isinstance(f, Tokens):
                values[f.attr] = f.default
            else:
                values[f.attr] = f.default
        return self.state_type(**values)

    # -- URL -> state (lenient, names what it reset) ---------------------------------------------

    def from_query(self, registry: Registry, query: Mapping[str, str]) -> tuple[S, list[str]]:
        state = self.default(registry)
        problems: list[str] = []
        values: dict[str, Any] = {}
        for f in self.fields:
            raw = query.get(f.url)
            if raw is None:
                continue
            if not isinstance(raw, str):
                problems.append(f"{f.label} (not text)")
                continue
            value = self._parse(registry, f, raw, problems)
            if value is not INVALID:
                values[f.attr] = value
        if self.report_unknown_keys:
            known = {f.url for f in self.fields}
            problems.extend(f"unknown setting {quoted(k)}" for k in sorted(query) if k not in known)
        state = replace(state, **values)  # type: ignore[type-var]
        if self.check is not None:
            state, more = self.check(registry, state)
            problems.extend(more)
        return state, problems

    def _quote(self, value: object) -> str:
        return quoted(value) if self.quote_values else shortened(value)

    def _parse(self, registry: Registry, f: Field, raw: str, problems: list[str]) -> Any:
        if isinstance(f, Choice):
            value = f.parse(registry, raw)
            if value is INVALID:
                problems.append(f"{f.label} {self._quote(raw)}")
            return value
        if isinstance(f, Number):
            value = f.parse(raw)
            if value is INVALID:
                problems.append(f"{f.label} {self._quote(raw)} (allowed {f.range_text()})")
            return value
        if isinstance(f, Flag):
            if raw in ("0", "1"):
                return raw == "1"
            problems.append(f"{f.label} {self._quote(raw)} (use 0 or 1)")
            return INVALID
        if isinstance(f, KeyedChoice):
            return f.parse(registry, raw, problems)
        if isinstance(f, Tokens):
            return f.parse(raw, problems)
        if raw == f.empty:
            return ()
        allowed = set(f.allowed(registry))
        items = [item for item in raw.split(f.separator) if item]
        bad = [item for item in items if item not in allowed]
        if bad:
            shown = ", ".join(self._quote(b) for b in bad[:3])
            more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
            problems.append(f"{f.label} {shown}{more}")
        canonical = f.canonical(registry, (i for i in items if i in allowed))
        if len(canonical) > f.max_items:
            problems.append(
                f"more than {f.max_items} {f.label} (the first {f.max_items} were kept)"
            )
            canonical = canonical[: f.max_items]
        if not canonical and bad:
            return INVALID  # nothing recognised: keep the default
        return canonical

    # -- callback values -> state (strict) ------------------------------------------------------

    def from_inputs(
        self, registry: Registry, values: Mapping[str, object]
    ) -> tuple[S | None, list[str]]:
        """Callback values keyed by attribute name; any value off its list rejects the state."""
        problems: list[str] = []
        accepted: dict[str, Any] = {}
        # The default state is built at most once per call (building it can walk the registry,
        # e.g. a preset's arms), and only when a value is missing.
        default: S | None = None
        for f in self.fields:
            if f.attr not in values:
                if default is None:
                    default = self.default(registry)
                accepted[f.attr] = getattr(default, f.attr)
                continue
            value = self._accept(registry, f, values[f.attr])
            if value is INVALID:
                problems.append(f.label if self.label_only_problems else self._input_problem(f))
            else:
                accepted[f.attr] = value
        if problems:
            return None, problems
        state = self.state_type(**accepted)
        if self.check is not None:
            state, more = self.check(registry, state)
            if more:
                return None, more
        return state, []

    def _accept(self, registry: Registry, f: Field, value: object) -> Any:
        if isinstance(f, Choice):
            return f.accept(registry, value)
        if isinstance(f, Number):
            if f.blank is not None and (value is None or value == ""):
                return f.blank
            checked = f.check(value)
            return INVALID if checked is None else checked
        if isinstance(f, Flag):
            return value if isinstance(value, bool) else INVALID
        if isinstance(f, KeyedChoice):
            return f.accept(registry, value)
        if isinstance(f, Tokens):
            return f.accept(value)
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            return INVALID
        if f.max_given is not None and len(value) > f.max_given:
            return INVALID
        allowed = set(f.allowed(registry))
        if not all(isinstance(v, str) and v in allowed for v in value):
            return INVALID
        canonical = f.canonical(registry, value)
        return INVALID if len(canonical) > f.max_items else canonical

    @staticmethod
    def _input_problem(f: Field) -> str:
        if isinstance(f, Number):
            return f"{f.label} must be {f.range_text()}"
        if isinstance(f, Flag):
            return f"{f.label} must be on or off"
        if isinstance(f, MultiChoice):
            return f"unknown {f.label} (or more than {f.max_items})"
        if isinstance(f, KeyedChoice):
            return f"unknown {f.label} choice"
        if isinstance(f, Tokens):
            return f"malformed {f.label} (or more than {f.max_items})"
        return f"unknown {f.label}"

    # -- state -> URL ---------------------------------------------------------------------------

    def to_query(self, registry: Registry, state: S) -> dict[str, str]:
        """Query parameters for ``state``: only values that differ from the default."""
        default = self.default(registry)
        params: dict[str, str] = {}
        for f in self.fields:
            value = getattr(state, f.attr)
            if value == getattr(default, f.attr) and f.url not in self.always_written:
                continue
            text = f.format(value)
            if text is not None:
                params[f.url] = text
        return params

    def to_search(self, registry: Registry, state: S, *, safe: str = ":,") -> str:
        """``?key=value&…`` with sorted keys (or ``""`` for the default state)."""
        params = self.to_query(registry, state)
        return "?" + urlencode(sorted(params.items()), safe=safe) if params else ""
