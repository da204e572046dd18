"""``POST /crm/v3/objects/{objectType}/search``: HubSpot's CRM search over one object type.

Semantics kept here: filter groups are ORed and the filters inside a group ANDed (operators in filters.py);
free text ``query``; one sort; offset paging with ``after`` and the 10,000-result ceiling; archived records
are never returned. Without a sort, results come in ascending record id.

The free-text ``query`` is split on whitespace; a record matches when every term is a case-insensitive
substring of at least one of the type's searchable properties (so ``jo smi`` finds "John Smith").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .assocfilter import association_filter
from .common import bounded_int, json_value
from .errors import validation
from .filters import Predicate, compile_filter, getter, parse_filter, sort_key
from .reqs import access_for
from .searchlag import indexed
from .serialize import record_json, split_names
from .store import ObjectType, Portal, Record

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
MAX_RESULTS = 10_000
MAX_QUERY = 3_000


def _check_limits(groups: list[Any]) -> None:
    """HubSpot's documented ceilings: 5 groups, 6 filters per group, 18 filters in all."""
    if len(groups) > MAX_GROUPS:
        raise validation(f"Too many filter groups: {len(groups)} were given, the maximum is {MAX_GROUPS}.")
    total = 0
    for i, group in enumerate(groups):
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list):
            raise validation(f"filterGroups[{i}].filters must be a list of filters.")
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise validation(
                f"Too many filters in filterGroups[{i}]: {len(filters)} were given, "
                f"the maximum is {MAX_FILTERS_PER_GROUP} per group."
            )
        total += len(filters)
    if total > MAX_FILTERS:
        raise validation(
            f"Too many filters: {total} were given across all filter groups, the maximum is {MAX_FILTERS}."
        )


def _compile_groups(portal: Portal, t: ObjectType, groups: list[Any]) -> list[list[Predicate]]:
    compiled: list[list[Predicate]] = []
    for i, group in enumerate(groups):
        predicates: list[Predicate] = []
        for j, raw in enumerate(group["filters"]):
            where = f"filterGroups[{i}].filters[{j}]"
            name, operator = parse_filter(raw, where)
            if name.startswith("associations."):
                predicates.append(association_filter(portal, t, name, operator, raw, where))
            else:
                predicates.append(compile_filter(portal, t, name, operator, raw, where))
        if predicates:
            compiled.append(predicates)
    return compiled


def _query_predicate(t: ObjectType, query: str) -> Predicate | None:
    terms = [term.lower() for term in query.split()]
    if not terms:
        return None
    getters = [getter(name) for name in t.searchable]

    def match(r: Record) -> bool:
        values = [v.lower() for g in getters if (v := g(r))]
        return all(any(term in v for v in values) for term in terms)

    return match


def _combined(groups: list[list[Predicate]], query: Predicate | None) -> Predicate:
    """One predicate for the whole request; the common shapes avoid needless any()/all() layers."""
    if not groups:
        base: Predicate = lambda r: True  # noqa: E731
    elif len(groups) == 1 and len(groups[0]) == 1:
        base = groups[0][0]
    elif len(groups) == 1:
        only = groups[0]
        base = lambda r: all(p(r) for p in only)  # noqa: E731
    else:
        base = lambda r: any(all(p(r) for p in g) for g in groups)  # noqa: E731
    if query is None:
        return base
    return lambda r: query(r) and base(r)


def _sort(raw: Any) -> tuple[str, bool] | None:
    """``(propertyName, descending)`` from either sort form: ``{propertyName, direction}`` or ``"-name"``."""
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list):
        raise validation("sorts must be a list.")
    if len(raw) > 1:
        raise validation(f"Only one sort is allowed, {len(raw)} were given.")
    item = raw[0]
    if isinstance(item, str) and item.strip("-"):
        return item.lstrip("-"), item.startswith("-")
    if isinstance(item, dict) and isinstance(item.get("propertyName"), str):
        direction = str(item.get("direction") or "ASCENDING").upper()
        if direction not in ("ASCENDING", "DESCENDING"):
            raise validation(f"Invalid sort direction {direction!r}; use ASCENDING or DESCENDING.")
        return item["propertyName"], direction == "DESCENDING"
    raise validation(
        "Each sort needs a propertyName, e.g. {'propertyName': 'createdate', 'direction': 'ASCENDING'}."
    )


def _order(portal: Portal, t: ObjectType, records: list[Record], sort: tuple[str, bool] | None) -> None:
    """Sort in place; ties and the no-sort case in ascending id; records missing the value always last."""
    records.sort(key=_by_id)
    if sort is None:
        return
    key: Callable[[Record], Any] = sort_key(portal, t, sort[0])
    keyed = [(key(r), r) for r in records]
    present = [item for item in keyed if item[0] is not None]
    present.sort(key=lambda item: item[0], reverse=sort[1])
    records[:] = [r for _, r in present] + [r for k, r in keyed if k is None]


def _by_id(r: Record) -> int:
    return r.id


def _body(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise validation("The search body must be a JSON object.")
    return raw


def _text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise validation(f"{name} must be a string.")
    return str(value)


async def search(request: Request) -> Response:
    access, (t,) = access_for(request, (request.path_params["objectType"],), search=True)
    portal = access.portal
    body = _body(await json_value(request))
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list):
        raise validation("filterGroups must be a list.")
    _check_limits(groups)
    query = _text(body.get("query"), "query") or ""
    if len(query) > MAX_QUERY:
        raise validation(f"query must be at most {MAX_QUERY} characters long, got {len(query)}.")
    limit = bounded_int(_text(body.get("limit"), "limit"), "limit", DEFAULT_LIMIT, low=0, high=MAX_LIMIT)
    offset = bounded_int(_text(body.get("after"), "after"), "after", 0, low=0, high=2**62)
    if offset >= MAX_RESULTS:
        raise validation(
            f"Paging past {MAX_RESULTS} results is not supported (after={offset}); narrow the search "
            "with filters, for example on hs_object_id or createdate."
        )
    sort = _sort(body.get("sorts"))
    raw_props = body.get("properties")
    names = split_names(raw_props) if isinstance(raw_props, str | list) else None

    keep = _combined(_compile_groups(portal, t, groups), _query_predicate(t, query))
    table = portal.tables[t.type_id]
    hub = request.app.state.hubspot
    lag = float(getattr(hub, "search_lag_seconds", 0.0))
    if lag > 0:
        cutoff = hub.ctx.clock.now() - lag
        seen = [x for r in table.records.values() if (x := indexed(r, cutoff)) is not None]
    else:
        seen = [r for r in table.records.values() if not r.archived]
    matched = [r for r in seen if keep(r)]
    _order(portal, t, matched, sort)

    end = min(offset + limit, MAX_RESULTS, len(matched))
    page = matched[offset:end]
    result: dict[str, Any] = {
        "total": len(matched),
        "results": [record_json(r, t, names) for r in page],
    }
    if page and end < len(matched):  # past the ceiling too: following that link is what gets the 400
        result["paging"] = {"next": {"after": str(end)}}
    return JSONResponse(result)


routes: list[BaseRoute] = [Route("/crm/v3/objects/{objectType}/search", search, methods=["POST"])]
