"""File names that say what an export is: kind, endpoint, population, trials/arms and date.

``km_os_itt_checkmate648-vs-alter-e-003_2026-11-21.png``: lower-case ASCII letters, digits,
``-`` between words and ``_`` between parts; nothing else, so a name is safe in any file system,
in a ``Content-Disposition`` header and in a shell. Accents are transliterated (NFKD), anything
else becomes ``-``. Names are capped at :data:`MAX_NAME_CHARS`: the trial/arm part is shortened
first and marked ``-etc``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

MAX_NAME_CHARS = 120
EXTENSIONS = ("png", "svg", "pdf", "pptx", "csv")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """``"ALTER-E-003 (chemo-free)"`` -> ``"alter-e-003-chemo-free"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")


def export_filename(
    kind: str,
    trial_or_arms: str | Sequence[str],
    endpoint: str | None,
    population: str | None,
    *,
    date: dt.date,
    ext: str,
) -> str:
    """A safe, descriptive file name; empty parts are left out."""
    extension = ext.lower().lstrip(".")
    if extension not in EXTENSIONS:
        raise ValueError(f"unknown extension {ext!r}; use one of {EXTENSIONS}")
    kind_slug = slug(kind) or "chart"
    names = [trial_or_arms] if isinstance(trial_or_arms, str) else list(trial_or_arms)
    subject = "-vs-".join(s for s in (slug(n) for n in names) if s)
    head = [kind_slug, *(p for p in (slug(endpoint or ""), slug(population or "")) if p)]
    tail = f"_{date.isoformat()}.{extension}"
    fixed = len("_".join(head)) + len(tail) + 1
    room = MAX_NAME_CHARS - fixed
    if len(subject) > room:
        subject = subject[: max(0, room - 4)].rstrip("-") + "-etc"
    parts = [*head, subject] if subject else head
    stem = "_".join(parts)[: MAX_NAME_CHARS - len(tail)].rstrip("-_")
    return stem + tail
