"""Lead ↔ deal conversion (v2): ``POST /api/v2/deals/{id}/convert/lead``, ``POST /api/v2/leads/{id}/convert/deal``
and their ``…/convert/status/{conversion_id}`` polls.

Pipedrive runs a conversion as an asynchronous job and answers the POST with its ``conversion_id``.
The sandbox runs the job at once, so the first status read already says ``completed`` (with the new
entity's id) — deterministic, and what a poller sees from a fast job. The source is then gone as the
spec says ("marked as deleted"): a converted deal is soft-deleted like a v2 DELETE, a converted lead is
removed (the sandbox hard-deletes leads, see ``leads.py``). Notes and activities move to the new entity.
A deal with neither person nor organization cannot become a lead (a lead needs one): its job ends
``rejected`` and nothing changes. Job records are kept for 3 days ("removed after a few days").
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from . import deals, leads
from .auth import require_access
from .common import JSON, json_body, missing, now_of, rfc3339, v1_ok
from .entity import find, gone
from .store import Company, EntityTable
from .validate import WriteCtx, apply, ref

DEAL_WRITE, DEAL_READ = ("deals:full",), ("deals:read", "deals:full")
LEAD_WRITE, LEAD_READ = ("leads:full",), ("leads:read", "leads:full")
STATUSES = ("not_started", "running", "completed", "failed", "rejected")
JOB_SECONDS = 3 * 86_400
TO_DEAL_FIELDS = {"stage_id": ref("stages", "Stage"), "pipeline_id": ref("pipelines", "Pipeline")}


def jobs(company: Company, now: float) -> EntityTable:
    """Conversion jobs by id, older ones dropped."""
    table = company.tables.setdefault("conversions", EntityTable())
    for key in [k for k, r in table.rows.items() if r["_created"] <= now - JOB_SECONDS]:
        del table.rows[key]
    return table


def _start(company: Company, source: str, source_id: Any, now: float) -> JSON:
    job: JSON = {"conversion_id": str(uuid.uuid4()), "status": "running", "_source": source}
    job.update(_source_id=source_id, _created=now)
    jobs(company, now).rows[job["conversion_id"]] = job
    return job


def _move(company: Company, frm: str, old: Any, to: str, new: Any) -> None:
    """Re-link the notes and activities of the converted entity to the new one."""
    pin = {"deal_id": "pinned_to_deal_flag", "lead_id": "pinned_to_lead_flag"}
    for note in company.tables["notes"].rows.values():
        if note.get(frm) == old:
            note[frm], note[to] = None, new
            note[pin[to]], note[pin[frm]] = note.get(pin[frm], False), False
    for activity in company.tables["activities"].rows.values():
        if activity.get(frm) == old:
            activity[frm], activity[to] = None, new


def _answer(job: JSON) -> Response:
    return v1_ok({"conversion_id": job["conversion_id"]})


async def deal_to_lead(request: Request) -> Response:
    access = require_access(request, scopes_any=DEAL_WRITE, cost=40)
    company, now = access.company, now_of(request)
    deal = find(company, "deals", request.path_params["id"], now)
    if deal.get("is_deleted"):
        raise gone()
    ctx = WriteCtx(company, access.user, now)
    apply(ctx, {}, await json_body(request))  # the spec has no body: any field is unknown
    job = _start(company, "deal", deal["id"], now)
    if deal["person_id"] is None and deal["org_id"] is None:
        job["status"] = "rejected"
        return _answer(job)
    lead_id = str(uuid.uuid4())
    lead = leads.new_lead(
        ctx,
        lead_id,
        deal["title"],
        owner_id=deal["owner_id"],
        person_id=deal["person_id"],
        organization_id=deal["org_id"],
        value={"amount": deal["value"], "currency": deal["currency"]},
        expected_close_date=deal["expected_close_date"],
        visible_to=str(deal["visible_to"]),
        channel=deal.get("channel"),
        channel_id=deal.get("channel_id"),
        origin_id=deal.get("origin_id"),
        custom_fields=dict(deal.get("custom_fields") or {}),
    )
    lead["source_deal_id"] = deal["id"]
    company.tables["leads"].rows[lead_id] = lead
    _move(company, "deal_id", deal["id"], "lead_id", lead_id)
    deal.update(is_deleted=True, deleted_at=now, update_time=rfc3339(now))
    job.update(status="completed", lead_id=lead_id)
    return _answer(job)


async def lead_to_deal(request: Request) -> Response:
    """Body ``{stage_id?, pipeline_id?}``: stage_id wins (pipeline_id is then ignored, as the spec says);
    pipeline_id alone → its first stage; neither → the first stage of the default pipeline."""
    access = require_access(request, scopes_any=LEAD_WRITE, cost=40)
    company, now = access.company, now_of(request)
    lead = company.tables["leads"].rows.get(request.path_params["id"])
    if lead is None:
        raise missing()
    ctx = WriteCtx(company, access.user, now)
    clean = apply(ctx, TO_DEAL_FIELDS, await json_body(request))
    if "stage_id" in clean:
        clean.pop("pipeline_id", None)
    table = company.tables["deals"]
    value = lead.get("value") or {}
    row: JSON = {"id": table.next_id, **deals.template(ctx)}
    row.update(
        title=lead["title"],
        owner_id=lead["owner_id"],
        person_id=lead["person_id"],
        org_id=lead["organization_id"],
        value=value.get("amount", 0),
        currency=value.get("currency", company.currency),
        expected_close_date=lead["expected_close_date"],
        visible_to=int(lead["visible_to"]),
        channel=lead.get("channel"),
        channel_id=lead.get("channel_id"),
        origin_id=lead.get("origin_id"),
        custom_fields=dict(lead.get("custom_fields") or {}),
        _source_lead_id=lead["id"],  # shown by include_fields=source_lead_id
        **clean,
    )
    deals.prepare(ctx, row, set(clean), None)  # places it in a stage; may refuse (400) before any change
    row["add_time"] = row["update_time"] = rfc3339(now)
    job = _start(company, "lead", lead["id"], now)
    table.rows[table.new_id()] = row
    _move(company, "lead_id", lead["id"], "deal_id", row["id"])
    del company.tables["leads"].rows[lead["id"]]
    job.update(status="completed", deal_id=row["id"])
    return _answer(job)


def _status(company: Company, source: str, source_id: Any, conversion_id: str, now: float) -> Response:
    job = jobs(company, now).rows.get(conversion_id)
    if job is None or job["_source"] != source or job["_source_id"] != source_id:
        raise missing()
    return v1_ok({k: v for k, v in job.items() if not k.startswith("_")})


async def deal_status(request: Request) -> Response:
    """Read scopes and cost 1 (a v2 single read): the spec states neither for the status endpoints."""
    access = require_access(request, scopes_any=DEAL_READ, cost=1)
    p = request.path_params
    return _status(access.company, "deal", p["id"], p["conversion_id"], now_of(request))


async def lead_status(request: Request) -> Response:
    access = require_access(request, scopes_any=LEAD_READ, cost=1)
    p = request.path_params
    return _status(access.company, "lead", p["id"], p["conversion_id"], now_of(request))


_DEAL = "/api/v2/deals/" + id_param("id") + "/convert"
routes: list[BaseRoute] = [
    Route(_DEAL + "/lead", deal_to_lead, methods=["POST"]),
    Route(_DEAL + "/status/{conversion_id}", deal_status, methods=["GET"]),
    Route("/api/v2/leads/{id}/convert/deal", lead_to_deal, methods=["POST"]),
    Route("/api/v2/leads/{id}/convert/status/{conversion_id}", lead_status, methods=["GET"]),
]
