"""JSON-Schema pieces shared by the named CRM tools: short, and written for what models get wrong."""

from __future__ import annotations

from typing import Any

from ..spec import Annotations

__all__ = [
    "CREATE",
    "READ",
    "UPDATE",
    "VALUE",
    "associations",
    "obj",
    "read_fields",
    "record_schema",
    "search_fields",
]

READ = Annotations(read_only=True, idempotent=True)
UPDATE = Annotations(idempotent=True)
CREATE = Annotations()

#: A HubSpot property value: sent as a string; numbers and booleans are converted.
VALUE: dict[str, Any] = {"type": ["string", "number", "boolean"]}
_PROPERTIES = {"type": "array", "items": {"type": "string"}, "description": "Properties to return."}
_REFS = {"type": "array", "items": {"type": ["string", "integer"]}}
_REF_HINT = {
    "contacts": "id, e-mail or full name",
    "companies": "id, domain or name",
    "deals": "id or deal name",
}


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), *, extra: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    schema["additionalProperties"] = VALUE if extra else False
    return schema


def associations(*kinds: str) -> dict[str, Any]:
    """``{"contacts": ["John Smith"], "companies": ["acme.com"]}``: records to link on create."""
    hint = "; ".join(f"{k}: {_REF_HINT[k]}" for k in kinds)
    return {
        "type": "object",
        "description": f"Records to link, by {hint}.",
        "properties": {k: _REFS for k in kinds},
        "additionalProperties": False,
    }


def record_schema(
    fields: dict[str, Any], required: tuple[str, ...] = (), *, id_field: str | None = None,
    links: tuple[str, ...] = (),
) -> dict[str, Any]:  # fmt: skip
    """A create/update input: known properties flat, any other (custom) property allowed by name."""
    props = dict(fields)
    if id_field:
        props = {id_field: {"type": "string"}, **props}
        required = (id_field, *required)
    if links:
        props["associations"] = associations(*links)
    props["properties"] = {
        "type": "object",
        "additionalProperties": VALUE,
    }  # the API's own nesting, tolerated
    return obj(props, required, extra=True)


def read_fields(id_field: str, id_hint: str = "") -> dict[str, Any]:
    return obj(
        {
            id_field: {"type": "string", **({"description": id_hint} if id_hint else {})},
            "properties": _PROPERTIES,
            "associations": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Associated types to list ids of, e.g. companies, deals.",
            },
        },
        (id_field,),
    )


def search_fields(example_property: str) -> dict[str, Any]:
    return obj(
        {
            "query": {"type": "string", "description": "Free text (names, email, domain…)."},
            "filterGroups": {
                "type": ["array", "object"],
                "items": {"type": "object"},
                "description": 'Groups are ORed, filters in a group ANDed: [{"filters": [{"propertyName": '
                f'"{example_property}", "operator": "EQ", "value": "..."}}]}}]. Operators EQ NEQ LT LTE GT '
                "GTE BETWEEN (value, highValue) IN NOT_IN (values) HAS_PROPERTY CONTAINS_TOKEN.",
            },
            "properties": _PROPERTIES,
            "sorts": {
                "type": "array",
                "items": {"type": ["string", "object"]},
                "description": "One sort: 'createdate' or '-createdate' (descending).",
            },
            "limit": {"type": "integer", "minimum": 1, "maximum": 200},
            "after": {"type": ["string", "integer"], "description": "next_cursor to continue."},
        }
    )
