"""JSON-Schema pieces shared by the named CRM tools: short, and written for what models get wrong.

The ``*_tool`` factories declare the tools the object types have alike: ``noun`` and ``nouns`` name the
object type (``deal``, ``deals``: ``/crm/v3/objects/deals``, ``crm.objects.deals.read`` / ``.write``),
and the preparer is named after the action (``crm_deal_read``, ``crm_deals_search``…). A record's own id
is also accepted as ``id`` or ``hs_object_id`` (what reads return), and ``associations`` as HubSpot's own
``[{to: {id}, types: [...]}]`` list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...spec import NON_BLANK, Annotations, Output, Recheck, Tool

__all__ = [
    "ANY_PROPERTY",
    "API_ASSOCIATIONS",
    "CREATE",
    "NAME",
    "OWNER",
    "OWNER_REF",
    "READ",
    "UPDATE",
    "VALUE",
    "associations",
    "create_tool",
    "get_tool",
    "obj",
    "read_fields",
    "record_schema",
    "search_fields",
    "search_tool",
    "update_tool",
]

READ = Annotations(read_only=True, idempotent=True)
UPDATE = Annotations(idempotent=True)
CREATE = Annotations()

#: Text that names or identifies a record (an upsert key, a deal name, a note's body): never blank.
NAME: dict[str, Any] = {"type": "string", **NON_BLANK}
#: A HubSpot property value: sent as a string; numbers and booleans are converted.
VALUE: dict[str, Any] = {"type": ["string", "number", "boolean"]}
_PROPERTIES = {"type": "array", "items": {"type": "string"}, "description": "Properties to return."}
_REFS = {"type": "array", "items": {"type": ["string", "integer"]}}
#: An owner by id, e-mail or name; ``OWNER_REF`` sends ``hubspot_owner_id`` to the ``owner`` resolver.
OWNER: dict[str, Any] = {"type": ["string", "integer"], "description": "Owner id, e-mail or name."}
OWNER_REF = {"hubspot_owner_id": "owner"}
#: The end of the description of a tool whose input takes any property by name (``record_schema``).
ANY_PROPERTY = " Any other (custom) property by internal name."
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


#: HubSpot's own inline associations, as a create takes them (and a model may echo them): typed, for tools
#: whose input OpenAI strict mode can express; else any list of objects, checked by the preparer.
API_ASSOCIATIONS: dict[str, Any] = {
    "type": "array",
    "items": {"type": "object", "properties": {
        "to": {"type": "object", "properties": {"id": {"type": ["string", "integer"]}}},
        "types": {"type": "array", "items": {"type": "object", "properties": {
            "associationCategory": {"type": "string"}, "associationTypeId": {"type": "integer"}}}},
    }},
}  # fmt: skip
_ANY_LIST: dict[str, Any] = {"type": "array", "items": {"type": "object"}}


def associations(*kinds: str, typed: bool = True) -> dict[str, Any]:
    """``{"contacts": ["John Smith"], "companies": ["acme.com"]}``: records to link on create; or HubSpot's
    own ``[{to: {id}, types: [...]}]`` (``typed``: spelt out, so strict mode keeps working)."""
    hint = "; ".join(f"{k}: {_REF_HINT[k]}" for k in kinds)
    by_kind = {"type": "object", "properties": {k: _REFS for k in kinds}, "additionalProperties": False}
    inline = API_ASSOCIATIONS if typed else _ANY_LIST
    return {"anyOf": [by_kind, inline], "description": f"Records to link, by {hint}."}


def record_schema(
    fields: dict[str, Any], required: tuple[str, ...] = (), *, id_field: str | None = None,
    links: tuple[str, ...] = (),
) -> dict[str, Any]:  # fmt: skip
    """A create/update input: known properties flat, any other (custom) property allowed by name."""
    props = dict(fields)
    if id_field:
        props = {id_field: NAME, **props}
        required = (id_field, *required)
    if links:  # these inputs take any property, so strict mode is out of reach anyway
        props["associations"] = associations(*links, typed=False)
    props["properties"] = {
        "type": "object",
        "additionalProperties": VALUE,
    }  # the API's own nesting, tolerated
    return obj(props, required, extra=True)


def read_fields(id_field: str, id_hint: str = "") -> dict[str, Any]:
    return obj(
        {
            id_field: {**NAME, **({"description": id_hint} if id_hint else {})},
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


def _tool(
    name: str, nouns: str, path: str, annotations: Annotations, description: str,
    input_schema: dict[str, Any], method: str, *, scopes: tuple[str, ...] = (), **more: Any,
) -> Tool:  # fmt: skip
    """``hubspot_<name>`` on ``/crm/v3/objects/<nouns><path>``; ``scopes`` default to the object type's read
    scope if the tool only reads, else its write scope."""
    access = "read" if annotations.read_only else "write"
    return Tool(
        name=f"hubspot_{name}",
        description=description,
        input_schema=input_schema,
        method=method,
        path=f"/crm/v3/objects/{nouns}{path}",
        scopes=scopes or (f"crm.objects.{nouns}.{access}",),
        annotations=annotations,
        **more,
    )


def create_tool(
    noun: str, nouns: str, description: str, input_schema: dict[str, Any], *, recheck: tuple[str, ...],
    example: Mapping[str, Any], resolve: Mapping[str, str] | None = None, scopes: tuple[str, ...] = (),
    aliases: Mapping[str, str] | None = None,
) -> Tool:  # fmt: skip
    """``hubspot_<noun>_create``: ``POST`` the input to the object type."""
    return _tool(f"{noun}_create", nouns, "", CREATE, description, input_schema, "POST", scopes=scopes,
                 body="rest", resolve=resolve or {}, prepare=f"crm_{noun}_create", recheck=Recheck(recheck),
                 example=example, aliases=aliases or {})  # fmt: skip


def _own_id(noun: str, *, by_email: bool = False) -> dict[str, str]:
    """What reads call the record's id (``id``, ``hs_object_id``) → ``<noun>_id``; and ``email`` if it may be one."""
    names = ("id", "hs_object_id", *(("email",) if by_email else ()))
    return dict.fromkeys(names, f"{noun}_id")


def get_tool(noun: str, nouns: str, example: Mapping[str, Any], *, by_email: bool = False) -> Tool:
    """``hubspot_<noun>_get``: one record by ``<noun>_id`` (``by_email``: or by its email)."""
    hint = f"{noun.capitalize()} id, or the {noun}'s email." if by_email else ""
    description = f"Get one HubSpot {noun} by id{' (or email)' if by_email else ''}."
    query = ("properties", "associations", *(("idProperty",) if by_email else ()))
    return _tool(f"{noun}_get", nouns, f"/{{{noun}_id}}", READ, description, read_fields(f"{noun}_id", hint),
                 "GET", query=query, prepare=f"crm_{noun}_read", example=example,
                 aliases=_own_id(noun, by_email=by_email))  # fmt: skip


def update_tool(
    noun: str, nouns: str, description: str, fields: dict[str, Any], example: Mapping[str, Any], *,
    by_email: bool = False,
) -> Tool:  # fmt: skip
    """``hubspot_<noun>_update``: ``PATCH`` the properties given of one record (``by_email``: or by email)."""
    schema = record_schema(fields, id_field=f"{noun}_id")
    return _tool(f"{noun}_update", nouns, f"/{{{noun}_id}}", UPDATE, description, schema, "PATCH",
                 query=("idProperty",) if by_email else (), body="rest", resolve=OWNER_REF,
                 prepare=f"crm_{noun}_update", example=example, aliases=_own_id(noun))  # fmt: skip


def search_tool(nouns: str, description: str, example_property: str, example: Mapping[str, Any]) -> Tool:
    """``hubspot_<nouns>_search``: free text and filter groups (``search_fields``), one page of results."""
    return _tool(f"{nouns}_search", nouns, "/search", READ, description, search_fields(example_property),
                 "POST", body="rest", prepare=f"crm_{nouns}_search", output=Output("list", "results"),
                 example=example)  # fmt: skip
