"""Shared pieces of the generic HubSpot tools' definitions: annotations and input-schema fragments.

The code their preparers share (object types, search bodies, scopes, association lookups) is in
``generic_prepare``, which loads with the first call (start-up cost).
"""

from __future__ import annotations

from typing import Any

from ...spec import Annotations

READ = Annotations(read_only=True, idempotent=True)
ENTITY_HELP = (
    "companies, contacts, deals, tickets, products, lineItems, quotes, calls, emails, meetings, notes, "
    "tasks, postalMails, or a custom object id (2-…) / name (p…_name)."
)
OPERATORS = ["EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
             "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"]  # fmt: skip
_SCALAR = {"type": ["string", "number", "boolean"]}
FILTER_GROUPS: dict[str, Any] = {
    "type": "array",
    "description": "Groups are ORed, filters in a group ANDed. BETWEEN uses value+highValue, IN uses values.",
    "items": {
        "type": "object",
        "properties": {
            "filters": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "propertyName": {"type": "string"},
                        "operator": {"enum": OPERATORS},
                        "value": {},
                        "highValue": {},
                        "values": {"type": "array"},
                    },
                    "required": ["propertyName", "operator"],
                },
            }
        },
        "required": ["filters"],
    },
}
_SEARCH_FIELDS: dict[str, Any] = {
    "query": {"type": "string", "description": "Free text."},
    "filterGroups": FILTER_GROUPS,
    "properties": {"type": "array", "items": {"type": "string"}, "description": "Properties to return."},
    "sorts": {
        "type": "array",
        "maxItems": 1,
        "items": {"type": ["string", "object"]},
        "description": 'One sort: "amount", "-amount" (descending) or {propertyName, direction}.',
    },
    "limit": {"type": "integer", "minimum": 1, "maximum": 200},
    "after": {"type": ["string", "integer"], "description": "Cursor from next_cursor."},
}
#: A search request's input: free text, filter groups, properties to return, one sort and paging.
SEARCH: dict[str, Any] = {"type": "object", "properties": _SEARCH_FIELDS, "additionalProperties": False}
PROPERTY_VALUES: dict[str, Any] = {
    "type": "object",
    "description": 'Property name → value; "" clears a value.',
    "additionalProperties": _SCALAR,
}


def object_schema(required: list[str], **fields: Any) -> dict[str, Any]:
    """A closed input object: ``fields`` as its properties, ``required`` (possibly empty) listed."""
    return {"type": "object", "properties": fields, "required": required, "additionalProperties": False}
