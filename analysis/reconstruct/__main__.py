"""Command line: reconstruct patient data from a digitised curve or a spec file.

Run ``python -m analysis.reconstruct --help`` for usage. Exit codes: 0 success, 2 bad input or
usage (the message names the file, row or key and the problem), 3 unexpected internal error
(reported in one line, without a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.reconstruct.guyot import reconstruct_from_curve
from analysis.reconstruct.io import read_curve_csv, read_risk_csv
from analysis.reconstruct.types import ReconstructedIPD, ReconstructionInputError

EXIT_OK = 0
EXIT_INPUT = 2
EXIT_INTERNAL = 3

_DESCRIPTION = """\
Reconstruct individual patient data (one row per patient: time,event) from published survival
results. Three input grades:

  A  digitised Kaplan-Meier curve + numbers at risk (Guyot et al. 2012):
       --curve CURVE.csv --at-risk RISK.csv [--events N] [--percent] --out IPD.csv
     CURVE.csv: columns time,survival (survival as a fraction, or % with --percent; a file
     without a header is read as two columns time, survival). RISK.csv: columns
     time,n_at_risk starting at time 0.
  B  numbers at risk + published anchors, no curve, and
  C  summary numbers only (N, events, median, landmarks, follow-up):
       --spec SPEC.toml --out IPD.csv
"""

_EPILOG = """\
SPEC.toml (times in months, survival as fractions, unknown keys are errors):

  grade = "B"                       # or "C"
  [followup]                        # optional for B, required for C
  accrual_months = 17.3             # randomisation window
  min_followup_months = 5.6         # last randomisation -> data cut-off
  max_followup_months = 22.9        # first randomisation -> data cut-off
  median_followup_months = 10.8     # median potential follow-up (reverse KM)
  accrual_start = 2018-12-03        # dates may replace the lengths above
  accrual_end = 2020-05-12
  data_cutoff = 2020-10-30
  [[arm]]                           # one or two arms
  label = "camrelizumab + chemotherapy"
  events = 135                      # published total (matched exactly)
  median_months = 15.3              # or "NR"
  landmarks = [ { time_months = 12, survival = 0.615 } ]
  time_months = [0, 2, 4, 6]        # grade B: the at-risk table ...
  n_at_risk = [298, 294, 285, 260]
  # censored_cumulative = [...]    # ... and printed cumulative censored counts (optional)
  n = 298                           # grade C: number randomised

Output: CSV with header time,event (1 = event, 0 = censored), times in months with
six decimals, sorted by time; a spec with two arms adds a third column, arm.
Exit status: 0 ok, 2 bad input, 3 internal error.
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors with our exit code and no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(EXIT_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser (also used by the tests)."""
    parser = _Parser(
        prog="python -m analysis.reconstruct",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--curve", type=Path, help="digitised curve CSV (grade A)")
    parser.add_argument(
        "--at-risk", type=Path, dest="at_risk", help="numbers-at-risk CSV (grade A)"
    )
    parser.add_argument("--events", type=int, help="published total events (grade A)")
    parser.add_argument("--percent", action="store_true", help="survival column is in percent")
    parser.add_argument("--spec", type=Path, help="TOML spec (grades B and C)")
    parser.add_argument("--out", type=Path, required=True, help="output IPD CSV")
    return parser


def _write(path: Path, results: Sequence[ReconstructedIPD], labels: Sequence[str]) -> None:
    if len(results) == 1:
        text = results[0].to_csv()
    else:
        lines = ["time,event,arm"]
        for res, label in zip(results, labels, strict=True):
            safe = label.replace('"', "'")
            cell = f'"{safe}"' if ("," in safe or " " in safe) else safe
            lines.extend(f"{row},{cell}" for row in res.to_csv().splitlines()[1:])
        text = "\n".join(lines) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReconstructionInputError(
            f"cannot write file ({exc.strerror})", source=str(path)
        ) from exc


def run(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, reconstruct, write the output; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.spec is not None and (args.curve is not None or args.at_risk is not None):
        raise ReconstructionInputError("give either --spec or --curve with --at-risk, not both")
    if args.spec is not None:
        if args.events is not None or args.percent:
            raise ReconstructionInputError("--events and --percent belong to --curve mode")
        # Grades B and C need SciPy's optimisers; grade A does not, so a grade-A run never
        # pays for importing them (most of this command's start-up time).
        from analysis.reconstruct import spec as spec_module  # noqa: PLC0415 - grades B/C only

        spec = spec_module.load_spec(args.spec)
        results = spec_module.reconstruct_spec(spec)
        labels = spec.labels
    else:
        if args.curve is None or args.at_risk is None:
            raise ReconstructionInputError("give --curve and --at-risk (grade A) or --spec")
        c_time, c_surv = read_curve_csv(args.curve)
        r_time, r_n, _ = read_risk_csv(args.at_risk)
        results = (
            reconstruct_from_curve(
                c_time,
                c_surv,
                r_time,
                r_n,
                total_events=args.events,
                survival_scale="percent" if args.percent else "auto",
                curve_source=str(args.curve),
                table_source=str(args.at_risk),
            ),
        )
        labels = ("1",)
    _write(args.out, results, labels)
    for res, label in zip(results, labels, strict=True):
        summary = {"arm": label, "grade": res.grade, "n": res.n_patients, "events": res.n_events}
        sys.stdout.write(json.dumps(summary) + "\n")
        for note in res.warnings:
            sys.stderr.write(f"note: {note}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: never lets a traceback reach the user."""
    try:
        return run(argv)
    except ReconstructionInputError as exc:
        sys.stderr.write(f"error: {exc.describe()}\n")
        return EXIT_INPUT
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_INPUT
    except Exception as exc:  # last line of defence for the CLI contract
        sys.stderr.write(f"internal error (please report): {type(exc).__name__}: {exc}\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
