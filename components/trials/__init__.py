"""Trials view: catalogue of every trial and arm, a detail card with every cited number, and
the downloadable evidence table. State and rules: :mod:`analysis.views.trials`."""

from components.trials.callbacks import register_callbacks
from components.trials.layout import layout

__all__ = ["layout", "register_callbacks"]
