"""Seed 000's task and note creates, each linkable to contacts, companies and deals by plain reference."""

from __future__ import annotations

from typing import Any

from ...spec import Tool
from .crm_schema import OWNER, associations, create_tool, obj

_LINKS = ("contacts", "companies", "deals")
_WHEN = {"type": ["string", "integer"], "description": "ISO 8601 or epoch ms; default now."}
# Engagements use the contacts scopes (reference §2.1).
_WRITE_SCOPE = ("crm.objects.contacts.write",)


def _engagement(fields: dict[str, Any], required: str) -> dict[str, Any]:
    """An engagement's input: its own fields, then an owner and the records to link it to."""
    return obj({**fields, "owner": OWNER, "associations": associations(*_LINKS)}, (required,))


TOOLS: tuple[Tool, ...] = (
    create_tool(
        "task",
        "tasks",
        "Create a HubSpot task (a to-do with a due date), optionally linked to contacts, companies or deals.",
        _engagement(
            {
                "subject": {"type": "string"},
                "body": {"type": "string"},
                "status": {
                    "type": "string",
                    "description": "NOT_STARTED (default), IN_PROGRESS, WAITING, COMPLETED.",
                },
                "priority": {"type": "string", "description": "LOW, MEDIUM or HIGH."},
                "type": {"type": "string", "description": "TODO, CALL or EMAIL."},
                "due_date": _WHEN,
            },
            "subject",
        ),
        scopes=_WRITE_SCOPE,
        recheck=("hs_task_subject",),
        example={
            "subject": "Send proposal",
            "due_date": "2026-07-01",
            "associations": {"deals": ["Acme renewal"]},
        },
    ),
    create_tool(
        "note",
        "notes",
        "Add a note to HubSpot records: link it to contacts, companies or deals, or it shows on no timeline.",
        _engagement(
            {"body": {"type": "string", "description": "Note text (HTML allowed)."}, "timestamp": _WHEN},
            "body",
        ),
        scopes=_WRITE_SCOPE,
        recheck=("hs_note_body",),
        example={"body": "Called about renewal.", "associations": {"contacts": ["John Smith"]}},
    ),
)
