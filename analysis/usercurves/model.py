"""A user-supplied curve as stored and drawn: pseudo-IPD plus what the reader typed about it.

The id is content-addressed: ``u`` + the first :data:`ID_HEX` hex digits of the SHA-256 of the
curve's canonical JSON without the id (reconstructed data, metadata, checks). The same curve and
metadata always get the same id, on any server; any change gives another id. Nothing in the
record identifies the uploader: no file name, no address, no time.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from analysis.survival import SurvivalSample
from data.pdl1 import ITT_KEY, format_key, key_text, parse_key

#: Hex digits of the SHA-256 kept in an id (80 bits: collisions are not a concern at our scale).
ID_HEX = 20
ID_RE = re.compile(rf"^u[0-9a-f]{{{ID_HEX}}}$")
#: Format version of the stored JSON.
RECORD_VERSION = 1
ENDPOINTS = ("OS", "PFS")
#: Longest citation and arm name kept (characters).
MAX_CITATION_CHARS = 300
MAX_ARM_CHARS = 60
#: Label every view and export puts on a user curve.
USER_LABEL = "user-supplied"

UserGrade = Literal["A", "C", "U"]
GRADE_TEXT: dict[str, str] = {
    "A": "grade A: digitised curve + numbers at risk (Guyot et al. 2012)",
    "C": (
        "grade C (lower): digitised curve + N + total events, no numbers-at-risk table — where "
        "patients were censored is assumed, so the curve's tail and the HR are less certain"
    ),
    "U": "patient-level pseudo-IPD as uploaded (not reconstructed here)",
}


class UserCurveError(ValueError):
    """Bad metadata or a record that does not parse; one line for the reader."""


@dataclass(frozen=True)
class Check:
    """One fidelity check of the reconstruction against what the reader gave."""

    name: str
    given: str
    reconstructed: str
    passed: bool | None


@dataclass(frozen=True)
class UserCurve:
    """One arm supplied by a reader (module docstring)."""

    arm_name: str
    endpoint: str
    population: str
    citation: str
    grade: UserGrade
    method: str
    source: str
    time_months: tuple[float, ...]
    event: tuple[int, ...]
    checks: tuple[Check, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return curve_id(self.payload())

    @property
    def n_patients(self) -> int:
        return len(self.time_months)

    @property
    def n_events(self) -> int:
        return sum(self.event)

    @property
    def label(self) -> str:
        return f"{self.arm_name} ({USER_LABEL})"

    @property
    def grade_text(self) -> str:
        return GRADE_TEXT[self.grade]

    @property
    def population_text(self) -> str:
        if self.population == ITT_KEY:
            return "ITT (intention to treat)"
        return f"PD-L1 {key_text(self.population)}"

    def sample(self) -> SurvivalSample:
        return SurvivalSample.from_arrays(self.time_months, self.event, label=self.label)

    def payload(self) -> dict[str, Any]:
        """Canonical JSON-ready content (everything but the id)."""
        return {
            "version": RECORD_VERSION,
            "arm_name": self.arm_name,
            "endpoint": self.endpoint,
            "population": self.population,
            "citation": self.citation,
            "grade": self.grade,
            "method": self.method,
            "source": self.source,
            "time_months": [round(t, 6) for t in self.time_months],
            "event": list(self.event),
            "checks": [[c.name, c.given, c.reconstructed, c.passed] for c in self.checks],
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        return json.dumps({"id": self.id, **self.payload()}, sort_keys=True, separators=(",", ":"))


def curve_id(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "u" + hashlib.sha256(text.encode("ascii")).hexdigest()[:ID_HEX]


def clean_text(value: object, limit: int, what: str, *, required: bool) -> str:
    """Printable text of at most ``limit`` characters (control characters dropped)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise UserCurveError(f"{what} must be text")
    kept = " ".join("".join(c for c in value if c.isprintable()).split())
    if len(kept) > limit:
        raise UserCurveError(f"{what} is {len(kept)} characters; at most {limit}")
    if required and not kept:
        raise UserCurveError(f"{what} is empty: type it")
    return kept


def check_population(value: object) -> str:
    """``ITT`` or a PD-L1 key in :mod:`data.pdl1`'s format (``CPS>=10``)."""
    if value == ITT_KEY:
        return ITT_KEY
    parsed = parse_key(value.strip().upper().replace(" ", "")) if isinstance(value, str) else None
    if parsed is None:
        raise UserCurveError(
            "population must be ITT or a PD-L1 key such as CPS>=10 or TPS>=1 (scoring system, "
            "operator, cut-off)"
        )
    return format_key(*parsed)


def check_endpoint(value: object) -> str:
    if value not in ENDPOINTS:
        raise UserCurveError("endpoint must be OS or PFS")
    return str(value)


def from_json(text: str | bytes) -> UserCurve:
    """Parse and check a stored record; the id inside must match the content."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise UserCurveError("the stored curve is not valid JSON") from None
    if not isinstance(raw, dict) or raw.get("version") != RECORD_VERSION:
        raise UserCurveError("the stored curve has an unknown format")
    try:
        times = tuple(float(t) for t in raw["time_months"])
        events = tuple(int(e) for e in raw["event"])
        checks = tuple(
            Check(str(n), str(g), str(r), None if p is None else bool(p))
            for n, g, r, p in raw["checks"]
        )
        curve = UserCurve(
            arm_name=clean_text(raw["arm_name"], MAX_ARM_CHARS, "arm name", required=True),
            endpoint=check_endpoint(raw["endpoint"]),
            population=check_population(raw["population"]),
            citation=clean_text(raw["citation"], MAX_CITATION_CHARS, "citation", required=True),
            grade=raw["grade"] if raw["grade"] in GRADE_TEXT else "U",
            method=str(raw["method"]),
            source=str(raw["source"]),
            time_months=times,
            event=events,
            checks=checks,
            warnings=tuple(str(w) for w in raw["warnings"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UserCurveError(f"the stored curve is malformed ({type(exc).__name__})") from None
    if (
        not times
        or len(times) != len(events)
        or any(not math.isfinite(t) or t < 0 for t in times)
        or any(e not in (0, 1) for e in events)
    ):
        raise UserCurveError("the stored curve's patient rows are malformed")
    if raw.get("id") != curve.id:
        raise UserCurveError("the stored curve does not match its id")
    return curve
