"""Anchored indirect comparison of two treatments through a common comparator (Bucher).

Bucher, Guyatt, Griffith & Walter, J Clin Epidemiol 1997;50:683. With log HR(A vs C) and
log HR(B vs C) from two independent randomised trials that share the comparator C,

    log HR(A vs B) = log HR(A vs C) - log HR(B vs C),
    se = sqrt(se_AC^2 + se_BC^2),

and a Wald interval at ``ci_level``. Each input's SE comes from its own CI at its own level
(:func:`analysis.meta.study_from_hr_ci`). Assumptions, stated because they carry the answer:
the two trials' populations, backbones, PD-L1 assays and follow-up are similar enough that the
relative effect vs C would transfer (similarity/transitivity), and the two estimates are
independent (different trials; two arms of one multi-arm trial are *not* independent: use the
network meta-analysis in :mod:`analysis.nma`, which carries their covariance).

The result is randomised within each trial but **not** between A and B: it is weaker evidence
than a head-to-head trial, and its CI is always wider than either input's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.meta import StudyEstimate
from analysis.types import HrContrast, check_ci_level, log_hr_estimate


@dataclass(frozen=True)
class BucherResult(HrContrast):
    """HR of ``treatment`` vs ``comparator`` through ``common``, with CI and two-sided p.

    ``treatment_vs_common`` and ``comparator_vs_common`` are the inputs as given (labels carry
    the trials they came from).
    """

    common: str
    treatment_vs_common: StudyEstimate
    comparator_vs_common: StudyEstimate


def bucher(
    treatment_vs_common: StudyEstimate,
    comparator_vs_common: StudyEstimate,
    *,
    treatment: str,
    comparator: str,
    common: str,
    ci_level: float = 0.95,
) -> BucherResult:
    """Anchored indirect HR of ``treatment`` vs ``comparator`` (see module docstring).

    Raises ``ValueError`` when both inputs carry the same label (the same trial twice would
    violate independence) or when treatment and comparator are the same.
    """
    level = check_ci_level(ci_level)
    if treatment == comparator:
        raise ValueError("treatment and comparator must differ")
    if treatment_vs_common.label == comparator_vs_common.label:
        raise ValueError(
            f"both inputs come from {treatment_vs_common.label!r}; Bucher needs two independent "
            "trials (use analysis.nma for arms of one multi-arm trial)"
        )
    log_hr = treatment_vs_common.log_hr - comparator_vs_common.log_hr
    se = math.sqrt(treatment_vs_common.se_log_hr**2 + comparator_vs_common.se_log_hr**2)
    return BucherResult(
        treatment=treatment,
        comparator=comparator,
        common=common,
        **log_hr_estimate(log_hr, se, level),
        treatment_vs_common=treatment_vs_common,
        comparator_vs_common=comparator_vs_common,
    )
