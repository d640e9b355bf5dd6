"""Helpers for the one-off transcription of ../shared/sources into data/trials/*.

Not part of the app and not imported by it. Numbers are copied from the YAML leaves and the CSV
files by path (never retyped); the per-trial modules only decide structure (which leaf is which
arm, endpoint, population and analysis) and record curation decisions. The generated TOML was
reviewed by hand and is the source of truth from then on: do not re-run this over edited files.
Run with a Python that has PyYAML (e.g. Debian's /usr/bin/python3).
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any

import yaml

SRC = Path(__file__).resolve().parents[3] / "shared" / "sources"
OUT = Path(__file__).resolve().parents[2] / "data" / "trials"

SEED = yaml.safe_load((SRC / "trials_seed_phase2.yaml").read_text(encoding="utf-8"))
P3 = yaml.safe_load((SRC / "trials_phase3.yaml").read_text(encoding="utf-8"))
AT_RISK = list(csv.DictReader((SRC / "numbers_at_risk.csv").open(encoding="utf-8")))
EVENTS = list(csv.DictReader((SRC / "published_events_from_figures.csv").open(encoding="utf-8")))


def get(root: dict[str, Any], path: str) -> Any:
    node: Any = root
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"path {path!r}: missing {part!r}")
        node = node[part]
    return node


def level_of(type_text: str) -> str:
    t = type_text.lower()
    if t.startswith("primary publication") or t.startswith("primary post hoc"):
        return "primary publication"
    if t.startswith("conference abstract"):
        return "conference abstract"
    if t.startswith("registry"):
        return "registry record"
    return "secondary summary"


def first_https(text: str | None) -> str | None:
    if not text:
        return None
    for part in re.split(r"\s*;\s*|\s+", text):
        if part.startswith("https://"):
            return part
    return None


_UNIT = {
    "%": "%",
    "months": "months",
    "months (median)": "months",
    "months (minimum)": "months",
    "months (minimum survival follow-up)": "months",
    "percentage points": "percentage points",
    "% of responders": "%",
    "years": "years",
    "patients": "count",
    "count": "count",
    "p": "p",
    "cycles": "cycles",
    "weeks": "weeks",
    "days": "days",
    "cGy": "cGy",
}


class Builder:
    """Collects one trial's records and writes trial.toml (+ at_risk.csv)."""

    def __init__(self, trial_id: str, source_ref: dict[str, str]) -> None:
        self.id = trial_id
        self.source_ref = source_ref  # YAML source key (or literal source string) -> ref key
        self.header: dict[str, Any] = {"schema_version": 1, "id": trial_id}
        self.tables: dict[str, Any] = {}
        self.arrays: dict[str, list[dict[str, Any]]] = {
            k: []
            for k in (
                "publications",
                "pd_l1",
                "arms",
                "analyses",
                "populations",
                "efficacy",
                "response",
                "adverse_events",
                "facts",
                "curves",
                "statements",
                "gaps",
            )
        }
        self.at_risk_rows: list[tuple[str, float, int, int | None]] = []
        self.notes: list[str] = []

    # ----- leaves -------------------------------------------------------------------------
    def ref_of(self, source: str | None) -> str:
        if source is None:
            raise ValueError("leaf without source")
        m = re.search(r"\[(S_[A-Z0-9_]+)\]", source)
        key = m.group(1) if m else source.strip()
        if key in self.source_ref:
            return self.source_ref[key]
        raise KeyError(f"{self.id}: unmapped source {source!r}")

    def leaf(self, leaf: Any, **over: Any) -> dict[str, Any]:
        """Convert one YAML leaf to CitedNumber fields (structure/curation via ``over``)."""
        out: dict[str, Any] = {}
        if not isinstance(leaf, dict):
            raise TypeError(f"{self.id}: leaf is not a mapping: {leaf!r}")
        if leaf.get("value") is None and "printed as '-'" in str(leaf.get("note", "")):
            out = {
                "status": "not_reported",
                "reason": "cell printed as '-' in the source table",
                "ref": self.ref_of(leaf.get("source")),
                "locator": leaf.get("where"),
            }
            if leaf.get("N") is not None:
                out["N"] = leaf["N"]
            out.update(over)
            return out
        if leaf.get("missing") or (leaf.get("value") is None and leaf.get("where") == "MISSING"):
            out["status"] = "not_reported"
            out["reason"] = leaf.get("reason") or leaf.get("note") or "not found in the sources"
            out.update(over)
            return out
        value = leaf.get("value")
        unit = leaf.get("unit")
        if isinstance(unit, str) and (m := re.fullmatch(r"n \((\d+(?:\.\d+)?)%\)", unit)):
            out["n"] = int(value)
            out["value"] = float(m.group(1))
            out["unit"] = "%"
            out["as_printed"] = f"{value} ({m.group(1)}%)"
        elif value == "NR":
            out["status"] = "not_reached"
        elif isinstance(value, str) and (m := re.fullmatch(r"(<=|>=|<|>)\s*(\d*\.?\d+)", value)):
            out["value"] = float(m.group(2))
            out["qualifier"] = m.group(1)
        elif value is None and leaf.get("range") is not None:
            pass
        elif isinstance(value, list) and len(value) == 2:
            out["range"] = value
            out["range_kind"] = "range"
        elif isinstance(value, bool) or value is None:
            raise ValueError(f"{self.id}: unexpected leaf value {value!r}")
        elif isinstance(value, (int, float)):
            out["value"] = value
        else:
            raise ValueError(f"{self.id}: non-numeric leaf value {value!r}")
        if "unit" not in out and unit is not None:
            if unit not in _UNIT:
                raise ValueError(f"{self.id}: unknown unit {unit!r}")
            out["unit"] = _UNIT[unit]
        ci = leaf.get("ci")
        if ci is not None:
            out["ci"] = [("NE" if b is None else b) for b in ci]
            out["ci_level"] = leaf.get("ci_level", 95)
        if leaf.get("p") is not None:
            p = leaf["p"]
            out["p"] = p if isinstance(p, str) else repr(p)
        if leaf.get("n") is not None and "n" not in out:
            out["n"] = leaf["n"]
        if leaf.get("N") is not None:
            out["N"] = leaf["N"]
        out["ref"] = self.ref_of(leaf.get("source"))
        out["locator"] = leaf.get("where")
        if leaf.get("note"):
            out["note"] = leaf["note"]
        if "DERIVED" in str(leaf.get("where", "")):
            out["derived"] = True
        for key in (
            "range",
            "range_kind",
            "qualifier",
            "derived",
            "derivation",
            "as_printed",
            "curation_note",
            "level",
        ):
            if leaf.get(key) is not None:
                out[key] = leaf[key]
        out.update(over)
        return out

    def text(self, leaf: dict[str, Any], **over: Any) -> dict[str, Any]:
        out = {
            "text": str(leaf["value"]),
            "ref": self.ref_of(leaf.get("source")),
            "locator": leaf.get("where"),
        }
        if leaf.get("note"):
            out["note"] = leaf["note"]
        out.update(over)
        return out

    # ----- records ------------------------------------------------------------------------
    def add(self, section: str, record: dict[str, Any]) -> dict[str, Any]:
        self.arrays[section].append(record)
        return record

    def eff(self, leaf: Any, **dims: Any) -> dict[str, Any]:
        rec = dict(dims)
        over = rec.pop("over", {})
        rec.update(self.leaf(leaf, **over))
        if rec.get("measure") == "hr" and rec.get("status", "reported") == "reported":
            rec.setdefault("unit", "ratio")
        if rec.get("measure") == "p_value":
            rec.setdefault("unit", "p")
        return self.add("efficacy", rec)

    def resp(self, leaf: Any, **dims: Any) -> dict[str, Any]:
        rec = dict(dims)
        over = rec.pop("over", {})
        rec.update(self.leaf(leaf, **over))
        if rec.get("measure") == "p_value":
            rec.setdefault("unit", "p")
        return self.add("response", rec)

    def ae(self, leaf: Any, **dims: Any) -> dict[str, Any]:
        rec = dict(dims)
        over = rec.pop("over", {})
        rec.update(self.leaf(leaf, **over))
        return self.add("adverse_events", rec)

    def fact(self, leaf: Any, **dims: Any) -> dict[str, Any]:
        rec = dict(dims)
        over = rec.pop("over", {})
        rec.update(self.leaf(leaf, **over))
        if rec.get("status", "reported") != "not_reported" and "unit" not in rec:
            rec["unit"] = "count"
        return self.add("facts", rec)

    def gap(self, topic: str, reason: str, analysis: str | None = None) -> None:
        rec: dict[str, Any] = {"topic": topic, "reason": reason}
        if analysis:
            rec["analysis"] = analysis
        self.add("gaps", rec)

    def at_risk_curve(
        self,
        *,
        trial: str,
        endpoint: str,
        population: str,
        arm_label: str,
        curve: dict[str, Any],
    ) -> None:
        """Copy one curve's rows from numbers_at_risk.csv (checks citation columns agree)."""
        rows = [
            r
            for r in AT_RISK
            if r["trial"] == trial
            and r["endpoint"] == endpoint
            and r["population"] == population
            and r["arm_label"] == arm_label
        ]
        if not rows:
            raise KeyError(f"no at-risk rows for {trial} {endpoint} {population} {arm_label}")
        locators = {r["locator"] for r in rows}
        dois = {r["doi"] for r in rows}
        if len(locators) != 1 or len(dois) != 1:
            raise ValueError("inconsistent citation columns")
        curve["locator"] = (
            locators.pop() + " (transcribed from ../shared/sources/numbers_at_risk.csv)"
        )
        curve["at_risk_file"] = "at_risk.csv"
        for r in sorted(rows, key=lambda r: float(r["time_months"])):
            cens = r["n_censored_cumulative"].strip()
            self.at_risk_rows.append(
                (
                    curve["id"],
                    float(r["time_months"]),
                    int(r["n_at_risk"]),
                    int(cens) if cens else None,
                )
            )
        self.add("curves", curve)

    @staticmethod
    def figure_events(dataset: str, group: str) -> tuple[int, str]:
        for r in EVENTS:
            if r["dataset"] == dataset and r["group"] == group:
                return int(r["events"]), r["source"]
        raise KeyError((dataset, group))

    # ----- output -------------------------------------------------------------------------
    def write(self) -> Path:
        folder = OUT / self.id
        folder.mkdir(parents=True, exist_ok=True)
        lines: list[str] = [
            f"# {self.header.get('name', self.id)} - curated evidence (schema: data/schema.py).",
            "# Generated once from ../shared/sources by tools/convert_sources (numbers copied",
            "# by path), then reviewed by hand. Edit here; refresh MANIFEST.toml afterwards.",
            "",
        ]
        if self.notes:
            self.header["notes"] = self.notes
        for key, value in self.header.items():
            lines.append(f"{key} = {tv(value)}")
        for key, table in self.tables.items():
            lines.append("")
            lines.append(f"[{key}]")
            lines.extend(f"{k} = {tv(v)}" for k, v in table.items() if v is not None)
        for section, records in self.arrays.items():
            for rec in records:
                lines.append("")
                lines.append(f"[[{section}]]")
                nested = {k: v for k, v in rec.items() if isinstance(v, dict)}
                for k, v in rec.items():
                    if v is None or k in nested:
                        continue
                    lines.append(f"{k} = {tv(v)}")
                for k, v in nested.items():
                    lines.append(f"[{section}.{k}]")
                    lines.extend(f"{kk} = {tv(vv)}" for kk, vv in v.items() if vv is not None)
        path = folder / "trial.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if self.at_risk_rows:
            with (folder / "at_risk.csv").open("w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(["curve_id", "time_months", "n_at_risk", "n_censored_cumulative"])
                for cid, t, n, c in self.at_risk_rows:
                    w.writerow([cid, f"{t:g}", n, "" if c is None else c])
        return path


def tv(value: Any) -> str:
    """TOML literal for a scalar, list or inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("non-finite")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(tv(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {tv(v)}" for k, v in value.items() if v is not None) + " }"
    raise TypeError(type(value))


def p3_publications(
    builder: Builder, keys: list[str], extra: dict[str, dict[str, Any]] | None = None
) -> None:
    """Declare publications for phase-3 source keys (key lowercased as ref)."""
    sources = P3["_sources"]
    for key in keys:
        s = sources[key]
        pub: dict[str, Any] = {
            "key": key.lower(),
            "citation": s["cites"],
            "level": level_of(s["type"]),
            "kind": s["type"],
            "doi": s.get("doi"),
            "pmid": s.get("pmid"),
            "url": first_https(s.get("url_read")),
            "url_read": s.get("url_read"),
        }
        pub.update((extra or {}).get(key, {}))
        builder.add("publications", pub)
        builder.source_ref[key] = key.lower()
