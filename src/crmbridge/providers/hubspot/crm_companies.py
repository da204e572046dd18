"""Company tools of seed 003: create (optionally linked to contacts), get, search."""

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
)

_FIELDS: dict[str, Any] = {
    "name": NAME,
    "domain": {"type": "string", "description": "Website domain, e.g. acme.com."},
    "industry": {"type": "string", "description": "e.g. COMPUTER_SOFTWARE or its label."},
    "phone": {"type": "string"},
    "city": {"type": "string"},
    "state": {"type": "string"},
    "country": {"type": "string"},
    "numberofemployees": {"type": ["integer", "string"]},
    "annualrevenue": {"type": ["number", "string"]},
    "hubspot_owner_id": OWNER,
}

TOOLS: tuple[Tool, ...] = (
    create_tool(
        "company",
        "companies",
        "Create a HubSpot company (name or domain), optionally linked to contacts." + ANY_PROPERTY,
        record_schema(_FIELDS, links=("contacts",)),
        resolve=OWNER_REF,
        recheck=("name", "domain"),
        example={
            "name": "Acme Corp",
            "domain": "acmecorp.com",
            "associations": {"contacts": ["jane@acmecorp.com"]},
        },
    ),
    get_tool("company", "companies", {"company_id": "456"}),
    search_tool(
        "companies",
        "Search HubSpot companies by free text (name, domain) and/or property filters.",
        "domain",
        {"query": "acme", "limit": 10},
    ),
)
