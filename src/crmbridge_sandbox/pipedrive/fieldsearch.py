"""``GET /api/v2/itemSearch/field``: find items by the value of one field (system or custom).

Unlike the full-text searches in ``search.py`` this match is **case-sensitive** and anchored by
``match``: ``exact`` (the default) wants the whole value, ``beginning`` a prefix, ``middle`` any
substring. ``field`` is a field key from the entity's fields API (a custom field by its 40-hex code);
only the searchable field types (``customfields.SEARCHABLE_TYPES``) can be searched.

Choices where the spec is silent (see the report / decision record):
- Each result is ``{"id": <item id>, <field key>: <the matching value>}`` (the spec's example shows
  ``{id, name}``; its schema names ``ItemSearchItem`` with no fixed keys), one per matching item, in id
  order; multi-valued fields (emails, phones) give the first matching value.
- An unknown field key, or a field whose type is not searchable, is a 400 in the usual error body.
- Leads have no fields API in the sandbox: their fields are ``title`` plus the deal custom fields
  (leads inherit those). The sandbox has no projects, so ``entity_type=project`` finds nothing.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .auth import require_access
from .common import JSON, cursor_page, ok, q_choice
from .customfields import SEARCHABLE_TYPES
from .errors import bad_request
from .store import Company, FieldDef

ENTITY_TYPES = ("deal", "lead", "person", "organization", "product", "project")
MATCHES = ("exact", "beginning", "middle")
TABLES = {
    "deal": "deals",
    "lead": "leads",
    "person": "persons",
    "organization": "organizations",
    "product": "products",
}
#: v1 field keys of person contact fields, still used by clients; the stored key is plural.
ALIASES = {("person", "email"): "emails", ("person", "phone"): "phones"}


def _fields(company: Company, entity: str) -> list[FieldDef]:
    if entity == "lead":
        return [FieldDef("title", "Title", "varchar"), *company.custom_fields("deal")]
    return company.fields.get(entity, [])


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value", value.get("amount"))
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _values(row: JSON, field: FieldDef) -> list[str]:
    """The field's values on ``row`` as strings (several for emails/phones)."""
    raw = (
        (row.get("custom_fields") or {}).get(field.field_code)
        if field.is_custom_field
        else row.get(field.field_code)
    )
    texts = [_text(v) for v in raw] if isinstance(raw, list) else [_text(raw)]
    return [t for t in texts if t]


def _matches(value: str, term: str, match: str) -> bool:
    if match == "exact":
        return value == term
    if match == "beginning":
        return value.startswith(term)
    return term in value


def _find_field(company: Company, entity: str, key: str) -> FieldDef:
    code = ALIASES.get((entity, key), key)
    field = next((f for f in _fields(company, entity) if f.field_code == code), None)
    if field is None:
        raise bad_request(f"Field '{key}' does not exist for entity_type '{entity}'")
    if field.field_type not in SEARCHABLE_TYPES:
        raise bad_request(
            f"Field '{key}' of type '{field.field_type}' is not searchable; searchable field types are "
            f"{', '.join(sorted(SEARCHABLE_TYPES))}"
        )
    return field


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if value is None or value == "":
        raise bad_request(f"Parameter '{name}' is required")
    return value


def _order(row: JSON) -> tuple[Any, ...]:
    """Numeric ids in order; lead UUIDs by creation time, then id."""
    row_id = row["id"]
    return (0, row_id, "") if isinstance(row_id, int) else (1, row.get("add_time") or "", str(row_id))


def found(company: Company, entity: str, key: str, term: str, match: str) -> list[JSON]:
    """``{id, key: value}`` for every live item whose field ``key`` matches ``term``."""
    if entity == "project":
        return []  # the sandbox keeps no projects
    field = _find_field(company, entity, key)
    rows = sorted(company.tables[TABLES[entity]].live(), key=_order)
    out: list[JSON] = []
    for row in rows:
        value = next((v for v in _values(row, field) if _matches(v, term, match)), None)
        if value is not None:
            out.append({"id": row["id"], key: value})
    return out


async def search_by_field(request: Request) -> Response:
    access = require_access(request, scopes_any=("search:read",), cost=20, search=True)
    term = _required(request, "term")
    entity = _required(request, "entity_type")
    if entity not in ENTITY_TYPES:
        raise bad_request(
            f"Parameter 'entity_type' must be one of: {', '.join(ENTITY_TYPES)}; got '{entity}'"
        )
    key = _required(request, "field")
    match = q_choice(request, "match", MATCHES, "exact")
    if match != "exact" and len(term) < 2:
        raise bad_request("Search term must be at least 2 characters long (or 1 with match=exact)")
    rows = found(access.company, entity, key, term, match)
    page, next_cursor = cursor_page(request, rows)
    return ok(page, {"next_cursor": next_cursor})


routes: list[BaseRoute] = [Route("/api/v2/itemSearch/field", search_by_field, methods=["GET"])]
