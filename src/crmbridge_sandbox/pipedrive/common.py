"""What every Pipedrive route shares: the envelope, bodies, query parameters, times and both paginations."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from .. import numbers
from ..badinput import BadInput
from ..bodies import parse_json, read_bytes, read_form, read_json
from .auth import sandbox_of
from .errors import PipedriveError, bad_request

JSON = dict[str, Any]


def ok(
    data: Any,
    additional_data: JSON | None = None,
    *,
    status_code: int = 200,
    related_objects: JSON | None = None,
) -> JSONResponse:
    """``{"success": true, "data": …, "additional_data": …}`` (v1 may add ``related_objects``)."""
    body: JSON = {"success": True, "data": data}
    if additional_data is not None:
        body["additional_data"] = additional_data
    if related_objects is not None:
        body["related_objects"] = related_objects
    return JSONResponse(body, status_code=status_code)


def v1_ok(data: Any) -> JSONResponse:
    """A v1 answer without extra data still carries ``additional_data: null``."""
    return JSONResponse({"success": True, "data": data, "additional_data": None})


def missing() -> PipedriveError:
    """Pipedrive's 404 body exactly as documented (no ``errorCode``)."""
    return PipedriveError(
        404, "Entity was not found", error_info="Object was not found.", with_error_code=False
    )


def now_of(request: Request) -> float:
    return sandbox_of(request).ctx.clock.now()


def public(row: JSON) -> JSON:
    """A stored row as the API shows it: without sandbox bookkeeping (``_*`` keys, ``deleted_at``)."""
    return {k: v for k, v in row.items() if not k.startswith("_") and k != "deleted_at"}


# ---- times -------------------------------------------------------------------------------------------


def rfc3339(ts: float) -> str:
    """v2 timestamps: ``2024-01-01T00:00:00Z``."""
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def v1_time(ts: float) -> str:
    """v1 timestamps (notes): ``2024-01-01 00:00:00`` UTC."""
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso_ms(ts: float) -> str:
    """v1 lead timestamps: ``2024-01-01T00:00:00.000Z``."""
    dt = datetime.fromtimestamp(ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_time(value: str) -> float | None:
    """An RFC 3339 / ``YYYY-MM-DD HH:MM:SS`` / ``YYYY-MM-DD`` string as epoch seconds, else None."""
    text = value.strip().replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


# ---- bodies ------------------------------------------------------------------------------------------


async def json_body(request: Request) -> JSON:
    """v2 accepts JSON object bodies only."""
    raw = await read_bytes(request)
    if not raw.strip():
        return {}
    ctype = request.headers.get("content-type", "")
    if "json" not in ctype and ctype:
        raise bad_request("Request body must be JSON (Content-Type: application/json)")
    return _object(parse_json(raw))


def _object(data: Any) -> JSON:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise bad_request("Request body must be a JSON object")
    return data


async def v1_body(request: Request) -> JSON:
    """v1 accepts JSON or form-encoded (``application/x-www-form-urlencoded``) bodies."""
    ctype = request.headers.get("content-type", "")
    if "multipart/form-data" in ctype:
        raise bad_request("Send the body as JSON or application/x-www-form-urlencoded")
    if "application/x-www-form-urlencoded" in ctype:
        return dict(await read_form(request))
    return _object(await read_json(request))


def coerce_form_ints(body: JSON, keys: Iterable[str]) -> JSON:
    """Form-encoded v1 bodies carry ids as strings: turn digit strings of ``keys`` into ints."""
    out = dict(body)
    for key in keys:
        raw = out.get(key)
        if isinstance(raw, str) and raw.strip():
            try:
                out[key] = numbers.whole(raw, f"Field '{key}'")
            except BadInput:
                continue  # not a number: the field's own validation says so
    return out


# ---- query parameters --------------------------------------------------------------------------------


def q_int(
    request: Request, name: str, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    return numbers.whole(raw, f"Parameter '{name}'", low=minimum, high=maximum)


def q_int_list(request: Request, name: str, *, max_items: int = 100) -> list[int] | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    parts = [p for p in raw.split(",") if p.strip()]
    if len(parts) > max_items:
        raise bad_request(f"Parameter '{name}' accepts at most {max_items} values")
    return [numbers.whole(p, f"Each value of parameter '{name}'") for p in parts]


def q_bool(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    table = {"true": True, "1": True, "false": False, "0": False}
    if raw.lower() not in table:
        raise bad_request(f"Parameter '{name}' must be true or false, got '{raw}'")
    return table[raw.lower()]


def q_choice(request: Request, name: str, choices: Sequence[str], default: str) -> str:
    raw = request.query_params.get(name) or default
    if raw not in choices:
        raise bad_request(f"Parameter '{name}' must be one of: {', '.join(choices)}; got '{raw}'")
    return raw


def q_time(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    value = parse_time(raw)
    if value is None:
        raise bad_request(f"Parameter '{name}' must be an RFC 3339 timestamp like 2024-01-01T00:00:00Z")
    return value


# ---- pagination --------------------------------------------------------------------------------------


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = parse_json(base64.urlsafe_b64decode(padded.encode()))
        offset = data["offset"]
        if isinstance(offset, str):
            raise TypeError
        return numbers.whole(offset, "cursor offset", low=0)
    except (ValueError, KeyError, TypeError, binascii.Error):  # BadInput is a ValueError
        raise bad_request("Invalid cursor") from None


def cursor_page(request: Request, rows: Sequence[Any], *, maximum: int = 500) -> tuple[list[Any], str | None]:
    """Cut one v2 page: ``limit`` (default 100, capped) from the opaque ``cursor``; next cursor or None."""
    limit = q_int(request, "limit", minimum=1, maximum=maximum) or 100
    limit = min(limit, maximum)
    raw = request.query_params.get("cursor")
    start = decode_cursor(raw) if raw else 0
    page = list(rows[start : start + limit])
    nxt = start + limit
    return page, (encode_cursor(nxt) if nxt < len(rows) else None)


def offset_page(request: Request, rows: Sequence[Any]) -> tuple[list[Any], JSON]:
    """Cut one v1 page: ``start``/``limit``; returns the page and ``additional_data.pagination``."""
    start = q_int(request, "start", minimum=0) or 0
    limit = q_int(request, "limit", minimum=1, maximum=500) or 100
    page = list(rows[start : start + limit])
    more = start + limit < len(rows)
    pagination: JSON = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return page, pagination


def sort_rows(rows: Iterable[JSON], key: str, direction: str) -> list[JSON]:
    """Sort by ``key`` (ties and missing values fall back to id), ``asc`` or ``desc``."""

    def sort_key(row: JSON) -> tuple[bool, Any, Any]:
        value = row.get(key)
        return (value is None, value if value is not None else 0, row.get("id"))

    return sorted(rows, key=sort_key, reverse=direction == "desc")
