"""Seed 000's task and note creates, each linkable to contacts, companies and deals by plain reference."""

from __future__ import annotations

from ..spec import Recheck, Tool
from .crm_schema import CREATE, associations, obj

_LINKS = ("contacts", "companies", "deals")
_OWNER = {"type": ["string", "integer"], "description": "Owner id, e-mail or name."}
# Engagements use the contacts scopes (reference §2.1).
_WRITE_SCOPE = ("crm.objects.contacts.write",)

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="hubspot_task_create",
        description="Create a HubSpot task (a to-do with a due date), optionally linked to contacts, "
        "companies or deals.",
        input_schema=obj(
            {
                "subject": {"type": "string"},
                "body": {"type": "string"},
                "status": {
                    "type": "string",
                    "description": "NOT_STARTED (default), IN_PROGRESS, WAITING, COMPLETED.",
                },
                "priority": {"type": "string", "description": "LOW, MEDIUM or HIGH."},
                "type": {"type": "string", "description": "TODO, CALL or EMAIL."},
                "due_date": {
                    "type": ["string", "integer"],
                    "description": "ISO 8601 or epoch ms; default now.",
                },
                "owner": _OWNER,
                "associations": associations(*_LINKS),
            },
            ("subject",),
        ),
        method="POST",
        path="/crm/v3/objects/tasks",
        body="rest",
        scopes=_WRITE_SCOPE,
        annotations=CREATE,
        prepare="crm_task_create",
        recheck=Recheck(("hs_task_subject",)),
        example={
            "subject": "Send proposal",
            "due_date": "2026-07-01",
            "associations": {"deals": ["Acme renewal"]},
        },
    ),
    Tool(
        name="hubspot_note_create",
        description="Add a note to HubSpot records: link it to contacts, companies or deals, or it shows "
        "on no timeline.",
        input_schema=obj(
            {
                "body": {"type": "string", "description": "Note text (HTML allowed)."},
                "timestamp": {
                    "type": ["string", "integer"],
                    "description": "ISO 8601 or epoch ms; default now.",
                },
                "owner": _OWNER,
                "associations": associations(*_LINKS),
            },
            ("body",),
        ),
        method="POST",
        path="/crm/v3/objects/notes",
        body="rest",
        scopes=_WRITE_SCOPE,
        annotations=CREATE,
        prepare="crm_note_create",
        recheck=Recheck(("hs_note_body",)),
        example={"body": "Called about renewal.", "associations": {"contacts": ["John Smith"]}},
    ),
)
