"""The provenance footnote that every exported chart, slide and CSV carries (DATA-02).

One :class:`Footnote` is formatted three ways: lines drawn inside the image
(:meth:`Footnote.lines`), speaker notes for the deck (:meth:`Footnote.notes_text`) and the ``#``
header block of a CSV (:meth:`Footnote.provenance_lines`), so the three can never disagree.

Content, in order: sources as short citation + DOI (or PMID/URL when there is no DOI); the
reconstruction grade of every reconstructed curve; the cross-trial caveat when arms from different
trials are compared ("unanchored": no common comparator arm links them); other caveats; the data
version (12 hex digits of the data manifest hash) and the app version.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from data.schema import Publication

CROSS_TRIAL_CAVEAT = "Unanchored cross-trial comparison — not randomised."
# Grades as defined by analysis.reconstruct (its module docstring).
RECONSTRUCTION_NOTE = (
    "Reconstructed patient-level data. Grade A: digitised Kaplan–Meier curve + numbers at risk "
    "(Guyot et al. 2012, doi:10.1186/1471-2288-12-9); grade B: numbers-at-risk table + events + "
    "published medians/landmarks, no curve; grade C: summary numbers only."
)

# "Doki Y, …", "Song Y et al. …", "Meng X, et al." — but not "World J Gastrointest Oncol".
_SURNAME = re.compile(r"^([A-Z][A-Za-z'’\-]+(?: [A-Z][a-z]+)?)\s+[A-Z]{1,3}(?:,|\s+et al\b)")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


@dataclass(frozen=True)
class SourceRef:
    """One cited source: a short citation and the identifier a reader can resolve."""

    short: str
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    full: str | None = None  # full citation, for speaker notes and CSV headers

    def __post_init__(self) -> None:
        if not self.short.strip():
            raise ValueError("a source needs a short citation")

    @property
    def identifier(self) -> str | None:
        """``doi:…`` when there is a DOI, else ``PMID …``, else the URL."""
        if self.doi:
            return f"doi:{self.doi}"
        if self.pmid:
            return f"PMID {self.pmid}"
        return self.url

    def label(self) -> str:
        """``Short 2022, doi:10.…`` (the form used in image footnotes)."""
        ident = self.identifier
        return f"{self.short}, {ident}" if ident else self.short

    @classmethod
    def from_publication(cls, pub: Publication) -> SourceRef:
        """Build from a registry publication: "Surname et al. YEAR" when the citation starts
        with an author (surname + initials), else the citation cut to 60 characters."""
        return cls(
            short=short_citation(pub.citation, pub.year),
            doi=pub.doi or pub.reports_on_doi,
            pmid=pub.pmid,
            url=pub.url,
            full=pub.citation,
        )


def short_citation(citation: str, year: int | None = None) -> str:
    """Short form of a citation: ``Doki Y, Ajani JA, … 2022`` -> ``Doki et al. 2022``.

    Only a leading "Surname Initials" is recognised; other text is shortened, never guessed."""
    text = " ".join(citation.split())
    match = _SURNAME.match(text)
    if year is None:
        found = _YEAR.search(text)
        year = int(found.group(0)) if found else None
    if match:
        return f"{match.group(1)} et al. {year}" if year else f"{match.group(1)} et al."
    return text if len(text) <= 60 else text[:59].rstrip() + "…"


@dataclass(frozen=True)
class Footnote:
    """Provenance of one chart. ``grades`` pairs a curve label with its reconstruction grade."""

    sources: tuple[SourceRef, ...]
    data_version: str
    app_version: str | None = None
    grades: tuple[tuple[str, str], ...] = ()
    cross_trial: bool = False
    caveats: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.data_version.strip():
            raise ValueError("a footnote needs the data version")

    def lines(self) -> tuple[str, ...]:
        """Plain-text lines for the image (wrapped later to the image width)."""
        out: list[str] = []
        if self.sources:
            out.append("Sources: " + "; ".join(s.label() for s in self.sources) + ".")
        if self.grades:
            graded = "; ".join(f"{label}: {grade}" for label, grade in self.grades)
            out.append(
                f"Reconstructed curves (grade A curve+at-risk, B table, C summary): {graded}."
            )
        if self.cross_trial:
            out.append(CROSS_TRIAL_CAVEAT)
        out.extend(self.caveats)
        out.append(self._version_line())
        return tuple(out)

    def _version_line(self) -> str:
        line = f"Data version {self.data_version}"
        if self.app_version:
            line += f" · ESCC first-line trial explorer {self.app_version}"
        return line + "."

    def notes_text(self) -> str:
        """Speaker notes: full citations, grades with their meaning, caveats, versions."""
        parts: list[str] = []
        if self.sources:
            parts.append("Sources:")
            for src in self.sources:
                ident = src.identifier
                full = src.full or src.short
                parts.append(f"- {full}" + (f" ({ident})" if ident else ""))
        if self.grades:
            parts.append("Reconstruction grades:")
            parts.extend(f"- {label}: grade {grade}" for label, grade in self.grades)
            parts.append(RECONSTRUCTION_NOTE)
        caveats = ([CROSS_TRIAL_CAVEAT] if self.cross_trial else []) + list(self.caveats)
        if caveats:
            parts.append("Caveats:")
            parts.extend(f"- {c}" for c in caveats)
        parts.append(self._version_line())
        return "\n".join(parts)

    def provenance_lines(self) -> tuple[str, ...]:
        """Lines for a CSV header block (without the leading ``#``)."""
        out: list[str] = []
        for src in self.sources:
            ident = src.identifier
            out.append(f"source: {src.full or src.short}" + (f" ({ident})" if ident else ""))
        for label, grade in self.grades:
            out.append(f"reconstruction grade: {label}: {grade}")
        if self.grades:
            out.append(RECONSTRUCTION_NOTE)
        if self.cross_trial:
            out.append(f"caveat: {CROSS_TRIAL_CAVEAT}")
        out.extend(f"caveat: {c}" for c in self.caveats)
        out.append(f"data version: {self.data_version}")
        if self.app_version:
            out.append(f"app version: {self.app_version}")
        return tuple(out)


def wrap_line(text: str, max_chars: int) -> list[str]:
    """Greedy word wrap; a word longer than the line (a long DOI or URL) gets a line of its own
    and is split only if it alone exceeds ``max_chars``."""
    if max_chars < 10:
        raise ValueError("max_chars must be at least 10")
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > max_chars:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:max_chars])
            word = word[max_chars:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= max_chars:
            current = f"{current} {word}"
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def wrap_lines(lines: Sequence[str], max_chars: int) -> list[str]:
    return [part for line in lines for part in (wrap_line(line, max_chars) or [""])]
