"""Validation problems and the single exception the loader raises.

Every problem names the file (relative to the data root), the key path inside that file and the
rule that failed, so that a curator can fix the data without reading code (RELIABILITY DATA-01).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DataValidationError", "Problem"]


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


class DataValidationError(Exception):
    """Raised when the evidence base fails validation; lists every problem found."""

    def __init__(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = [f"evidence base failed validation ({len(self.problems)} problem(s)):"]
        lines.extend(f"  - {p}" for p in self.problems)
        super().__init__("\n".join(lines))
