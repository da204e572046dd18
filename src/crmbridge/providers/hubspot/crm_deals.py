"""Deal tools of seed 003 (create, update, search) and seed 000 (get); stages and pipelines by label."""

from __future__ import annotations

from typing import Any

from ..spec import Output, Recheck, Tool
from .crm_schema import CREATE, READ, UPDATE, read_fields, record_schema, search_fields

_READ_SCOPE = ("crm.objects.deals.read",)
_WRITE_SCOPE = ("crm.objects.deals.write",)
_FIELDS: dict[str, Any] = {
    "dealname": {"type": "string"},
    "amount": {"type": ["number", "string"]},
    "dealstage": {"type": "string", "description": "Stage label like 'Closed Won' or its id."},
    "pipeline": {"type": "string", "description": "Pipeline label or id; the default pipeline if omitted."},
    "closedate": {"type": "string", "description": "YYYY-MM-DD or ISO 8601."},
    "hs_priority": {"type": "string", "description": "low, medium or high."},
    "dealtype": {"type": "string", "description": "newbusiness or existingbusiness."},
    "hubspot_owner_id": {"type": ["string", "integer"], "description": "Owner id, e-mail or name."},
}
_EXTRA = " Any other (custom) property by internal name."

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="hubspot_deal_create",
        description="Create a HubSpot deal, optionally linked to contacts and companies." + _EXTRA,
        input_schema=record_schema(
            _FIELDS, ("dealname", "amount", "dealstage"), links=("contacts", "companies")
        ),
        method="POST",
        path="/crm/v3/objects/deals",
        body="rest",
        scopes=_WRITE_SCOPE,
        annotations=CREATE,
        resolve={"hubspot_owner_id": "owner"},
        prepare="crm_deal_create",
        recheck=Recheck(("dealname",)),
        example={
            "dealname": "Acme Corp — Enterprise 2026",
            "amount": 75000,
            "dealstage": "Presentation Scheduled",
        },
    ),
    Tool(
        name="hubspot_deal_get",
        description="Get one HubSpot deal by id.",
        input_schema=read_fields("deal_id"),
        method="GET",
        path="/crm/v3/objects/deals/{deal_id}",
        query=("properties", "associations"),
        scopes=_READ_SCOPE,
        annotations=READ,
        prepare="crm_deal_read",
        example={"deal_id": "789", "associations": ["contacts", "companies"]},
    ),
    Tool(
        name="hubspot_deal_update",
        description="Change properties of a HubSpot deal by id; send only what changes." + _EXTRA,
        input_schema=record_schema(_FIELDS, id_field="deal_id"),
        method="PATCH",
        path="/crm/v3/objects/deals/{deal_id}",
        body="rest",
        scopes=_WRITE_SCOPE,
        annotations=UPDATE,
        resolve={"hubspot_owner_id": "owner"},
        prepare="crm_deal_update",
        example={"deal_id": "789", "dealstage": "Closed Won"},
    ),
    Tool(
        name="hubspot_deals_search",
        description="Search HubSpot deals by name and/or property filters; dealstage filter values may be "
        "stage labels.",
        input_schema=search_fields("dealstage"),
        method="POST",
        path="/crm/v3/objects/deals/search",
        body="rest",
        scopes=_READ_SCOPE,
        annotations=READ,
        prepare="crm_deals_search",
        output=Output("list", "results"),
        example={
            "filterGroups": [{"filters": [{"propertyName": "amount", "operator": "GT", "value": "50000"}]}]
        },
    ),
)
