"""Search v2: per-entity ``/api/v2/<x>/search`` and ``/api/v2/itemSearch``.

Matching is a case-insensitive substring test on each searchable field; ``exact_match=true`` means the
whole value equals the term (still case-insensitive). Only live (not deleted) rows are found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import customfields, searchincludes
from .auth import require_access
from .common import JSON, cursor_page, ok, q_bool
from .errors import bad_request
from .store import Company

Texts = Callable[[Company, JSON], list[str]]


def _notes(key: str) -> Texts:
    return lambda c, r: [n["content"] for n in c.tables["notes"].rows.values() if n[key] == r["id"]]


def _custom(entity: str) -> Texts:
    return lambda c, r: customfields.search_texts(c.custom_fields(entity), r.get("custom_fields") or {})


def _ref(company: Company, table: str, key: Any, display: str = "name") -> JSON | None:
    row = company.tables[table].get_live(key) if key is not None else None
    return {"id": row["id"], display: row[display]} if row else None


def _deal(c: Company, r: JSON, hits: dict[str, list[str]]) -> JSON:
    stage = c.tables["stages"].rows.get(r["stage_id"])
    return {
        "id": r["id"], "type": "deal", "title": r["title"], "value": r["value"], "currency": r["currency"],
        "status": r["status"], "visible_to": r["visible_to"], "owner": {"id": r["owner_id"]},
        "stage": {"id": stage["id"], "name": stage["name"]} if stage else None,
        "person": _ref(c, "persons", r["person_id"]), "organization": _ref(c, "organizations", r["org_id"]),
        "custom_fields": hits.get("custom_fields", []), "notes": hits.get("notes", []),
        "is_archived": r["is_archived"],
    }  # fmt: skip


def _person(c: Company, r: JSON, hits: dict[str, list[str]]) -> JSON:
    return {
        "id": r["id"], "type": "person", "name": r["name"],
        "phones": [p["value"] for p in r["phones"]], "emails": [e["value"] for e in r["emails"]],
        "visible_to": r["visible_to"], "owner": {"id": r["owner_id"]},
        "organization": _ref(c, "organizations", r["org_id"]),
        "custom_fields": hits.get("custom_fields", []), "notes": hits.get("notes", []),
        "update_time": r["update_time"],
    }  # fmt: skip


def _organization(c: Company, r: JSON, hits: dict[str, list[str]]) -> JSON:
    return {
        "id": r["id"], "type": "organization", "name": r["name"],
        "address": (r["address"] or {}).get("value"), "visible_to": r["visible_to"],
        "owner": {"id": r["owner_id"]}, "custom_fields": hits.get("custom_fields", []),
        "notes": hits.get("notes", []), "update_time": r["update_time"],
    }  # fmt: skip


def _product(c: Company, r: JSON, hits: dict[str, list[str]]) -> JSON:
    return {
        "id": r["id"], "type": "product", "name": r["name"], "code": r["code"],
        "visible_to": r["visible_to"], "owner": {"id": r["owner_id"]},
        "custom_fields": hits.get("custom_fields", []),
    }  # fmt: skip


def _lead(c: Company, r: JSON, hits: dict[str, list[str]]) -> JSON:
    person = c.tables["persons"].get_live(r["person_id"]) if r["person_id"] else None
    value = r["value"] or {}
    return {
        "id": r["id"], "type": "lead", "title": r["title"], "owner": {"id": r["owner_id"]},
        "person": _ref(c, "persons", r["person_id"]),
        "organization": _ref(c, "organizations", r["organization_id"]),
        "phones": [p["value"] for p in person["phones"]] if person else [],
        "emails": [e["value"] for e in person["emails"]] if person else [],
        "custom_fields": hits.get("custom_fields", []), "notes": hits.get("notes", []),
        "value": value.get("amount"), "currency": value.get("currency"),
        "visible_to": int(r["visible_to"]), "is_archived": r["is_archived"],
    }  # fmt: skip


@dataclass(frozen=True)
class Searchable:
    """One searchable entity: where its rows live, what text each ``fields`` name covers, its item."""

    item_type: str
    table: str
    scopes: tuple[str, ...]
    texts: dict[str, Texts]
    item: Callable[[Company, JSON, dict[str, list[str]]], JSON]
    filters: tuple[tuple[str, str], ...] = ()  # (query param, row key)
    related: tuple[tuple[str, str], ...] = ()  # (row key, item type) for search_for_related_items


SEARCHABLES: dict[str, Searchable] = {
    "deal": Searchable(
        "deal", "deals", ("deals:read", "deals:full", "search:read"),
        {"title": lambda c, r: [r["title"]], "notes": _notes("deal_id"), "custom_fields": _custom("deal")},
        _deal, (("person_id", "person_id"), ("organization_id", "org_id")),
        (("person_id", "person"), ("org_id", "organization")),
    ),
    "person": Searchable(
        "person", "persons", ("contacts:read", "contacts:full", "search:read"),
        {
            "name": lambda c, r: [r["name"]], "email": lambda c, r: [e["value"] for e in r["emails"]],
            "phone": lambda c, r: [p["value"] for p in r["phones"]], "notes": _notes("person_id"),
            "custom_fields": _custom("person"),
        },
        _person, (("organization_id", "org_id"),), (("org_id", "organization"),),
    ),
    "organization": Searchable(
        "organization", "organizations", ("contacts:read", "contacts:full", "search:read"),
        {
            "name": lambda c, r: [r["name"]], "address": lambda c, r: [(r["address"] or {}).get("value") or ""],
            "notes": _notes("org_id"), "custom_fields": _custom("organization"),
        },
        _organization,
    ),
    "product": Searchable(
        "product", "products", ("products:read", "products:full", "search:read"),
        {"name": lambda c, r: [r["name"]], "code": lambda c, r: [r["code"] or ""], "custom_fields": _custom("product")},
        _product,
    ),
    "lead": Searchable(
        "lead", "leads", ("leads:read", "leads:full", "search:read"),
        {"title": lambda c, r: [r["title"]], "notes": _notes("lead_id"), "custom_fields": _custom("deal")},
        _lead, (("person_id", "person_id"), ("organization_id", "organization_id")),
        (("person_id", "person"), ("organization_id", "organization")),
    ),
}  # fmt: skip
RELATED_TABLE = {"person": "persons", "organization": "organizations"}


def _score(term: str, text: str, exact: bool) -> float:
    """1.0 for a whole-value match; prefixes beat infixes; shorter values score higher."""
    t, v = term.lower(), text.lower()
    if v == t:
        return 1.0
    if exact or t not in v:
        return 0.0
    base = 0.6 if v.startswith(t) else 0.3
    return round(base + 0.3 * len(t) / len(v), 4)


def _term(request: Request) -> tuple[str, bool]:
    term = (request.query_params.get("term") or "").strip()
    exact = bool(q_bool(request, "exact_match"))
    if not term:
        raise bad_request("Parameter 'term' is required")
    if len(term) < 2 and not exact:
        raise bad_request("Search term must be at least 2 characters long (or 1 with exact_match=true)")
    return term, exact


def _fields(request: Request, allowed: set[str]) -> set[str]:
    raw = request.query_params.get("fields")
    if not raw:
        return allowed
    wanted = {f.strip() for f in raw.split(",") if f.strip()}
    bad = sorted(wanted - allowed)
    if bad:
        raise bad_request(
            f"Parameter 'fields' accepts only {', '.join(sorted(allowed))}; got {', '.join(bad)}"
        )
    return wanted


#: The term and ``fields`` rules, shared with the v1 lead search (``leadsearch.py``).
search_term, search_fields = _term, _fields


def hits(
    company: Company, spec: Searchable, term: str, exact: bool, fields: set[str], params: Mapping[str, str]
) -> list[tuple[float, JSON]]:
    """(score, item) for every live row of ``spec`` matching ``term`` and the filter ``params``, best first."""
    found: list[tuple[float, Any, JSON]] = []
    for row in company.tables[spec.table].live():
        if any((v := params.get(p)) and str(row.get(k)) != v for p, k in spec.filters):
            continue
        best, matched = 0.0, {}
        for name in fields & set(spec.texts):
            texts = [t for t in spec.texts[name](company, row) if t and _score(term, t, exact) > 0]
            if texts:
                matched[name] = texts
                best = max(best, *(_score(term, t, exact) for t in texts))
        if best > 0:
            found.append((best, row["id"], spec.item(company, row, matched)))
    found.sort(key=lambda f: (-f[0], str(f[1]).zfill(12)))
    return [(score, item) for score, _id, item in found]


def _entity_route(spec: Searchable) -> Route:
    async def search(request: Request) -> Response:
        access = require_access(request, scopes_any=spec.scopes, cost=20, search=True)
        term, exact = _term(request)
        extra = searchincludes.wanted(
            request, [n for n in searchincludes.INCLUDABLE if n.startswith(spec.item_type + ".")]
        )
        status = request.query_params.get("status")
        if spec.item_type == "deal" and status and status not in ("open", "won", "lost"):
            raise bad_request("Parameter 'status' must be open, won or lost")
        found = hits(
            access.company, spec, term, exact, _fields(request, set(spec.texts)), request.query_params
        )
        if spec.item_type == "deal" and status:
            found = [f for f in found if f[1]["status"] == status]
        page, next_cursor = cursor_page(request, found)
        searchincludes.add(access.company, [item for _score, item in page], extra)
        items = [{"result_score": score, "item": item} for score, item in page]
        return ok({"items": items}, {"next_cursor": next_cursor})

    return Route(f"/api/v2/{spec.table}/search", search, methods=["GET"])


ITEM_INCLUDES = ("deal.cc_email", "person.picture", "product.price")
ITEM_TYPES = ("deal", "person", "organization", "product", "lead", "file", "mail_attachment", "project")


async def item_search(request: Request) -> Response:
    access = require_access(request, scopes_any=("search:read",), cost=20, search=True)
    term, exact = _term(request)
    extra = searchincludes.wanted(request, ITEM_INCLUDES)
    raw_types = request.query_params.get("item_types")
    types = [t.strip() for t in raw_types.split(",") if t.strip()] if raw_types else list(SEARCHABLES)
    bad = sorted(set(types) - set(ITEM_TYPES))
    if bad:
        raise bad_request(
            f"Parameter 'item_types' accepts only {', '.join(ITEM_TYPES)}; got {', '.join(bad)}"
        )
    specs = [SEARCHABLES[t] for t in types if t in SEARCHABLES]
    fields = _fields(request, {f for s in specs for f in s.texts})
    found: list[tuple[float, JSON]] = []
    for spec in specs:
        found.extend(hits(access.company, spec, term, exact, fields, {}))
    found.sort(key=lambda f: -f[0])
    page, next_cursor = cursor_page(request, found, maximum=100)
    searchincludes.add(access.company, [item for _score, item in page], extra)
    items = [{"result_score": score, "item": item} for score, item in page]
    related: list[JSON] = []
    if q_bool(request, "search_for_related_items"):
        seen = {(i["item"]["type"], i["item"]["id"]) for i in items}
        for _score_value, item in page:
            spec = SEARCHABLES[item["type"]]
            row = access.company.tables[spec.table].rows[item["id"]]
            for key, rtype in spec.related:
                target = (
                    access.company.tables[RELATED_TABLE[rtype]].get_live(row.get(key))
                    if row.get(key)
                    else None
                )
                if target is not None and (rtype, target["id"]) not in seen:
                    seen.add((rtype, target["id"]))
                    rel = SEARCHABLES[rtype].item(access.company, target, {})
                    related.append({"result_score": 0.0, "item": rel})
    return ok({"items": items, "related_items": related}, {"next_cursor": next_cursor})


routes: list[BaseRoute] = [
    *(_entity_route(spec) for spec in SEARCHABLES.values()),
    Route("/api/v2/itemSearch", item_search, methods=["GET"]),
]
