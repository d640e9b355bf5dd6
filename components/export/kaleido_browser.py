"""The kaleido/choreographer half of the export engine: imported on the first render only.

:mod:`components.export.engine` runs the loop, the locks and the browser's lifecycle; this
module holds what needs kaleido and choreographer themselves (the Chromium subclass with our
flags and environment, kaleido with its tab reloads, the render page). Importing kaleido costs
~0.1 s and pulls in choreographer, so ``import app`` no longer pays for it (issue 11); gunicorn's
master imports it before forking workers (``components.export.lazy.preload``), so workers still
share it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import Any

import kaleido
from choreographer.browsers.chromium import Chromium
from choreographer.errors import BrowserClosedError, BrowserFailedError, ChannelClosedError

from components.settings import APP_NAME

log = logging.getLogger("escc.export")

# Environment passed to Chromium: what it needs to find fonts, a home and a temp dir, and
# nothing else of the app's environment (which can hold deployment secrets).
_ENV_KEEP = (
    "PATH",
    "HOME",
    "TMPDIR",
    "LANG",
    "LANGUAGE",
    "TZ",
    "FONTCONFIG_FILE",
    "FONTCONFIG_PATH",
)
_ENV_KEEP_PREFIXES = ("LC_", "XDG_")


def browser_class(flags: Sequence[str], workdir: Path) -> type[Chromium]:
    """A choreographer ``Chromium`` that adds our flags and passes a minimal environment whose
    ``TMPDIR`` is the browser's own directory."""
    scratch = str(workdir / "tmp")

    class _OfflineChromium(Chromium):
        def get_cli(self) -> Sequence[str]:
            return [*super().get_cli(), *flags]

        def get_env(self) -> MutableMapping[str, str]:
            env = super().get_env()
            kept = {
                key: value
                for key, value in env.items()
                if key in _ENV_KEEP or key.startswith(_ENV_KEEP_PREFIXES)
            }
            kept["TMPDIR"] = scratch
            return kept

    return _OfflineChromium


class KaleidoBrowser(kaleido.Kaleido):  # type: ignore[misc]
    """kaleido that reloads a tab only every ``reload_every`` renders, off the caller's wait.

    kaleido 1.5 reloads the page after *every* render and makes the caller wait for it. The
    reload costs ~0.1 s itself and, worse, throws away V8's warmed-up plotly.js code, so the next
    render runs cold (measured: ~0.5 s instead of ~0.25 s in the browser for a 6-arm KM chart).
    ``Plotly.toImage`` draws into a detached element that it purges, so a page can serve many
    renders; it is still reloaded periodically (in the background, the tab rejoins the pool when
    done) to bound any slow growth of the page's heap. If a reload fails, the browser is marked
    ``failed`` and replaced before the next render.
    """

    failed: bool
    workdir: Path | None
    workdir_pid: int

    def __init__(self, *, reload_every: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failed = False
        self.workdir = None
        self.workdir_pid = os.getpid()
        self._reload_every = reload_every
        self._renders = 0
        self._reloads: set[asyncio.Task[None]] = set()

    async def _return_kaleido_tab(self, tab: Any) -> None:
        self._renders += 1
        if self._renders % self._reload_every:
            await self.tabs_ready.put(tab)
            return
        parent = super()._return_kaleido_tab

        async def reload() -> None:
            try:
                await parent(tab)
            except Exception:  # the tab is lost; a new browser replaces this one
                self.failed = True
                log.warning("export: kaleido tab reload failed; the browser will be restarted")

        task = asyncio.create_task(reload())
        self._reloads.add(task)
        task.add_done_callback(self._reloads.discard)

    async def close(self) -> None:
        for task in list(self._reloads):
            task.cancel()
        await super().close()


BROWSER_DIED = (BrowserClosedError, BrowserFailedError, ChannelClosedError)


def render_page() -> kaleido.PageGenerator:
    """kaleido's render page: plotly.js from the installed plotly package (file://), no
    MathJax (kaleido's default would be a CDN script), and our product name as the page title,
    which Chromium writes into the PDF's Title field (kaleido's own is "Kaleido-fier")."""
    page = kaleido.PageGenerator(mathjax=False)
    page.header = page.header.replace("Kaleido-fier", f"{APP_NAME} chart")
    return page
