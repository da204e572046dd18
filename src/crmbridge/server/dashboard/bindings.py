"""Bindings on the Schema page: the manual builder (object → fields → filters → preview with sample
records → install on an agent) and "describe it" (a goal → the proposed binding with its explanation
and warnings → install).

Server-rendered forms: the builder composes the binding's JSON, which the preview page shows in a
textarea to edit and preview again. Preview, describe and install call ``bridge.bindings`` and
``agent_actions.install_binding``, as the ``/bindings`` API routes do.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from ...bindings.problems import BindingInvalid
from ...errors import InvalidInput
from ...spec.binding import OPERATORS
from ..actions import known_integration
from ..agent_actions import install_binding
from ..service import service_of
from .guard import Viewer, need, posted
from .render import SECURITY_HEADERS, page
from .schema import _split

__all__ = ["router"]

router = APIRouter()
FILTER_ROWS = 3


def compose(form: dict[str, str], properties: list[str]) -> dict[str, Any]:
    """The restSearch binding the builder's form describes (its validation is the library's)."""
    filters = []
    for i in range(FILTER_ROWS):
        prop = form.get(f"filter_property_{i}", "")
        if prop:
            filters.append(
                {"property": prop, "operator": form.get(f"filter_operator_{i}") or "EQ",
                 "from": form.get(f"filter_from_{i}") or prop}
            )  # fmt: skip
    binding: dict[str, Any] = {
        "kind": "restSearch",
        "name": form.get("name", ""),
        "object": form.get("object", ""),
        "filters": filters,
        "result": form.get("result") or "one",
        "properties": properties,
    }
    if form.get("description"):
        binding["description"] = form["description"]
    return binding


def _parsed(text: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"The binding is not valid JSON: {exc.msg} (line {exc.lineno})."
        raise InvalidInput(message, field="binding") from None
    if not isinstance(found, dict):
        raise InvalidInput("The binding must be a JSON object.", field="binding")
    return found


async def _agents(request: Request, who: Viewer) -> list[dict[str, Any]]:
    agents = service_of(request).bridge(who.tenant_id).agents
    return await asyncio.to_thread(agents.list_agents)


@router.get("/schema/builder")
async def builder_page(
    request: Request,
    account: str = Query(max_length=400),
    object: str = Query("", max_length=200),
    who: Viewer = Depends(need("integrations:read")),
) -> Response:
    integration, identifier = _split(account)
    discovery = service_of(request).bridge(who.tenant_id).discovery
    objects = await asyncio.to_thread(discovery.objects, integration, identifier)
    obj = await asyncio.to_thread(discovery.object, integration, identifier, object) if object else None
    return page(
        request, "binding_builder.html", who, current="schema", title="Build a binding", account=account,
        objects=objects, obj=obj, operators=OPERATORS, rows=range(FILTER_ROWS),
    )  # fmt: skip


async def _preview_page(
    request: Request, who: Viewer, account: str, binding: dict[str, Any], *, preview: Any = None,
    proposal: Any = None, problems: Any = None, status: int = 200,
) -> Response:  # fmt: skip
    return page(
        request, "binding_preview.html", who, status=status, current="schema", title="Preview the binding",
        account=account, binding_json=json.dumps(binding, indent=2), preview=preview, proposal=proposal,
        problems=problems, agents=await _agents(request, who),
    )  # fmt: skip


@router.post("/schema/builder/preview")
async def preview(request: Request, who: Viewer = Depends(need("skills:write"))) -> Response:
    """Compose (or take the edited JSON), validate and run the dry run with the sample values."""
    form = await request.form()
    fields = await posted(request, who)
    account = fields.get("account", "")
    integration, identifier = _split(account)
    if fields.get("binding"):
        binding = _parsed(fields["binding"])
    else:
        chosen = [v for v in form.getlist("properties") if isinstance(v, str)]
        binding = compose(fields, chosen)
    samples = {
        fields.get(f"filter_from_{i}") or fields.get(f"filter_property_{i}", ""): fields[f"sample_{i}"]
        for i in range(FILTER_ROWS)
        if fields.get(f"sample_{i}")
    }
    bindings = service_of(request).bridge(who.tenant_id).bindings
    try:
        found = await bindings.apreview(integration, identifier, binding, samples)
    except BindingInvalid as exc:
        return await _preview_page(
            request, who, account, binding, problems=exc.details.get("problems"), status=422
        )
    return await _preview_page(request, who, account, binding, preview=found)


@router.post("/schema/describe")
async def describe(request: Request, who: Viewer = Depends(need("skills:write"))) -> Response:
    form = await posted(request, who)
    account = form.get("account", "")
    integration, identifier = _split(account)
    goal = form.get("goal", "")
    if not goal or len(goal) > 1000:
        raise InvalidInput("Describe what the skill should do (at most 1000 characters).", field="goal")
    bindings = service_of(request).bridge(who.tenant_id).bindings
    proposal = await bindings.adescribe(integration, identifier, goal, name=form.get("name") or None)
    return await _preview_page(request, who, account, proposal.binding or {}, proposal=proposal)


@router.post("/schema/bindings/install")
async def install(request: Request, who: Viewer = Depends(need("skills:write"))) -> Response:
    form = await posted(request, who)
    account = form.get("account", "")
    integration, identifier = _split(account)
    binding = _parsed(form.get("binding", ""))
    agent_id = form.get("agent_id", "")
    service = service_of(request)
    bridge = service.bridge(who.tenant_id)
    await asyncio.to_thread(bridge.agents.agent, agent_id)
    await known_integration(service, who.tenant_id, integration)
    try:
        await install_binding(bridge, agent_id, integration, identifier, binding)
    except BindingInvalid as exc:
        return await _preview_page(
            request, who, account, binding, problems=exc.details.get("problems"), status=422
        )
    target = f"/dashboard/agents/{quote(agent_id, safe='')}?done=installed"
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)
