"""Deal installments (v2): ``GET /api/v2/deals/installments?deal_ids=…`` and ``/deals/{id}/installments``.

The spec's rules: an installment can only be added to a deal with at least one one-time product, never
to a deal with a recurring product, and installments are for Growth plans and above. The sandbox
answers the product rules with 400 and the plan rule with Pipedrive's plan-limit 403 (the spec names
neither status). It does not check that the installments add up to the deal's value (no stated rule).
Installments are removed for good.
"""

from __future__ import annotations

import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .. import numbers
from ..numbers import id_param
from . import dealvalue
from .auth import require_access
from .common import JSON, cursor_page, json_body, ok, q_choice, sort_rows
from .discounts import deal_of, positive
from .errors import PipedriveError, bad_request
from .store import Company
from .validate import WriteCtx, apply, date, fail, nonempty

READ = ("deals:read", "deals:full")
WRITE = ("deals:full",)
REQUIRED = ("description", "amount", "billing_date")
MAX_DEAL_IDS = 100


def billing_date(ctx: WriteCtx, name: str, value: Any) -> str:
    """``YYYY-MM-DD`` naming a real calendar day."""
    text = date(ctx, name, value)
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        raise fail(name, "a real date YYYY-MM-DD", value) from None
    return text


FIELDS = {"description": nonempty, "amount": positive, "billing_date": billing_date}
SHOWN = ("id", "amount", "billing_date", "description", "deal_id")


def _shown(row: JSON) -> JSON:
    return {k: row[k] for k in SHOWN}


def _plan(company: Company) -> None:
    if company.plan == "lite":
        raise PipedriveError(403, "Installments are only available in Growth and above plans")


def _installment(company: Company, deal: JSON, raw_id: int) -> JSON:
    row = dealvalue.table(company, "deal_installments").rows.get(raw_id)
    if row is None or row["deal_id"] != deal["id"]:
        raise PipedriveError(404, "Installment was not found", error_info="Object was not found.")
    return row


def _deal_ids(request: Request) -> list[int]:
    """``deal_ids`` repeated (``deal_ids=1&deal_ids=2``, as the official client sends an array) or
    comma-separated; required, at most 100."""
    parts = [p for raw in request.query_params.getlist("deal_ids") for p in raw.split(",") if p.strip()]
    if not parts:
        raise bad_request("Parameter 'deal_ids' is required")
    if len(parts) > MAX_DEAL_IDS:
        raise bad_request(f"Parameter 'deal_ids' accepts at most {MAX_DEAL_IDS} values")
    return [numbers.whole(p, "Each value of parameter 'deal_ids'") for p in parts]


async def list_installments(request: Request) -> Response:
    access = require_access(request, scopes_any=READ, cost=10)
    _plan(access.company)
    ids = set(_deal_ids(request))
    rows = [
        r for r in dealvalue.table(access.company, "deal_installments").rows.values() if r["deal_id"] in ids
    ]
    key = q_choice(request, "sort_by", ("id", "billing_date", "deal_id"), "id")
    rows = sort_rows(rows, key, q_choice(request, "sort_direction", ("asc", "desc"), "asc"))
    page, next_cursor = cursor_page(request, rows)
    return ok([_shown(r) for r in page], {"next_cursor": next_cursor})


async def add(request: Request) -> Response:
    """200, not 201: the spec lists no status for it; the sandbox picks the v2 default."""
    access = require_access(request, scopes_any=WRITE, cost=5)
    _plan(access.company)
    deal = deal_of(request, access.company, writing=True)
    body = await json_body(request)
    ctx = WriteCtx(access.company, access.user, 0.0)
    clean = apply(ctx, FIELDS, body, read_only=("id", "deal_id"))
    lacking = [k for k in REQUIRED if k not in clean]
    if lacking:
        raise bad_request(f"Missing required field(s): {', '.join(lacking)}")
    lines = dealvalue.lines(access.company, deal["id"])
    if any(r.get("billing_frequency", dealvalue.ONE_TIME) != dealvalue.ONE_TIME for r in lines):
        raise bad_request("Installments cannot be added to a deal that has recurring products")
    if not lines:
        raise bad_request("Installments can only be added to a deal with at least one one-time product")
    table = dealvalue.table(access.company, "deal_installments")
    row = {"id": table.next_id, "deal_id": deal["id"], **clean}
    table.rows[table.new_id()] = row
    return ok(_shown(row))


async def update(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=5)
    _plan(access.company)
    deal = deal_of(request, access.company, writing=True)
    before = _installment(access.company, deal, request.path_params["installment_id"])
    body = await json_body(request)
    clean = apply(WriteCtx(access.company, access.user, 0.0), FIELDS, body, read_only=("id", "deal_id"))
    row = {**before, **clean}
    dealvalue.table(access.company, "deal_installments").rows[row["id"]] = row
    return ok(_shown(row))


async def delete(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=3)
    _plan(access.company)
    deal = deal_of(request, access.company, writing=True)
    row = _installment(access.company, deal, request.path_params["installment_id"])
    del dealvalue.table(access.company, "deal_installments").rows[row["id"]]
    return ok({"id": row["id"]})


_ONE = "/api/v2/deals/" + id_param("id") + "/installments"
routes: list[BaseRoute] = [
    Route("/api/v2/deals/installments", list_installments, methods=["GET"]),
    Route(_ONE, add, methods=["POST"]),
    Route(_ONE + "/" + id_param("installment_id"), update, methods=["PATCH"]),
    Route(_ONE + "/" + id_param("installment_id"), delete, methods=["DELETE"]),
]
