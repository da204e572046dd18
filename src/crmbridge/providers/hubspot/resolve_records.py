"""Records named in plain language → ids, and the inline ``associations`` of a create.

References: a contact by id, e-mail or name ("John Smith"); a company by id, domain or name; a deal by id
or name. Ids and e-mails are checked with one batch read per kind (no search); names use the search API:
an exact match first (full name, company name, domain, deal name), then free text, whose hits are ranked
by :func:`crmbridge.engine.matching.pick` (exact, then a unique whole-word match); several, or hits
that match neither way, come back as ``ambiguous_reference`` with candidates to pick from.
Record lookups are not cached: records change and a stale id would link the wrong record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...engine import matching
from ...errors import InvalidInput
from .resolve_common import SINGULAR, search_body

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
    ("tickets", "contacts"): 16,
    ("tickets", "companies"): 339,
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
    #: What a record may be called besides its label (a contact: the full name and the e-mail).
    names: Callable[[dict[str, Any]], tuple[str, ...]]
    hint: str

    def choice(self, record: dict[str, Any]) -> matching.Choice[str]:
        record_id = str(record.get("id"))
        return matching.Choice(record_id, record_id, self.label(record), self.names(record))


def _contact_label(r: dict[str, Any]) -> str:
    name = f"{_prop(r, 'firstname')} {_prop(r, 'lastname')}".strip()
    email = _prop(r, "email")
    return f"{name} <{email}>" if name and email else name or email or str(r.get("id"))


def _company_label(r: dict[str, Any]) -> str:
    domain = _prop(r, "domain")
    return f"{_prop(r, 'name')} ({domain})" if domain else _prop(r, "name") or str(r.get("id"))


def _contact_names(r: dict[str, Any]) -> tuple[str, ...]:
    return f"{_prop(r, 'firstname')} {_prop(r, 'lastname')}", _prop(r, "email")


_KINDS = {
    "contacts": _Kind("contacts", "contact", ("firstname", "lastname", "email"), _contact_label,
                      _contact_names, "an id, an e-mail or a full name"),
    "companies": _Kind("companies", "company", ("name", "domain"), _company_label,
                       lambda r: (_prop(r, "name"), _prop(r, "domain")), "an id, a domain or a name"),
    "deals": _Kind("deals", "deal", ("dealname", "amount", "dealstage"),
                   lambda r: _prop(r, "dealname") or str(r.get("id")), lambda r: (), "an id or a deal name"),
}  # fmt: skip
#: Hits of a free-text search for a name; fewer means the search found them all.
_SEARCH_LIMIT = 10


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


async def _by_name(ctx: CallContext, kind: _Kind, text: str, field: str) -> str:
    """HubSpot's exact filters first (all their hits are exact); else free text, ranked by the matcher."""
    filters = _exact_filters(kind, text)
    props = list(kind.properties)
    exact = await _search(ctx, kind, search_body(filters, properties=props)) if filters else []
    if len(exact) == 1:
        return str(exact[0]["id"])
    if exact:
        raise matching.ambiguous(text, [kind.choice(r) for r in exact], field=field)
    body = search_body(query=" ".join(matching.words(text)) or text, properties=props, limit=_SEARCH_LIMIT)
    loose = await _search(ctx, kind, body)
    return matching.pick(
        text, [kind.choice(r) for r in loose], field=field, kind=kind.singular,
        hint=f"Give {kind.hint}, or search first.", searched=True, complete=len(loose) < _SEARCH_LIMIT,
    ).value  # fmt: skip


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
                raise matching.not_found(
                    t, field=f"{field}[{i}]", kind=kind.singular, hint=f"Give {kind.hint}."
                )
            ids[i] = t
    if by_email:
        emails = list(dict.fromkeys(t.lower() for t in by_email.values()))
        found = {
            _prop(r, "email").lower(): str(r.get("id")) for r in await _batch_read(ctx, kind, emails, "email")
        }
        for i, t in by_email.items():
            if t.lower() not in found:
                raise matching.not_found(
                    t, field=f"{field}[{i}]", kind=kind.singular, hint=f"Give {kind.hint}."
                )
            ids[i] = found[t.lower()]
    for i, t in enumerate(texts):
        if i not in ids:
            ids[i] = await _by_name(ctx, kind, matching.require_text(t, f"{field}[{i}]"), f"{field}[{i}]")
    return list(dict.fromkeys(ids[i] for i in sorted(ids)))


def _is_type(spec: Any) -> bool:
    type_id = spec.get("associationTypeId") if isinstance(spec, dict) else None
    return (
        isinstance(type_id, int) and not isinstance(type_id, bool) and bool(spec.get("associationCategory"))
    )


def _as_given(
    from_type: str, items: list[Any], field: str = "associations"
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """HubSpot's own inline list, sent as given; what was linked is known where a HUBSPOT_DEFINED type says."""
    kinds = {
        type_id: to
        for (frm, to), type_id in (*ASSOCIATION_TYPES.items(), *_PRIMARY.items())
        if frm == from_type
    }
    inline: list[dict[str, Any]] = []
    linked: dict[str, list[str]] = {}
    for i, item in enumerate(items):
        to = item.get("to") if isinstance(item, dict) else None
        record_id = str(to.get("id") if isinstance(to, dict) and to.get("id") is not None else "").strip()
        if not record_id:
            raise InvalidInput(
                f"'{field}[{i}].to.id' is missing: the id of the record to link.", field=f"{field}[{i}].to.id"
            )
        types = item.get("types")
        if not isinstance(types, list) or not types or not all(_is_type(t) for t in types):
            raise InvalidInput(
                f"'{field}[{i}].types' must list {{associationCategory, associationTypeId}} objects, e.g. "
                '{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}; or link records by kind '
                'instead: {"contacts": ["Jane Doe"]}.',
                field=f"{field}[{i}].types",
            )
        specs = [dict(t) for t in types]
        inline.append({"to": {"id": record_id}, "types": specs})
        defined = [t["associationTypeId"] for t in specs if t.get("associationCategory") == "HUBSPOT_DEFINED"]
        kind = next((kinds[t] for t in defined if t in kinds), None)
        if kind is not None and record_id not in linked.get(kind, ()):
            linked.setdefault(kind, []).append(record_id)
    return inline, linked


async def build_associations(
    ctx: CallContext, from_type: str, spec: dict[str, Any] | list[Any] | None, field: str = "associations"
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """HubSpot's inline ``associations`` for a create, and ``{kind: [ids]}`` to show what was linked.
    ``spec`` names records by kind (``{"contacts": ["Ann"]}``), or is HubSpot's own inline list."""
    if isinstance(spec, list):
        return _as_given(from_type, spec, field)
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
