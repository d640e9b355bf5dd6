"""Markup as the plain data Dash sends for it: :func:`components.wire.to_wire` and
:func:`components.wire.el`, under the names the Survival panel has always imported."""

from __future__ import annotations

from components.wire import HTML, MANTINE, el, to_wire

__all__ = ["HTML", "MANTINE", "el", "to_wire"]
