"""Pipedrive's quirks: the ``{success, data, additional_data}`` envelope, two paginations, its error
bodies, compact records, and how a create whose answer was lost is found again."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...engine.hooks import DefaultHooks, body_json, default_error, missing_record, retry_after_seconds
from ...errors import (
    AuthFailed,
    CrmBridgeError,
    InsufficientScope,
    InvalidInput,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from .common import V1, V2

if TYPE_CHECKING:
    import httpx

    from ...spec import NewestFirst, PageInfo, Prepared, Tool

__all__ = ["PipedriveHooks"]

_PROVIDER = "pipedrive"

#: Keys that tell a model nothing (or repeat another key); dropped from every record.
_NOISE = frozenset(
    {"visible_to", "cc_email", "origin_id", "channel", "channel_id", "picture_id", "icon_url", "active_flag",
     "source_name", "was_seen", "last_update_user_id", "is_you", "lang"}
)  # fmt: skip
_CUSTOM_KEY = re.compile(r"^[0-9a-f]{40}$")
#: The API's key → the tool input's name for it (the preparers rename the other way).
_INPUT_NAME = {
    "person_id": "person",
    "participants": "person",
    "org_id": "organization",
    "organization_id": "organization",
    "owner_id": "owner",
    "user_id": "owner",
    "stage_id": "stage",
    "pipeline_id": "pipeline",
    "emails": "email",
    "phones": "phone",
    "start": "cursor",
}
#: Where Pipedrive's messages name a field ("Invalid field 'x'", "(field 'x')", "Unknown field(s): x").
#: Compiled (and cached by ``re``) with the first error message read, not at import (start-up cost).
_FIELD_PATTERNS = (
    r"\(field '([^']+)'\)",
    r"\b(?:[Ff]ield|[Pp]arameter)\s+'([^']+)'",
    r"\b[Ff]ield(?:\(s\)|s)?:?\s+([A-Za-z_][\w.\[\]]*)",
)
_QUOTED = r"'([A-Za-z_][\w.\[\]]*)'"
#: Tools the CRM also allows under scopes other than ``tool.scopes`` (see ``scopes_for``).
_ANY_OF_SCOPES = frozenset(
    {"pipedrive_deals_search", "pipedrive_persons_search", "pipedrive_organizations_search",
     "pipedrive_pipelines_list", "pipedrive_stages_list", "pipedrive_fields_list", "pipedrive_current_user_get"}
)  # fmt: skip
#: How a created type's list gives its newest records first, and the recheck keys it can filter on
#: (which narrows the re-check of a lost create to the records linked to the same deal, person, ...).
#: Leads have UUIDs, so only their creation time orders them, and it is read to the second.
_NEWEST_FIRST: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "v2": ({"sort_by": "id", "sort_direction": "desc"}, ()),
    f"{V2}/deals": ({"sort_by": "id", "sort_direction": "desc"}, ("person_id", "org_id")),
    f"{V2}/activities": ({"sort_by": "id", "sort_direction": "desc"}, ("deal_id",)),
    f"{V1}/leads": ({"sort": "add_time DESC"}, ("person_id", "organization_id")),
    f"{V1}/notes": ({"sort": "id DESC"}, ("deal_id", "person_id", "org_id", "lead_id")),
}
_BY_TIME = frozenset({f"{V1}/leads"})


def _next_cursor(body: Any) -> str | None:
    """The next page's cursor: v2 ``next_cursor``, or a v1 list's next ``start`` as a string."""
    if not isinstance(body, dict) or not isinstance(body.get("additional_data"), dict):
        return None
    extra: dict[str, Any] = body["additional_data"]
    if extra.get("next_cursor"):
        return str(extra["next_cursor"])
    nested = extra.get("pagination")
    paging: dict[str, Any] = nested if isinstance(nested, dict) else extra
    if not paging.get("more_items_in_collection"):
        return None
    start = paging.get("next_start")
    if start is None and isinstance(paging.get("start"), int) and isinstance(paging.get("limit"), int):
        start = paging["start"] + paging["limit"]
    return None if start is None else str(start)


def _compact(value: Any, *, top: bool = False) -> Any:
    """Nulls, empties, false ``is_*``/``*_flag`` switches and noise keys removed, recursively; at the top
    level, v1's custom fields (40-hex keys at the root, as leads have them) gathered in ``custom_fields``."""
    if isinstance(value, list):
        return [_compact(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for key, item in value.items():
        if key in _NOISE or (item is False and (key.startswith("is_") or key.endswith("_flag"))):
            continue
        item = _compact(item)
        if item in (None, "", [], {}):
            continue
        if top and _CUSTOM_KEY.match(key):
            custom[key] = item
        else:
            out[key] = item
    if custom:
        out["custom_fields"] = {**out.get("custom_fields", {}), **custom}
    return out


def _same(found: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):  # emails / phones: [{value, ...}] compared as sets of values

        def values(items: Any) -> set[str]:
            return {str(i.get("value") if isinstance(i, dict) else i).strip().casefold() for i in items or []}

        return values(found) == values(wanted)
    if isinstance(wanted, str):
        return isinstance(found, str) and found.strip().casefold() == wanted.strip().casefold()
    return str(found) == str(wanted)


def _base(name: str) -> str:
    """``emails[0].value`` → ``emails``."""
    return re.split(r"[.\[]", name, maxsplit=1)[0]


def _field(message: str, tool: Tool | None) -> str | None:
    """The input field a Pipedrive validation message is about, in the tool's own vocabulary."""
    known = set((tool.input_schema.get("properties") or {}) if tool else ())
    name = None
    for pattern in _FIELD_PATTERNS:
        match = re.search(pattern, message)
        if match:
            name = match.group(1)
            break
    if name is None:  # else a quoted or plain word of the message that is a field name
        words = [*re.findall(_QUOTED, message), *re.findall(r"[a-z_]+", message.lower())]
        name = next((w for w in words if _base(w) in known or _base(w) in _INPUT_NAME), None)
    if name is None:
        return None
    base = _base(name)
    mapped = _INPUT_NAME.get(base)
    if mapped and base not in known and (not known or mapped in known):
        return mapped
    return base


#: A collection in a request path → what one record of it is called, the tool that finds one, and by what.
_FINDERS: dict[str, tuple[str, str, str]] = {
    "deals": ("deal", "pipedrive_deals_search", "title"),
    "persons": ("person", "pipedrive_persons_search", "name, email or phone"),
    "organizations": ("organization", "pipedrive_organizations_search", "name"),
    "leads": ("lead", "pipedrive_leads_list", "person or organization"),
    "activities": ("activity", "pipedrive_activities_list", "deal, person or organization"),
    "notes": ("note", "pipedrive_notes_list", "deal, person, organization or lead"),
}


def _noun(tool: Tool | None) -> str:
    if tool is None:
        return "record"
    parts = tool.name.split("_")
    return " ".join(parts[1:-1]) or "record"


def _collection(request: httpx.Request | None) -> str:
    """``deals`` of ``/api/v2/deals/5``: the segment before the id."""
    parts = request.url.path.rstrip("/").split("/") if request is not None else []
    return parts[-2] if len(parts) >= 2 else ""


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a response built without a request (tests, recovered deletes)
        return None


def _target_id(request: httpx.Request | None) -> str | None:
    """The record id at the end of the request path, if it looks like one (number or UUID)."""
    last = request.url.path.rstrip("/").rsplit("/", 1)[-1] if request is not None else ""
    return last if last and (last.isdecimal() or "-" in last) else None


def _numeric_id(record: Any) -> int | None:
    value = record.get("id") if isinstance(record, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _added_second(record: Any) -> int | None:
    """A record's ``add_time`` in whole seconds (Pipedrive may not keep more), ``None`` if unreadable."""
    value = record.get("add_time") if isinstance(record, dict) else None
    if not isinstance(value, str):
        return None
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T").replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


class PipedriveHooks(DefaultHooks):
    #: Records per page when re-checking a lost create (the lists' maximum: fewer requests and tokens).
    recheck_page_size = 500

    def scopes_for(self, tool: Tool, args: Mapping[str, Any]) -> tuple[str, ...]:
        """The scope a call needs, for the engine's pre-flight check: ``tool.scopes`` (the entity's
        ``:read`` or ``:full`` scope; the granted set is expected with ``:full`` implying ``:read``, as
        ``auth.effective_scopes`` gives it). Calls the CRM also allows under other scopes (notes: deals
        or contacts; search: also ``search:read``; pipelines, stages, fields: also ``admin``; users/me:
        ``base``) are not pre-checked: an all-of check cannot express alternatives, so the CRM's 403 is
        the authority there."""
        return () if tool.name in _ANY_OF_SCOPES or tool.name.startswith("pipedrive_note") else tool.scopes

    def unwrap(self, body: Any) -> Any:
        if isinstance(body, dict) and "success" in body and "data" in body:
            return body["data"]
        return body

    def page_info(self, body: Any) -> PageInfo:
        return _next_cursor(body), None

    def next_page(
        self, path: str, params: dict[str, Any], json: Any, cursor: str
    ) -> tuple[dict[str, Any], Any]:
        """v2 lists take the ``cursor``; v1 lists an offset, ``start``."""
        return {**params, "start" if path.startswith(V1) else "cursor": cursor}, json

    def shape_record(self, record: Any, tool: Tool, prepared: Prepared) -> Any:
        if isinstance(record, dict) and isinstance(record.get("item"), dict) and "result_score" in record:
            record = record["item"]  # a search hit: the item is the record
        return _compact(record, top=True)

    def created_listing(self, tool: Tool, args: Mapping[str, Any]) -> NewestFirst | None:
        """The created type's list, newest first, filtered on the recheck keys it can filter on; a record
        matches when it carries every key value the input gives.

        A list (not the search API): it is consistent straight after a write, where Pipedrive's search
        index may lag, and it costs half as much.
        """
        from ...spec import NewestFirst  # the hooks contract loads with the first create, not the catalog

        assert tool.recheck is not None
        keys = [k for k in tool.recheck.keys if args.get(k) not in (None, "", [])]
        if not keys:
            return None
        order, filters = _NEWEST_FIRST.get(tool.path) or _NEWEST_FIRST["v2"]
        narrowed = {k: args[k] for k in filters if k in keys}
        by_time = tool.path in _BY_TIME
        return NewestFirst(
            tool.path,
            position=_added_second if by_time else _numeric_id,
            params={**order, **narrowed, "limit": self.recheck_page_size},
            unique=not by_time,
            matches=lambda r: isinstance(r, dict) and all(_same(r.get(k), args[k]) for k in keys),
        )

    def parse_error(self, response: httpx.Response, tool: Tool | None) -> CrmBridgeError:
        """Pipedrive's error bodies onto the taxonomy. It documents no request id (nor does the sandbox
        send one), so its errors carry none."""
        status = response.status_code
        body = body_json(response)
        if not isinstance(body, dict):
            if status == 403:  # Cloudflare's HTML page: an API token kept sending after 429s
                return RateLimited(
                    "Pipedrive is temporarily blocking this API token for sending too fast after rate "
                    "limiting; wait before trying again.",
                    retry_after=retry_after_seconds(response) or 60.0,
                    status=status,
                    provider=_PROVIDER,
                )
            return default_error(
                status, response.reason_phrase or f"Pipedrive answered {status}", provider=_PROVIDER
            )
        error = str(body.get("error") or body.get("message") or response.reason_phrase or "error")
        info = body.get("error_info")
        common: dict[str, Any] = {"status": status, "provider_code": body.get("code"), "provider": _PROVIDER}
        if status in (400, 422):
            errors = body.get("errors")  # v1's other shape: {"errors": {"<field>": ["message"]}}
            if isinstance(errors, dict) and errors and not body.get("error"):
                name, problem = next(iter(errors.items()))
                error = f"{name}: {problem[0] if isinstance(problem, list) and problem else problem}"
            return InvalidInput(f"Pipedrive rejected the input: {error}", field=_field(error, tool), **common)
        if status == 401:
            return AuthFailed(
                "Pipedrive rejected the credentials (wrong or regenerated API token, or an invalid OAuth "
                "token); the user must reconnect the account.",
                **common,
            )
        if status == 402:
            return ProviderError(
                "The Pipedrive company account is not open (trial ended or payment missing).", **common
            )
        if status == 403:
            hint = (
                "The app was not granted the scope this needs; the user must re-authorise."
                if "scope" in error.lower()
                else "The Pipedrive user or plan does not allow this."
            )
            return InsufficientScope(f"Pipedrive refused the call: {error}. {hint}", **common)
        if status in (404, 410):
            request = _request_of(response)
            ident = _target_id(request)
            noun, finder, by = _FINDERS.get(_collection(request), (_noun(tool), None, ""))
            if status == 410:
                deleting = request is not None and request.method == "DELETE"
                gone = "already deleted" if deleting else "deleted and can no longer be changed"
                message = f"The Pipedrive {noun}{f' {ident}' if ident else ''} is {gone}."
            elif ident:
                note = "it may have been deleted"
                path = request.url.path if request is not None else ""
                return missing_record(
                    "Pipedrive", noun, ident, tool, path, finder=finder, by=by, note=note, **common
                )
            else:
                message = f"Pipedrive: {error}" + (f" ({info})" if isinstance(info, str) else "")
            return NotFound(message, **common)
        if status == 429:
            return self._rate_limited(response, error, common)
        if status >= 500:
            return ProviderUnavailable(
                f"Pipedrive is unavailable ({status}: {error}); try again shortly.",
                retry_after=retry_after_seconds(response),
                **common,
            )
        return default_error(status, f"Pipedrive: {error}", **common)

    @staticmethod
    def _rate_limited(response: httpx.Response, error: str, common: dict[str, Any]) -> RateLimited:
        wait = retry_after_seconds(response)
        if wait is None:
            try:
                wait = float(response.headers.get("x-ratelimit-reset", ""))
            except ValueError:
                wait = None
        remaining = response.headers.get("x-daily-ratelimit-token-remaining")
        daily = "daily" in error.lower() or remaining == "0" or (wait is not None and wait > 300)
        if daily:
            return RateLimited(
                "Pipedrive's daily API budget for this company is used up; it resets at midnight (server time).",
                retry_after=wait,
                daily=True,
                policy="DAILY",
                **common,
            )
        return RateLimited(
            "Pipedrive's rate limit was reached; retry after a short wait.",
            retry_after=wait if wait is not None else 2.0,
            policy="BURST",
            **common,
        )
