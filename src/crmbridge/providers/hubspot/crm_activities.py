"""Seed 000's task and note creates, each linkable to contacts, companies and deals by plain reference.

Their fields have friendly names (``subject``, ``due_date``); HubSpot's own property names, as reads return
them (``hs_task_subject``, ``hs_timestamp``, ``hubspot_owner_id``), are accepted as aliases.
"""

from __future__ import annotations

from typing import Any

from ...spec import Tool
from .crm_schema import NAME, OWNER, associations, create_tool, obj

__all__ = ["NOTE_FIELDS", "TASK_FIELDS", "TOOLS"]

_LINKS = ("contacts", "companies", "deals")
_WHEN = {"type": ["string", "integer"], "description": "ISO 8601 or epoch ms; default now."}
# Engagements use the contacts scopes (reference §2.1).
_WRITE_SCOPE = ("crm.objects.contacts.write",)
#: Friendly task / note fields → HubSpot properties.
TASK_FIELDS = {
    "subject": "hs_task_subject", "body": "hs_task_body", "status": "hs_task_status",
    "priority": "hs_task_priority", "type": "hs_task_type", "due_date": "hs_timestamp",
}  # fmt: skip
NOTE_FIELDS = {"body": "hs_note_body", "timestamp": "hs_timestamp"}


def _engagement(fields: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """An engagement's input: its own fields, then an owner and the records to link it to."""
    return obj({**fields, "owner": OWNER, "associations": associations(*_LINKS)}, required)


def _aliases(fields: dict[str, str]) -> dict[str, str]:
    """HubSpot's property names → the friendly fields."""
    return {**{prop: name for name, prop in fields.items()}, "hubspot_owner_id": "owner"}


TOOLS: tuple[Tool, ...] = (
    create_tool(
        "task",
        "tasks",
        "Create a HubSpot task (a to-do with a due date), optionally linked to contacts, companies or deals.",
        _engagement(
            {
                "subject": NAME,
                "body": {"type": "string"},
                "status": {
                    "type": "string",
                    "description": "NOT_STARTED (default), IN_PROGRESS, WAITING, COMPLETED.",
                },
                "priority": {"type": "string", "description": "LOW, MEDIUM or HIGH."},
                "type": {"type": "string", "description": "TODO, CALL or EMAIL."},
                "due_date": _WHEN,
            },
        ),
        scopes=_WRITE_SCOPE,
        recheck=("hs_task_subject",),
        example={
            "subject": "Send proposal",
            "due_date": "2026-07-01",
            "associations": {"deals": ["Acme renewal"]},
        },
        aliases=_aliases(TASK_FIELDS),
    ),
    create_tool(
        "note",
        "notes",
        "Add a note to HubSpot records: link it to contacts, companies or deals, or it shows on no timeline.",
        _engagement(
            {"body": {**NAME, "description": "Note text (HTML allowed)."}, "timestamp": _WHEN}, ("body",)
        ),
        scopes=_WRITE_SCOPE,
        recheck=("hs_note_body",),
        example={"body": "Called about renewal.", "associations": {"contacts": ["John Smith"]}},
        aliases=_aliases(NOTE_FIELDS),
    ),
)
