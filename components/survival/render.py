"""Markup as the plain data Dash sends for it: :func:`components.wire.to_wire` and
:func:`components.wire.el`, under the names the Survival panel has always imported, and the
two pieces of table markup its result tables and fidelity checks share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.wire import HTML, MANTINE, el, to_wire

__all__ = ["HTML", "MANTINE", "el", "join", "table", "to_wire"]


def table(head: Sequence[str], body: list[Any], class_name: str = "escc-table") -> Any:
    """A plain table: one header row, then ``body`` (rows of cells)."""
    return el(
        "Table",
        [el("Thead", el("Tr", [el("Th", h) for h in head])), el("Tbody", body)],
        className=class_name,
    )


def join(parts: Sequence[Any]) -> list[Any]:
    """``parts`` with "; " between them (citation links in a sentence)."""
    out: list[Any] = []
    for i, part in enumerate(parts):
        if i:
            out.append("; ")
        out.append(part)
    return out
