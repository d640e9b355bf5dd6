"""Component IDs, defined once (STYLE principle 7).

A test checks that every value here is unique and that every callback's inputs, outputs and
states refer to IDs that exist in the layout. Panels import these names; no ID is ever built by
string concatenation.
"""

from __future__ import annotations

# App shell
URL = "url"  # read-only location: pathname drives the router
URL_SYNC = "url-sync"  # written by panels to mirror their controls into the query string
PAGE = "page-content"
NAV = "nav"
NAV_BURGER = "nav-burger"
APP_SHELL = "app-shell"
ERROR_BANNER = "error-banner"
ERROR_BANNER_TEXT = "error-banner-text"
FOOTER = "footer"
FOOTER_VERSIONS = "footer-versions"
PAGE_MESSAGE = "page-message"  # in-page notice for invalid selections restored from a URL

# Trials view
TRIALS_URL = "trials-url"
TRIALS_NOTICE = "trials-notice"
TRIALS_TABLE = "trials-table"
TRIALS_CLASS_FILTER = "trials-class-filter"
TRIALS_DETAIL = "trials-detail"
TRIALS_DETAIL_SELECT = "trials-detail-select"
TRIALS_DETAIL_SECTION = "trials-detail-section"
#: Pattern-matching type of a catalogue row (``{"type": TRIALS_ROW, "trial": <trial id>}``).
TRIALS_ROW = "trials-row"
EVIDENCE_DOWNLOAD_BUTTON = "evidence-download-button"
EVIDENCE_DOWNLOAD_FORMAT = "evidence-download-format"
EVIDENCE_DOWNLOAD = "evidence-download"

# Survival view (components/survival/) -- IDs start with "survival-"
SURVIVAL_URL = "survival-url"  # the panel's own location: mirrors the controls into the query
SURVIVAL_NOTICE = "survival-notice"  # link settings that were reset (layout only)
SURVIVAL_ENDPOINT = "survival-endpoint"
SURVIVAL_ARMS = "survival-arms"
SURVIVAL_PRESET = "survival-preset"  # pattern type: {"type": SURVIVAL_PRESET, "preset": key}
SURVIVAL_POPULATION = "survival-population"
SURVIVAL_REFERENCE = "survival-reference"
SURVIVAL_LANDMARK = "survival-landmark"
SURVIVAL_TAU = "survival-tau"
SURVIVAL_SHOW_CI = "survival-show-ci"
SURVIVAL_SHOW_CENSOR = "survival-show-censor"
SURVIVAL_SHOW_MEDIAN = "survival-show-median"
SURVIVAL_SHOW_AT_RISK = "survival-show-at-risk"
SURVIVAL_CUTOFF = "survival-cutoff"
SURVIVAL_USER = "survival-user"  # user-supplied curve ids (issue 16)
SURVIVAL_MESSAGE = "survival-message"
SURVIVAL_GRAPH = "survival-graph"
SURVIVAL_CAPTION = "survival-caption"
SURVIVAL_MISSING = "survival-missing"
SURVIVAL_RESULTS = "survival-results"
# Pattern types: {"type": SURVIVAL_FIDELITY, "curve": <curve slug>} is a curve's fidelity badge;
# the matching SURVIVAL_FIDELITY_BODY is its popover, filled when the badge is first opened.
SURVIVAL_FIDELITY = "survival-fidelity"
SURVIVAL_FIDELITY_BODY = "survival-fidelity-body"
# (end of survival section)

# Subgroups & forest view (components/forest/) -- IDs start with "forest-"
FOREST_URL = "forest-url"  # the panel's own location: mirrors the controls into the query
FOREST_ENDPOINT = "forest-endpoint"
FOREST_COMPARISON = "forest-comparison"
FOREST_POPULATION = "forest-population"
FOREST_METHOD = "forest-method"
FOREST_KNAPP_HARTUNG = "forest-knapp-hartung"
FOREST_LEAVE_ONE_OUT = "forest-leave-one-out"
FOREST_ACROSS_SYSTEMS = "forest-across-systems"
FOREST_ANALYSIS = "forest-analysis"  # pattern type: {"type": FOREST_ANALYSIS, "trial": id}
FOREST_MESSAGE = "forest-message"
FOREST_GRAPH = "forest-graph"
FOREST_CAPTION = "forest-caption"
FOREST_TABLE = "forest-table"
FOREST_POOLED = "forest-pooled"
FOREST_LOO = "forest-loo"
FOREST_INTERACTION = "forest-interaction"
FOREST_SEEDS = "forest-seeds"
FOREST_SEED_GRAPH = "forest-seed-graph"
# (end of forest section)

# Response view (components/response/) -- IDs start with "response-"
RESPONSE_URL = "response-url"  # the panel's own location: mirrors the controls into the query
RESPONSE_MEASURE = "response-measure"
RESPONSE_CLASSES = "response-classes"
RESPONSE_ARMS = "response-arms"
RESPONSE_CUTOFF = "response-cutoff"
RESPONSE_POPULATION = "response-population"
RESPONSE_MESSAGE = "response-message"
RESPONSE_GRAPH = "response-graph"
RESPONSE_CAPTION = "response-caption"
RESPONSE_TABLE = "response-table"
# (end of response section)

# Safety view (components/safety/) -- IDs start with "safety-"
SAFETY_URL = "safety-url"
SAFETY_NOTICE = "safety-notice"  # link settings that were not recognised
SAFETY_MESSAGE = "safety-message"  # invalid selection / nothing to show
SAFETY_ARMS = "safety-arms"
SAFETY_CHART = "safety-chart"
SAFETY_CATEGORY = "safety-category"
SAFETY_GRADE = "safety-grade"
SAFETY_STRICT = "safety-strict"
SAFETY_SORT = "safety-sort"
SAFETY_MIN = "safety-min"
SAFETY_GRAPH = "safety-graph"
SAFETY_DEFINITIONS = "safety-definitions"
SAFETY_CAPTION = "safety-caption"
SAFETY_TABLE = "safety-table"
# (end of safety section)

# Indirect comparisons view (components/indirect/) -- IDs start with "indirect-"
INDIRECT_NOTICE = "indirect-notice"  # link settings that were reset (layout only)
INDIRECT_ENDPOINT = "indirect-endpoint"
INDIRECT_POPULATION = "indirect-population"
INDIRECT_ACROSS_SYSTEMS = "indirect-across-systems"
INDIRECT_ANALYSIS = "indirect-analysis"
INDIRECT_NODES = "indirect-nodes"
INDIRECT_REFERENCE = "indirect-reference"
INDIRECT_MODEL = "indirect-model"
INDIRECT_MESSAGE = "indirect-message"
INDIRECT_NETWORK_GRAPH = "indirect-network-graph"
INDIRECT_FOREST_GRAPH = "indirect-forest-graph"  # every regimen vs the chosen reference
INDIRECT_COMMON_SECTION = "indirect-common-section"  # hidden when reference = comparator
INDIRECT_COMMON_GRAPH = "indirect-common-graph"  # every regimen vs the common comparator
INDIRECT_LEAGUE = "indirect-league"
INDIRECT_PSCORES = "indirect-pscores"
INDIRECT_HETEROGENEITY = "indirect-heterogeneity"
INDIRECT_EXCLUDED = "indirect-excluded"
INDIRECT_CITATIONS = "indirect-citations"
INDIRECT_CAPTION = "indirect-caption"
# (end of indirect section)

# Export and deck (components/export_panel.py) -- IDs start with "export-" or "deck-"
# Per-chart controls are pattern-matching ids {"type": <constant>, "chart": <chart key>}.
EXPORT_OPEN = "export-open"
EXPORT_FORMAT = "export-format"
EXPORT_SIZE = "export-size"
EXPORT_WIDTH = "export-width"
EXPORT_HEIGHT = "export-height"
EXPORT_THEME = "export-theme"
EXPORT_DOWNLOAD = "export-download"
EXPORT_STATUS = "export-status"
EXPORT_SIZE_NOTE = "export-size-note"
EXPORT_ADD = "export-add"
EXPORT_FILE = "export-file"
DECK_OPEN = "deck-open"
DECK_STORE = "deck-store"
DECK_DRAWER = "deck-drawer"
DECK_LIST = "deck-list"
DECK_DOWNLOAD = "deck-download"
DECK_CLEAR = "deck-clear"
DECK_STATUS = "deck-status"
DECK_PROGRESS = "deck-progress"
DECK_FILE = "deck-file"
DECK_REMOVE = "deck-remove"
# (end of export section)

# Add-a-curve view (issue 16)
ADDCURVE_UPLOAD = "addcurve-upload"
ADDCURVE_PAYLOAD = "addcurve-payload"  # the upload after the browser's size check
ADDCURVE_CLIENT_MESSAGE = "addcurve-client-message"  # the browser's size refusal
ADDCURVE_DRAFT = "addcurve-draft"  # the draft (curves read) kept in the browser
ADDCURVE_MESSAGE = "addcurve-message"
ADDCURVE_FIGURE = "addcurve-figure"
ADDCURVE_NOTES = "addcurve-notes"
ADDCURVE_X_LOW = "addcurve-x-low"
ADDCURVE_X_HIGH = "addcurve-x-high"
ADDCURVE_Y_LOW = "addcurve-y-low"
ADDCURVE_Y_HIGH = "addcurve-y-high"
ADDCURVE_AT_RISK_TIMES = "addcurve-at-risk-times"
ADDCURVE_ENDPOINT = "addcurve-endpoint"
ADDCURVE_SYSTEM = "addcurve-system"
ADDCURVE_OPERATOR = "addcurve-operator"
ADDCURVE_CUTOFF = "addcurve-cutoff"
ADDCURVE_CITATION = "addcurve-citation"
ADDCURVE_ARMS = "addcurve-arms"
# Pattern types, {"type": <one of these>, "index": k}: row k of the arm table.
ADDCURVE_ARM_INCLUDE = "addcurve-arm-include"
ADDCURVE_ARM_NAME = "addcurve-arm-name"
ADDCURVE_ARM_AT_RISK = "addcurve-arm-at-risk"
ADDCURVE_ARM_N = "addcurve-arm-n"
ADDCURVE_ARM_EVENTS = "addcurve-arm-events"
ADDCURVE_SUBMIT = "addcurve-submit"
ADDCURVE_RESULT = "addcurve-result"


def all_ids() -> dict[str, str]:
    """Every ID constant in this module, by constant name."""
    return {
        name: value
        for name, value in globals().items()
        if name.isupper() and isinstance(value, str)
    }
