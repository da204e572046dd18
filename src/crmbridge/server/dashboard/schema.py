"""Schema: run discovery on an account, browse its objects and fields, search them (typo-tolerant).

Over ``bridge.discovery``, the library's own discovery; the bindings builder joins this page when the
bindings HTTP layer lands. The search box updates its results as you type with htmx, and is a plain GET
form without JavaScript.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from ...core.models import AccountStatus
from ...errors import InvalidInput
from ..service import service_of
from .guard import Viewer, need, posted
from .render import SECURITY_HEADERS, page

__all__ = ["router"]

router = APIRouter()


def _split(account: str) -> tuple[str, str]:
    """``integration:identifier`` (an integration's name never holds ``:``)."""
    integration, sep, identifier = account.partition(":")
    if not sep or not integration or not identifier:
        raise InvalidInput("Choose an account from the list.", field="account")
    return integration, identifier


@router.get("/schema")
async def schema_page(
    request: Request,
    account: str = Query("", max_length=400),
    q: str = Query("", max_length=200),
    who: Viewer = Depends(need("integrations:read")),
) -> Response:
    bridge = service_of(request).bridge(who.tenant_id)
    choices = [
        (f"{a.connection_name}:{a.identifier}", f"{a.connection_name} / {a.identifier}")
        for a in await bridge.alist_connected_accounts()
        if a.status == AccountStatus.ACTIVE
    ]
    if not account and choices:
        account = choices[0][0]
    found: Any = None
    objects: list[dict[str, Any]] = []
    hits: list[dict[str, Any]] = []
    if account:
        integration, identifier = _split(account)
        found = await asyncio.to_thread(bridge.discovery.latest, integration, identifier)
        if found is not None:
            objects = await asyncio.to_thread(bridge.discovery.objects, integration, identifier)
            if q.strip():
                hits = await asyncio.to_thread(bridge.discovery.search, integration, identifier, q, limit=25)
    context: dict[str, Any] = {"account": account, "q": q, "hits": hits, "searched": bool(q.strip())}
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return page(request, "schema_results.html", who, **context)
    summary = found.summary() if found is not None else None
    return page(
        request,
        "schema.html",
        who,
        current="schema",
        title="Schema",
        choices=choices,
        summary=summary,
        objects=objects,
        **context,
    )


@router.post("/schema/discover")
async def discover(request: Request, who: Viewer = Depends(need("integrations:write"))) -> Response:
    form = await posted(request, who)
    account = form.get("account", "")
    integration, identifier = _split(account)
    await service_of(request).bridge(who.tenant_id).discovery.adiscover(integration, identifier)
    target = "/dashboard/schema?" + urlencode({"account": account})
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)


@router.get("/schema/object")
async def object_page(
    request: Request,
    account: str = Query(max_length=400),
    name: str = Query(min_length=1, max_length=200),
    who: Viewer = Depends(need("integrations:read")),
) -> Response:
    integration, identifier = _split(account)
    bridge = service_of(request).bridge(who.tenant_id)
    obj = await asyncio.to_thread(bridge.discovery.object, integration, identifier, name)
    return page(
        request, "schema_object.html", who, current="schema", title=f"Object {obj.get('label') or name}",
        account=account, obj=obj,
    )  # fmt: skip
