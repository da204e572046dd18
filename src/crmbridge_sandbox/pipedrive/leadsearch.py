"""``GET /v1/leads/search``: the v1 lead search, over the same matching as ``/api/v2/leads/search``.

Same term rules, fields, filters, scores and order as the v2 route (``search.hits``); only the paging
differs (``start``/``limit`` with ``additional_data.pagination``, as v1 does), plus the optional
``include_fields=lead.was_seen``. The spec's ``x-token-cost`` for this v1 route is 40 (v2: 20).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .auth import require_access
from .common import offset_page, ok, q_int
from .errors import bad_request
from .search import SEARCHABLES, hits, search_fields, search_term

INCLUDABLE = ("lead.was_seen",)


async def search_leads(request: Request) -> Response:
    spec = SEARCHABLES["lead"]
    access = require_access(request, scopes_any=spec.scopes, cost=40, search=True)
    term, exact = search_term(request)
    fields = search_fields(request, set(spec.texts))
    filters = {
        name: str(value)
        for name in ("person_id", "organization_id")
        if (value := q_int(request, name, minimum=1)) is not None
    }
    raw_include = request.query_params.get("include_fields") or ""
    include = {f.strip() for f in raw_include.split(",") if f.strip()}
    if include - set(INCLUDABLE):
        raise bad_request(
            f"Parameter 'include_fields' accepts only {', '.join(INCLUDABLE)}; got {raw_include}"
        )
    found = hits(access.company, spec, term, exact, fields, filters)
    page, pagination = offset_page(request, found)
    items = []
    for score, item in page:
        if include:
            item["was_seen"] = bool(access.company.tables["leads"].rows[item["id"]]["was_seen"])
        items.append({"result_score": score, "item": item})
    return ok({"items": items}, {"pagination": pagination})


routes: list[BaseRoute] = [Route("/v1/leads/search", search_leads, methods=["GET"])]
