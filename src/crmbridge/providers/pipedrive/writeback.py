"""Pipedrive's interaction writeback: a voice conversation becomes a call log (``/v1/callLogs``, which
also shows a done call activity on the person's timeline), a chat a note on the person.

Pipedrive has no unique-value field to upsert on, so each record carries a marker line naming the
interaction id, and the re-check pages through the account's call logs (or the person's notes) looking
for it; interaction logging runs that re-check only when its own ledger shows an attempt whose answer
was never recorded. Facts: reference agent-platform §1.4.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from ...spec import Annotations, Output, Tool
from ...spec.writeback import CallerForms, Candidate, Interaction, ToolCall, WritebackMapping

__all__ = ["MAPPING"]

_RAW = Output(kind="raw")
_READ = Annotations(read_only=True, idempotent=True)
_TIME = "%Y-%m-%d %H:%M:%S"
#: Pipedrive's call-log outcomes, by the neutral names interaction logging uses.
OUTCOMES = {
    "connected": "connected", "no_answer": "no_answer", "left_live_message": "left_message",
    "left_voicemail": "left_voicemail", "wrong_number": "wrong_number", "busy": "busy",
}  # fmt: skip
_PAGE = 100


def _tool(name: str, method: str, path: str, schema: dict[str, Any], **extra: Any) -> Tool:
    return Tool(
        name=f"pipedrive_writeback_{name}",
        description=f"Interaction logging: {name.replace('_', ' ')}.",
        input_schema={"type": "object", "properties": schema, "additionalProperties": False},
        method=method,
        path=path,
        output=_RAW,
        provider="pipedrive",
        **extra,
    )


_STR = {"type": "string"}
_INT = {"type": "integer"}
_NULLABLE = {"type": ["string", "null"]}
SEARCH_PERSONS = _tool(
    "search_persons",
    "GET",
    "/api/v2/persons/search",
    {"term": _STR, "fields": _STR, "exact_match": {"type": "boolean"}, "limit": _INT},
    query=("term", "fields", "exact_match", "limit"),
    annotations=_READ,
)
CREATE_PERSON = _tool(
    "create_person",
    "POST",
    "/api/v2/persons",
    {"name": _STR, "phones": {"type": "array"}, "emails": {"type": "array"}},
    body="rest",
)
CREATE_CALL_LOG = _tool(
    "create_call_log",
    "POST",
    "/v1/callLogs",
    {k: _NULLABLE for k in ("outcome", "to_phone_number", "from_phone_number", "start_time", "end_time",
                            "duration", "subject", "note")} | {"person_id": _INT},
    body="rest",
)  # fmt: skip
CREATE_NOTE = _tool("create_note", "POST", "/v1/notes", {"content": _STR, "person_id": _INT}, body="rest")
LIST_CALL_LOGS = _tool(
    "list_call_logs", "GET", "/v1/callLogs", {"start": _INT, "limit": _INT}, query=("start", "limit"),
    annotations=_READ,
)  # fmt: skip
LIST_NOTES = _tool(
    "list_notes",
    "GET",
    "/v1/notes",
    {"person_id": _INT, "start": _INT, "limit": _INT},
    query=("person_id", "start", "limit"),
    annotations=_READ,
)


def _search(term: str, field: str) -> ToolCall:
    return ToolCall(SEARCH_PERSONS, {"term": term, "fields": field, "exact_match": False, "limit": 100})


def _find_by_phone(caller: CallerForms) -> list[ToolCall]:
    # Numbers are stored as typed: search each form (E.164, without "+", national), then re-verify.
    return [_search(form, "phone") for form in caller.forms if len(form) >= 2]


def _candidates(body: Any) -> list[Candidate]:
    items = ((body or {}).get("data") or {}).get("items") or []
    out = []
    for entry in items:
        item = entry.get("item") or {}
        out.append(
            Candidate(
                str(item["id"]),
                tuple(str(p) for p in item.get("phones") or []),
                tuple(str(e) for e in item.get("emails") or []),
                str(item.get("update_time") or ""),
            )
        )
    return out


def _create_person(caller: CallerForms) -> ToolCall:
    body: dict[str, Any] = {"name": caller.name or caller.e164 or caller.email or "Unknown caller"}
    if caller.e164:
        body["phones"] = [{"value": caller.e164, "primary": True, "label": "work"}]
    if caller.email:
        body["emails"] = [{"value": caller.email, "primary": True, "label": "work"}]
    return ToolCall(CREATE_PERSON, body)


def _write(ix: Interaction) -> ToolCall:
    person = int(ix.contact_id)
    if ix.channel == "chat":
        return ToolCall(CREATE_NOTE, {"content": ix.body_html, "person_id": person})
    inbound = ix.direction == "inbound"
    caller, agent = ix.caller_phone, ix.agent_phone
    to_number, from_number = (agent, caller) if inbound else (caller, agent)
    return ToolCall(
        CREATE_CALL_LOG,
        {
            "outcome": OUTCOMES.get(ix.outcome or "", "connected"),
            # Required by Pipedrive; an inbound call to an agent without a published number says so.
            "to_phone_number": to_number or "unknown",
            "from_phone_number": from_number,
            "start_time": ix.started_at.strftime(_TIME),
            "end_time": ix.ended_at.strftime(_TIME),
            "duration": str(round(ix.duration_ms / 1000)),
            "subject": ix.title,
            "note": ix.body_html,
            "person_id": person,
        },
    )


def _find_existing(ix: Interaction) -> ToolCall:
    if ix.channel == "chat":
        return ToolCall(LIST_NOTES, {"person_id": int(ix.contact_id), "start": 0, "limit": _PAGE})
    return ToolCall(LIST_CALL_LOGS, {"start": 0, "limit": 50})


def _existing_id(ix: Interaction, body: Any) -> str | None:
    for row in (body or {}).get("data") or []:
        text = row.get("note") if ix.channel == "voice" else row.get("content")
        if text and ix.marker in text:
            return str(row["id"])
    return None


def _find_next(body: Any) -> dict[str, Any] | None:
    pagination = ((body or {}).get("additional_data") or {}).get("pagination") or {}
    if pagination.get("more_items_in_collection") and pagination.get("next_start") is not None:
        return {"start": int(pagination["next_start"])}
    return None


def _record_id(body: Any) -> str | None:
    data = (body or {}).get("data") or {}
    return None if data.get("id") is None else str(data["id"])


#: A person's page in Pipedrive's web app, where the call logs and notes written for them show.
PERSON_URL = "https://{company_domain}.pipedrive.com/person/{id}"
_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def _company_domain(metadata: Mapping[str, Any]) -> str | None:
    """From ``users/me`` (OAuth and checked API keys), else from an ``https://<company>.pipedrive.com``
    API origin."""
    found = metadata.get("company_domain")
    if not found:
        host = urlsplit(str(metadata.get("api_domain") or "")).hostname or ""
        found = host.removesuffix(".pipedrive.com") if host.endswith(".pipedrive.com") else None
    return found if isinstance(found, str) and _DOMAIN.fullmatch(found) else None


def _person_url(metadata: Mapping[str, Any], person_id: str) -> str | None:
    domain = _company_domain(metadata)
    return None if domain is None else PERSON_URL.format(company_domain=domain, id=quote(person_id, safe=""))


MAPPING = WritebackMapping(
    find_by_phone=_find_by_phone,
    find_by_email=lambda email: [_search(email, "email")],
    candidates=_candidates,
    create_contact=_create_person,
    write=_write,
    find_existing=_find_existing,
    existing_id=_existing_id,
    find_next=_find_next,
    record_id=_record_id,
    body_limit=60_000,
    outcomes=OUTCOMES,
    contact_url=_person_url,
)
