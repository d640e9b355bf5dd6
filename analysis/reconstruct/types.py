"""Result and error types shared by the three reconstruction grades.

Times are in months throughout. An IPD row is ``(time_months, event)`` with ``event`` 1 for the
endpoint event (death, progression) and 0 for a censored observation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

Grade = Literal["A", "B", "C"]

#: Decimal places kept for reconstructed times. Times are rounded once, inside the engine, so the
#: in-memory result and its CSV serialisation are the same numbers (determinism, DATA-05).
TIME_DECIMALS = 6


class ReconstructionInputError(ValueError):
    """Bad reconstruction input, with the place where it was found.

    ``source`` names the file (or the argument) and ``row`` the 1-based data row (the header is
    row 0), so that the CLI can print a message a user can act on without a traceback.
    """

    def __init__(self, problem: str, *, source: str | None = None, row: int | None = None) -> None:
        self.problem = problem
        self.source = source
        self.row = row
        super().__init__(self.describe())

    def describe(self) -> str:
        """Human-readable ``source: row N: problem``."""
        where = []
        if self.source:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        return ": ".join([*where, self.problem])


@dataclass(frozen=True)
class Landmark:
    """A published landmark survival rate S(time_months) with an optional CI (fractions)."""

    time_months: float
    survival: float
    ci_lower: float | None = None
    ci_upper: float | None = None


@dataclass(frozen=True)
class ReconstructedIPD:
    """Pseudo individual patient data for one arm, sorted by time (events before censorings).

    Attributes:
        grade: input grade: "A" digitised curve + at-risk table (Guyot 2012), "B" at-risk table
            and published anchors without a curve, "C" published summary numbers only.
        time_months: follow-up time of each patient, months, rounded to ``TIME_DECIMALS``.
        event: 1 = event, 0 = censored, aligned with ``time_months``.
        method: one-line description of the algorithm used (shown next to the curve).
        warnings: input problems that were repaired (e.g. "2 non-monotone points pooled"),
            in the order they were found. Empty when the input was clean.
    """

    grade: Grade
    time_months: tuple[float, ...]
    event: tuple[int, ...]
    method: str
    warnings: tuple[str, ...] = ()

    @property
    def n_patients(self) -> int:
        """Number of patients (rows)."""
        return len(self.time_months)

    @property
    def n_events(self) -> int:
        """Number of rows with ``event == 1``."""
        return int(sum(self.event))

    def arrays(self) -> tuple[FloatArray, IntArray]:
        """``(time_months, event)`` as new numpy arrays."""
        return (
            np.asarray(self.time_months, dtype=np.float64),
            np.asarray(self.event, dtype=np.int64),
        )

    def to_csv(self) -> str:
        """CSV text: header ``time,event``, one row per patient, fixed decimals."""
        lines = ["time,event"]
        lines.extend(
            f"{t:.{TIME_DECIMALS}f},{e}" for t, e in zip(self.time_months, self.event, strict=True)
        )
        return "\n".join(lines) + "\n"


def make_ipd(
    times: npt.ArrayLike,
    events: npt.ArrayLike,
    *,
    grade: Grade,
    method: str,
    warnings: list[str] | tuple[str, ...] = (),
) -> ReconstructedIPD:
    """Round, sort (time ascending, events first at ties) and freeze an IPD result."""
    raw: FloatArray = np.asarray(times, dtype=np.float64)
    e = np.asarray(events, dtype=np.int64)
    if raw.shape != e.shape:
        raise ValueError("times and events must have the same length")
    # +0.0 turns a possible -0.0 into 0.0 so the CSV never prints "-0.000000".
    t: FloatArray = np.maximum(np.round(raw, TIME_DECIMALS), 0.0) + 0.0
    order = np.lexsort((-e, t))
    return ReconstructedIPD(
        grade=grade,
        time_months=tuple(float(x) for x in t[order]),
        event=tuple(int(x) for x in e[order]),
        method=method,
        warnings=tuple(warnings),
    )
