"""Curated evidence base: frozen, validated registry of first-line ESCC trials.

Public API::

    from data import load_registry, DataValidationError, Registry
    reg = load_registry()            # validated once per root and cached; read-only
    reg.data_version                 # 12 hex digits derived from MANIFEST.toml hashes
    reg.trials                       # ordered tuple of frozen Trial models
    reg.trial("checkmate648")        # one trial
    reg.evidence_rows()              # long table, one dict per number (data.evidence)
    reg.catalogue()                  # one row per arm for the Trials view
    reg.curve_inputs(...)            # inputs for survival reconstruction

This package imports no dash, plotly or flask (layering rule).
"""

from __future__ import annotations

import functools
from pathlib import Path

from data.errors import DataValidationError, Problem
from data.evidence import EXPORT_COLUMNS
from data.loader import DEFAULT_ROOT, load_uncached
from data.registry import CatalogueRow, CurveInputs, Registry
from data.schema import Trial

__all__ = [
    "DEFAULT_ROOT",
    "EXPORT_COLUMNS",
    "CatalogueRow",
    "CurveInputs",
    "DataValidationError",
    "Problem",
    "Registry",
    "Trial",
    "clear_registry_cache",
    "load_registry",
]


@functools.lru_cache(maxsize=8)
def _load_cached(root: str) -> Registry:
    return load_uncached(Path(root))


def load_registry(root: Path | None = None) -> Registry:
    """Load and validate the evidence base under ``root`` (default: this ``data/`` folder).

    The result is frozen and cached per resolved root (a failed load is not cached). Raises
    :class:`DataValidationError` listing every problem (file, key path, rule) otherwise.
    """
    resolved = (root if root is not None else DEFAULT_ROOT).resolve()
    return _load_cached(str(resolved))


def clear_registry_cache() -> None:
    """Forget cached registries (tests that edit files in place)."""
    _load_cached.cache_clear()
