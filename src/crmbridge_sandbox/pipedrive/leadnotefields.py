"""``/v1/leadFields`` and ``/v1/noteFields`` (read only): leads have their own system fields and inherit the
deal custom fields (same ids and keys as ``/v1/dealFields``); notes have system fields only.

The sandbox stores no lead or note field definitions: the system ones are fixed lists of the attributes
the v1 Lead and Note models carry (display names, types and ids are our pick; the spec lists none).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .auth import require_access
from .common import JSON
from .store import Company, FieldDef
from .v1fields import COST, list_response, render

#: v1 Lead attributes as fields: (key, name, field_type).
LEAD: tuple[tuple[str, str, str], ...] = (
    ("id", "ID", "varchar"),
    ("title", "Title", "varchar"),
    ("owner_id", "Owner", "user"),
    ("creator_id", "Creator", "user"),
    ("label_ids", "Labels", "set"),
    ("person_id", "Contact person", "people"),
    ("organization_id", "Organization", "org"),
    ("value", "Value", "monetary"),
    ("expected_close_date", "Expected close date", "date"),
    ("source_name", "Source", "varchar"),
    ("origin", "Source origin", "varchar"),
    ("channel", "Source channel", "enum"),
    ("visible_to", "Visible to", "visible_to"),
    ("was_seen", "Seen", "boolean"),
    ("is_archived", "Archived", "boolean"),
    ("next_activity_id", "Next activity", "activity"),
    ("add_time", "Lead created", "date"),
    ("update_time", "Update time", "date"),
)
#: v1 Note attributes as fields.
NOTE: tuple[tuple[str, str, str], ...] = (
    ("id", "ID", "int"),
    ("content", "Content", "text"),
    ("deal_id", "Deal", "deal"),
    ("person_id", "Person", "people"),
    ("org_id", "Organization", "org"),
    ("lead_id", "Lead", "lead"),
    ("user_id", "User", "user"),
    ("pinned_to_deal_flag", "Note is pinned to deal", "enum"),
    ("pinned_to_person_flag", "Note is pinned to person", "enum"),
    ("pinned_to_organization_flag", "Note is pinned to organization", "enum"),
    ("pinned_to_lead_flag", "Note is pinned to lead", "enum"),
    ("add_time", "Add time", "date"),
    ("update_time", "Update time", "date"),
)
#: Fixed ids of these system fields, in ranges clear of the stored fields' ids (our pick).
LEAD_BASE, NOTE_BASE = 900_001, 950_001
LEAD_SCOPES = ("leads:read", "leads:full", "admin")
NOTE_SCOPES = ("deals:read", "deals:full", "contacts:read", "contacts:full")
#: The attributes the v1 note fields model (GetNoteFieldsResponse) lists.
NOTE_KEYS = ("id", "key", "name", "field_type", "active_flag", "edit_flag", "bulk_edit_allowed",
             "mandatory_flag", "options")  # fmt: skip


def _system(spec: tuple[tuple[str, str, str], ...], base: int) -> list[FieldDef]:
    return [FieldDef(key, name, ftype, id=base + i) for i, (key, name, ftype) in enumerate(spec)]


def lead_fields(company: Company) -> list[JSON]:
    defs = [*_system(LEAD, LEAD_BASE), *company.custom_fields("deal")]
    return [render(company, "lead", f, i + 1) for i, f in enumerate(defs)]


#: The pinned flags are Yes/No option fields whose setting may change, as the spec's example shows them.
PIN_OPTIONS = ({"id": 1, "label": "Yes"}, {"id": 0, "label": "No"})


def note_fields(company: Company) -> list[JSON]:
    defs = _system(NOTE, NOTE_BASE)
    for field in defs:
        if field.field_code.startswith("pinned_to_"):
            field.options = [dict(o) for o in PIN_OPTIONS]
    rows = [render(company, "note", f, i + 1) for i, f in enumerate(defs)]
    out = [{k: row[k] for k in NOTE_KEYS} for row in rows]
    for row in out:
        if row["key"].startswith("pinned_to_"):
            row["edit_flag"] = row["mandatory_flag"] = True
    return out


async def list_lead_fields(request: Request) -> Response:
    access = require_access(request, scopes_any=LEAD_SCOPES, cost=COST["list"])
    return list_response(request, lead_fields(access.company))


async def list_note_fields(request: Request) -> Response:
    access = require_access(request, scopes_any=NOTE_SCOPES, cost=COST["list"])
    return list_response(request, note_fields(access.company))


routes: list[BaseRoute] = [
    Route("/v1/leadFields", list_lead_fields, methods=["GET"]),
    Route("/v1/noteFields", list_note_fields, methods=["GET"]),
]
