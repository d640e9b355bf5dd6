"""Adverse-event (AE) tables across regimens: harmonised terms, recomputed percentages and
explicit "not reported" cells.

Pure functions over the frozen registry (no dash, no plotly). What the Safety view shows is
decided here once:

* **Harmonised terms.** Each AE term row keeps the term as printed; the reviewed map
  ``data/vocab/ae_terms.toml`` (:func:`load_term_map`) assigns it one clinical term (CTCAE
  v5.0 concepts, British spelling) and a kind (``term``, ``grouped``, ``serious-only``,
  ``not-a-term``). The map is validated strictly (closed keys, one entry per printed term)
  and checked against the data (:func:`term_map_problems`): every printed term mapped, and
  no two printed terms of one source table collapsed into one row (that would need the union
  of patients, which no source gives).
* **Percentages.** When a row has a count ``n`` and a denominator ``N`` the percentage shown
  is recomputed as ``100 * n / N`` (one decimal) and the published percentage is kept beside
  it; :attr:`AeCell.differs` flags the cells where the two disagree after rounding to one
  decimal (rounding in the source, or a typo). A count of 0 is 0 % for any denominator.
  Rows with a percentage only show the published percentage; the denominator is then
  "not stated", never borrowed from another row.
* **Grade bands are never relabelled.** The high-grade slot takes, in this order, a row
  printed as grade ">=3", else "3-5", else "3-4", else "3" (grade 3 only), and the cell
  carries the band it came from; in strict mode only ">=3" is accepted and the others become
  "not reported as grade >=3 (reported as grade 3-4: ...)".
* **Not reported is never 0.** A missing cell says why: the source table lists only terms
  above a threshold (``below-threshold``, with the threshold as an upper bound), the term is
  not listed and the table's inclusion rule is not stated (``not-listed``), the arm has no
  term-level table in this category (``no-table``), the source pools arms (``pooled``), the
  data file records it as not reported (``explicit``), or it exists only in another grade
  band or category (``other-band`` / ``other-category``, with the value found there).

Reference: National Cancer Institute, Common Terminology Criteria for Adverse Events (CTCAE)
v5.0, 2017. Grade 5 = death related to the AE, so "grade 3-4" excludes deaths and "grade
3-5" includes them.
"""

from __future__ import annotations

from analysis.adverse_events.cells import AeCell, band_label, cell_from_row, parse_threshold_pct
from analysis.adverse_events.summary import SummaryItem, SummaryTable, summary_items, summary_table
from analysis.adverse_events.term_table import TermRow, TermTable, pooled_cells, term_table
from analysis.adverse_events.terms import (
    TermEntry,
    TermMap,
    TermMapError,
    check_term_map,
    empty_term_map,
    load_term_map,
    parse_term_map,
    term_map_problems,
    unmapped_terms,
)
from analysis.adverse_events.vocab import (
    CATEGORIES,
    CATEGORY_ABBREVIATIONS,
    GRADES,
    HIGH_BANDS,
    KINDS,
    SORTS,
    STRICT_HIGH_BANDS,
    TERM_MAP_PATH,
    ArmKey,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_ABBREVIATIONS",
    "GRADES",
    "HIGH_BANDS",
    "KINDS",
    "SORTS",
    "STRICT_HIGH_BANDS",
    "TERM_MAP_PATH",
    "AeCell",
    "ArmKey",
    "SummaryItem",
    "SummaryTable",
    "TermEntry",
    "TermMap",
    "TermMapError",
    "TermRow",
    "TermTable",
    "band_label",
    "cell_from_row",
    "check_term_map",
    "empty_term_map",
    "load_term_map",
    "parse_term_map",
    "parse_threshold_pct",
    "pooled_cells",
    "summary_items",
    "summary_table",
    "term_map_problems",
    "term_table",
    "unmapped_terms",
]
