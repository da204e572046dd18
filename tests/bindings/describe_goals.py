"""The describe-it goal set: (connection, goal, expected binding or None when it must ask instead).

Expected: object, operation (``search`` or the write's), filters as ``{(property, operator)}``, sort as
``(property, direction)``, written fields as a set, result and limit for searches. Properties by key or,
for Pipedrive's hash-keyed custom fields, by label.
"""

from __future__ import annotations

from typing import Any

CARS = "2-1000101"


def s(obj: str, filters: set[tuple[str, str]] = frozenset(), sort: tuple[str, str] | None = None,  # type: ignore[assignment]
      result: str = "one", limit: int | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "object": obj,
        "op": "search",
        "filters": set(filters),
        "sort": sort,
        "result": result,
        "limit": limit,
    }


def w(obj: str, op: str, fields: set[str], match: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    return {"object": obj, "op": op, "fields": set(fields), "match": set(match)}


DESC, ASC = "DESCENDING", "ASCENDING"
GOALS: list[tuple[str, str, dict[str, Any] | None]] = [
    # HubSpot: reads
    ("hubspot", "find a contact by email", s("contacts", {("email", "EQ")})),
    ("hubspot", "look up a contact by phone number", s("contacts", {("phone", "EQ")})),
    ("hubspot", "find a contact for the caller's email", s("contacts", {("email", "EQ")})),
    ("hubspot", "list all deals in Closed Won", s("deals", {("dealstage", "EQ")}, result="many", limit=10)),
    (
        "hubspot",
        "show the 5 most recent contacts",
        s("contacts", sort=("createdate", DESC), result="many", limit=5),
    ),
    ("hubspot", "get the latest deal", s("deals", sort=("createdate", DESC))),
    ("hubspot", "find the oldest ticket", s("tickets", sort=("createdate", ASC))),
    (
        "hubspot",
        "list companies created after a date",
        s("companies", {("createdate", "GT")}, result="many", limit=10),
    ),
    ("hubspot", "find a car by VIN", s(CARS, {("vin", "EQ")})),
    ("hubspot", "list 10 cars by make", s(CARS, {("make", "EQ")}, result="many", limit=10)),
    (
        "hubspot",
        "list high priority tickets",
        s("tickets", {("hs_ticket_priority", "EQ")}, result="many", limit=10),
    ),
    (
        "hubspot",
        "find the latest deal in Closed Won",
        s("deals", {("dealstage", "EQ")}, sort=("createdate", DESC)),
    ),
    ("hubspot", "list deals with amount over 1000", s("deals", {("amount", "GT")}, result="many", limit=10)),
    ("hubspot", "find a company by renewal date", s("companies", {("renewal_date", "EQ")})),
    (
        "hubspot",
        "list contacts that are customers",
        s("contacts", {("lifecyclestage", "EQ")}, result="many", limit=10),
    ),
    ("hubspot", "find a company by domain", s("companies", {("domain", "EQ")})),
    ("hubspot", "list the 3 newest cars", s(CARS, sort=("hs_createdate", DESC), result="many", limit=3)),
    ("hubspot", "find a deal by deal name", s("deals", {("dealname", "EQ")})),
    # HubSpot: writes
    (
        "hubspot",
        "create a contact with email, first name and last name",
        w("contacts", "create", {"email", "firstname", "lastname"}),
    ),
    (
        "hubspot",
        "create a deal with deal name and amount",
        w("deals", "create", {"dealname", "amount", "dealstage"}),
    ),
    ("hubspot", "add a new car with VIN, make and model", w(CARS, "create", {"vin", "make", "model"})),
    ("hubspot", "update a contact's phone", w("contacts", "update", {"phone"})),
    ("hubspot", "set a deal's stage to Closed Won", w("deals", "update", {"dealstage"})),
    ("hubspot", "mark a deal as Closed Lost", w("deals", "update", {"dealstage"})),
    (
        "hubspot",
        "update the job title and phone of a contact",
        w("contacts", "update", {"jobtitle", "phone"}),
    ),
    ("hubspot", "find or create a contact by email", w("contacts", "find_or_create", set(), {"email"})),
    (
        "hubspot",
        "find or create a company by domain with name",
        w("companies", "find_or_create", {"name"}, {"domain"}),
    ),
    ("hubspot", "upsert a car by VIN with make", w(CARS, "find_or_create", {"make"}, {"vin"})),
    # HubSpot: must ask
    ("hubspot", "do something with the data", None),
    ("hubspot", "update a contact", None),
    # Pipedrive: reads
    ("pipedrive", "find a person by email", s("persons", {("emails", "EQ")})),
    ("pipedrive", "find a person by phone", s("persons", {("phones", "EQ")})),
    ("pipedrive", "look up an organization by name", s("organizations", {("name", "EQ")})),
    ("pipedrive", "list deals by owner", s("deals", {("owner_id", "EQ")}, result="many", limit=10)),
    ("pipedrive", "list the 5 latest deals", s("deals", sort=("add_time", DESC), result="many", limit=5)),
    ("pipedrive", "get the most recent activity", s("activities", sort=("add_time", DESC))),
    ("pipedrive", "list persons by organization", s("persons", {("org_id", "EQ")}, result="many", limit=10)),
    ("pipedrive", "find a lead by title", s("leads", {("title", "EQ")})),
    ("pipedrive", "list 20 products", s("products", result="many", limit=20)),
    ("pipedrive", "find a contact by job title", s("persons", {("Job title", "EQ")})),
    ("pipedrive", "find a deal by title", s("deals", {("title", "EQ")})),
    # Pipedrive: writes
    ("pipedrive", "create a person with name and email", w("persons", "create", {"name", "emails"})),
    ("pipedrive", "add a deal with title and value", w("deals", "create", {"title", "value"})),
    (
        "pipedrive",
        "create an organization with name and tier",
        w("organizations", "create", {"name", "Tier"}),
    ),
    ("pipedrive", "update a deal's value", w("deals", "update", {"value"})),
    (
        "pipedrive",
        "set a person's preferred language to German",
        w("persons", "update", {"Preferred language"}),
    ),
    (
        "pipedrive",
        "find or create a person by email with name",
        w("persons", "find_or_create", {"name"}, {"emails"}),
    ),
    (
        "pipedrive",
        "find or create an organization by name",
        w("organizations", "find_or_create", set(), {"name"}),
    ),
    ("pipedrive", "create a product with name and product code", w("products", "create", {"name", "code"})),
    (
        "pipedrive",
        "add an activity with subject and due date",
        w("activities", "create", {"subject", "due_date"}),
    ),
    # Pipedrive: what it cannot run (a saved filter would be needed): refused with the reason
    ("pipedrive", "list deals with source Referral", None),
    ("pipedrive", "list deals created after a date", None),
]
