"""Import the export's heavy libraries ahead of the first export.

python-pptx (decks) and kaleido/choreographer (images) are imported where a deck or an image is
first made, so ``import app`` (tests, the development server, the CLI tools) does not pay for
them (issue 11). gunicorn's master calls :func:`preload` once the app is loaded and before it
forks workers (``when_ready`` in gunicorn.conf.py): every worker, including those started
later to replace recycled ones (``max_requests``), then shares the imported modules
copy-on-write, and no user's first export waits for the import.
"""

from __future__ import annotations


def preload() -> tuple[str, ...]:
    """Import python-pptx and the kaleido half of the engine; returns what was imported."""
    # The point of this function is to import these now, not at module import.
    import pptx  # noqa: PLC0415

    from components.export import kaleido_browser  # noqa: PLC0415

    return (pptx.__name__, kaleido_browser.kaleido.__name__)
