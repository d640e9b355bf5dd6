"""Golden tests: exact (Clopper-Pearson) and Wilson intervals against printed and R values.

1. The seed studies' printed 95% CIs for response rates, which must be reproduced to the printed
   precision (0.1 percentage point, rounded half up):

   * Li N et al., Signal Transduct Target Ther 2024;9:303 (doi 10.1038/s41392-024-02008-7),
     NCT05013697, Results ("Efficacy") paragraph and Table 2, ITT n = 50:
     ORR 36 (72.0%; 95% CI 57.5-83.8); DCR 42 (84.0%; 70.9-92.8). Same paragraph, the 43 patients
     with post-baseline assessment: ORR 83.7% (69.3-93.2), DCR 97.7% (87.7-99.9); counts 36/43
     and 42/43 are derived (36 responders and 42 with disease control, all among the 43).
   * Meng X et al., Mol Cancer 2025;24:175 (doi 10.1186/s12943-025-02376-w), ALTER-E-003, abstract
     only, n = 46: confirmed ORR 56.5% (95% CI 41.1-71.1), DCR 91.3% (79.2-97.6). The counts are
     derived from the percentages: 26/46 = 56.52%, 42/46 = 91.30% (no other count rounds to them).

2. R 4.2.2 values at 10 significant digits (tolerance rtol 1e-8):
   ``sprintf("%.10g", binom.test(x, n)$conf.int)`` is Clopper-Pearson;
   ``sprintf("%.10g", prop.test(x, n, correct = FALSE)$conf.int)`` is Wilson.
"""

from __future__ import annotations

import pytest

from analysis.proportions import clopper_pearson, compare_with_printed, wilson

PRINTED = [
    # (x, n, printed lower %, printed upper %, source)
    (36, 50, 57.5, 83.8, "Li 2024 STTT, ORR ITT"),
    (42, 50, 70.9, 92.8, "Li 2024 STTT, DCR ITT"),
    (36, 43, 69.3, 93.2, "Li 2024 STTT, ORR evaluable (derived count)"),
    (42, 43, 87.7, 99.9, "Li 2024 STTT, DCR evaluable (derived count)"),
    (26, 46, 41.1, 71.1, "Meng 2025 Mol Cancer abstract, ORR (derived count)"),
    (42, 46, 79.2, 97.6, "Meng 2025 Mol Cancer abstract, DCR (derived count)"),
]


@pytest.mark.parametrize(("x", "n", "lower", "upper", "source"), PRINTED)
def test_clopper_pearson_reproduces_printed_seed_intervals(
    x: int, n: int, lower: float, upper: float, source: str
) -> None:
    check = compare_with_printed(clopper_pearson(x, n, 0.95), lower, upper, decimals=1)
    assert check.matches, (source, check)


@pytest.mark.parametrize(("x", "n", "lower", "upper", "source"), PRINTED)
def test_wilson_does_not_reproduce_them(
    x: int, n: int, lower: float, upper: float, source: str
) -> None:
    """The papers used the exact method: Wilson misses every printed pair (so the check above
    is discriminating, not a tautology)."""
    assert not compare_with_printed(wilson(x, n, 0.95), lower, upper).matches, source


@pytest.mark.parametrize(
    ("x", "n", "level", "expected"),
    [
        (36, 50, 0.95, (0.575094643, 0.8376893993)),
        (42, 50, 0.95, (0.7088736934, 0.9282992328)),
        (26, 46, 0.95, (0.4110713648, 0.7106567188)),
        (42, 46, 0.95, (0.7920826751, 0.9757969292)),
        (36, 43, 0.95, (0.6929891276, 0.9319479055)),
        (42, 43, 0.95, (0.8771095173, 0.9994113871)),
        (0, 20, 0.95, (0.0, 0.168433471)),
        (20, 20, 0.95, (0.831566529, 1.0)),
        # binom.test(26, 46, conf.level = 0.9)$conf.int
        (26, 46, 0.90, (0.4337114877, 0.690160766)),
    ],
)
def test_clopper_pearson_matches_binom_test(
    x: int, n: int, level: float, expected: tuple[float, float]
) -> None:
    """R: sprintf("%.10g", binom.test(x, n, conf.level = level)$conf.int)"""
    result = clopper_pearson(x, n, level)
    assert (result.ci_lower, result.ci_upper) == pytest.approx(expected, rel=1e-8, abs=1e-12)


def test_wilson_matches_prop_test() -> None:
    """R: sprintf("%.10g", prop.test(26, 46, correct = FALSE)$conf.int)"""
    result = wilson(26, 46, 0.95)
    assert (result.ci_lower, result.ci_upper) == pytest.approx(
        (0.4224743369, 0.6979073722), rel=1e-8
    )
