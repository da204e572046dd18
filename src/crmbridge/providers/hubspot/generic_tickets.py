"""Support tickets: create one (pipeline and status by id or label, linked to a contact/company) and search."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...engine import matching
from ...spec import Output, Prepared, Preparer, Recheck, Tool
from .generic_common import READ, SEARCH, search_body
from .resolve_common import as_text

if TYPE_CHECKING:
    from ...spec import CallContext

#: HUBSPOT_DEFINED ticket → contact and ticket → company (unlabelled) association type ids.
_TO_CONTACT, _TO_COMPANY = 16, 339


async def _pipelines(ctx: CallContext) -> list[Any]:
    async def load() -> list[Any]:
        body = await ctx.request("GET", "/crm/v3/pipelines/tickets")
        return list(body.get("results") or []) if isinstance(body, dict) else []

    found: list[Any] = await ctx.cached("hubspot:pipelines:tickets", load)
    return found


def _pick(items: list[Any], wanted: str, field: str, kind: str) -> Any:
    """A pipeline or status by id or label, matched as any name is."""
    choices = [matching.Choice(i, str(i.get("id")), str(i.get("label") or i.get("id"))) for i in items]
    return matching.pick(wanted, choices, field=field, kind=kind).value


async def _create(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    """Pipeline and status by id or label (status defaults to the first); contact/company → associations."""
    pipeline = _pick(
        await _pipelines(ctx), str(args.get("hs_pipeline") or "0"), "hs_pipeline", "ticket pipeline"
    )
    stages = sorted(
        (s for s in pipeline.get("stages") or () if not s.get("archived")),
        key=lambda s: s.get("displayOrder", 0),
    )
    args["hs_pipeline"] = str(pipeline["id"])
    if args.get("hs_pipeline_stage"):
        args["hs_pipeline_stage"] = str(
            _pick(stages, str(args["hs_pipeline_stage"]), "hs_pipeline_stage", "ticket status")["id"]
        )
    elif stages:
        args["hs_pipeline_stage"] = str(stages[0]["id"])
    links: list[dict[str, Any]] = []
    associated: dict[str, list[str]] = {}
    for key, kind, type_id in (
        ("contactId", "contacts", _TO_CONTACT),
        ("companyId", "companies", _TO_COMPANY),
    ):
        target = args.pop(key, None)
        if target is not None:
            spec = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}
            links.append({"to": {"id": as_text(target)}, "types": [spec]})
            associated[kind] = [as_text(target)]
    out: dict[str, Any] = {k: as_text(v) for k, v in args.items() if v is not None}
    if links:
        out["associations"] = links
    # For HubSpotHooks.shape_record: status and pipeline names next to their ids, and what was linked.
    labels = {
        "hs_pipeline": {str(pipeline["id"]): str(pipeline.get("label"))},
        "hs_pipeline_stage": {str(s["id"]): str(s.get("label")) for s in stages},
    }
    return Prepared(out, labels=labels, linked=associated)


async def _search(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    return Prepared(search_body(args))


TOOLS: tuple[Tool, ...] = (
    Tool(
        name="hubspot_ticket_create",
        description="Create a HubSpot support ticket, optionally linked to a contact and/or company. "
        "Pipeline and status take an id or a label; status defaults to the pipeline's first.",
        input_schema={
            "type": "object",
            "properties": {
                "subject": {"type": "string", "description": "Ticket name."},
                "content": {"type": "string", "description": "Description."},
                "hs_pipeline": {"type": "string", "description": 'Pipeline; default "0" (support).'},
                "hs_pipeline_stage": {"type": "string", "description": "Status (stage)."},
                "hs_ticket_priority": {"enum": ["LOW", "MEDIUM", "HIGH", "URGENT"]},
                "hubspot_owner_id": {"type": "string"},
                "contactId": {"type": ["string", "integer"]},
                "companyId": {"type": ["string", "integer"]},
            },
            "required": ["subject"],
            "additionalProperties": False,
        },
        method="POST",
        path="/crm/v3/objects/tickets",
        scopes=("tickets",),
        body="properties",
        body_extra=("associations",),
        prepare="generic_ticket_create",
        recheck=Recheck(("subject", "hs_pipeline")),
        output=Output("record"),
        example={"subject": "Login fails", "content": "SSO error since Monday", "hs_ticket_priority": "HIGH"},
    ),
    Tool(
        name="hubspot_tickets_search",
        description="Search HubSpot tickets by free text and/or filterGroups (e.g. hs_pipeline_stage, "
        "hs_ticket_priority), with one sort and paging.",
        input_schema=SEARCH,
        method="POST",
        path="/crm/v3/objects/tickets/search",
        scopes=("tickets",),
        body="rest",
        annotations=READ,
        prepare="generic_tickets_search",
        output=Output("list", items="results"),
    ),
)

PREPARERS: Mapping[str, Preparer] = {
    "generic_ticket_create": _create,
    "generic_tickets_search": _search,
}
