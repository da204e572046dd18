"""HubSpot object types: the names users and seeds say, the API's path names, and their scopes.

Scope facts: tickets use the ``tickets`` scope, engagements (notes, calls, tasks, meetings, emails,
postal mail) use the contacts scopes, custom objects ``crm.objects.custom.*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...engine.coercion import enum_member
from ...errors import InvalidInput

__all__ = ["ENTITY_NAMES", "ObjectType", "object_type"]


@dataclass(frozen=True, slots=True)
class ObjectType:
    api_name: str
    read_scope: str
    write_scope: str


def _crm(name: str, scope_name: str | None = None) -> ObjectType:
    scope = scope_name or name
    return ObjectType(name, f"crm.objects.{scope}.read", f"crm.objects.{scope}.write")


_CONTACT_SCOPED = ObjectType("", "crm.objects.contacts.read", "crm.objects.contacts.write")

#: Seed 004's entity names (and the API's own spellings) → object type.
OBJECT_TYPES: dict[str, ObjectType] = {
    "contacts": _crm("contacts"),
    "companies": _crm("companies"),
    "deals": _crm("deals"),
    "tickets": ObjectType("tickets", "tickets", "tickets"),
    "products": _crm("products"),
    "line_items": _crm("line_items"),
    "quotes": _crm("quotes"),
    "calls": ObjectType("calls", _CONTACT_SCOPED.read_scope, _CONTACT_SCOPED.write_scope),
    "emails": ObjectType("emails", _CONTACT_SCOPED.read_scope, _CONTACT_SCOPED.write_scope),
    "meetings": ObjectType("meetings", _CONTACT_SCOPED.read_scope, _CONTACT_SCOPED.write_scope),
    "notes": ObjectType("notes", _CONTACT_SCOPED.read_scope, _CONTACT_SCOPED.write_scope),
    "tasks": ObjectType("tasks", _CONTACT_SCOPED.read_scope, _CONTACT_SCOPED.write_scope),
    "postal_mail": ObjectType("postal_mail", _CONTACT_SCOPED.read_scope, _CONTACT_SCOPED.write_scope),
}
_ALIASES = {"lineItems": "line_items", "postalMails": "postal_mail", "postalMail": "postal_mail"}
#: What the generic tools accept for ``entity`` (custom objects by ``2-…`` id or ``p_…`` name too).
ENTITY_NAMES: tuple[str, ...] = (
    "companies", "contacts", "deals", "lineItems", "products", "tickets", "quotes",
    "calls", "emails", "meetings", "notes", "postalMails", "tasks",
)  # fmt: skip
_CUSTOM_ID = re.compile(r"^(2-\d+|p\d+_\w+)$")
_CUSTOM = ObjectType("", "crm.objects.custom.read", "crm.objects.custom.write")


def object_type(entity: str) -> ObjectType:
    """Map an entity name to its API name and scopes; custom objects pass through by id or name."""
    key = _ALIASES.get(entity, entity)
    found = OBJECT_TYPES.get(key) or OBJECT_TYPES.get(enum_member(key, tuple(OBJECT_TYPES)))
    if found is not None:
        return found
    if _CUSTOM_ID.match(entity):
        return ObjectType(entity, _CUSTOM.read_scope, _CUSTOM.write_scope)
    raise InvalidInput(
        f"'entity' {entity!r} is not a HubSpot object type; use one of: {', '.join(ENTITY_NAMES)}, "
        "or a custom object's id (2-…) or fully qualified name (p…_name).",
        field="entity",
        allowed=list(ENTITY_NAMES),
    )
