"""Row and legend labels that fit without hiding what tells them apart.

Labels shown together often share a long beginning ("ALTER-E-003 · primary · TP53+/FAT1+/NOTCH3-
mutational signature present" / "… absent"); cutting the end of each leaves two identical
labels. :func:`distinct_labels` shortens the part a label shares with the others and keeps the
part that differs; the full text stays in the hover and the tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

ELLIPSIS = "…"


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def middle_cut(text: str, limit: int, keep_tail: int) -> str:
    """``text`` shortened to ``limit`` characters by cutting its middle, keeping the last
    ``keep_tail`` characters (the distinguishing end) and as much of the start as fits."""
    if len(text) <= limit:
        return text
    keep_tail = min(keep_tail, limit - 2)
    start = len(text) - keep_tail
    # begin the kept end at a word: a little earlier if the head still keeps 8 characters,
    # else a little later
    back = text.rfind(" ", max(0, start - 8), start)
    if back != -1 and limit - (len(text) - back - 1) - 1 >= 8:
        start = back + 1
    else:
        ahead = text.find(" ", start, start + 8)
        if ahead != -1:
            start = ahead + 1
    tail = text[start:]
    head = limit - len(tail) - 1
    return text[:head].rstrip() + ELLIPSIS + tail


def distinct_labels(labels: Sequence[str], limit: int) -> list[str]:
    """Every label at most ``limit`` characters; a label cut short keeps the end where it differs
    from the label most like it (cut at a word boundary where one is near)."""
    out: list[str] = []
    for i, label in enumerate(labels):
        if len(label) <= limit:
            out.append(label)
            continue
        shared = max(
            (_common_prefix(label, other) for j, other in enumerate(labels) if j != i),
            default=0,
        )
        # start the kept end at the word where the labels part
        start = label.rfind(" ", 0, shared) + 1 if shared else len(label)
        tail = len(label) - start
        if shared == 0 or tail >= limit - 8:
            out.append(middle_cut(label, limit, keep_tail=limit // 3))
        else:
            out.append(middle_cut(label, limit, keep_tail=tail))
    return out


def fill_lines(pieces: Iterable[str], joiner: str, chars: int) -> list[str]:
    """``pieces`` in order, joined by ``joiner`` into lines of at most ``chars`` characters
    where they fit (greedy; a piece longer than ``chars`` stands on a line of its own)."""
    lines: list[str] = []
    for piece in pieces:
        if lines and len(lines[-1]) + len(joiner) + len(piece) <= chars:
            lines[-1] = f"{lines[-1]}{joiner}{piece}"
        else:
            lines.append(piece)
    return lines
