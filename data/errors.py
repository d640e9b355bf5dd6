"""Validation problems and the single exception the loader raises.

Every problem names the file (relative to the data root), the key path inside that file and the
rule that failed, so that a curator can fix the data without reading code (RELIABILITY DATA-01).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "MAX_PROBLEMS_PER_FILE",
    "MAX_PROBLEMS_SHOWN",
    "DataValidationError",
    "Problem",
    "cap_problems",
    "more_problems",
]

#: Problems kept per file; the rest are counted in one ``too-many-problems`` line (issue 14:
#: a CSV of 10^6 bad rows used to make a 120 MB message).
MAX_PROBLEMS_PER_FILE = 100
#: Problems written into the exception message; ``problems`` keeps every kept problem.
MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class Problem:
    """One failed rule.

    Attributes:
        file: path of the offending file relative to the data root (``trials/x/trial.toml``).
        key: key path inside the file (``efficacy[3].ci``) or a row locator for CSV files.
        rule: short rule identifier (``ci-contains-estimate``, ``unknown-key`` ...).
        detail: human-readable explanation including the offending value.
    """

    file: str
    key: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: [{self.rule}] {self.detail}"


def more_problems(file: str, count: int) -> Problem:
    """The summary line standing for ``count`` problems of ``file`` that are not listed."""
    return Problem(
        file, "(file)", "too-many-problems", f"{count:,} more problem(s) in this file not listed"
    )


def cap_problems(problems: Sequence[Problem]) -> list[Problem]:
    """At most :data:`MAX_PROBLEMS_PER_FILE` problems per file, plus one count line each."""
    kept: list[Problem] = []
    seen: dict[str, int] = {}
    extra: dict[str, int] = {}
    for problem in problems:
        if problem.rule == "too-many-problems":
            extra[problem.file] = extra.get(problem.file, 0) + _count_of(problem)
            continue
        seen[problem.file] = seen.get(problem.file, 0) + 1
        if seen[problem.file] <= MAX_PROBLEMS_PER_FILE:
            kept.append(problem)
        else:
            extra[problem.file] = extra.get(problem.file, 0) + 1
    kept.extend(more_problems(file, count) for file, count in extra.items())
    return kept


def _count_of(problem: Problem) -> int:
    head = problem.detail.split(" ", 1)[0].replace(",", "")
    return int(head) if head.isdigit() else 1


class DataValidationError(Exception):
    """Raised when the evidence base fails validation; lists the problems found.

    The message shows the first :data:`MAX_PROBLEMS_SHOWN` problems and the count of the rest;
    ``problems`` holds them all.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = [f"evidence base failed validation ({len(self.problems)} problem(s)):"]
        lines.extend(f"  - {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN])
        hidden = len(self.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            lines.append(f"  ... and {hidden} more problem(s) not shown")
        super().__init__("\n".join(lines))
