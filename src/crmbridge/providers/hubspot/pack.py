"""HubSpot's Connector Pack: the standard skills over contacts, companies, tickets, notes, tasks and deals.

Callers are matched across ``phone``, ``mobilephone`` and HubSpot's searchable calculated phone
properties, whichever the portal has (found at compile time): the national number on the calculated
ones and an over-inclusive "ends with" token on the others (it also matches the E.164 form), in one
search of at most five OR-groups; the skills re-check each candidate locally. Tickets go to the support pipeline and first open status resolved at install;
companies are searched by free text (name) or the ``domain`` property.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import ConfigurationError
from ...spec.pack import CallCatalogTool, ConnectorPack, PhoneQuery, ToolCall
from ..pack_templates import pack_templates

__all__ = ["PACK"]

#: Phone properties matched on their stored text (exact E.164 or an "ends with" token).
_TEXT_PHONES = ("phone", "mobilephone")
#: HubSpot's calculated copies holding the national number as digits only.
_SEARCHABLE_PHONES = ("hs_searchable_calculated_phone_number", "hs_searchable_calculated_mobile_number")
_MAX_GROUPS = 5
_FIELD_NAMES = {
    "email": "email",
    "first_name": "firstname",
    "last_name": "lastname",
    "phone": "phone",
    "job_title": "jobtitle",
}


_TICKET_PROPERTIES = [
    "subject",
    "content",
    "hs_pipeline",
    "hs_pipeline_stage",
    "hs_ticket_priority",
    "createdate",
]


def _is_open(stage: Mapping[str, Any]) -> bool:
    meta = stage.get("metadata") or {}
    return str(meta.get("isClosed", "false")).lower() != "true" and meta.get("ticketState") != "CLOSED"


def _stages(pipeline: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    live = [s for s in pipeline.get("stages") or [] if not s.get("archived")]
    return sorted(live, key=lambda s: s.get("displayOrder", 0))


def _first_open_stage(pipeline: Mapping[str, Any]) -> str | None:
    return next((str(s["id"]) for s in _stages(pipeline) if _is_open(s)), None)


def _default(pipelines: list[dict[str, Any]], default_id: str) -> dict[str, Any] | None:
    """The pipeline HubSpot treats as the default (its fixed id), else the first by display order."""
    ordered = sorted(pipelines, key=lambda p: p.get("displayOrder", 0))
    return next((p for p in ordered if str(p.get("id")) == default_id), ordered[0] if ordered else None)


class HubSpotPackSteps:
    """The catalog tools each step of HubSpot's pack calls."""

    async def compile(self, call: CallCatalogTool) -> dict[str, Any]:
        properties = await call("hubspot_properties_list", {"objectType": "contacts"})
        names = {p.get("name") for p in _items(properties)}
        phones = [n for n in _TEXT_PHONES if n in names]
        searchable = [n for n in _SEARCHABLE_PHONES if n in names]
        deals = _default(_items(await call("hubspot_pipelines_list", {"objectType": "deals"})), "default")
        support = _default(_items(await call("hubspot_pipelines_list", {"objectType": "tickets"})), "0")
        owners = _items(await call("hubspot_owners_list", {"limit": 1}))
        return {
            "phone_properties": phones,
            "searchable_phone_properties": searchable,
            "deal_pipeline": None if deals is None else str(deals["id"]),
            "deal_stage": None if deals is None else _first_open_stage(deals),
            "ticket_pipeline": None if support is None else str(support["id"]),
            "ticket_stage": None if support is None else _first_open_stage(support),
            # Status names, so find_ticket answers "Waiting on us" rather than "3".
            "ticket_statuses": {} if support is None else {
                str(s["id"]): str(s.get("label")) for s in _stages(support)
            },
            "owner_id": str(owners[0]["id"]) if owners else None,
        }  # fmt: skip

    def phone_searches(self, phone: PhoneQuery, compiled: Mapping[str, Any]) -> Sequence[ToolCall]:
        groups: list[dict[str, Any]] = []
        for name in compiled.get("searchable_phone_properties", []):
            groups.append(_group(name, "EQ", phone.national))
        for name in compiled.get("phone_properties", []):
            # Also matches the E.164 form itself: one search request per lookup on a standard portal
            # (search is limited to a few requests a second per portal).
            groups.append(_group(name, "CONTAINS_TOKEN", f"*{phone.tail}"))
        returned = ["email", "firstname", "lastname", *compiled.get("phone_properties", [])]
        returned += compiled.get("searchable_phone_properties", [])
        return [
            (
                "hubspot_contacts_search",
                {"filterGroups": groups[i : i + _MAX_GROUPS], "properties": returned, "limit": 100},
            )
            for i in range(0, len(groups), _MAX_GROUPS)
        ]

    def email_search(self, email: str, compiled: Mapping[str, Any]) -> ToolCall:
        returned = ["email", "firstname", "lastname", *compiled.get("phone_properties", [])]
        return (
            "hubspot_contacts_search",
            {"filterGroups": [_group("email", "EQ", email)], "properties": returned, "limit": 100},
        )

    def contact_view(self, record: Mapping[str, Any]) -> dict[str, Any]:
        props = record.get("properties") or {}
        name = " ".join(v for v in (props.get("firstname"), props.get("lastname")) if v)
        phones = [str(v) for k, v in props.items() if v and (k in _TEXT_PHONES or k in _SEARCHABLE_PHONES)]
        return {
            "id": str(record.get("id")),
            "name": name or None,
            "email": props.get("email"),
            "phones": phones,
        }

    def create_contact(self, fields: Mapping[str, Any], compiled: Mapping[str, Any]) -> ToolCall:
        properties = {_FIELD_NAMES[k]: v for k, v in fields.items() if k in _FIELD_NAMES and v}
        if compiled.get("owner_id"):
            properties["hubspot_owner_id"] = compiled["owner_id"]
        return ("hubspot_record_create", {"entity": "contacts", "properties": properties})

    def update_contact(
        self, contact_id: str, fields: Mapping[str, Any], compiled: Mapping[str, Any]
    ) -> ToolCall:
        properties = {_FIELD_NAMES[k]: v for k, v in fields.items() if k in _FIELD_NAMES}
        return (
            "hubspot_record_update",
            {"entity": "contacts", "entityId": contact_id, "properties": properties},
        )

    def create_linked(
        self, record: str, contact_id: str, fields: Mapping[str, Any], compiled: Mapping[str, Any]
    ) -> ToolCall:
        link = {"contacts": [contact_id]}
        if record == "ticket":
            return _ticket(contact_id, fields, compiled)
        if record == "note":
            return ("hubspot_note_create", {"body": fields["text"], "associations": link})
        if record == "task":
            task: dict[str, Any] = {"subject": fields["subject"], "associations": link}
            if fields.get("details"):
                task["body"] = fields["details"]
            if fields.get("due_date"):
                task["due_date"] = fields["due_date"]
            if compiled.get("owner_id"):
                task["owner"] = compiled["owner_id"]
            return ("hubspot_task_create", task)
        deal: dict[str, Any] = {
            "dealname": fields["title"],
            "pipeline": compiled.get("deal_pipeline"),
            "dealstage": compiled.get("deal_stage"),
            "associations": link,
        }
        if fields.get("amount") is not None:
            deal["amount"] = fields["amount"]
        if compiled.get("owner_id"):
            deal["hubspot_owner_id"] = compiled["owner_id"]
        return ("hubspot_deal_create", deal)

    # -- companies and tickets ------------------------------------------------------------------

    def company_searches(
        self, name: str | None, domain: str | None, compiled: Mapping[str, Any]
    ) -> Sequence[ToolCall]:
        returned = ["name", "domain", "website"]
        searches: list[ToolCall] = []
        if domain:
            groups = [_group("domain", "EQ", domain), _group("website", "CONTAINS_TOKEN", f"*{domain}*")]
            searches.append(
                ("hubspot_companies_search", {"filterGroups": groups, "properties": returned, "limit": 100})
            )
        if name:
            searches.append(
                ("hubspot_companies_search", {"query": name, "properties": returned, "limit": 100})
            )
        return searches

    def company_view(self, record: Mapping[str, Any]) -> dict[str, Any]:
        props = record.get("properties") or {}
        return {
            "id": str(record.get("id")),
            "name": props.get("name"),
            "domain": props.get("domain") or props.get("website"),
        }

    def company_get(self, company_id: str) -> ToolCall | None:
        return None  # search answers carry the domain and website

    def ticket_search(self, text: str, limit: int, compiled: Mapping[str, Any]) -> ToolCall:
        return (
            "hubspot_tickets_search",
            {
                "query": text,
                "properties": _TICKET_PROPERTIES,
                "sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}],
                "limit": min(100, max(limit * 4, 20)),  # re-checked locally: room for near misses
            },
        )

    def ticket_view(self, record: Mapping[str, Any], compiled: Mapping[str, Any]) -> dict[str, Any]:
        props = record.get("properties") or {}
        stage = props.get("hs_pipeline_stage")
        statuses = compiled.get("ticket_statuses") or {}
        return {
            "id": str(record.get("id")),
            "subject": props.get("subject"),
            "description": props.get("content"),
            "status": statuses.get(str(stage), stage) if stage is not None else None,
            "priority": props.get("hs_ticket_priority"),
            "created_at": props.get("createdate") or record.get("createdAt"),
        }


def _ticket(contact_id: str, fields: Mapping[str, Any], compiled: Mapping[str, Any]) -> ToolCall:
    if not compiled.get("ticket_pipeline"):
        raise ConfigurationError(
            "This HubSpot account had no ticket pipeline when the pack was installed; add one (Service "
            "Hub) and reinstall the pack.",
        )
    ticket: dict[str, Any] = {
        "subject": fields["subject"],
        "hs_pipeline": compiled["ticket_pipeline"],
        "contactId": contact_id,
    }
    if compiled.get("ticket_stage"):
        ticket["hs_pipeline_stage"] = compiled["ticket_stage"]
    if fields.get("description"):
        ticket["content"] = fields["description"]
    if fields.get("priority"):
        ticket["hs_ticket_priority"] = fields["priority"]
    if compiled.get("owner_id"):
        ticket["hubspot_owner_id"] = compiled["owner_id"]
    return ("hubspot_ticket_create", ticket)


def _group(name: str, operator: str, value: str) -> dict[str, Any]:
    return {"filters": [{"propertyName": name, "operator": operator, "value": value}]}


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, Mapping):
        data = data.get("results", [])
    return [d for d in data or [] if isinstance(d, Mapping)]  # type: ignore[misc]


PACK = ConnectorPack(
    templates=pack_templates(),
    steps=HubSpotPackSteps(),
    notes="Shared numbers: find_contact answers 'ambiguous' with the candidates; ask for an e-mail.",
)
