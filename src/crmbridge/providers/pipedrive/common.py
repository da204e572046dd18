"""Building blocks the Pipedrive tool modules share: schema fragments, annotations, tool factories.

Input field names follow the API where the API's name is plain (``title``, ``value``, ``due_date``);
references that accept plain language get a noun (``person``, ``organization``, ``stage``, ``pipeline``,
``owner``) and the preparers (``prepare.py``) rename them to the API's keys after the resolvers turned
them into ids.

The ``*_tool`` factories declare the tools every entity has alike: ``path`` is the collection
(``{V2}/deals``), ``scope`` the scope family (``deals`` → ``deals:read`` for reads, ``deals:full`` for
writes); creates and updates run the preparer named after the noun (``deal``). Every tool also takes
the API's own names for its fields (``org_id``, ``emails``; ``deal_id`` for a deal's ``id``) as aliases,
since reads return those and models echo them back; writes drop what only Pipedrive sets (``add_time``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...spec import NON_BLANK, Annotations, Output, Recheck, Tool

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
    "create_tool",
    "date",
    "delete_tool",
    "get_tool",
    "integer",
    "list_tool",
    "non_blank",
    "obj",
    "page",
    "ref",
    "search_input",
    "search_tool",
    "text",
    "update_tool",
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


def non_blank(description: str = "") -> dict[str, Any]:
    """The text that names a record (title, name, subject, content): never empty or blank."""
    return text(description, **NON_BLANK)


def integer(description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "integer"}
    if description:
        out["description"] = description
    return out


def date(description: str = "YYYY-MM-DD.") -> dict[str, Any]:
    """A calendar date; the engine also reads epoch seconds or milliseconds (``format``)."""
    return {"type": "string", "format": "date", "description": description}


def ref(description: str) -> dict[str, Any]:
    """A reference a resolver turns into an id: the id itself, or a name/email the CRM is searched for."""
    return {"type": ["integer", "string"], "description": description}


PERSON = ref("Person: id, name or email.")
ORGANIZATION = ref("Organization: id or name.")
OWNER = ref("Owner (user): id, name, email or 'me'.")
PIPELINE = ref("Pipeline: id or name.")
STAGE = ref("Stage: id or name (looked up in pipeline if given).")
#: The API's names for input fields, as reads return them (v1 said ``user_id`` for the owner).
_API_NAMES = {
    "person_id": "person",
    "org_id": "organization",
    "organization_id": "organization",
    "owner_id": "owner",
    "user_id": "owner",
    "pipeline_id": "pipeline",
    "stage_id": "stage",
    "emails": "email",
    "phones": "phone",
}
#: What reads return and only Pipedrive sets: dropped from a record echoed into a write.
_SET_BY_PIPEDRIVE = frozenset(
    {
        "add_time",
        "update_time",
        "creator_user_id",
        "creator_id",
        "origin",
        "marked_as_done_time",
        "stage_change_time",
    }
)
#: What the API calls an entity's id where another record refers to it.
_ID_NAMES = {"organization": ("org_id", "organization_id")}
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


def _aliases(input_schema: dict[str, Any], noun: str) -> dict[str, str]:
    """The API's names of the input's fields; ``<noun>_id`` (``org_id``…) for the record's own ``id``."""
    props = input_schema.get("properties", {})
    own = {n: "id" for n in _ID_NAMES.get(noun, (f"{noun}_id",))} if "id" in props else {}
    found = {**{k: v for k, v in _API_NAMES.items() if v in props}, **own}
    return {alias: target for alias, target in found.items() if alias not in props}


def _tool(
    name: str, path: str, scope: str, annotations: Annotations, description: str,
    input_schema: dict[str, Any], method: str = "GET", **more: Any,
) -> Tool:  # fmt: skip
    """``pipedrive_<name>`` under ``<scope>:read`` if it only reads, else ``<scope>:full``."""
    access = "read" if annotations.read_only else "full"
    return Tool(
        name=f"pipedrive_{name}",
        description=description,
        input_schema=input_schema,
        method=method,
        path=path,
        scopes=(f"{scope}:{access}",),
        annotations=annotations,
        aliases=_aliases(input_schema, name.rsplit("_", 1)[0]),
        ignored=frozenset() if annotations.read_only else _SET_BY_PIPEDRIVE,
        **more,
    )


def create_tool(
    noun: str, path: str, scope: str, description: str, input_schema: dict[str, Any], *,
    recheck: tuple[str, ...], example: Mapping[str, Any], resolve: Mapping[str, str] | None = None,
) -> Tool:  # fmt: skip
    """``pipedrive_<noun>_create``: ``POST`` the input to the collection."""
    return _tool(f"{noun}_create", path, scope, CREATE, description, input_schema, "POST", body="rest",
                 resolve=resolve or {}, prepare=noun, recheck=Recheck(recheck), example=example)  # fmt: skip


def get_tool(noun: str, path: str, scope: str, id_schema: dict[str, Any]) -> Tool:
    """``pipedrive_<noun>_get``: one record by id."""
    schema = obj({"id": id_schema}, required=("id",))
    return _tool(f"{noun}_get", f"{path}/{{id}}", scope, READ, f"Get one Pipedrive {noun} by id.", schema)


def list_tool(
    nouns: str, path: str, scope: str, description: str, input_schema: dict[str, Any], *,
    query: tuple[str, ...], resolve: Mapping[str, str] | None = None, prepare: str = "plain",
) -> Tool:  # fmt: skip
    """``pipedrive_<nouns>_list``: a page of the collection; ``query`` names the parameters sent."""
    return _tool(f"{nouns}_list", path, scope, READ, description, input_schema, query=query,
                 resolve=resolve or {}, prepare=prepare, output=Output("list"))  # fmt: skip


def update_tool(
    noun: str, path: str, scope: str, description: str, input_schema: dict[str, Any], *,
    resolve: Mapping[str, str] | None = None, method: str = "PATCH",
) -> Tool:  # fmt: skip
    """``pipedrive_<noun>_update``: ``<method> <path>/{id}`` with the other fields as the body."""
    return _tool(f"{noun}_update", f"{path}/{{id}}", scope, UPDATE, description, input_schema, method,
                 body="rest", resolve=resolve or {}, prepare=noun)  # fmt: skip


def delete_tool(
    noun: str, path: str, scope: str, id_schema: dict[str, Any], *, recoverable: bool = False
) -> Tool:
    """``pipedrive_<noun>_delete``; ``recoverable``: Pipedrive keeps the record for 30 days."""
    kept = " (recoverable in Pipedrive for 30 days)" if recoverable else ""
    schema = obj({"id": id_schema}, required=("id",))
    description = f"Delete a Pipedrive {noun}{kept}."
    return _tool(f"{noun}_delete", f"{path}/{{id}}", scope, DELETE, description, schema, "DELETE",
                 output=Output("deleted"))  # fmt: skip


def search_tool(
    nouns: str, path: str, scope: str, description: str, input_schema: dict[str, Any], *,
    query: tuple[str, ...], resolve: Mapping[str, str] | None = None,
) -> Tool:  # fmt: skip
    """``pipedrive_<nouns>_search``: ``GET <path>/search``, best match first (input: ``search_input``)."""
    return _tool(f"{nouns}_search", f"{path}/search", scope, READ, description, input_schema, query=query,
                 resolve=resolve or {}, prepare="search", output=Output("list", "items"))  # fmt: skip
