"""Support tickets: create one (pipeline and status by id or label, linked to a contact/company) and search.

Their preparers (``generic_ticket_create``, ``generic_tickets_search``) are in ``generic_prepare``.
"""

from __future__ import annotations

from ...spec import NON_BLANK, Output, Recheck, Tool
from .generic_common import READ, SEARCH

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="hubspot_ticket_create",
        description="Create a HubSpot support ticket, optionally linked to a contact and/or company. "
        "Pipeline and status take an id or a label; status defaults to the pipeline's first.",
        input_schema={
            "type": "object",
            "properties": {
                "subject": {"type": "string", **NON_BLANK, "description": "Ticket name."},
                "content": {"type": "string", "description": "Description."},
                "hs_pipeline": {"type": "string", "description": 'Pipeline; default "0" (support).'},
                "hs_pipeline_stage": {"type": "string", "description": "Status (stage)."},
                "hs_ticket_priority": {"enum": ["LOW", "MEDIUM", "HIGH", "URGENT"]},
                "hubspot_owner_id": {"type": "string"},
                "contactId": {"type": ["string", "integer"]},
                "companyId": {"type": ["string", "integer"]},
            },
            "required": ["subject"],
            "additionalProperties": False,
        },
        method="POST",
        path="/crm/v3/objects/tickets",
        scopes=("tickets",),
        body="properties",
        body_extra=("associations",),
        prepare="generic_ticket_create",
        recheck=Recheck(("subject", "hs_pipeline")),
        output=Output("record"),
        example={"subject": "Login fails", "content": "SSO error since Monday", "hs_ticket_priority": "HIGH"},
    ),
    Tool(
        name="hubspot_tickets_search",
        description="Search HubSpot tickets by free text and/or filterGroups (e.g. hs_pipeline_stage, "
        "hs_ticket_priority), with one sort and paging.",
        input_schema=SEARCH,
        method="POST",
        path="/crm/v3/objects/tickets/search",
        scopes=("tickets",),
        body="rest",
        annotations=READ,
        prepare="generic_tickets_search",
        output=Output("list", items="results"),
    ),
)
