"""Build valid callback request bodies from ``app.callback_map`` (shared by contract tests)."""

from __future__ import annotations

import json
from typing import Any

UPDATE = "/_dash-update-component"


def _parse_id(raw: Any) -> Any:
    if isinstance(raw, str) and raw.startswith("{"):
        return json.loads(raw)
    return raw


def _concrete_id(declared: Any) -> Any:
    """A concrete component id for a declared (possibly pattern-matching) id."""
    declared = _parse_id(declared)
    if isinstance(declared, dict):
        return {k: ("x" if isinstance(v, list) else v) for k, v in declared.items()}
    return declared


def _split_outputs(key: str) -> list[tuple[str, str]]:
    """Callback keys are ``id.prop`` or ``..id1.prop1...id2.prop2..`` for multi-output."""
    if key.startswith(".."):
        parts = key.strip(".").split("...")
    else:
        parts = [key]
    out = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        out.append((ident, prop))
    return out


def _is_wildcard_all(declared: Any) -> bool:
    declared = _parse_id(declared)
    return isinstance(declared, dict) and any(
        isinstance(v, list) and v and v[0] in ("ALL", "ALLSMALLER") for v in declared.values()
    )


def _item(spec: dict[str, Any], value: Any) -> Any:
    entry = {"id": _concrete_id(spec["id"]), "property": spec["property"], "value": value}
    return [entry] if _is_wildcard_all(spec["id"]) else entry


def valid_body(key: str, spec: dict[str, Any], values: list[Any] | None = None) -> dict[str, Any]:
    inputs = spec.get("inputs", [])
    values = values if values is not None else [None] * len(inputs)
    outputs = [{"id": _concrete_id(ident), "property": prop} for ident, prop in _split_outputs(key)]
    body: dict[str, Any] = {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": [_item(s, v) for s, v in zip(inputs, values, strict=True)],
        "changedPropIds": [],
    }
    if spec.get("state"):
        body["state"] = [_item(s, None) for s in spec["state"]]
    return body


def post(
    client,
    body: Any,
    *,
    raw: str | bytes | None = None,
    content_type: str = "application/json",
    headers_rid: str | None = None,
):
    data = raw if raw is not None else json.dumps(body)
    headers = {"X-Request-ID": headers_rid} if headers_rid else None
    return client.post(UPDATE, data=data, content_type=content_type, headers=headers)


LEAK_MARKERS = (
    "Traceback",
    'File "',
    "/work/",
    "site-packages",
    "Error:",
    "Exception",
    "KeyError",
    "TypeError",
    "ValueError",
    "AttributeError",
    "IndexError",
)


def leaks(text: str) -> list[str]:
    return [marker for marker in LEAK_MARKERS if marker in text]
