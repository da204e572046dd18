"""Reference data as MCP resources, and prompts that show good use.

A model otherwise spends calls (and tokens) learning the account's pipelines and stages, its owners and
its fields before it can write anything right. Each resource is read through the toolset's own read
tools, picked by the role the catalog's naming grammar gives them (``<provider>_<words>_<verb>``, checked
by the conformance suite): ``…_pipelines_list``, ``…_owners_list``, ``…_properties_list`` and so on. A
toolset without such a tool simply has no such resource, and a new provider whose tools follow the
grammar gets the resources without a line here.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...spec import Tool
from ...toolsets import Toolset
from ..examples import tool_example

__all__ = [
    "REFERENCES",
    "SCHEMA_TEMPLATE",
    "SCHEME",
    "Reference",
    "read_reference",
    "read_schema_of",
    "references_in",
]

SCHEME = "crmbridge://reference/"
SCHEMA_TEMPLATE = f"{SCHEME}schema/{{object}}"
#: Calls one resource may make (a required enum of object types multiplies them).
_MAX_CALLS = 8
#: Option labels kept per field in a schema summary.
_MAX_OPTIONS = 25


@dataclass(frozen=True, slots=True)
class Reference:
    """One resource: its name, what it holds, and the tool-name endings that read it."""

    name: str
    title: str
    description: str
    roles: tuple[str, ...]
    summarise_fields: bool = False

    @property
    def uri(self) -> str:
        return f"{SCHEME}{self.name}"


REFERENCES: tuple[Reference, ...] = (
    Reference(
        "pipelines",
        "Pipelines and stages",
        "Every pipeline with its stages (ids and labels): the ids a deal or ticket write needs.",
        ("_pipelines_list", "_stages_list"),
    ),
    Reference(
        "owners",
        "Owners and users",
        "The people records can be assigned to (ids, names, emails), and who the connected user is.",
        ("_owners_list", "_users_list", "_current_user_get"),
    ),
    Reference(
        "schema",
        "Schema summary",
        "The fields of the main objects (key, label, type, allowed options), custom fields included. "
        f"For another object read {SCHEMA_TEMPLATE}.",
        ("_properties_list", "_fields_list"),
        summarise_fields=True,
    ),
)
_SCHEMA = REFERENCES[-1]


def _tools_for(toolset: Toolset, reference: Reference) -> list[Tool]:
    return [
        t
        for t in toolset.list_tools()
        if t.annotations.read_only and any(t.name.endswith(role) for role in reference.roles)
    ]


def references_in(toolset: Toolset) -> list[Reference]:
    """The resources this toolset can serve."""
    return [r for r in REFERENCES if _tools_for(toolset, r)]


def _page_size(tool: Tool) -> dict[str, Any]:
    limit = (tool.input_schema.get("properties") or {}).get("limit")
    if isinstance(limit, Mapping) and isinstance(limit.get("maximum"), int):
        return {"limit": min(int(limit["maximum"]), 100)}
    return {}


def _inputs(tool: Tool, pinned: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The calls that read it all: every value of a required enum (object types), else the example's."""
    properties = tool.input_schema.get("properties") or {}
    example = tool_example(tool)
    choices: list[list[tuple[str, Any]]] = []
    for name in tool.input_schema.get("required") or ():
        if pinned and name in pinned:
            choices.append([(name, pinned[name])])
            continue
        enum = (properties.get(name) or {}).get("enum")
        values = list(enum) if enum else [example.get(name)]
        choices.append([(name, v) for v in values if v is not None])
    base = _page_size(tool)
    calls = [dict(base, **dict(combo)) for combo in itertools.product(*choices)]
    return calls[:_MAX_CALLS]


def _field(record: Any) -> Any:
    """A field definition cut to what a model writes with: key, label, type, options."""
    if not isinstance(record, Mapping):
        return record
    out = {
        "key": record.get("key") or record.get("name"),
        "label": record.get("label") or record.get("name"),
        "type": record.get("type") or record.get("field_type"),
    }
    kind = record.get("fieldType") or record.get("field_type")
    if kind and kind != out["type"]:
        out["field_type"] = kind
    options = record.get("options")
    if isinstance(options, list) and options:
        labels = [o.get("label", o.get("value")) if isinstance(o, Mapping) else o for o in options]
        out["options"] = labels[:_MAX_OPTIONS] + (["…"] if len(labels) > _MAX_OPTIONS else [])
    return {k: v for k, v in out.items() if v not in (None, "")}


def _summarised(data: Any) -> Any:
    if isinstance(data, Mapping) and isinstance(data.get("results"), list):
        return {**data, "results": [_field(r) for r in data["results"]]}
    if isinstance(data, list):
        return [_field(r) for r in data]
    return data


async def _read(
    toolset: Toolset, tools: Sequence[Tool], reference: Reference, pinned: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    entries = []
    for tool in tools:
        for tool_input in _inputs(tool, pinned):
            result = await toolset.call_tool(tool.name, tool_input)
            entry: dict[str, Any] = {"tool": tool.name, "input": tool_input}
            if result.ok:
                entry["data"] = _summarised(result.data) if reference.summarise_fields else result.data
            else:
                assert result.error is not None
                entry["error"] = result.error.to_dict()
            entries.append(entry)
    return entries


async def read_reference(toolset: Toolset, name: str) -> dict[str, Any] | None:
    """The resource called ``name`` read now, or ``None`` when this toolset has no such resource."""
    reference = next((r for r in references_in(toolset) if r.name == name), None)
    if reference is None:
        return None
    reads = await _read(toolset, _tools_for(toolset, reference), reference, None)
    return {"resource": reference.name, "description": reference.description, "reads": reads}


async def read_schema_of(toolset: Toolset, object_name: str) -> dict[str, Any] | None:
    """The fields of one object (``contacts``, ``deal``, a custom object): each field-listing tool is
    called with ``object_name`` as its object argument, where its schema allows that value."""
    tools = _tools_for(toolset, _SCHEMA)
    if not tools:
        return None
    entries = []
    for tool in tools:
        required: Sequence[str] = tool.input_schema.get("required") or ()
        if not required:
            continue
        spec = (tool.input_schema.get("properties") or {}).get(required[0]) or {}
        if spec.get("enum") and object_name not in spec["enum"]:
            continue
        pinned = {required[0]: object_name}
        entries.extend(await _read(toolset, [tool], _SCHEMA, pinned))
    return {"resource": f"schema/{object_name}", "object": object_name, "reads": entries}
