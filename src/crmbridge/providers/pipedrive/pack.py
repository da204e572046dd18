"""Pipedrive's Connector Pack: the standard skills over persons, organizations, notes, activities and deals.

Pipedrive has no tickets: ``create_ticket`` opens the support request as an activity of type ``task``
linked to the person (subject, description and priority in its note), which is what its help-desk
integrations do; ``find_ticket`` is left out, because Pipedrive cannot search activities by text (its
search covers deals, persons, organizations, products and leads), and listing every activity per call
would not scale. Persons are searched by the number's last digits (Pipedrive's search matches within the
stored text, whatever its format) and re-checked locally by the skills. Organizations are searched by
name; a domain is searched as its first label (``acme`` for ``acme.com``) and the few candidates named
like it are read to compare their website (Pipedrive's search answers do not carry it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...spec.pack import CallCatalogTool, ConnectorPack, PhoneQuery, ToolCall
from ..pack_templates import pack_templates

__all__ = ["PACK"]


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, Mapping):
        data = data.get("results", [])
    return [d for d in data or [] if isinstance(d, Mapping)]  # type: ignore[misc]


class PipedrivePackSteps:
    """The catalog tools each step of Pipedrive's pack calls."""

    async def compile(self, call: CallCatalogTool) -> dict[str, Any]:
        pipelines = _items(await call("pipedrive_pipelines_list", {}))
        chosen = next((p for p in pipelines if p.get("is_selected")), pipelines[0] if pipelines else None)
        stage = None
        if chosen is not None:
            stages = _items(await call("pipedrive_stages_list", {"pipeline": chosen["id"]}))
            stages.sort(key=lambda s: s.get("order_nr", 0))
            stage = stages[0]["id"] if stages else None
        user = await call("pipedrive_current_user_get", {})
        return {
            "deal_pipeline": None if chosen is None else chosen["id"],
            "deal_stage": stage,
            "owner_id": user.get("id") if isinstance(user, Mapping) else None,
        }

    def phone_searches(self, phone: PhoneQuery, compiled: Mapping[str, Any]) -> Sequence[ToolCall]:
        return [("pipedrive_persons_search", {"term": phone.tail, "limit": 500})]

    def email_search(self, email: str, compiled: Mapping[str, Any]) -> ToolCall:
        return ("pipedrive_persons_search", {"term": email, "exact_match": True, "limit": 100})

    def contact_view(self, record: Mapping[str, Any]) -> dict[str, Any]:
        phones = [p.get("value") if isinstance(p, Mapping) else p for p in record.get("phones") or []]
        emails = [e.get("value") if isinstance(e, Mapping) else e for e in record.get("emails") or []]
        return {
            "id": str(record.get("id")),
            "name": record.get("name"),
            "email": next((e for e in emails if e), None),
            "phones": [str(p) for p in phones if p],
        }

    def create_contact(self, fields: Mapping[str, Any], compiled: Mapping[str, Any]) -> ToolCall:
        name = " ".join(v for v in (fields.get("first_name"), fields.get("last_name")) if v)
        person: dict[str, Any] = {"name": name or fields.get("email") or fields.get("phone") or "Caller"}
        if fields.get("phone"):
            person["phone"] = [fields["phone"]]
        if fields.get("email"):
            person["email"] = [fields["email"]]
        if compiled.get("owner_id") is not None:
            person["owner"] = compiled["owner_id"]
        return ("pipedrive_person_create", person)

    def update_contact(
        self, contact_id: str, fields: Mapping[str, Any], compiled: Mapping[str, Any]
    ) -> ToolCall:
        change: dict[str, Any] = {"id": int(contact_id) if contact_id.isdigit() else contact_id}
        name = " ".join(v for v in (fields.get("first_name"), fields.get("last_name")) if v)
        if name:
            change["name"] = name
        if fields.get("phone"):
            change["phone"] = [fields["phone"]]
        if fields.get("email"):
            change["email"] = [fields["email"]]
        return ("pipedrive_person_update", change)

    def create_linked(
        self, record: str, contact_id: str, fields: Mapping[str, Any], compiled: Mapping[str, Any]
    ) -> ToolCall:
        person = int(contact_id) if contact_id.isdigit() else contact_id
        if record == "note":
            return ("pipedrive_note_create", {"content": fields["text"], "person": person})
        if record == "ticket":
            return ("pipedrive_activity_create", _support_request(person, fields, compiled))
        if record == "task":
            task: dict[str, Any] = {"subject": fields["subject"], "type": "task", "person": person}
            if fields.get("details"):
                task["note"] = fields["details"]
            if fields.get("due_date"):
                task["due_date"] = fields["due_date"]
            if compiled.get("owner_id") is not None:
                task["owner"] = compiled["owner_id"]
            return ("pipedrive_activity_create", task)
        deal: dict[str, Any] = {
            "title": fields["title"],
            "person": person,
            "pipeline": compiled.get("deal_pipeline"),
            "stage": compiled.get("deal_stage"),
        }
        if fields.get("amount") is not None:
            deal["value"] = fields["amount"]
        if compiled.get("owner_id") is not None:
            deal["owner"] = compiled["owner_id"]
        return ("pipedrive_deal_create", {k: v for k, v in deal.items() if v is not None})

    # -- organizations ---------------------------------------------------------------------------

    def company_searches(
        self, name: str | None, domain: str | None, compiled: Mapping[str, Any]
    ) -> Sequence[ToolCall]:
        terms = [t for t in (name, domain.split(".")[0] if domain else None) if t and len(t) >= 2]
        return [("pipedrive_organizations_search", {"term": t, "limit": 100}) for t in dict.fromkeys(terms)]

    def company_view(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": str(record.get("id")), "name": record.get("name"), "domain": record.get("website")}

    def company_get(self, company_id: str) -> ToolCall | None:
        """Search answers carry no website: a candidate is read to compare its domain."""
        return ("pipedrive_organization_get", {"id": int(company_id) if company_id.isdigit() else company_id})


def _support_request(
    person: int | str, fields: Mapping[str, Any], compiled: Mapping[str, Any]
) -> dict[str, Any]:
    """A ticket as Pipedrive can hold one: a task for the team, linked to the person."""
    note = [str(fields["description"])] if fields.get("description") else []
    if fields.get("priority"):
        note.append(f"Priority: {fields['priority']}")
    task: dict[str, Any] = {"subject": fields["subject"], "type": "task", "person": person}
    if note:
        task["note"] = "\n\n".join(note)
    if compiled.get("owner_id") is not None:
        task["owner"] = compiled["owner_id"]
    return task


PACK = ConnectorPack(
    templates=pack_templates(without=("find_ticket",)),
    steps=PipedrivePackSteps(),
    notes=(
        "Shared numbers: find_contact answers 'ambiguous' with the candidates; ask for an e-mail. "
        "Pipedrive has no tickets: create_ticket opens a task (an activity of type task) on the person, "
        "and there is no find_ticket (Pipedrive cannot search activities by text)."
    ),
)
