"""View models: what each view shows, as typed data, before any colour, HTML or Dash.

One module per view. Each declares

* its state — a frozen dataclass plus a :class:`analysis.views.state.StateSpec` (fields, URL
  keys, allow-lists from the registry, defaults), from which query parsing, callback-input
  validation and query-string writing are all derived;
* a pure function ``build(registry, state) -> <View>Model`` returning frozen dataclasses: the rows,
  the statistics, the reasons something is not shown and the citations for the footnote.

All domain rules live here, with docstrings that say why (which HR row stands for a trial, what
may be pooled, how PD-L1 intervals nest, which curve is drawn, which published HR is shown
beside a reconstructed one). Panels in ``components/`` only translate: validated state in,
view model out, markup and figures from the view model.

This package imports no dash, plotly or flask (layering rule) and is checked by mypy --strict.
"""
