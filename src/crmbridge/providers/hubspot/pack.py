"""HubSpot's Connector Pack: the standard skills over contacts, notes, tasks and deals.

Callers are matched across ``phone``, ``mobilephone`` and HubSpot's searchable calculated phone
properties, whichever the portal has (found at compile time): exact E.164 and an over-inclusive
"ends with" token per property, in one search of at most five OR-groups; the skills re-check each
candidate locally.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...spec.pack import CallCatalogTool, ConnectorPack, PhoneQuery, ToolCall
from ..pack_templates import standard_templates

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


def _first_open_stage(pipeline: Mapping[str, Any]) -> str | None:
    for stage in pipeline.get("stages") or []:
        if str((stage.get("metadata") or {}).get("isClosed", "false")).lower() != "true":
            return str(stage["id"])
    return None


class HubSpotPackSteps:
    """The catalog tools each step of HubSpot's pack calls."""

    async def compile(self, call: CallCatalogTool) -> dict[str, Any]:
        properties = await call("hubspot_properties_list", {"objectType": "contacts"})
        names = {p.get("name") for p in _items(properties)}
        phones = [n for n in _TEXT_PHONES if n in names]
        searchable = [n for n in _SEARCHABLE_PHONES if n in names]
        pipelines = _items(await call("hubspot_pipelines_list", {"objectType": "deals"}))
        chosen = next((p for p in pipelines if p.get("id") == "default"), pipelines[0] if pipelines else None)
        owners = _items(await call("hubspot_owners_list", {"limit": 1}))
        return {
            "phone_properties": phones,
            "searchable_phone_properties": searchable,
            "deal_pipeline": None if chosen is None else str(chosen["id"]),
            "deal_stage": None if chosen is None else _first_open_stage(chosen),
            "owner_id": str(owners[0]["id"]) if owners else None,
        }

    def phone_searches(self, phone: PhoneQuery, compiled: Mapping[str, Any]) -> Sequence[ToolCall]:
        groups: list[dict[str, Any]] = []
        for name in compiled.get("searchable_phone_properties", []):
            groups.append(_group(name, "EQ", phone.national))
        for name in compiled.get("phone_properties", []):
            groups.append(_group(name, "EQ", phone.e164))
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


def _group(name: str, operator: str, value: str) -> dict[str, Any]:
    return {"filters": [{"propertyName": name, "operator": operator, "value": value}]}


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, Mapping):
        data = data.get("results", [])
    return [d for d in data or [] if isinstance(d, Mapping)]  # type: ignore[misc]


PACK = ConnectorPack(
    templates=standard_templates(),
    steps=HubSpotPackSteps(),
    notes="Shared numbers: find_contact answers 'ambiguous' with the candidates; ask for an e-mail.",
)
