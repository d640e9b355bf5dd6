"""Dash's background-callback protocol on top of the export job service; page-bound handles.

:class:`ExportJobManager` is the app's ``background_callback_manager``. Dash calls it when a
background callback (the deck) starts and on every poll; instead of forking a process per
request (Dash's ``DiskcacheManager``) it hands the work to
:class:`components.export.jobs.JobService`: a bounded queue served by this process's fixed
renderer pool, identical requests joined into one job, state in the app's diskcache so that a
poll can reach any worker. The ``job`` handle Dash gives the browser is our ticket, so every
requester of a shared job collects its own copy of the file. While a job waits, the callback's
``progress`` output shows its place in the queue; a refused or failed job answers with a
message in the callback's status output (``message_output``), never with the error banner.

:func:`bind_handles_to_page_load` refuses, before Dash sees them, background-callback requests
without a valid per-page-load ``endId`` (Dash's renderer always sends it) and polls whose
``cacheKey``/``job``/``oldJob``/``cancelJob`` handles were not signed for that page load: 400
with a short message, where Dash would otherwise mint handles bound to no page load or answer a
foreign handle with 204 and no explanation (issue 14, finding 8).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from contextvars import copy_context
from typing import Any

import diskcache
import flask
from dash import Dash, _callback_signing, no_update
from dash.background_callback.managers import BaseBackgroundCallbackManager

from components.export.jobs import JobService

log = logging.getLogger("escc.export")

UPDATE_PATH = "/_dash-update-component"
HANDLE_ARGS = ("cacheKey", "job", "oldJob", "cancelJob")
STALE_PAGE = "This page is out of date: reload it, then build the deck again."

MessageOutput = Callable[[str], Any]


def file_and_status(message: str) -> list[Any]:
    """Outputs of a (file, status) background callback that show ``message``."""
    return [no_update, message]


class ExportJobManager(BaseBackgroundCallbackManager):  # type: ignore[misc]
    """A Dash background-callback manager backed by :class:`JobService` (module docstring)."""

    def __init__(
        self,
        cache: diskcache.Cache,
        service: JobService,
        message_output: MessageOutput = file_and_status,
    ) -> None:
        self.handle = cache
        self.service = service
        self.message_output = message_output
        super().__init__(cache_by=None)

    # -- starting ------------------------------------------------------------------------------
    def make_job_fn(self, fn: Callable[..., Any], progress: bool, key: str | None = None) -> Any:
        return (fn, progress)

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> str:
        fn, progress = job_fn

        def work(report: Callable[[str], None]) -> object:
            leading = [report] if progress else []
            call_args = list(args) if isinstance(args, list | tuple) else [args]
            return copy_context().run(fn, *leading, *call_args)

        return self.service.submit(key, work)

    # -- polling -------------------------------------------------------------------------------
    def job_running(self, job: Any) -> bool:
        return job is not None and self.service.status(str(job)).state in ("queued", "running")

    def terminate_job(self, job: Any) -> None:
        if job is not None:
            self.service.release(str(job))

    def terminate_unhealthy_job(self, job: Any) -> bool:
        return False

    def get_progress(self, key: str) -> list[str] | None:
        text = self.service.progress_of(key)
        return [text] if text else None

    def result_ready(self, key: str) -> bool:
        return self.service.progress_of(key) is None

    def get_result(self, key: str, job: Any) -> Any:
        if job is None:
            return self.UNDEFINED
        status = self.service.collect(str(job))
        if status.state == "done":
            return status.result
        if status.state in ("failed", "refused"):
            return self.message_output(status.message)
        return self.UNDEFINED

    def get_updated_props(self, key: str) -> dict[str, Any]:
        return {}

    def clear_cache_entry(self, key: str) -> None:
        return None

    def get_or_create_signing_secret(self, generate: Callable[[], bytes]) -> Any:
        self.handle.add(self.SIGNING_SECRET_KEY, generate())
        return self.handle.get(self.SIGNING_SECRET_KEY)


# ------------------------------------------------------------------------- page-bound handles


def _background_outputs(app: Dash) -> set[str]:
    return {key for key, spec in app.callback_map.items() if spec.get("background")}


def _refuse(message: str) -> flask.Response:
    body = json.dumps({"message": message})
    return flask.Response(body, status=400, mimetype="application/json")


def _signed_for(secret: bytes, scope: str, values: Iterable[str]) -> bool:
    return all(_callback_signing.unsign(secret, scope, v) is not None for v in values)


def bind_handles_to_page_load(app: Dash) -> None:
    """Install the check described in the module docstring (after the request limits)."""
    background = _background_outputs(app)

    def check() -> flask.Response | None:
        request = flask.request
        if request.method != "POST" or request.path != UPDATE_PATH:
            return None
        handles = {name: request.args.getlist(name) for name in HANDLE_ARGS}
        if not any(handles.values()):
            body = request.get_json(silent=True)
            output = body.get("output") if isinstance(body, dict) else None
            if output not in background:
                return None
        secret = app._get_signing_secret()
        end_id = _callback_signing.unsign(
            secret, _callback_signing.END_SCOPE, request.args.get("endId")
        )
        if end_id is None:
            log.info("refused a background-callback request without a valid endId")
            return _refuse(STALE_PAGE)
        cache_scope = _callback_signing.cache_scope(end_id)
        job_scope = _callback_signing.job_scope(end_id)
        if not (
            _signed_for(secret, cache_scope, handles["cacheKey"])
            and _signed_for(secret, job_scope, handles["job"])
            and _signed_for(secret, job_scope, handles["oldJob"])
            and _signed_for(secret, job_scope, handles["cancelJob"])
        ):
            log.info("refused a background-callback handle from another page load")
            return _refuse(STALE_PAGE)
        return None

    app.server.before_request(check)
