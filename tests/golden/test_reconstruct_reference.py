"""Validation of the reconstruction engine on five ESCC first-line trials.

Inputs are READ (never copied) from ``../shared/reference-km`` (digitised curves, at-risk tables,
IPDfromKM 0.1.10 outputs, a third party's survHE/Guyot IPD; see its SOURCES.md) and
``../shared/sources`` (the at-risk tables and censored counts as published facts). The tests
skip when those folders are absent.

Published facts used as anchors and targets (citation keys of ``sources/trials_phase3.yaml``,
or the SOURCES.md table of reference-km):

* CheckMate 648 (Doki, NEJM 2022): OS HR 0.74 (99.1 % CI 0.58-0.96), medians 13.2 / 10.7
  [CM648_NEJM_ABS]; 12-month OS 54 % / 44 %, PFS HR 0.81 (98.5 % CI 0.64-1.04), PFS median 5.6
  5.8 / 5.6, 12-month PFS 24 % / 16 % [SOURCES.md table, figure]; accrual June 2017 -
  November 2019 [CM648_ASCOPOST], minimum follow-up 13 months [CM648_NEJM_ABS].
* ESCORT-1st (Luo, JAMA 2021): OS HR 0.70 (0.56-0.88), medians 15.3 / 12.0, OS at 6/12/18 months
  89.2/61.5/42.7 % and 85.5/49.8/29.5 %, deaths 135 / 174; PFS HR 0.56 (0.46-0.68), medians
  6.9 / 5.6, events 199 / 229 [ESC1_ARTSENKRANT]; enrolment 3 Dec 2018 - 12 May 2020, cut-off
  30 Oct 2020 [ESC1_JAMA_ABS].
* JUPITER-06 (Wang, Cancer Cell 2022): OS HR 0.58 (0.43-0.78) [JUP06_CC_ABS], medians 17.0 / 11.0
  [JUP06_TARGETEDONC], 12-month OS 66.0 / 43.7 % [JUP06_ESMO21]; PFS HR 0.58 (0.46-0.74), medians
  5.7 / 5.5, 12-month PFS 27.8 / 6.1 % [JUP06_CC_ABS, JUP06_TARGETEDONC, JUP06_CSCO]; events
  70 / 103 (OS), 132 / 164 (PFS) [figure legends, published_events_from_figures.csv].
* KEYNOTE-590, all randomised (Sun, Lancet 2021): OS HR 0.73 (0.62-0.86), medians 12.4 / 9.8;
  PFS HR 0.65 (0.55-0.76), medians 6.3 / 5.8 [KN590_JJAMS]; events = N - printed censored.
* ORIENT-15 (Lu, BMJ 2022): OS HR 0.628 (0.508-0.777), medians 16.7 / 12.5 [OR15_ESMO21];
  PFS HR 0.558 (0.461-0.676) [OR15_ESMO21 via OR15_LARVOL], medians 7.2 / 5.7 [OR15_LARVOL];
  events 148 / 203 (OS), 193 / 245 (PFS) [BMJ figures].

Tolerances were measured on these curves and locked with a little headroom (numbers in
notes/issue-04.md):

Grade A (digitised curve + table):
* events exact when the published total is given; otherwise within 1 of IPDfromKM's answer;
  without totals the plain reconstructions differ from IPDfromKM by at most 2 events per arm
  (measured 2 in 4 arms: IPDfromKM moves the events of the last digitised point before a table
  time into the next interval);
* |ln HR - ln HR_published| <= 0.05 for every two-arm curve (measured max 0.026);
* median within 0.25 months of the published value where the digitised curve passes from 0.51
  to 0.49 within 0.5 months; where it is flatter than that, the median must fall inside that
  window (the curve does not determine it better);
* max |S_rec - S_digitised| over >= 10 at risk: <= 0.012 without totals (measured 0.0083),
  <= 0.02 with totals (measured 0.0142); never worse than IPDfromKM's by more than that margin,
  and better on average;
* against the third party's survHE (Guyot) IPD: <= 0.02 (measured 0.016).

Grade B (table + published facts, no coordinates) against the digitised curve: see
``B_MEASURED`` (bound = measured + 0.02) and ``test_grade_b_meets_issue_target`` for the issue's
0.03 target, which is met only where censored counts are printed or the curve is OS with the
event total known (strict xfail for the others, so a future improvement shows up).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.fidelity import cox_hazard_ratio, curve_agreement, kaplan_meier
from analysis.reconstruct import (
    FollowUp,
    Landmark,
    ReconstructedIPD,
    TableArm,
    reconstruct_arms_from_tables,
    reconstruct_from_curve,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
REF = SHARED / "reference-km"
SOURCES = SHARED / "sources"

pytestmark = pytest.mark.skipif(
    not (REF / "SOURCES.md").is_file() or not (SOURCES / "numbers_at_risk.csv").is_file(),
    reason="../shared/reference-km or ../shared/sources is not available",
)

MONTH_DAYS = 30.4375


def _months(start: str, end: str) -> float:
    return (pd.Timestamp(end) - pd.Timestamp(start)).days / MONTH_DAYS


@dataclass(frozen=True)
class Published:
    """Published facts for one dataset; arm 0 = control, 1 = experimental."""

    trial: str
    endpoint: str
    hr: float
    hr_ci: tuple[float, float]
    medians: dict[int, float]
    events: dict[int, int] = field(default_factory=dict)
    landmarks: dict[int, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    followup: FollowUp | None = None


CM648_FU = FollowUp(accrual_months=_months("2017-06-01", "2019-11-30"), min_followup_months=13.0)
ESCORT_FU = FollowUp(
    min_followup_months=_months("2020-05-12", "2020-10-30"),
    max_followup_months=_months("2018-12-03", "2020-10-30"),
)

PUBLISHED = {
    "checkmate648_os_itt": Published(
        "CheckMate 648",
        "OS",
        0.74,
        (0.58, 0.96),
        {0: 10.7, 1: 13.2},
        landmarks={0: ((12.0, 0.44),), 1: ((12.0, 0.54),)},
        followup=CM648_FU,
    ),
    "checkmate648_pfs_itt": Published(
        "CheckMate 648",
        "PFS",
        0.81,
        (0.64, 1.04),
        {0: 5.6, 1: 5.8},
        landmarks={0: ((12.0, 0.16),), 1: ((12.0, 0.24),)},
        followup=CM648_FU,
    ),
    "escort1st_os_itt": Published(
        "ESCORT-1st",
        "OS",
        0.70,
        (0.56, 0.88),
        {0: 12.0, 1: 15.3},
        {0: 174, 1: 135},
        {
            0: ((6.0, 0.855), (12.0, 0.498), (18.0, 0.295)),
            1: ((6.0, 0.892), (12.0, 0.615), (18.0, 0.427)),
        },
        ESCORT_FU,
    ),
    "escort1st_pfs_itt": Published(
        "ESCORT-1st",
        "PFS",
        0.56,
        (0.46, 0.68),
        {0: 5.6, 1: 6.9},
        {0: 229, 1: 199},
        followup=ESCORT_FU,
    ),
    "jupiter06_os_itt": Published(
        "JUPITER-06",
        "OS",
        0.58,
        (0.43, 0.78),
        {0: 11.0, 1: 17.0},
        {0: 103, 1: 70},
        {0: ((12.0, 0.437),), 1: ((12.0, 0.66),)},
    ),
    "jupiter06_pfs_itt": Published(
        "JUPITER-06",
        "PFS",
        0.58,
        (0.46, 0.74),
        {0: 5.5, 1: 5.7},
        {0: 164, 1: 132},
        {0: ((12.0, 0.061),), 1: ((12.0, 0.278),)},
    ),
    "keynote590_os_itt-allhist": Published(
        "KEYNOTE-590",
        "OS",
        0.73,
        (0.62, 0.86),
        {0: 9.8, 1: 12.4},
        {0: 309, 1: 262},
    ),
    "keynote590_pfs_itt-allhist": Published(
        "KEYNOTE-590",
        "PFS",
        0.65,
        (0.55, 0.76),
        {0: 5.8, 1: 6.3},
        {0: 333, 1: 297},
    ),
    "orient15_os_itt": Published(
        "ORIENT-15",
        "OS",
        0.628,
        (0.508, 0.777),
        {0: 12.5, 1: 16.7},
        {0: 203, 1: 148},
    ),
    "orient15_pfs_itt": Published(
        "ORIENT-15",
        "PFS",
        0.558,
        (0.461, 0.676),
        {0: 5.7, 1: 7.2},
        {0: 245, 1: 193},
    ),
}
DATASETS = sorted(PUBLISHED)
#: Arms with a digitised curve (CheckMate 648 PFS: control only).
ARMS = [
    (ds, arm)
    for ds in DATASETS
    for arm in (0, 1)
    if not (ds == "checkmate648_pfs_itt" and arm == 1)
]


def _digitised(ds: str, arm: int, *, real_only: bool = False) -> pd.DataFrame:
    frame = pd.read_csv(REF / f"{ds}_digitized.csv")
    frame = frame[frame["arm"] == arm]
    if real_only:
        frame = frame[frame["is_terminal_sentinel"] == 0]
    return frame


def _table(ds: str, arm: int) -> pd.DataFrame:
    frame = pd.read_csv(REF / f"{ds}_nrisk.csv")
    return frame[frame["arm"] == arm]


def _grade_a(ds: str, arm: int, *, with_total: bool) -> ReconstructedIPD:
    dig, tab = _digitised(ds, arm), _table(ds, arm)
    total = PUBLISHED[ds].events.get(arm) if with_total else None
    return reconstruct_from_curve(
        dig["time_months"], dig["survival"], tab["time_months"], tab["nrisk"], total_events=total
    )


def _ipdfromkm(ds: str, arm: int) -> pd.DataFrame:
    frame = pd.read_csv(REF / "ipdfromkm-output" / f"{ds}_ipdfromkm-ipd.csv")
    column = "arm" if "arm" in frame.columns else "subgroup"
    return frame[frame[column] == arm]


def _vs_digitised(ipd_time: np.ndarray, ipd_event: np.ndarray, ds: str, arm: int) -> float:
    real = _digitised(ds, arm, real_only=True)
    return curve_agreement(ipd_time, ipd_event, real["time_months"], real["survival"]).max_abs_diff


# ------------------------------------------------------------------------------ grade A


@pytest.mark.parametrize(("ds", "arm"), ARMS)
def test_grade_a_events(ds: str, arm: int) -> None:
    published = PUBLISHED[ds].events.get(arm)
    theirs = int(_ipdfromkm(ds, arm)["event"].sum())
    plain = _grade_a(ds, arm, with_total=False)
    assert abs(plain.n_events - theirs) <= 2
    if published is None:
        assert abs(plain.n_events - theirs) <= 1
    else:
        assert _grade_a(ds, arm, with_total=True).n_events == published
    assert plain.n_patients == int(_table(ds, arm)["nrisk"].iloc[0])


@pytest.mark.parametrize("ds", [d for d in DATASETS if d != "checkmate648_pfs_itt"])
def test_grade_a_hazard_ratio(ds: str) -> None:
    exp = _grade_a(ds, 1, with_total=True).arrays()
    ctrl = _grade_a(ds, 0, with_total=True).arrays()
    hr = cox_hazard_ratio(*exp, *ctrl)
    assert abs(math.log(hr.hr) - math.log(PUBLISHED[ds].hr)) <= 0.05


@pytest.mark.parametrize(("ds", "arm"), ARMS)
def test_grade_a_median(ds: str, arm: int) -> None:
    real = _digitised(ds, arm, real_only=True)
    lo = real.loc[real["survival"] >= 0.51, "time_months"].max()
    hi = real.loc[real["survival"] <= 0.49, "time_months"].min()
    median = kaplan_meier(*_grade_a(ds, arm, with_total=True).arrays()).median_months()
    assert median is not None
    if hi - lo <= 0.5:
        assert abs(median - PUBLISHED[ds].medians[arm]) <= 0.25
    else:
        assert lo <= median <= hi


@pytest.mark.parametrize(("ds", "arm"), ARMS)
def test_grade_a_curve_against_digitised_and_ipdfromkm(ds: str, arm: int) -> None:
    plain = _vs_digitised(*_grade_a(ds, arm, with_total=False).arrays(), ds, arm)
    constrained = _vs_digitised(*_grade_a(ds, arm, with_total=True).arrays(), ds, arm)
    k = _ipdfromkm(ds, arm)
    theirs = _vs_digitised(k["time_months"].to_numpy(), k["event"].to_numpy(), ds, arm)
    assert plain <= 0.012
    assert constrained <= 0.02
    assert plain <= max(theirs, 0.012)


def test_grade_a_closer_to_digitised_than_ipdfromkm_on_average() -> None:
    ours, theirs = [], []
    for ds, arm in ARMS:
        ours.append(_vs_digitised(*_grade_a(ds, arm, with_total=False).arrays(), ds, arm))
        k = _ipdfromkm(ds, arm)
        theirs.append(_vs_digitised(k["time_months"].to_numpy(), k["event"].to_numpy(), ds, arm))
    assert np.mean(ours) < np.mean(theirs)


@pytest.mark.parametrize(("ds", "arm"), ARMS)
def test_grade_a_against_third_party_ipd(ds: str, arm: int) -> None:
    path = REF / f"{ds}_ipd.csv"
    if not path.is_file():
        pytest.skip(f"no third-party IPD for {ds} (ORIENT-15 OS is flawed, see SOURCES.md)")
    theirs = pd.read_csv(path)
    theirs = theirs[theirs["arm"] == arm]
    km = kaplan_meier(theirs["time_months"], theirs["event"])
    t, e = _grade_a(ds, arm, with_total=False).arrays()
    assert curve_agreement(t, e, km.time_months, km.survival).max_abs_diff <= 0.02


# ------------------------------------------------------------------------------ grade B

#: Measured max |S_B - S_digitised| over >= 10 at risk (notes/issue-04.md); the test bound is
#: the measured value + 0.02.
B_MEASURED = {
    ("checkmate648_os_itt", 0): 0.070,
    ("checkmate648_os_itt", 1): 0.090,
    ("checkmate648_pfs_itt", 0): 0.084,
    ("escort1st_os_itt", 0): 0.032,
    ("escort1st_os_itt", 1): 0.024,
    ("escort1st_pfs_itt", 0): 0.112,
    ("escort1st_pfs_itt", 1): 0.070,
    ("jupiter06_os_itt", 0): 0.054,
    ("jupiter06_os_itt", 1): 0.052,
    ("jupiter06_pfs_itt", 0): 0.147,
    ("jupiter06_pfs_itt", 1): 0.150,
    ("keynote590_os_itt-allhist", 0): 0.029,
    ("keynote590_os_itt-allhist", 1): 0.023,
    ("keynote590_pfs_itt-allhist", 0): 0.166,
    ("keynote590_pfs_itt-allhist", 1): 0.086,
    ("orient15_os_itt", 0): 0.038,
    ("orient15_os_itt", 1): 0.024,
    ("orient15_pfs_itt", 0): 0.063,
    ("orient15_pfs_itt", 1): 0.069,
}
B_HEADROOM = 0.02
#: Arms that do not reach the issue's 0.03 target (strict xfail: an improvement must update it).
B_BELOW_TARGET = {key for key, value in B_MEASURED.items() if value > 0.03}

_TRIAL_PREFIX = {
    "CheckMate 648": "checkmate648",
    "ESCORT-1st": "escort1st",
    "JUPITER-06": "jupiter06",
    "KEYNOTE-590": "keynote590",
    "ORIENT-15": "orient15",
}


def _source_tables() -> dict[tuple[str, int], pd.DataFrame]:
    frame = pd.read_csv(SOURCES / "numbers_at_risk.csv")
    out = {}
    for (trial, endpoint, population, role), rows in frame.groupby(
        ["trial", "endpoint", "population", "arm_role"]
    ):
        ds = f"{_TRIAL_PREFIX[trial]}_{endpoint.lower()}_{population}"
        out[(ds, 1 if role == "experimental" else 0)] = rows.sort_values("time_months")
    return out


_B_CACHE: dict[str, tuple[ReconstructedIPD, ...]] = {}


def grade_b_inputs(ds: str) -> tuple[list[TableArm], FollowUp | None]:
    """Grade B inputs of both arms of ``ds`` (control first) from the published facts only."""
    pub = PUBLISHED[ds]
    tables = _source_tables()
    arms = []
    for arm in (0, 1):
        rows = tables[(ds, arm)]
        cens = rows["n_censored_cumulative"]
        censored = (
            tuple(None if pd.isna(v) else int(v) for v in cens) if cens.notna().any() else None
        )
        arms.append(
            TableArm(
                time_months=tuple(float(x) for x in rows["time_months"]),
                n_at_risk=tuple(int(x) for x in rows["n_at_risk"]),
                censored_cumulative=censored,
                total_events=pub.events.get(arm),
                median_months=pub.medians.get(arm),
                landmarks=tuple(Landmark(t, s) for t, s in pub.landmarks.get(arm, ())),
            )
        )
    return arms, pub.followup


def _grade_b(ds: str) -> tuple[ReconstructedIPD, ...]:
    """Both arms of ``ds`` reconstructed from the published facts (cached per session)."""
    if ds not in _B_CACHE:
        arms, followup = grade_b_inputs(ds)
        _B_CACHE[ds] = reconstruct_arms_from_tables(arms, followup=followup)
    return _B_CACHE[ds]


@pytest.mark.parametrize("ds", DATASETS)
def test_grade_b_exact_parts(ds: str) -> None:
    tables = _source_tables()
    for arm, ipd in enumerate(_grade_b(ds)):
        rows = tables[(ds, arm)]
        t, _ = ipd.arrays()
        assert ipd.n_patients == int(rows["n_at_risk"].iloc[0])
        published = PUBLISHED[ds].events.get(arm)
        if published is not None:
            assert ipd.n_events == published
        rebuilt = [(t >= x).sum() for x in rows["time_months"]]
        assert rebuilt == [int(x) for x in rows["n_at_risk"]]


@pytest.mark.parametrize("ds", DATASETS)
def test_grade_b_median_and_hazard_ratio(ds: str) -> None:
    pub = PUBLISHED[ds]
    ctrl, exp = _grade_b(ds)
    for arm, ipd in ((0, ctrl), (1, exp)):
        if arm in pub.medians:
            median = kaplan_meier(*ipd.arrays()).median_months()
            assert median is not None
            assert abs(median - pub.medians[arm]) <= 0.5
    hr = cox_hazard_ratio(*exp.arrays(), *ctrl.arrays())
    diff = abs(math.log(hr.hr) - math.log(pub.hr))
    assert diff <= B_HR_MEASURED.get(ds, 0.03) + B_HEADROOM


#: |ln HR_B - ln HR_published| above the issue's 0.05 (both PFS: the within-interval shape of a
#: curve with scan-time steps is not in the table; CheckMate 648 PFS also lacks event totals).
#: Every other dataset measured <= 0.028 and is held to 0.05.
B_HR_MEASURED = {"checkmate648_pfs_itt": 0.091, "keynote590_pfs_itt-allhist": 0.092}


@pytest.mark.parametrize(
    "ds",
    [
        pytest.param(ds, marks=pytest.mark.xfail(strict=True, reason="see B_HR_MEASURED"))
        if ds in B_HR_MEASURED
        else ds
        for ds in DATASETS
    ],
)
def test_grade_b_hazard_ratio_meets_issue_target(ds: str) -> None:
    """Issue 4: grade B HR within 0.05 on the log scale of the published HR."""
    ctrl, exp = _grade_b(ds)
    hr = cox_hazard_ratio(*exp.arrays(), *ctrl.arrays())
    assert abs(math.log(hr.hr) - math.log(PUBLISHED[ds].hr)) <= 0.05


@pytest.mark.parametrize(("ds", "arm"), sorted(B_MEASURED))
def test_grade_b_curve_against_digitised(ds: str, arm: int) -> None:
    t, e = _grade_b(ds)[arm].arrays()
    assert _vs_digitised(t, e, ds, arm) <= B_MEASURED[(ds, arm)] + B_HEADROOM


@pytest.mark.parametrize(
    ("ds", "arm"),
    [
        pytest.param(*key, marks=pytest.mark.xfail(strict=True, reason="above 0.03; see note"))
        if key in B_BELOW_TARGET
        else key
        for key in sorted(B_MEASURED)
    ],
)
def test_grade_b_meets_issue_target(ds: str, arm: int) -> None:
    """Issue 4: max |dS| <= 0.03 over >= 10 at risk against the digitised curve."""
    t, e = _grade_b(ds)[arm].arrays()
    assert _vs_digitised(t, e, ds, arm) <= 0.03
