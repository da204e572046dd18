"""v1 fields APIs (``/v1/dealFields`` …): the company's field definitions the v2 fields APIs serve, in v1's
shape: an integer ``id``, ``key`` (the v2 ``field_code``), ``name`` and flags; offset pages; ``PUT``
updates; delete one or many by id.

One source of truth: a field made here is read by v2 by ``field_code == key`` and the other way round;
``add_visible_flag`` is the v2 ``ui_visibility.add_visible_flag``. Scopes, types and the 201/410 of product
fields follow the v1 spec (as the official npm client's v1 models generate it). Activity fields are read
only: the v1 spec has no writes for them (nor does v2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from . import fieldextras
from .auth import require_access
from .common import JSON, missing, now_of, offset_page, ok, q_int_list, v1_body, v1_time
from .customfields import SEARCHABLE_TYPES
from .errors import PipedriveError, bad_request
from .fields import SUBFIELDS
from .fieldwrites import MAX_LABEL, WITH_OPTIONS, _next_option_id, add_custom_field
from .store import Company, FieldDef
from .validate import fail


@dataclass(frozen=True, slots=True)
class Family:
    """One v1 fields API: its entity, the scopes that read and write it (no writes: ``()``)."""

    entity: str
    read: tuple[str, ...]
    write: tuple[str, ...] = ()

    @property
    def product(self) -> bool:
        """Product fields differ: 201 on create, 410 for an unknown id, no ``add_visible_flag`` write."""
        return self.entity == "product"


CONTACTS_READ = ("contacts:read", "contacts:full", "contact-fields:full", "admin")
FAMILIES: dict[str, Family] = {
    "dealFields": Family("deal", ("deals:read", "deals:full", "deal-fields:full", "admin"),
                         ("deal-fields:full", "admin")),
    "personFields": Family("person", CONTACTS_READ, ("contact-fields:full", "admin")),
    "organizationFields": Family("organization", CONTACTS_READ, ("contact-fields:full", "admin")),
    "productFields": Family("product", ("products:read", "product-fields:full", "products:full"),
                            ("product-fields:full", "products:full")),
    "activityFields": Family("activity", ("activities:read", "activities:full")),
}  # fmt: skip
#: ``field_type`` a v1 create takes (CreateFieldRequest; product fields: the same minus ``visible_to``).
CREATE_TYPES = ("address", "date", "daterange", "double", "enum", "monetary", "org", "people", "phone", "set",
                "text", "time", "timerange", "user", "varchar", "varchar_auto", "visible_to")  # fmt: skip
PRODUCT_TYPES = tuple(t for t in CREATE_TYPES if t != "visible_to")
#: v1 token costs: list 20, get 2, create/update 10, delete 6, bulk delete 10.
COST = {"list": 20, "get": 2, "write": 10, "delete": 6, "bulk": 10}
#: System fields nobody edits (so no bulk edit either) and the ones an add form requires (our pick).
READ_ONLY = frozenset({"id", "add_time", "update_time", "creator_user_id", "close_time", "won_time",
                       "lost_time", "status_change_time", "archive_time", "creator_id", "is_archived"})  # fmt: skip
MANDATORY = frozenset({("deal", "title"), ("person", "name"), ("organization", "name"), ("product", "name"),
                       ("note", "content"), ("lead", "title")})  # fmt: skip


def render(company: Company, entity: str, field: FieldDef, order_nr: int) -> JSON:
    """A field as a v1 Field object (product fields too: the spec's examples show them in the same shape)."""
    extra = fieldextras.add(company, entity, {}, ["ui_visibility", "important_fields", "required_fields"],
                            field.settings)  # fmt: skip
    ui, important, required = extra["ui_visibility"], extra["important_fields"], extra["required_fields"]
    added = company.created_at if field.add_time is None else field.add_time
    admin = company.admin().id
    creator = field.created_by or admin  # the spec's examples name a user for system fields too
    updater = field.updated_by or creator
    custom = field.is_custom_field
    out: JSON = {
        "id": field.id,
        "key": field.field_code,
        "name": field.field_name,
        "order_nr": order_nr,
        "field_type": field.field_type,
        "add_time": v1_time(added),
        "update_time": v1_time(added if field.update_time is None else field.update_time),
        "last_updated_by_user_id": updater,
        "created_by_user_id": creator,
        "active_flag": True,
        "edit_flag": custom,
        "index_visible_flag": True,
        "details_visible_flag": bool(ui.get("details_visible_flag", True)),
        "add_visible_flag": bool(ui.get("add_visible_flag", True)),
        "important_flag": bool(important.get("enabled", False)),
        "bulk_edit_allowed": custom or field.field_code not in READ_ONLY,
        # the spec's examples: system fields are not searchable; custom ones are when their type is
        "searchable_flag": custom and field.field_type in SEARCHABLE_TYPES,
        "filtering_allowed": True,
        "sortable_flag": True,
        "mandatory_flag": bool(required.get("enabled", False)) or (entity, field.field_code) in MANDATORY,
        "options": [dict(o) for o in field.options] if field.options is not None else None,
    }
    subfields = SUBFIELDS.get(field.field_type)
    if subfields:
        out["subfields"] = [
            {"id": None, "key": f"{field.field_code}_{code}", "name": name, "field_type": ftype,
             "is_subfield": True}
            for code, name, ftype in subfields
        ]  # fmt: skip
    return out


def render_all(company: Company, entity: str, defs: list[FieldDef]) -> list[JSON]:
    return [render(company, entity, f, i + 1) for i, f in enumerate(defs)]


def list_response(request: Request, rows: list[JSON]) -> Response:
    """A v1 offset page of fields (``additional_data.pagination``, as v1 lists answer)."""
    page, pagination = offset_page(request, rows)
    return ok(page, {"pagination": pagination})


def _gone() -> PipedriveError:
    """The v1 spec answers an unknown product field id with 410 (its example's message)."""
    return PipedriveError(410, "The field is not found")


def _find(company: Company, family: Family, field_id: int, *, gone: bool = False) -> tuple[FieldDef, int]:
    defs = company.fields.get(family.entity, [])
    for i, field in enumerate(defs):
        if field.id == field_id:
            return field, i + 1
    raise _gone() if gone and family.product else missing()


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail("name", "a non-empty string", value)
    if len(value) > MAX_LABEL:
        raise bad_request(f"Invalid field 'name': at most {MAX_LABEL} characters")
    return value.strip()


def _flag(value: Any) -> bool:
    """v1 flags: true/false, 1/0 or their strings (form bodies)."""
    table: dict[Any, bool] = {"1": True, "0": False, "true": True, "false": False}
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in table:
        return table[value.lower()]
    raise fail("add_visible_flag", "a boolean", value)


def _options(raw: Any) -> list[JSON]:
    """A non-empty array of ``{label}`` / ``{id, label}`` objects (a JSON string too: form bodies)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise fail("options", "a JSON array of {label} objects", raw) from None
    if not isinstance(raw, list) or not raw:
        raise fail("options", "a non-empty array of {label} objects", raw)
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) - {"id", "label"} or "label" not in item:
            raise fail(f"options[{i}]", "an object {label} or {id, label}", item)
        label = item["label"]
        if not isinstance(label, str) or not label.strip():
            raise fail(f"options[{i}].label", "a non-empty string", label)
        if len(label) > MAX_LABEL:
            raise bad_request(f"Invalid field 'options[{i}].label': at most {MAX_LABEL} characters")
        if "id" in item and (isinstance(item["id"], bool) or not isinstance(item["id"], int)):
            raise fail(f"options[{i}].id", "an integer", item["id"])
    return raw


def _visible(settings: dict[str, Any], body: JSON, family: Family) -> dict[str, Any]:
    """``settings`` with the body's ``add_visible_flag`` applied (checked first; products have none)."""
    if family.product or "add_visible_flag" not in body:
        return settings
    ui = {**settings.get("ui_visibility", {}), "add_visible_flag": _flag(body["add_visible_flag"])}
    return {**settings, "ui_visibility": ui}


def _replace_options(company: Company, field: FieldDef, items: list[JSON]) -> list[JSON]:
    """v1 PUT sends every option to keep: known ids are relabelled, id-less items added, the rest dropped."""
    by_id = {o["id"]: o for o in field.options or []}
    unknown = [str(i["id"]) for i in items if "id" in i and i["id"] not in by_id]
    if unknown:
        raise bad_request(f"Field '{field.field_code}' has no option(s) with id {', '.join(unknown)}")
    next_id = _next_option_id(company)
    kept: list[JSON] = []
    for item in items:
        if "id" in item:
            kept.append({**by_id[item["id"]], "label": item["label"]})
        else:
            kept.append({"id": next_id, "label": item["label"]})
            next_id += 1
    return kept


def _routes(segment: str, family: Family) -> list[BaseRoute]:
    entity = family.entity

    async def list_(request: Request) -> Response:
        access = require_access(request, scopes_any=family.read, cost=COST["list"])
        return list_response(
            request, render_all(access.company, entity, access.company.fields.get(entity, []))
        )

    async def get(request: Request) -> Response:
        access = require_access(request, scopes_any=family.read, cost=COST["get"])
        field, order = _find(access.company, family, request.path_params["id"], gone=True)
        return ok(render(access.company, entity, field, order))

    async def create(request: Request) -> Response:
        access = require_access(request, scopes_any=family.write, cost=COST["write"])
        body = await v1_body(request)  # unknown keys are ignored, as v1 does (our pick for the sandbox)
        lacking = [k for k in ("name", "field_type") if k not in body]
        if lacking:
            raise bad_request(f"Field(s) {', '.join(lacking)} are required")
        name, ftype = _name(body["name"]), body["field_type"]
        types = PRODUCT_TYPES if family.product else CREATE_TYPES
        if ftype not in types:
            raise fail("field_type", "one of " + ", ".join(types), ftype)
        company = access.company
        labels: list[str] | None = None
        if ftype in WITH_OPTIONS:
            if "options" not in body:
                raise bad_request(f"Field 'options' is required for fields of type {ftype}")
            items = _options(body["options"])
            if any("id" in item for item in items):
                raise bad_request("New options take only a label")
            labels = [o["label"] for o in items]
        elif body.get("options") not in (None, "", []):
            raise bad_request(f"Field 'options' is only for fields of type {' or '.join(WITH_OPTIONS)}")
        settings = _visible({}, body, family)
        field = add_custom_field(
            company,
            entity,
            name,
            ftype,
            labels,
            user_id=access.user.id,
            now=now_of(request),
            settings=settings,
        )
        position = len(company.fields[entity])
        return ok(render(company, entity, field, position), status_code=201 if family.product else 200)

    async def update(request: Request) -> Response:
        access = require_access(request, scopes_any=family.write, cost=COST["write"])
        company = access.company
        field, order = _find(company, family, request.path_params["id"])
        body = await v1_body(request)
        known = ("name", "options") if family.product else ("name", "options", "add_visible_flag")
        if not any(k in body for k in known):
            raise bad_request(f"Give at least one of: {', '.join(known)}")
        if not field.is_custom_field and ("name" in body or "options" in body):
            raise bad_request(f"System field '{field.field_code}' cannot be renamed or get options")
        name = _name(body["name"]) if "name" in body else field.field_name
        options = field.options
        if "options" in body:
            if field.field_type not in WITH_OPTIONS:
                raise bad_request(f"Field '{field.field_code}' is not an enum or set field")
            options = _replace_options(company, field, _options(body["options"]))
        field.settings = _visible(field.settings, body, family)
        field.field_name, field.options = name, options
        field.update_time, field.updated_by = now_of(request), access.user.id
        return ok(render(company, entity, field, order))

    async def delete(request: Request) -> Response:
        access = require_access(request, scopes_any=family.write, cost=COST["delete"])
        field, _order = _find(access.company, family, request.path_params["id"], gone=True)
        if not field.is_custom_field:
            raise bad_request(f"System field '{field.field_code}' cannot be deleted")
        access.company.fields[entity].remove(field)
        return ok({"id": field.id})

    async def delete_many(request: Request) -> Response:
        access = require_access(request, scopes_any=family.write, cost=COST["bulk"])
        ids = q_int_list(request, "ids")
        if not ids:
            raise bad_request("Parameter 'ids' is required: comma-separated field ids")
        found = [_find(access.company, family, i)[0] for i in dict.fromkeys(ids)]  # all or nothing
        system = [f.field_code for f in found if not f.is_custom_field]
        if system:
            raise bad_request(f"System field(s) {', '.join(system)} cannot be deleted")
        for field in found:
            access.company.fields[entity].remove(field)
        return ok({"id": [f.id for f in found]})

    one = f"/v1/{segment}/" + id_param("id")
    routes: list[BaseRoute] = [Route(f"/v1/{segment}", list_, methods=["GET"])]
    if family.write:
        routes += [
            Route(f"/v1/{segment}", create, methods=["POST"]),
            Route(f"/v1/{segment}", delete_many, methods=["DELETE"]),
            Route(one, get, methods=["GET"]),
            Route(one, update, methods=["PUT"]),
            Route(one, delete, methods=["DELETE"]),
        ]
    return routes


routes: list[BaseRoute] = [r for seg, family in FAMILIES.items() for r in _routes(seg, family)]
