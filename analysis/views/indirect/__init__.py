"""The Indirect comparisons view: state, view model, builder, text (pure).

* :mod:`.state` — :class:`IndirectState`, its :data:`SPEC` and the registry's allow-lists;
* :mod:`.model` — the frozen view model (:class:`IndirectView` and its rows);
* :mod:`.builder` — ``build(registry, state) -> IndirectView`` (network, NMA, league, forests);
* :mod:`.rows` — the numbers behind each exported chart, as CSV rows;
* :mod:`.text` — the league table and a summary as Markdown (notes, CLI).
"""

from __future__ import annotations

from analysis.views.indirect.builder import build, indirect_view
from analysis.views.indirect.model import IndirectView
from analysis.views.indirect.state import SPEC, IndirectState, default_state

__all__ = ["SPEC", "IndirectState", "IndirectView", "build", "default_state", "indirect_view"]
