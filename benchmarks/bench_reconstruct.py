"""Reconstruction speed and accuracy per arm, side by side with IPDfromKM.

Usage::

    .venv/bin/python benchmarks/bench_reconstruct.py [--repeats 25] [--json OUT.json]

For every arm of the reference curves in ``../shared/reference-km`` (read, never copied) it
times, as the median of ``--repeats`` runs after one warm-up run:

* grade A: ``reconstruct_from_curve`` on the digitised curve + at-risk table (with the published
  event total when there is one), i.e. the same inputs IPDfromKM was given;
* grade B: ``reconstruct_arms_from_tables`` on the published at-risk table, censored counts,
  events, median and landmarks (the facts of ``tests/golden/test_reconstruct_reference.py``);
  two arms are fitted together, so the time per arm is the joint time / 2;
* grade C: ``reconstruct_from_summary`` on N, events, median, landmarks and follow-up (longest
  follow-up = the first at-risk time with nobody left, when the paper gives none);

and reports max |S_rec - S_digitised| over >= 10 at risk for each grade and for IPDfromKM's
output. IPDfromKM's seconds per arm come from ``ipdfromkm_run_summary.csv`` (IPDfromKM 0.1.10,
``preprocess()`` + ``getIPD()`` in R, recorded when that file was made, possibly on another
machine and load): compare orders of magnitude, not percentages.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from analysis.fidelity import (  # noqa: E402
    PublishedArm,
    arm_fidelity,
    curve_agreement,
    hazard_ratio_check,
)
from analysis.reconstruct import (  # noqa: E402
    FollowUp,
    Landmark,
    SummaryArm,
    TableArm,
    reconstruct_arms_from_tables,
    reconstruct_from_summary,
)
from tests.golden import test_reconstruct_reference as ref  # noqa: E402


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(samples)


def _summary_arm(ds: str, arm: int) -> tuple[SummaryArm, FollowUp]:
    pub = ref.PUBLISHED[ds]
    rows = ref._source_tables()[(ds, arm)]
    n = int(rows["n_at_risk"].iloc[0])
    followup = pub.followup
    if followup is None:
        zero = rows.loc[rows["n_at_risk"] == 0, "time_months"]
        longest = float(zero.iloc[0]) if len(zero) else float(rows["time_months"].iloc[-1])
        followup = FollowUp(max_followup_months=longest)
    summary = SummaryArm(
        n=n,
        total_events=pub.events.get(arm),
        median_months=pub.medians.get(arm),
        landmarks=tuple(Landmark(t, s) for t, s in pub.landmarks.get(arm, ())),
    )
    return summary, followup


def run(repeats: int) -> list[dict[str, object]]:
    """Measure every reference arm; returns one row per arm."""
    ipdfromkm = pd.read_csv(ref.REF / "ipdfromkm-output" / "ipdfromkm_run_summary.csv")
    plain = ipdfromkm[ipdfromkm["mode"] == "plain"]
    rows: list[dict[str, object]] = []
    for ds, arm in ref.ARMS:
        dig, tab = ref._digitised(ds, arm), ref._table(ds, arm)
        total = ref.PUBLISHED[ds].events.get(arm)

        def grade_a(dig: pd.DataFrame = dig, tab: pd.DataFrame = tab, total: int | None = total):
            return ref.reconstruct_from_curve(
                dig["time_months"],
                dig["survival"],
                tab["time_months"],
                tab["nrisk"],
                total_events=total,
            )

        b_arms, b_followup = ref.grade_b_inputs(ds)

        def grade_b(arms: list[TableArm] = b_arms, fu: FollowUp | None = b_followup) -> object:
            return reconstruct_arms_from_tables(arms, followup=fu)

        summary, followup = _summary_arm(ds, arm)

        def grade_c(summary: SummaryArm = summary, followup: FollowUp = followup) -> object:
            return reconstruct_from_summary(summary, followup=followup)

        a_ms = _median_ms(grade_a, repeats)
        b_ms = _median_ms(grade_b, max(repeats // 3, 3)) / 2.0
        c_ms = _median_ms(grade_c, repeats)
        a_ipd = grade_a()
        b_ipd = ref._grade_b(ds)[arm]
        c_ipd = grade_c()
        a_plain = ref.reconstruct_from_curve(
            dig["time_months"], dig["survival"], tab["time_months"], tab["nrisk"]
        )
        theirs = ref._ipdfromkm(ds, arm)
        real = ref._digitised(ds, arm, real_only=True)

        def err(t: object, e: object, real: pd.DataFrame = real) -> float:
            return curve_agreement(t, e, real["time_months"], real["survival"]).max_abs_diff

        r_row = plain[(plain["dataset"] == ds) & (plain["group"] == arm)]
        r_seconds = float(r_row["seconds"].iloc[0]) if len(r_row) else float("nan")
        rows.append(
            {
                "dataset": ds,
                "arm": arm,
                "n": a_ipd.n_patients,
                "a_ms": round(a_ms, 2),
                "b_ms": round(b_ms, 2),
                "c_ms": round(c_ms, 2),
                "ipdfromkm_ms": round(1000.0 * r_seconds, 1),
                "speedup_a": round(1000.0 * r_seconds / a_ms, 1),
                "a_maxdiff_plain": round(err(*a_plain.arrays()), 4),
                "a_maxdiff_events": round(err(*a_ipd.arrays()), 4),
                "ipdfromkm_maxdiff": round(
                    err(theirs["time_months"].to_numpy(), theirs["event"].to_numpy()), 4
                ),
                "b_maxdiff": round(err(*b_ipd.arrays()), 4),
                "c_maxdiff": round(err(*c_ipd.arrays()), 4),
            }
        )
    return rows


def fidelity_rows() -> list[dict[str, object]]:
    """DATA-03 fidelity of the grade B reconstructions of the shipped comparator curves."""
    out: list[dict[str, object]] = []
    for ds in ref.DATASETS:
        pub = ref.PUBLISHED[ds]
        arms, followup = ref.grade_b_inputs(ds)
        results = reconstruct_arms_from_tables(arms, followup=followup)
        hr = hazard_ratio_check(
            results[1].arrays(), results[0].arrays(), hr_published=pub.hr, ci_published=pub.hr_ci
        )
        for arm, (inputs, ipd) in enumerate(zip(arms, results, strict=True)):
            published = PublishedArm(
                n=inputs.n_at_risk[0],
                events=pub.events.get(arm),
                median_months=pub.medians.get(arm),
                landmarks=inputs.landmarks,
            )
            reference = (None, None)
            if (ds, arm) in ref.ARMS:
                real = ref._digitised(ds, arm, real_only=True)
                reference = (real["time_months"], real["survival"])
            rep = arm_fidelity(
                *ipd.arrays(),
                published,
                grade="B",
                events_constrained=published.events is not None,
                reference_time_months=reference[0],
                reference_survival=reference[1],
            )
            lms = "; ".join(
                f"S({c.time_months:g}) {c.published:.3f}/{c.reconstructed:.3f}"
                for c in rep.landmarks
            )
            med = rep.median_reconstructed_months
            out.append(
                {
                    "curve": f"{pub.trial} {pub.endpoint}",
                    "arm": "experimental" if arm else "control",
                    "n": rep.n_reconstructed,
                    "events pub/rec": f"{rep.events_published or 'NR'}/{rep.events_reconstructed}",
                    "median pub/rec": f"{pub.medians.get(arm, 'NR')}/"
                    + ("NR" if med is None else f"{med:.2f}"),
                    "landmarks pub/rec": lms or "-",
                    "HR pub/rec": f"{pub.hr:g}/{hr.hr_reconstructed:.3f}" if arm else "",
                    "max dS vs digitised": "-"
                    if rep.curve is None
                    else f"{rep.curve.max_abs_diff:.3f}",
                    "DATA-03 arm": "pass" if rep.passed else "FAIL",
                    "DATA-03 HR": ("pass" if hr.passed else "FAIL") if arm else "",
                }
            )
    return out


def _markdown_plain(rows: list[dict[str, object]]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[k]) for k in head) + " |" for r in rows]
    return "\n".join(lines)


def _markdown(rows: list[dict[str, object]]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[k]) for k in head) + " |" for r in rows]
    med = {
        k: statistics.median(float(r[k]) for r in rows)  # type: ignore[arg-type]
        for k in head[3:]
    }
    lines.append("| median | | | " + " | ".join(f"{med[k]:g}" for k in head[3:]) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--fidelity", action="store_true", help="also print the grade-B fidelity table (DATA-03)"
    )
    args = parser.parse_args()
    if not (ref.REF / "SOURCES.md").is_file():
        print(f"reference data not found at {ref.REF}; nothing to measure")
        return 1
    rows = run(args.repeats)
    print(_markdown(rows))
    if args.fidelity:
        print()
        print(_markdown_plain(fidelity_rows()))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
