"""Request plumbing shared by the record, batch, property, pipeline, schema and owner routes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from .. import numbers
from ..badinput import BadInput
from ..bodies import read_json as read_json_value
from .auth import Access, authenticate, require_access
from .errors import HubSpotError, validation
from .store import CUSTOM_SCOPES, ObjectType, Portal


def resolve_type(portal: Portal, ref: str) -> ObjectType:
    """The object type a path names; HubSpot answers 400 when it cannot tell."""
    found = portal.resolve_type(ref)
    if found is None:
        raise validation(f"Unable to infer object type from: {ref}")
    return found


def read_scopes(object_type: ObjectType) -> tuple[str, ...]:
    return CUSTOM_SCOPES[0] if object_type.custom else object_type.read_scopes


def write_scopes(object_type: ObjectType) -> tuple[str, ...]:
    return CUSTOM_SCOPES[1] if object_type.custom else object_type.write_scopes


def schema_write_scopes(object_type: ObjectType) -> tuple[str, ...]:
    key = "custom" if object_type.custom else object_type.name
    return (*write_scopes(object_type), f"crm.schemas.{key}.write")


async def json_value(request: Request) -> Any:
    """The parsed body, any JSON value (an empty body is None), or HubSpot's 400 for malformed input."""
    try:
        return await read_json_value(request)
    except BadInput as exc:
        message = f"Invalid input JSON: {exc.message}" if exc.status_code == 400 else exc.message
        raise HubSpotError(exc.status_code, "VALIDATION_ERROR", message) from None


async def read_json(request: Request) -> dict[str, Any]:
    """The JSON object body, or HubSpot's 400 for malformed input."""
    body = await json_value(request)
    if not isinstance(body, dict):
        raise validation("Invalid input JSON: the request body must be a JSON object")
    return body


def flag(request: Request, name: str, default: bool = False) -> bool:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise validation(f"Invalid value for query parameter {name!r}: {raw!r} (use true or false)")
    return value == "true"


def bounded_int(raw: str | None, name: str, default: int, *, low: int, high: int) -> int:
    """An integer from a query or body value; a 400 naming the bound it broke."""
    if raw is None or raw == "":
        return default
    return numbers.whole(raw, name, low=low, high=high)


def int_param(request: Request, name: str, default: int, *, low: int, high: int) -> int:
    return bounded_int(request.query_params.get(name), name, default, low=low, high=high)


def multi(request: Request, name: str) -> list[str] | None:
    """A CSV-or-repeated query parameter; None when absent."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    return names


def conflict(message: str, category: str = "CONFLICT") -> HubSpotError:
    return HubSpotError(409, category, message)


def next_link(request: Request, after: str) -> str:
    return str(request.url.include_query_params(after=after))


def typed_access(request: Request, *, write: bool = False) -> tuple[Access, ObjectType]:
    """Authenticate, resolve the path's ``object_type`` and check the type's read or write scopes."""
    object_type = resolve_type(authenticate(request).portal, request.path_params["object_type"])
    scopes = write_scopes(object_type) if write else read_scopes(object_type)
    return require_access(request, scopes_any=scopes), object_type
