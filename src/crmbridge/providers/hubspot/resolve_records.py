"""Records named in plain language → ids, and the inline ``associations`` of a create.

References: a contact by id, e-mail or name ("John Smith"); a company by id, domain or name; a deal by id
or name. Ids and e-mails are checked with one batch read per kind (no search); names use the search API:
an exact match first (full name, company name, domain, deal name), then free text. One exact match is
used; several, or only inexact ones, come back as ``ambiguous_reference`` with candidates to pick from.
Record lookups are not cached: records change and a stale id would link the wrong record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import AmbiguousReference, InvalidInput
from .resolve_common import SINGULAR, key, search_body, words

if TYPE_CHECKING:
    from ...spec import CallContext

__all__ = ["ASSOCIATION_TYPES", "build_associations", "resolve_refs"]

#: (from, to) → HUBSPOT_DEFINED association type ids sent on create (reference §3.4).
ASSOCIATION_TYPES: dict[tuple[str, str], int] = {
    ("deals", "contacts"): 3,
    ("deals", "companies"): 341,
    ("companies", "contacts"): 280,
    ("notes", "contacts"): 202,
    ("notes", "companies"): 190,
    ("notes", "deals"): 214,
    ("tasks", "contacts"): 204,
    ("tasks", "companies"): 192,
    ("tasks", "deals"): 216,
}
#: The first company of a new deal is also its primary company (as HubSpot's own UI does).
_PRIMARY: dict[tuple[str, str], int] = {("deals", "companies"): 5}
_DOMAIN = re.compile(r"^(https?://)?(www\.)?([a-z0-9-]+(\.[a-z0-9-]+)+)(:\d+)?(/\S*)?$", re.IGNORECASE)


def _prop(record: dict[str, Any], name: str) -> str:
    return str((record.get("properties") or {}).get(name) or "")


@dataclass(frozen=True)
class _Kind:
    api: str
    singular: str
    properties: tuple[str, ...]
    label: Callable[[dict[str, Any]], str]
    hint: str


def _contact_label(r: dict[str, Any]) -> str:
    name = f"{_prop(r, 'firstname')} {_prop(r, 'lastname')}".strip()
    email = _prop(r, "email")
    return f"{name} <{email}>" if name and email else name or email or str(r.get("id"))


def _company_label(r: dict[str, Any]) -> str:
    domain = _prop(r, "domain")
    return f"{_prop(r, 'name')} ({domain})" if domain else _prop(r, "name") or str(r.get("id"))


_KINDS = {
    "contacts": _Kind("contacts", "contact", ("firstname", "lastname", "email"), _contact_label,
                      "an id, an e-mail or a full name"),
    "companies": _Kind("companies", "company", ("name", "domain"), _company_label, "an id, a domain or a name"),
    "deals": _Kind("deals", "deal", ("dealname", "amount", "dealstage"),
                   lambda r: _prop(r, "dealname") or str(r.get("id")), "an id or a deal name"),
}  # fmt: skip


def domain_of(text: str) -> str | None:
    """``acme.com`` from ``https://www.acme.com/about``; None when ``text`` is not a domain or URL."""
    match = _DOMAIN.match(text.strip())
    return match.group(3).lower() if match and " " not in text.strip() else None


async def _search(ctx: CallContext, kind: _Kind, body: dict[str, Any]) -> list[dict[str, Any]]:
    found = await ctx.request("POST", f"/crm/v3/objects/{kind.api}/search", json=body)
    results: list[dict[str, Any]] = found.get("results", []) if isinstance(found, dict) else []
    return results


async def _batch_read(
    ctx: CallContext, kind: _Kind, refs: list[str], id_property: str | None = None
) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"inputs": [{"id": r} for r in refs], "properties": list(kind.properties)}
    if id_property:
        body["idProperty"] = id_property
    found = await ctx.request("POST", f"/crm/v3/objects/{kind.api}/batch/read", json=body)
    results: list[dict[str, Any]] = found.get("results", []) if isinstance(found, dict) else []
    return results


def _exact_filters(kind: _Kind, text: str) -> list[list[dict[str, Any]]]:
    def eq(name: str, value: str) -> dict[str, Any]:
        return {"propertyName": name, "operator": "EQ", "value": value}

    if kind.api == "contacts":
        parts = text.split()
        return [
            [eq("firstname", " ".join(parts[:i])), eq("lastname", " ".join(parts[i:]))]
            for i in range(1, min(len(parts), 5))
        ]
    if kind.api == "companies":
        domain = domain_of(text)
        return [[eq("domain", domain)]] if domain else [[eq("name", text)]]
    return [[eq("dealname", text)]]


def _is_exact(kind: _Kind, record: dict[str, Any], text: str) -> bool:
    wanted = key(text)
    if kind.api == "contacts":
        first, last = _prop(record, "firstname"), _prop(record, "lastname")
        return (
            wanted in {key(first), key(last), key(first + last)}
            or _prop(record, "email").lower() == text.lower()
        )
    if kind.api == "companies":
        return wanted in {key(_prop(record, "name")), key(_prop(record, "domain"))}
    return wanted == key(_prop(record, "dealname"))


def _candidates(kind: _Kind, records: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"id": str(r.get("id")), "label": kind.label(r)} for r in records[:10]]


async def _by_name(ctx: CallContext, kind: _Kind, text: str, field: str) -> str:
    filters = _exact_filters(kind, text)
    props = list(kind.properties)
    found = await _search(ctx, kind, search_body(filters, properties=props)) if filters else []
    exact = found
    if not found:
        loose = await _search(ctx, kind, search_body(query=" ".join(words(text)) or text, properties=props))
        exact = [r for r in loose if _is_exact(kind, r, text)]
        if not exact and loose:
            raise AmbiguousReference(
                f"No {kind.singular} is exactly {text!r}; closest matches are listed as candidates: "
                "pass the id of the one meant.",
                field=field,
                candidates=_candidates(kind, loose),
            )
    if len(exact) == 1:
        return str(exact[0]["id"])
    if exact:
        raise AmbiguousReference(
            f"{text!r} matches {len(exact)} {kind.api}; pass the id of the one meant.",
            field=field,
            candidates=_candidates(kind, exact),
        )
    raise InvalidInput(
        f"No {kind.singular} matches {text!r}. Give {kind.hint}, or search first.", field=field
    )


async def resolve_refs(ctx: CallContext, api: str, refs: list[Any], field: str) -> list[str]:
    """Ids of the records ``refs`` name, in order, without duplicates; errors name ``field[i]``."""
    kind = _KINDS[api]
    texts = [str(r).strip() for r in refs]
    ids: dict[int, str] = {}
    by_id = {i: t for i, t in enumerate(texts) if t.isdecimal()}
    by_email = {i: t for i, t in enumerate(texts) if i not in by_id and api == "contacts" and "@" in t}
    if by_id:
        known = {str(r.get("id")) for r in await _batch_read(ctx, kind, list(dict.fromkeys(by_id.values())))}
        for i, t in by_id.items():
            if t not in known:
                raise InvalidInput(f"No {kind.singular} has id {t}.", field=f"{field}[{i}]")
            ids[i] = t
    if by_email:
        emails = list(dict.fromkeys(t.lower() for t in by_email.values()))
        found = {
            _prop(r, "email").lower(): str(r.get("id")) for r in await _batch_read(ctx, kind, emails, "email")
        }
        for i, t in by_email.items():
            if t.lower() not in found:
                raise InvalidInput(f"No contact has the e-mail {t}.", field=f"{field}[{i}]")
            ids[i] = found[t.lower()]
    for i, t in enumerate(texts):
        if i not in ids:
            if not t:
                raise InvalidInput(f"{field}[{i}] is empty.", field=f"{field}[{i}]")
            ids[i] = await _by_name(ctx, kind, t, f"{field}[{i}]")
    return list(dict.fromkeys(ids[i] for i in sorted(ids)))


async def build_associations(
    ctx: CallContext, from_type: str, spec: dict[str, Any] | None, field: str = "associations"
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """HubSpot's inline ``associations`` for a create, and ``{kind: [ids]}`` to show what was linked."""
    inline: list[dict[str, Any]] = []
    linked: dict[str, list[str]] = {}
    for api, refs in (spec or {}).items():
        type_id = ASSOCIATION_TYPES.get((from_type, api))
        if type_id is None:
            allowed = sorted(to for frm, to in ASSOCIATION_TYPES if frm == from_type)
            raise InvalidInput(
                f"A {SINGULAR.get(from_type, from_type)} cannot be linked to {api} here; use: {', '.join(allowed)}.",
                field=f"{field}.{api}",
                allowed=allowed,
            )
        items = refs if isinstance(refs, list) else [refs]
        ids = await resolve_refs(ctx, api, [r for r in items if r not in (None, "")], f"{field}.{api}")
        for n, record_id in enumerate(ids):
            types = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]
            primary = _PRIMARY.get((from_type, api))
            if primary is not None and n == 0:
                types.append({"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": primary})
            inline.append({"to": {"id": record_id}, "types": types})
        if ids:
            linked[api] = ids
    return inline, linked
