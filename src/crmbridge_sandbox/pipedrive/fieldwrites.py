"""Custom-field writes on the v2 fields APIs: create, update and delete deal, person, organization,
product and project fields, and add, relabel or remove the options of their ``enum`` / ``set`` fields.

A new field's ``field_code`` is a 40-hex hash like Pipedrive's. ``field_type`` and ``field_code`` cannot
change; only custom fields can be renamed or deleted. The option operations are atomic: one bad item and
nothing is written. Which body attributes each entity takes comes from the v2 spec's request models.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..bodies import read_json
from .auth import require_access
from .common import JSON, json_body, missing, now_of, ok, v1_ok
from .errors import bad_request
from .fields import render
from .store import Company, FieldDef
from .validate import fail

#: URL segment → (entity, scopes that may write its fields).
WRITABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "dealFields": ("deal", ("admin", "deal-fields:full")),
    "personFields": ("person", ("admin", "contact-fields:full")),
    "organizationFields": ("organization", ("admin", "contact-fields:full")),
    "productFields": ("product", ("admin", "product-fields:full")),
    "projectFields": ("project", ("project-fields:full",)),
}
#: The types a field create accepts (the same list for the four entities).
CREATE_TYPES = ("varchar", "text", "double", "phone", "date", "daterange", "time", "timerange", "set",
                "enum", "varchar_auto", "address", "monetary", "org", "people", "user")  # fmt: skip
WITH_OPTIONS = ("enum", "set")
#: Settings namespaces (objects) each entity's field writes take; ``description`` is deal-only.
NAMESPACES: dict[str, tuple[str, ...]] = {
    "deal": ("ui_visibility", "important_fields", "required_fields"),
    "person": ("ui_visibility", "important_fields", "required_fields"),
    "organization": ("ui_visibility", "important_fields", "required_fields"),
    "product": ("ui_visibility",),
    "project": ("ui_visibility", "important_fields", "required_fields"),
}
MAX_LABEL = 255


def _allowed(entity: str, *, create: bool) -> tuple[str, ...]:
    base = ("field_name", "field_type", "options") if create else ("field_name",)
    return (*base, *NAMESPACES[entity], *(("description",) if entity == "deal" else ()))


def _field(company: Company, entity: str, code: str) -> FieldDef:
    found = next((f for f in company.fields.get(entity, []) if f.field_code == code), None)
    if found is None:
        raise missing()
    return found


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail("field_name", "a non-empty string", value)
    if len(value) > MAX_LABEL:
        raise bad_request(f"Invalid field 'field_name': at most {MAX_LABEL} characters")
    return value.strip()


def _label(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(where, "a non-empty string", value)
    if len(value) > MAX_LABEL:
        raise bad_request(f"Invalid field '{where}': at most {MAX_LABEL} characters")
    return value


def _settings(entity: str, body: JSON) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in NAMESPACES[entity]:
        if name in body:
            value = body[name]
            if not isinstance(value, dict):
                raise fail(name, "an object", value)
            out[name] = value
    return out


def _description(body: JSON) -> str | None:
    value = body.get("description")
    if value is not None and not isinstance(value, str):
        raise fail("description", "a string or null", value)
    return value


def _check_keys(entity: str, body: JSON, *, create: bool) -> None:
    allowed = _allowed(entity, create=create)
    if not create:
        fixed = sorted(k for k in body if k in ("field_type", "field_code", "options"))
        if fixed:
            raise bad_request(f"Field(s) {', '.join(fixed)} cannot be changed (edit options with /options)")
    unknown = sorted(k for k in body if k not in allowed)
    if unknown:
        raise bad_request(f"Unknown field(s): {', '.join(unknown)}")


def _next_option_id(company: Company) -> int:
    ids = [o["id"] for defs in company.fields.values() for f in defs for o in (f.options or [])]
    return max(ids, default=0) + 1


def add_custom_field(
    company: Company,
    entity: str,
    name: str,
    ftype: str,
    labels: list[str] | None,
    *,
    user_id: int,
    now: float,
    **extra: Any,
) -> FieldDef:
    """A new custom field of ``entity``, appended to the company's fields, whichever API version made it:
    a fresh 40-hex code, the next field id company-wide, option ids from the company's option sequence."""
    first = _next_option_id(company)
    options = (
        None if labels is None else [{"id": first + i, "label": label} for i, label in enumerate(labels)]
    )
    field = FieldDef(
        _new_code(company, name),
        name,
        ftype,
        is_custom_field=True,
        options=options,
        id=max((f.id for d in company.fields.values() for f in d), default=0) + 1,
        add_time=now,
        created_by=user_id,
        **extra,
    )
    company.fields.setdefault(entity, []).append(field)
    return field


def _new_code(company: Company, name: str) -> str:
    """A 40-hex code (SHA-1 sized, as Pipedrive's are) no field of the company already has."""
    taken = {f.field_code for defs in company.fields.values() for f in defs}
    while True:
        code = hashlib.sha1(f"{company.id}:{name}:{secrets.token_hex(8)}".encode()).hexdigest()
        if code not in taken:
            return code


def _option_items(body: Any, keys: tuple[str, ...]) -> list[JSON]:
    """A non-empty array of objects with exactly the attributes ``keys`` (all required)."""
    if not isinstance(body, list) or not body:
        raise bad_request("Request body must be a non-empty JSON array of options")
    for i, item in enumerate(body):
        if not isinstance(item, dict):
            raise fail(f"[{i}]", "an object", item)
        extra = sorted(set(item) - set(keys))
        lacking = [k for k in keys if k not in item]
        if extra or lacking:
            raise bad_request(f"Option [{i}] must have exactly: {', '.join(keys)}")
        if "id" in keys and (isinstance(item["id"], bool) or not isinstance(item["id"], int)):
            raise fail(f"[{i}].id", "an integer", item["id"])
        if "label" in keys:
            _label(f"[{i}].label", item["label"])
    return body


def _routes(segment: str, entity: str, scopes: tuple[str, ...]) -> list[BaseRoute]:
    async def create(request: Request) -> Response:
        access = require_access(request, scopes_any=scopes, cost=5)
        body = await json_body(request)
        _check_keys(entity, body, create=True)
        lacking = [k for k in ("field_name", "field_type") if k not in body]
        if lacking:
            raise bad_request(f"Field(s) {', '.join(lacking)} are required")
        name, ftype = _name(body["field_name"]), body["field_type"]
        if ftype not in CREATE_TYPES:
            raise fail("field_type", "one of " + ", ".join(CREATE_TYPES), ftype)
        labels: list[str] | None = None
        if ftype in WITH_OPTIONS:
            labels = [o["label"] for o in _option_items(body.get("options"), ("label",))]
        elif "options" in body:
            raise bad_request(f"Field 'options' is only for fields of type {' or '.join(WITH_OPTIONS)}")
        field = add_custom_field(
            access.company,
            entity,
            name,
            ftype,
            labels,
            user_id=access.user.id,
            now=now_of(request),
            description=_description(body),
            settings=_settings(entity, body),
        )
        return ok(render(field, entity))

    async def update(request: Request) -> Response:
        access = require_access(request, scopes_any=scopes, cost=5)
        field = _field(access.company, entity, request.path_params["field_code"])
        body = await json_body(request)
        _check_keys(entity, body, create=False)
        if not body:
            raise bad_request("At least one field must be given")
        if not field.is_custom_field and ("field_name" in body or "description" in body):
            raise bad_request(f"System field '{field.field_code}' cannot be renamed")
        name = _name(body["field_name"]) if "field_name" in body else field.field_name
        settings = _settings(entity, body)
        description = _description(body) if "description" in body else field.description
        field.field_name, field.description = name, description
        field.settings = {**field.settings, **settings}
        field.update_time, field.updated_by = now_of(request), access.user.id
        return ok(render(field, entity))

    async def delete(request: Request) -> Response:
        access = require_access(request, scopes_any=scopes, cost=3)
        field = _field(access.company, entity, request.path_params["field_code"])
        if not field.is_custom_field:
            raise bad_request(f"System field '{field.field_code}' cannot be deleted")
        access.company.fields[entity].remove(field)
        return ok(render(field, entity))

    def _option_field(request: Request, company: Company) -> FieldDef:
        field = _field(company, entity, request.path_params["field_code"])
        if field.field_type not in WITH_OPTIONS or not field.is_custom_field:
            raise bad_request(f"Field '{field.field_code}' is not a custom enum or set field")
        return field

    async def add_options(request: Request) -> Response:
        access = require_access(request, scopes_any=scopes, cost=5)
        field = _option_field(request, access.company)
        items = _option_items(await json_body_any(request), ("label",))
        first = _next_option_id(access.company)
        added = [{"id": first + i, "label": o["label"]} for i, o in enumerate(items)]
        field.options = [*(field.options or []), *added]
        return v1_ok(added)  # the option endpoints carry ``additional_data: null``

    async def update_options(request: Request) -> Response:
        access = require_access(request, scopes_any=scopes, cost=5)
        field = _option_field(request, access.company)
        items = _option_items(await json_body_any(request), ("id", "label"))
        by_id = {o["id"]: o for o in field.options or []}
        _known(field, by_id, items)
        for item in items:
            by_id[item["id"]]["label"] = item["label"]
        return v1_ok([dict(by_id[item["id"]]) for item in items])

    async def delete_options(request: Request) -> Response:
        access = require_access(request, scopes_any=scopes, cost=3)
        field = _option_field(request, access.company)
        items = _option_items(await json_body_any(request), ("id",))
        by_id = {o["id"]: o for o in field.options or []}
        _known(field, by_id, items)
        gone = {item["id"] for item in items}
        field.options = [o for o in field.options or [] if o["id"] not in gone]
        return v1_ok([dict(by_id[i]) for i in dict.fromkeys(item["id"] for item in items)])

    one = f"/api/v2/{segment}/{{field_code}}"
    return [
        Route(f"/api/v2/{segment}", create, methods=["POST"]),
        Route(one, update, methods=["PATCH"]),
        Route(one, delete, methods=["DELETE"]),
        Route(one + "/options", add_options, methods=["POST"]),
        Route(one + "/options", update_options, methods=["PATCH"]),
        Route(one + "/options", delete_options, methods=["DELETE"]),
    ]


def _known(field: FieldDef, by_id: dict[int, JSON], items: list[JSON]) -> None:
    unknown = [str(item["id"]) for item in items if item["id"] not in by_id]
    if unknown:
        raise bad_request(f"Field '{field.field_code}' has no option(s) with id {', '.join(unknown)}")


async def json_body_any(request: Request) -> Any:
    """The option operations take a JSON array, not an object."""
    return await read_json(request)


routes: list[BaseRoute] = [
    r for seg, (entity, scopes) in WRITABLE.items() for r in _routes(seg, entity, scopes)
]
