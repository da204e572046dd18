"""Building blocks the Pipedrive tool modules share: schema fragments, annotations and scopes.

Input field names follow the API where the API's name is plain (``title``, ``value``, ``due_date``);
references that accept plain language get a noun (``person``, ``organization``, ``stage``, ``pipeline``,
``owner``) and the preparers (``prepare.py``) rename them to the API's keys after the resolvers turned
them into ids.
"""

from __future__ import annotations

from typing import Any

from ..spec import Annotations

__all__ = [
    "CREATE",
    "CURSOR",
    "CUSTOM_FIELDS",
    "DEFAULT_LIMIT",
    "DELETE",
    "LIMIT",
    "ORGANIZATION",
    "OWNER",
    "PERSON",
    "PIPELINE",
    "READ",
    "STAGE",
    "UPDATE",
    "V1",
    "V2",
    "date",
    "integer",
    "obj",
    "page",
    "ref",
    "search_input",
    "text",
]

V2 = "/api/v2"
V1 = "/api/v1"

READ = Annotations(read_only=True, idempotent=True)
CREATE = Annotations()
UPDATE = Annotations(idempotent=True)
DELETE = Annotations(destructive=True, idempotent=True)

#: Lists return this many records unless the model asks for more: enough to scan, cheap in tokens.
DEFAULT_LIMIT = 25

LIMIT: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": 500,
    "description": "Page size, default 25.",
}
CURSOR: dict[str, Any] = {"type": "string", "description": "next_cursor of the previous page."}


def text(description: str = "", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", **extra}
    if description:
        out["description"] = description
    return out


def integer(description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "integer"}
    if description:
        out["description"] = description
    return out


def date(description: str = "YYYY-MM-DD.") -> dict[str, Any]:
    return {"type": "string", "description": description}


def ref(description: str) -> dict[str, Any]:
    """A reference a resolver turns into an id: the id itself, or a name/email the CRM is searched for."""
    return {"type": ["integer", "string"], "description": description}


PERSON = ref("Person: id, name or email.")
ORGANIZATION = ref("Organization: id or name.")
OWNER = ref("Owner (user): id, name, email or 'me'.")
PIPELINE = ref("Pipeline: id or name.")
STAGE = ref("Stage: id or name (looked up in pipeline if given).")
CUSTOM_FIELDS: dict[str, Any] = {
    "type": "object",
    "description": "Custom field values keyed by field_code (pipedrive_fields_list).",
}


def obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


def page(**filters: Any) -> dict[str, Any]:
    """A list tool's input: its filters plus ``limit`` and ``cursor``."""
    return obj({**filters, "limit": LIMIT, "cursor": CURSOR})


def search_input(**filters: Any) -> dict[str, Any]:
    """A search tool's input: ``term``, ``exact_match``, its filters, ``limit`` and ``cursor``."""
    return obj(
        {
            "term": text("At least 2 characters."),
            "exact_match": {"type": "boolean", "description": "Whole-value match only."},
            **filters,
            "limit": LIMIT,
            "cursor": CURSOR,
        },
        required=("term",),
    )
