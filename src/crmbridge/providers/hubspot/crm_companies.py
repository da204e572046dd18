"""Company tools of seed 003: create (optionally linked to contacts), get, search."""

from __future__ import annotations

from typing import Any

from ..spec import Output, Recheck, Tool
from .crm_schema import CREATE, READ, read_fields, record_schema, search_fields

_FIELDS: dict[str, Any] = {
    "name": {"type": "string"},
    "domain": {"type": "string", "description": "Website domain, e.g. acme.com."},
    "industry": {"type": "string", "description": "e.g. COMPUTER_SOFTWARE or its label."},
    "phone": {"type": "string"},
    "city": {"type": "string"},
    "state": {"type": "string"},
    "country": {"type": "string"},
    "numberofemployees": {"type": ["integer", "string"]},
    "annualrevenue": {"type": ["number", "string"]},
    "hubspot_owner_id": {"type": ["string", "integer"], "description": "Owner id, e-mail or name."},
}

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="hubspot_company_create",
        description="Create a HubSpot company, optionally linked to contacts. Any other (custom) property by "
        "internal name.",
        input_schema=record_schema(_FIELDS, ("name",), links=("contacts",)),
        method="POST",
        path="/crm/v3/objects/companies",
        body="rest",
        scopes=("crm.objects.companies.write",),
        annotations=CREATE,
        resolve={"hubspot_owner_id": "owner"},
        prepare="crm_company_create",
        recheck=Recheck(("name", "domain")),
        example={
            "name": "Acme Corp",
            "domain": "acmecorp.com",
            "associations": {"contacts": ["jane@acmecorp.com"]},
        },
    ),
    Tool(
        name="hubspot_company_get",
        description="Get one HubSpot company by id.",
        input_schema=read_fields("company_id"),
        method="GET",
        path="/crm/v3/objects/companies/{company_id}",
        query=("properties", "associations"),
        scopes=("crm.objects.companies.read",),
        annotations=READ,
        prepare="crm_company_read",
        example={"company_id": "456"},
    ),
    Tool(
        name="hubspot_companies_search",
        description="Search HubSpot companies by free text (name, domain) and/or property filters.",
        input_schema=search_fields("domain"),
        method="POST",
        path="/crm/v3/objects/companies/search",
        body="rest",
        scopes=("crm.objects.companies.read",),
        annotations=READ,
        prepare="crm_companies_search",
        output=Output("list", "results"),
        example={"query": "acme", "limit": 10},
    ),
)
