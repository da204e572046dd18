"""The tools, as data: what each one sends, what it accepts, and what a model gets back."""

from __future__ import annotations

from crmbridge.spec import Annotations, Output, Recheck, Tool

SEARCH = Tool(
    name="notes_search",
    description="Find notes whose title or text contains the query, newest first.",
    input_schema={
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "Words to look for."},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50, "description": "At most this many."},
            "cursor": {"type": "string", "description": "next_cursor of the previous page."},
        },
        "required": ["query"],
        "additionalProperties": False,
    },
    method="GET",
    path="/v1/notes",
    query=("query", "limit", "cursor"),
    annotations=Annotations(read_only=True, idempotent=True),
    output=Output(kind="list", keep=("id", "title", "created_at")),
    example={"query": "renewal"},
)

CREATE = Tool(
    name="notes_create",
    description="Write a new note.",
    input_schema={
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "One line."},
            "body": {"type": "string", "description": "The note itself."},
        },
        "required": ["title"],
        "additionalProperties": False,
    },
    method="POST",
    path="/v1/notes",
    body="rest",
    recheck=Recheck(keys=("title",)),
    example={"title": "Call Ann back", "body": "She asked about the renewal price."},
)

TOOLS = (SEARCH, CREATE)
