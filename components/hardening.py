"""Request hardening applied by ``create_app`` (RELIABILITY.md §2.5).

Dash validates neither the shape nor the size of callback requests, sets no security headers and
answers some malformed requests with a 500 (experiments E1-E5). This module closes those gaps
without touching Dash internals:

* ``MAX_CONTENT_LENGTH`` from :class:`~components.settings.Settings` (413 above it, SEC-03);
* a shape check on ``POST /_dash-update-component``: the body must describe a registered
  callback with exactly the inputs/states it declares, otherwise 400 (SEC-01);
* a cross-origin check (``Sec-Fetch-Site`` / ``Origin``) returning 403 (SEC-04);
* security headers and a CSP built from ``app.csp_hashes()`` on every response (SEC-09);
* error handlers so that unknown asset paths are 404 and no error body carries a traceback;
* an ``X-Request-ID`` on every response, used in log lines (OPS-01, UX-02).

Everything here is a plain function of the Flask request; nothing is stored between requests.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import flask
from dash import Dash
from dash.exceptions import DependencyException
from werkzeug.exceptions import HTTPException, NotFound

from components.serving import BodyLimit
from components.settings import Settings

log = logging.getLogger("escc.http")

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Deeper than anything Dash sends (a pattern-matching ALL input is 3 levels); bounded so that a
# hostile 10^5-level body cannot exhaust the stack of the recursive checks below.
MAX_JSON_DEPTH = 64

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


#: Key of Flask's extension store holding ``{callback output key: largest body in bytes}`` for
#: the few callbacks allowed a body above the app's request limit (an upload).
LARGE_BODIES = "escc-large-bodies"


def allow_large_body(app: Dash, output_key: str, limit: int) -> None:
    """Let the callback ``output_key`` (its key in ``app.callback_map``) receive bodies up to
    ``limit`` bytes; every other callback keeps the app's request limit (SEC-03)."""
    app.server.extensions.setdefault(LARGE_BODIES, {})[output_key] = limit


class BadCallbackRequest(ValueError):
    """The body of a callback request does not match any registered callback."""


# --------------------------------------------------------------------------- shape checks


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a JSON value, stopping early once ``limit`` is exceeded."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return deepest


def _id_matches(declared: Any, sent: Any) -> bool:
    """Does a sent component id fit the declared one (pattern-matching wildcards allowed)?"""
    if isinstance(declared, str):
        return isinstance(sent, str) and sent == declared
    if not isinstance(declared, Mapping) or not isinstance(sent, Mapping):
        return False
    if set(declared) != set(sent):
        return False
    for key, want in declared.items():
        got = sent[key]
        if isinstance(want, list):  # wildcard serialised as ["ALL"], ["MATCH"], ["ALLSMALLER"]
            if not isinstance(got, (str, int, float, bool)):
                return False
        elif got != want:
            return False
    return True


def _parse_declared_id(raw: Any) -> Any:
    """Dash stores pattern-matching ids in ``callback_map`` as JSON strings."""
    if isinstance(raw, str) and raw.startswith("{"):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _is_multi(declared_id: Any) -> bool:
    """Does a declared id match many components (an ALL or ALLSMALLER wildcard)?"""
    return isinstance(declared_id, Mapping) and any(
        isinstance(v, list) and v and v[0] in ("ALL", "ALLSMALLER") for v in declared_id.values()
    )


def _check_shape(declared_id: Any, sent: Any, where: str) -> None:
    """A list exactly when the declared id is an ALL/ALLSMALLER wildcard (as the renderer sends)."""
    if _is_multi(declared_id) != isinstance(sent, list):
        raise BadCallbackRequest(
            f"{where}: expected a list" if _is_multi(declared_id) else f"{where}: expected one"
        )


def _check_item(declared: Mapping[str, Any], sent: Any, where: str) -> None:
    items = sent if isinstance(sent, list) else [sent]
    declared_id = _parse_declared_id(declared.get("id"))
    _check_shape(declared_id, sent, where)
    for item in items:
        if not isinstance(item, dict):
            raise BadCallbackRequest(f"{where}: expected an object")
        if set(item) - {"id", "property", "value"}:
            raise BadCallbackRequest(f"{where}: unexpected keys")
        if item.get("property") != declared.get("property"):
            raise BadCallbackRequest(f"{where}: property does not match the callback")
        if not _id_matches(declared_id, item.get("id")):
            raise BadCallbackRequest(f"{where}: component id does not match the callback")


def _check_list(declared: Sequence[Mapping[str, Any]], sent: Any, name: str) -> None:
    if sent is None and not declared:
        return
    if not isinstance(sent, list):
        raise BadCallbackRequest(f"{name} must be a list")
    if len(sent) != len(declared):
        raise BadCallbackRequest(f"{name}: expected {len(declared)} entries")
    for i, (want, got) in enumerate(zip(declared, sent, strict=True)):
        _check_item(want, got, f"{name}[{i}]")


def check_callback_body(body: Any, callback_map: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise :class:`BadCallbackRequest` unless ``body`` fits a registered callback.

    The check mirrors what Dash's renderer sends: ``output`` (the callback key), ``outputs``,
    ``inputs``, optional ``state`` and ``changedPropIds``. Values are not inspected here; each
    callback maps them onto its own allow-list (SEC-02).
    """
    if not isinstance(body, dict):
        raise BadCallbackRequest("body must be a JSON object")
    if _depth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise BadCallbackRequest("body is nested too deeply")
    allowed = {"output", "outputs", "inputs", "state", "changedPropIds", "parsedChangedPropsIds"}
    if set(body) - allowed:
        raise BadCallbackRequest("body has unexpected keys")
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        raise BadCallbackRequest("output is not a registered callback")
    spec = callback_map[output]
    if "callback" not in spec:
        raise BadCallbackRequest("output belongs to a callback that runs in the browser")
    _check_outputs(output, body.get("outputs"))
    _check_list(spec.get("inputs", []), body.get("inputs"), "inputs")
    _check_list(spec.get("state", []), body.get("state", []), "state")
    _check_changed(body.get("changedPropIds", []), body.get("inputs") or [])


def declared_outputs(key: str) -> list[dict[str, str]]:
    """The outputs a callback key declares: ``id.prop`` or ``..id1.prop1...id2.prop2..``."""
    parts = key[2:-2].split("...") if key.startswith("..") and key.endswith("..") else [key]
    out = []
    for part in parts:
        ident, _, prop = part.rpartition(".")
        out.append({"id": ident, "property": prop})
    return out


def _check_outputs(key: str, outputs: Any) -> None:
    """``outputs`` must list exactly the declared outputs, in order (as Dash's renderer sends).

    Multi-output callbacks get a list with one entry per output; a single output gets one
    object. A pattern-matching ALL output is a list of objects. Anything else reached Dash's
    internals before issue 14 and left a traceback in the log.
    """
    declared = declared_outputs(key)
    multi = key.startswith("..")
    if multi and not isinstance(outputs, list):
        raise BadCallbackRequest("outputs must be a list for this callback")
    sent = outputs if multi else [outputs]
    if len(sent) != len(declared):
        raise BadCallbackRequest(f"outputs: expected {len(declared)} entries")
    for i, (want, got) in enumerate(zip(declared, sent, strict=True)):
        where = f"outputs[{i}]"
        items = got if isinstance(got, list) else [got]
        _check_shape(_parse_declared_id(want["id"]), got, where)
        for item in items:
            if not isinstance(item, dict) or set(item) - {"id", "property"}:
                raise BadCallbackRequest(f"{where}: expected an object with id and property")
            if item.get("property") != want["property"]:
                raise BadCallbackRequest(f"{where}: property does not match the callback")
            if not _id_matches(_parse_declared_id(want["id"]), item.get("id")):
                raise BadCallbackRequest(f"{where}: component id does not match the callback")


def _check_changed(changed: Any, inputs: Any) -> None:
    """Every ``changedPropIds`` entry names one of the inputs sent, as ``<id>.<property>``.

    Dash parses the id part as JSON when it starts with ``{``; ``"{.n_clicks"`` used to raise
    inside Dash. Here the id is parsed first and compared with the inputs' ids.
    """
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise BadCallbackRequest("changedPropIds must be a list of strings")
    if len(changed) != len(set(changed)):
        raise BadCallbackRequest("changedPropIds has duplicates")
    sent: list[tuple[Any, Any]] = []
    for entry in inputs if isinstance(inputs, list) else []:
        for item in entry if isinstance(entry, list) else [entry]:
            if isinstance(item, dict):
                sent.append((item.get("id"), item.get("property")))
    for prop_id in changed:
        ident, dot, prop = prop_id.rpartition(".")
        if not dot or not ident or not prop:
            raise BadCallbackRequest("changedPropIds entries must be <id>.<property>")
        parsed: Any = ident
        if ident.startswith("{"):
            try:
                parsed = json.loads(ident)
            except ValueError:
                raise BadCallbackRequest("changedPropIds: malformed component id") from None
            if not isinstance(parsed, dict):
                raise BadCallbackRequest("changedPropIds: malformed component id")
        if (parsed, prop) not in sent:
            raise BadCallbackRequest("changedPropIds names a property that is not an input")


# --------------------------------------------------------------------------- headers


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """CSP for the app: scripts only from our origin plus Dash's hashed inline scripts.

    ``style-src 'unsafe-inline'`` is required by plotly.js, which writes inline styles (E6);
    scripts need neither ``unsafe-inline`` nor ``unsafe-eval``.
    """
    # Dash returns the hashes already quoted ("'sha256-…'"), ready for the header.
    scripts = " ".join(["'self'", *script_hashes])
    directives = {
        "default-src": "'self'",
        "script-src": scripts,
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
    }
    return "; ".join(f"{k} {v}" for k, v in directives.items())


def security_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }


# --------------------------------------------------------------------------- wiring


def _plain(status: int, message: str) -> flask.Response:
    resp = flask.Response(message + "\n", status=status, mimetype="text/plain")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def request_id() -> str:
    """The current request's ID (from a well-formed ``X-Request-ID`` header, else generated)."""
    rid = getattr(flask.g, "request_id", None)
    if rid is None:
        sent = flask.request.headers.get("X-Request-ID", "")
        rid = sent if _REQUEST_ID_RE.match(sent) else uuid.uuid4().hex
        flask.g.request_id = rid
    return str(rid)


def host_allowed(host_header: str, allowed: Sequence[str]) -> bool:
    """Is the request's Host (port ignored) on the allow-list? An empty list allows any host.

    ``example.org`` matches exactly; ``.example.org`` matches it and every subdomain. With a
    list set, a DNS-rebinding page (its own name resolving to this server) is refused.
    """
    if not allowed:
        return True
    host = host_header.strip().lower()
    if host.startswith("["):  # [v6]:port
        host = host.split("]", 1)[0] + "]"
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if not host:
        return False
    for entry in allowed:
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == entry:
            return True
    return False


def _origin_allowed(settings: Settings) -> bool:
    site = flask.request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        origin = flask.request.headers.get("Origin", "")
        return origin in settings.trusted_origins
    origin = flask.request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    own = flask.request.host_url.rstrip("/")
    return origin == own or origin in settings.trusted_origins


def apply_hardening(app: Dash, settings: Settings) -> None:
    """Install limits, request checks, headers and error handlers on ``app.server``.

    Call after every callback is registered: the CSP hashes and the callback map are read then.
    """
    server: flask.Flask = app.server
    large: dict[str, int] = server.extensions.get(LARGE_BODIES, {})
    # The upload callback may take a larger body (allow_large_body); _check_request refuses
    # such a body for every other callback.
    largest = max([settings.max_request_bytes, *large.values()])
    server.config["MAX_CONTENT_LENGTH"] = largest
    # Every body (Content-Length or chunked) is read and bounded below Flask (issue 14).
    server.wsgi_app = BodyLimit(  # type: ignore[method-assign]
        server.wsgi_app, largest, settings.body_timeout_s
    )
    prefix = app.config.routes_pathname_prefix or "/"
    update_path = prefix + "_dash-update-component"
    suites_prefix = prefix + "_dash-component-suites/"
    health_path = prefix + "health"
    reload_path = prefix + "_reload-hash"
    # Responses that carry a per-load token or a user's data are never stored by a cache.
    no_store = {prefix + "_dash-layout", update_path}
    csp = content_security_policy(list(app.csp_hashes()))
    headers = security_headers(csp)

    @server.before_request
    def _check_request() -> flask.Response | None:
        rid = request_id()
        req = flask.request
        if req.path != health_path and not host_allowed(
            req.environ.get("HTTP_HOST", ""), settings.allowed_hosts
        ):
            log.warning("rid=%s refused a request for a host not in ESCC_ALLOWED_HOSTS", rid)
            return _plain(400, "Unknown host.")
        if req.path == reload_path and not settings.debug:
            return _plain(404, "Not found.")  # hot reload is a developer-mode feature
        if req.path != update_path:
            return None
        if req.method != "POST":
            return _plain(405, "Method not allowed.")
        if not _origin_allowed(settings):
            log.warning("rid=%s rejected cross-origin callback request", rid)
            return _plain(403, "Cross-origin requests are not accepted.")
        if req.mimetype != "application/json":
            return _plain(415, "Callback requests must be JSON.")
        length = req.content_length
        if length is not None and length > max([settings.max_request_bytes, *large.values()]):
            return _plain(413, "Request body too large.")
        try:
            raw = req.get_data(cache=True)
            body = json.loads(raw) if raw else None
        except HTTPException:
            raise
        except (ValueError, RecursionError, UnicodeDecodeError):
            return _plain(400, "Malformed JSON.")
        size = len(raw) if raw else 0
        if size > settings.max_request_bytes:
            output = body.get("output") if isinstance(body, dict) else None
            if not isinstance(output, str) or size > large.get(output, 0):
                return _plain(413, "Request body too large.")
        try:
            check_callback_body(body, app.callback_map)
        except BadCallbackRequest as exc:
            log.info("rid=%s rejected callback body: %s", rid, exc)
            return _plain(400, "Malformed callback request.")
        return None

    @server.after_request
    def _add_headers(resp: flask.Response) -> flask.Response:
        for name, value in headers.items():
            resp.headers.setdefault(name, value)
        path = flask.request.path
        if path in no_store or resp.mimetype == "text/html":
            # The index carries a per-load signed token; the layout and callback answers are
            # per user. Component bundles keep Dash's long-lived fingerprinted caching.
            resp.headers["Cache-Control"] = "no-store"
        resp.headers["X-Request-ID"] = request_id()
        return resp

    def _not_found(_exc: Exception) -> flask.Response:
        return _plain(404, "Not found.")

    server.register_error_handler(NotFound, _not_found)
    server.register_error_handler(DependencyException, _not_found)

    def _http_error(exc: HTTPException) -> flask.Response:
        code = exc.code or 500
        messages = {
            400: "Bad request.",
            403: "Forbidden.",
            405: "Method not allowed.",
            413: "Request body too large.",
            415: "Unsupported media type.",
        }
        return _plain(code, messages.get(code, exc.name or "Error."))

    server.register_error_handler(HTTPException, _http_error)

    def _unexpected(exc: Exception) -> flask.Response:
        rid = request_id()
        path = flask.request.path
        log.error("rid=%s unhandled %s on %s", rid, type(exc).__name__, path, exc_info=exc)
        if path == update_path:
            # Dash raised while dispatching a request that passed our shape check: the request
            # still did not fit what the framework expects, so it is a client error.
            return _plain(400, "The request could not be processed.")
        if path.startswith(suites_prefix):
            return _plain(404, "Not found.")
        return _plain(500, f"Internal error (request {rid}).")

    server.register_error_handler(Exception, _unexpected)


def install_error_banner_logging(
    show: Callable[[str], None],
) -> Callable[[Exception], None]:
    """Build Dash's global ``on_error`` handler.

    The user sees a plain-language message through ``show``; the server log gets exactly one
    ERROR line with request ID, callback output and exception type (UX-02). The exception text
    itself never reaches the client: for background callbacks it contains a traceback.
    """

    def _on_error(exc: Exception) -> None:
        output = "?"
        try:
            body = flask.request.get_json(silent=True)
            if isinstance(body, dict) and isinstance(body.get("output"), str):
                output = body["output"][:200]
        except RuntimeError:  # outside a request (background worker)
            pass
        rid = request_id() if flask.has_request_context() else "-"
        log.error(
            "rid=%s callback output=%s failed: %s", rid, output, type(exc).__name__, exc_info=exc
        )
        show(rid)

    return _on_error
