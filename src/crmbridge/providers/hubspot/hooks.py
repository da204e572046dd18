"""HubSpot's quirks: its error body, its paging, its record shape, and how to find a lost create.

What only some calls need (the object types for a generic tool's scopes, ``json`` for a validation
message, the name matcher for labels, the request planner for a re-check) is imported where it is used:
the catalog loads this module to list tools (start-up cost).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...engine.hooks import DefaultHooks, body_json, default_error, missing_record, retry_after_seconds
from ...errors import (
    AuthFailed,
    Conflict,
    CrmBridgeError,
    InsufficientScope,
    InvalidInput,
    NotFound,
    RateLimited,
)

if TYPE_CHECKING:
    import httpx

    from ...spec import NewestFirst, PageInfo, Prepared, Tool

__all__ = ["HubSpotHooks"]

_PROVIDER = "hubspot"
_DAY = 86_400
_EXISTING_ID = r"Existing ID: (\d+)"  # compiled (and cached by re) with the first conflict
_SCOPE_KEYS = ("requiredGranularScopes", "requiredScopes", "missingScopes")
#: One record's path (``/crm/v3/objects/contacts/123``), and HubSpot's own words for a missing one elsewhere
#: (``No contact with ID 123 exists.``). Compiled (and cached by re) with the first 404.
_RECORD_PATH = r"/crm/v3/objects/([^/]+)/([^/]+)$"
_NO_RECORD = r"\bNo (\w+) with ID (\S+) exists"
#: An object type → the tool that finds one of its records by name, and by what. Others: records_search.
_FINDERS: dict[str, tuple[str, str]] = {
    "contacts": ("hubspot_contacts_search", "name or email"),
    "companies": ("hubspot_companies_search", "name or domain"),
    "deals": ("hubspot_deals_search", "name"),
    "tickets": ("hubspot_tickets_search", "subject"),
}
#: Properties every record carries that tell a model nothing new.
_NOISE = frozenset({"hs_object_id", "hs_lastmodifieddate", "lastmodifieddate"})


def _scopes_in(body: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    contexts = [body.get("context")] + [
        e.get("context") for e in body.get("errors", []) if isinstance(e, dict)
    ]
    for context in contexts:
        if isinstance(context, dict):
            for key in _SCOPE_KEYS:
                for scope in context.get(key) or ():
                    if scope not in found:
                        found.append(scope)
    return found


def _correlation_id(response: httpx.Response, body: Any) -> str | None:
    """HubSpot's id for the request, which its support asks for: in the error body and in a header."""
    in_body = body.get("correlationId") if isinstance(body, dict) else None
    return str(in_body) if in_body else response.headers.get("x-hubspot-correlation-id")


def _validation_message(message: str) -> tuple[str, dict[str, Any]]:
    """HubSpot embeds property errors as a JSON list inside ``message``; lift the first one out."""
    start = message.find("[")
    if "Property values were not valid" not in message or start < 0:
        return message, {}
    import json

    try:
        problems = json.loads(message[start:])
    except ValueError:
        return message, {}
    if not problems or not isinstance(problems[0], dict):
        return message, {}
    first = problems[0]
    name = first.get("name")
    text = first.get("message") or first.get("error") or "invalid value"
    details: dict[str, Any] = {"field": name, "provider_code": first.get("error")}
    options = first.get("allowedOptions") or first.get("options")
    if isinstance(options, list):
        details["allowed"] = options
    more = f" ({len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return f"Property '{name}': {text}{more}", details


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a response built without a request (tests)
        return None


def _missing(response: httpx.Response, tool: Tool | None, message: str, common: dict[str, Any]) -> NotFound:
    """Which record is missing and which tool finds it: from the request path, else from HubSpot's words."""
    from urllib.parse import unquote

    from .resolve_common import SINGULAR

    request = _request_of(response)
    path = request.url.path if request is not None else ""
    found = re.search(_RECORD_PATH, path)
    said = re.search(_NO_RECORD, message)
    if found is None and said is None:
        if "/pipelines/" in path:
            message += ". Use hubspot_pipelines_list to see the pipelines and their stages"
        return NotFound(f"HubSpot: {message}.", **common)
    if found is not None:
        assert request is not None
        kind, ident = found.group(1), unquote(found.group(2))
        key = request.url.params.get("idProperty") or "id"
    else:
        assert said is not None
        plural = next((p for p, one in SINGULAR.items() if one == said.group(1).lower()), said.group(1))
        kind, ident, key = plural, said.group(2).rstrip("."), "id"
    noun = SINGULAR.get(kind, f"{kind} record")
    finder, by = _FINDERS.get(kind, ("hubspot_records_search", ""))
    note = "it may have been archived"
    return missing_record(
        "HubSpot", noun, ident, tool, path, key=key, finder=finder, by=by, note=note, **common
    )


def _labels(props: Mapping[str, Any], known: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Names for ids a model cannot read (numeric stage, pipeline and owner ids), from the preparer's
    ``Prepared.labels``; a label that merely spells its id (``closedwon``) is left out."""
    from ...engine.matching import match_key

    out: dict[str, str] = {}
    for name, names in known.items():
        value = props.get(name)
        label = names.get(str(value)) if value is not None else None
        if label and match_key(label) != match_key(value):
            out[name] = label
    return out


def _object_id(record: Any) -> int | None:
    value = record.get("id") if isinstance(record, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdecimal() else None


class HubSpotHooks(DefaultHooks):
    #: New records reach HubSpot search after seconds, up to about 30 s: a re-check that finds
    #: nothing keeps looking that long before the create is resent (rare: only after a lost answer).
    index_lag = 30.0
    #: Records per search page when re-checking a lost create (search's maximum).
    recheck_page_size = 200

    def scopes_for(self, tool: Tool, args: Mapping[str, Any]) -> tuple[str, ...]:
        entity = args.get("entity")
        if isinstance(entity, str) and tool.name.startswith("hubspot_record"):
            from .objects import object_type

            kind = object_type(entity)
            return (kind.read_scope if tool.annotations.read_only else kind.write_scope,)
        return tool.scopes

    def page_info(self, body: Any) -> PageInfo:
        if not isinstance(body, dict):
            return None, None
        after = ((body.get("paging") or {}).get("next") or {}).get("after")
        total = body.get("total")
        return (str(after) if after is not None else None), (total if isinstance(total, int) else None)

    def next_page(
        self, path: str, params: dict[str, Any], json: Any, cursor: str
    ) -> tuple[dict[str, Any], Any]:
        """``after`` goes in a search's body, else in the query."""
        if isinstance(json, dict):
            return params, {**json, "after": cursor}
        return {**params, "after": cursor}, json

    def shape_record(self, record: Any, tool: Tool, prepared: Prepared) -> Any:
        if isinstance(record, list) and len(record) == 1:
            record = record[0]  # one record inside a batch answer (e.g. a one-input upsert)
        if not isinstance(record, dict) or "properties" not in record:
            return super().shape_record(record, tool, prepared)
        props = {
            k: v
            for k, v in (record.get("properties") or {}).items()
            if v not in (None, "") and k not in _NOISE
        }
        out: dict[str, Any] = {"id": str(record.get("id")), "properties": props}
        if isinstance(record.get("new"), bool):
            out["created"] = record["new"]  # upsert: created (true) or updated (false)
        if record.get("archived"):
            out["archived"] = True
        labels = _labels(props, prepared.labels)
        if labels:
            out["labels"] = labels
        history = record.get("propertiesWithHistory")
        if history:
            out["propertiesWithHistory"] = {
                k: [{"value": h.get("value"), "timestamp": h.get("timestamp")} for h in v]
                for k, v in history.items()
            }
        assoc = record.get("associations")
        if isinstance(assoc, dict) and assoc:
            out["associations"] = {
                kind: sorted({str(r.get("id") or r.get("toObjectId")) for r in (v.get("results") or [])})
                for kind, v in assoc.items()
            }
        elif prepared.linked:
            out["associations"] = {kind: list(ids) for kind, ids in prepared.linked.items()}
        return out

    def created_listing(self, tool: Tool, args: Mapping[str, Any]) -> NewestFirst | None:
        """A search for records equal to the input on every recheck key, newest (highest id) first.

        The filters do the matching, so only look-alikes are listed: the re-check of a lost create
        usually reaches the mark on its first page however many other records were created meanwhile.
        """
        from ...engine.request import plan_request
        from ...spec import NewestFirst  # the hooks contract loads with the first create, not the catalog

        assert tool.recheck is not None
        nested = args.get("properties")
        props: Mapping[str, Any] = nested if isinstance(nested, dict) else args
        filters = [
            {"propertyName": key, "operator": "EQ", "value": str(props[key])}
            for key in tool.recheck.keys
            if props.get(key) not in (None, "")
        ]
        if not filters:
            return None
        path = plan_request(tool, dict(args)).path  # /crm/v3/objects/<type>
        body = {
            "filterGroups": [{"filters": filters}],
            "sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
            "limit": self.recheck_page_size,
            "properties": list(tool.recheck.keys),
        }
        return NewestFirst(
            path.rstrip("/") + "/search", position=_object_id, method="POST", json=body, items="results"
        )

    def parse_error(self, response: httpx.Response, tool: Tool | None) -> CrmBridgeError:
        status = response.status_code
        body = body_json(response)
        request_id = _correlation_id(response, body)
        if not isinstance(body, dict):
            return default_error(
                status,
                response.reason_phrase or f"HubSpot answered {status}",
                request_id=request_id,
                provider=_PROVIDER,
            )
        message = str(body.get("message") or response.reason_phrase or "error")
        category = body.get("category") or body.get("errorType")
        common: dict[str, Any] = {
            "status": status,
            "provider_code": category,
            "request_id": request_id,
            "provider": _PROVIDER,
        }
        if status == 429:
            policy = body.get("policyName") or ("SECONDLY" if "secondly limit" in message else None)
            wait = retry_after_seconds(response)
            if wait is None and policy == "DAILY":
                # The portal's midnight, in a time zone we do not know: the next UTC midnight is the estimate.
                wait = float(_DAY - int(time.time()) % _DAY)
            elif wait is None and policy != "SECONDLY":
                # No Retry-After on most CRM 429s: the window's own length is the longest wait needed.
                interval = response.headers.get("x-hubspot-ratelimit-interval-milliseconds", "")
                wait = int(interval) / 1000 if interval.isdecimal() else None
            if policy == "DAILY":
                message = "HubSpot's daily API limit for this account is used up; it resets at the portal's midnight."
            return RateLimited(
                message,
                retry_after=wait if wait is not None else (1.0 if policy == "SECONDLY" else 10.0),
                daily=policy == "DAILY",
                policy=policy,
                **common,
            )
        if status == 403 and category == "MISSING_SCOPES":
            scopes = _scopes_in(body)
            return InsufficientScope(
                f"HubSpot refused the call: the account lacks a scope it needs (any of: {', '.join(scopes)}).",
                missing_scopes=scopes,
                **common,
            )
        if status == 401:
            return AuthFailed(
                "HubSpot rejected the credentials (expired, revoked or wrong token); the user must reconnect.",
                **common,
            )
        if status == 409:
            match = re.search(_EXISTING_ID, message)
            return Conflict(message, existing_id=match.group(1) if match else None, **common)
        if status == 400:
            text, details = _validation_message(message)
            return InvalidInput(text, **{**common, **details})
        if status == 404:
            return _missing(response, tool, message.rstrip("."), common)
        return default_error(status, message, **common)
