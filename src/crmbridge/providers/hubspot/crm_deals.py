"""Deal tools of seed 003 (create, update, search) and seed 000 (get); stages and pipelines by label."""

from __future__ import annotations

from typing import Any

from ...spec import Tool
from .crm_schema import (
    ANY_PROPERTY,
    NAME,
    OWNER,
    OWNER_REF,
    create_tool,
    get_tool,
    record_schema,
    search_tool,
    update_tool,
)

_FIELDS: dict[str, Any] = {
    "dealname": NAME,
    "amount": {"type": ["number", "string"]},
    "dealstage": {"type": "string", "description": "Stage label like 'Closed Won' or its id."},
    "pipeline": {"type": "string", "description": "Pipeline label or id; the default pipeline if omitted."},
    "closedate": {"type": "string", "description": "YYYY-MM-DD or ISO 8601."},
    "hs_priority": {"type": "string", "description": "low, medium or high."},
    "dealtype": {"type": "string", "description": "newbusiness or existingbusiness."},
    "hubspot_owner_id": OWNER,
}

TOOLS: tuple[Tool, ...] = (
    create_tool(
        "deal",
        "deals",
        "Create a HubSpot deal, optionally linked to contacts and companies." + ANY_PROPERTY,
        record_schema(_FIELDS, ("dealname", "dealstage"), links=("contacts", "companies")),
        resolve=OWNER_REF,
        recheck=("dealname",),
        example={
            "dealname": "Acme Corp — Enterprise 2026",
            "amount": 75000,
            "dealstage": "Presentation Scheduled",
        },
    ),
    get_tool("deal", "deals", {"deal_id": "789", "associations": ["contacts", "companies"]}),
    update_tool(
        "deal",
        "deals",
        "Change properties of a HubSpot deal by id; send only what changes." + ANY_PROPERTY,
        _FIELDS,
        {"deal_id": "789", "dealstage": "Closed Won"},
    ),
    search_tool(
        "deals",
        "Search HubSpot deals by name and/or property filters; dealstage filter values may be stage labels.",
        "dealstage",
        {"filterGroups": [{"filters": [{"propertyName": "amount", "operator": "GT", "value": "50000"}]}]},
    ),
)
