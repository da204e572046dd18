"""HubSpot's interaction writeback: a voice conversation becomes a Call engagement, a chat a Note, each
associated with the contact and carrying ``crmbridge_interaction_id``, a unique-value property created
once per portal. The unique value makes the write replay-safe: a second create with the same id is
refused (409), and a re-check reads the record by that property (``idProperty``), which needs no search
index and so sees a record created a moment ago. Facts: reference agent-platform §1.1-1.2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ...spec import Annotations, Output, Tool
from ...spec.writeback import CallerForms, Candidate, Interaction, ToolCall, WritebackMapping

__all__ = ["MAPPING"]

MARKER_PROPERTY = "crmbridge_interaction_id"
_OBJECT = {"voice": "calls", "chat": "notes"}
#: HUBSPOT_DEFINED association types: call → contact, note → contact.
_ASSOCIATION = {"voice": 194, "chat": 202}
_CONTACT_PROPS = ["phone", "mobilephone", "email", "firstname", "lastname", "notes_last_updated",
                  "lastmodifieddate"]  # fmt: skip
#: HubSpot's default call outcomes (``hs_call_disposition`` takes the GUID); portals may add their own.
OUTCOMES = {
    "busy": "9d9162e7-6cf3-4944-bf63-4dff82258764",
    "connected": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
    "left_live_message": "a4c4c377-d246-4b32-a13b-75a56a4cd0ff",
    "left_voicemail": "b2cf5968-551e-4856-9783-52b3da59a7d0",
    "no_answer": "73a0d17f-1163-4015-bdd5-ec830791da20",
    "wrong_number": "17b47fee-58de-441e-a44c-c6300d46f273",
}
_ANY_OBJECT = {"type": "object"}
_RAW = Output(kind="raw")
_READ = Annotations(read_only=True, idempotent=True)
_WRITE_SCOPE = ("crm.objects.contacts.write",)


def _tool(name: str, method: str, path: str, schema: dict[str, Any], **extra: Any) -> Tool:
    return Tool(
        name=f"hubspot_writeback_{name}",
        description=f"Interaction logging: {name.replace('_', ' ')}.",
        input_schema={"type": "object", "properties": schema, "additionalProperties": False},
        method=method,
        path=path,
        output=_RAW,
        provider="hubspot",
        **extra,
    )


SEARCH_CONTACTS = _tool(
    "search_contacts",
    "POST",
    "/crm/v3/objects/contacts/search",
    {"filterGroups": {"type": "array"}, "properties": {"type": "array"}, "limit": {"type": "integer"}},
    body="rest",
    annotations=_READ,
    scopes=("crm.objects.contacts.read",),
)
CREATE_CONTACT = _tool(
    "create_contact", "POST", "/crm/v3/objects/contacts", {"properties": _ANY_OBJECT}, body="rest",
    scopes=_WRITE_SCOPE,
)  # fmt: skip
ENSURE_PROPERTY = {
    channel: _tool(
        f"ensure_{obj}_marker",
        "POST",
        f"/crm/v3/properties/{obj}",
        {k: {"type": ["string", "boolean"]} for k in ("name", "label", "type", "fieldType", "groupName",
                                                      "hasUniqueValue", "description")},
        body="rest",
        annotations=Annotations(idempotent=True),
    )
    for channel, obj in _OBJECT.items()
}  # fmt: skip
CREATE = {
    channel: _tool(
        f"create_{obj}",
        "POST",
        f"/crm/v3/objects/{obj}",
        {"properties": _ANY_OBJECT, "associations": {"type": "array"}},
        body="rest",
        scopes=_WRITE_SCOPE,
    )
    for channel, obj in _OBJECT.items()
}
FIND = {
    channel: _tool(
        f"find_{obj}",
        "GET",
        f"/crm/v3/objects/{obj}/{{interaction_id}}",
        {"interaction_id": {"type": "string"}, "idProperty": {"type": "string"}},
        query=("idProperty",),
        annotations=_READ,
    )
    for channel, obj in _OBJECT.items()
}


def _find_by_phone(caller: CallerForms) -> list[ToolCall]:
    if not caller.forms:
        return []
    groups = [
        {"filters": [{"propertyName": prop, "operator": "IN", "values": list(caller.forms)}]}
        for prop in ("phone", "mobilephone")
    ]
    return [ToolCall(SEARCH_CONTACTS, {"filterGroups": groups, "properties": _CONTACT_PROPS, "limit": 100})]


def _find_by_email(email: str) -> list[ToolCall]:
    group = {"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}
    return [ToolCall(SEARCH_CONTACTS, {"filterGroups": [group], "properties": _CONTACT_PROPS, "limit": 100})]


def _candidates(body: Any) -> list[Candidate]:
    out = []
    for item in (body or {}).get("results", []):
        props = item.get("properties") or {}
        phones = tuple(p for p in (props.get("phone"), props.get("mobilephone")) if p)
        active = props.get("notes_last_updated") or props.get("lastmodifieddate") or ""
        emails = (props["email"],) if props.get("email") else ()
        out.append(Candidate(str(item["id"]), phones, emails, str(active)))
    return out


def _create_contact(caller: CallerForms) -> ToolCall:
    props: dict[str, str] = {}
    if caller.e164:
        props["phone"] = caller.e164
    if caller.email:
        props["email"] = caller.email
    if caller.name:
        first, _, last = caller.name.strip().partition(" ")
        props["firstname"] = first
        if last:
            props["lastname"] = last
    return ToolCall(CREATE_CONTACT, {"properties": props})


def _write(ix: Interaction) -> ToolCall:
    when = ix.started_at.isoformat().replace("+00:00", "Z")
    if ix.channel == "voice":
        props: dict[str, Any] = {
            "hs_timestamp": when,
            "hs_call_title": ix.title,
            "hs_call_body": ix.body_html,
            "hs_call_direction": ix.direction.upper(),
            "hs_call_duration": str(ix.duration_ms),
            "hs_call_status": "COMPLETED",
        }
        inbound = ix.direction == "inbound"
        caller_side, agent_side = ("from", "to") if inbound else ("to", "from")
        if ix.caller_phone:
            props[f"hs_call_{caller_side}_number"] = ix.caller_phone
        if ix.agent_phone:
            props[f"hs_call_{agent_side}_number"] = ix.agent_phone
        if ix.outcome and ix.outcome in OUTCOMES:
            props["hs_call_disposition"] = OUTCOMES[ix.outcome]
        if ix.recording_url and ix.recording_url.startswith("https://"):
            props["hs_call_recording_url"] = ix.recording_url
    else:
        props = {"hs_timestamp": when, "hs_note_body": ix.body_html}
    props[MARKER_PROPERTY] = ix.marker
    association = {
        "to": {"id": ix.contact_id},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": _ASSOCIATION[ix.channel]}],
    }
    return ToolCall(CREATE[ix.channel], {"properties": props, "associations": [association]})


def _find_existing(ix: Interaction) -> ToolCall:
    return ToolCall(FIND[ix.channel], {"interaction_id": ix.marker, "idProperty": MARKER_PROPERTY})


def _record_id(body: Any) -> str | None:
    found = (body or {}).get("id")
    return None if found is None else str(found)


def _setup() -> tuple[ToolCall, ...]:
    return tuple(
        ToolCall(
            ENSURE_PROPERTY[channel],
            {
                "name": MARKER_PROPERTY,
                "label": "crmbridge interaction id",
                "type": "string",
                "fieldType": "text",
                "groupName": f"{obj[:-1]}information",
                "hasUniqueValue": True,
                "description": "Set by crmbridge so that a conversation is logged once.",
            },
        )
        for channel, obj in _OBJECT.items()
    )


#: A contact's record in HubSpot's web app (object type ``0-1``), where the calls and notes written for
#: it show on the timeline.
CONTACT_URL = "https://app.hubspot.com/contacts/{portal_id}/record/0-1/{id}"


def _contact_url(metadata: Mapping[str, Any], contact_id: str) -> str | None:
    portal = metadata.get("portal_id") or metadata.get("crm_account_id")
    if not str(portal or "").isdigit():
        return None
    return CONTACT_URL.format(portal_id=portal, id=quote(contact_id, safe=""))


MAPPING = WritebackMapping(
    find_by_phone=_find_by_phone,
    find_by_email=_find_by_email,
    candidates=_candidates,
    create_contact=_create_contact,
    write=_write,
    find_existing=_find_existing,
    existing_id=lambda ix, body: _record_id(body),
    record_id=_record_id,
    setup=_setup(),
    setup_done_codes=frozenset({"conflict"}),
    duplicate_codes=frozenset({"conflict"}),
    body_limit=65_000,
    outcomes=OUTCOMES,
    contact_url=_contact_url,
)
