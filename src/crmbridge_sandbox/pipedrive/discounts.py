"""Additional discounts on a deal (v2): ``/api/v2/deals/{id}/discounts`` and ``…/{discount_id}``.

A discount is ``{description, amount, type}`` with type ``percentage`` or ``amount``; its id is a string
(a UUID here: the spec types it as a string and says no more). Adding, editing or removing one
re-prices the deal when it has one-time products attached (see ``dealvalue.py``); a deal without
products keeps the value it was given. Discounts are removed for good (no soft delete).
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import finite, id_param
from . import dealvalue
from .auth import require_access
from .common import JSON, json_body, now_of, ok, public, rfc3339
from .entity import find, gone
from .errors import PipedriveError, bad_request
from .store import Company
from .validate import WriteCtx, apply, fail, nonempty, number, one_of

READ = ("deals:read", "deals:full")
WRITE = ("deals:full",)
TYPES = ("percentage", "amount")
REQUIRED = ("description", "amount", "type")
MAX_AMOUNT = 1e15  # keeps the deal's value a finite JSON number


def positive(ctx: WriteCtx, name: str, value: Any) -> float | int:
    """ "Must be a positive number (excluding 0)"; also finite and bounded."""
    amount = number(ctx, name, value)
    finite(amount, f"Field '{name}'")
    if not 0 < amount <= MAX_AMOUNT:
        raise fail(name, f"a number above 0 (at most {MAX_AMOUNT:.0e})", value)
    return amount


FIELDS = {"description": nonempty, "amount": positive, "type": one_of(*TYPES)}


def deal_of(request: Request, company: Company, *, writing: bool) -> JSON:
    """The path's deal: 404 when unknown or purged, 410 when written to while soft-deleted."""
    deal = find(company, "deals", request.path_params["id"], now_of(request))
    if writing and deal.get("is_deleted"):
        raise gone()
    return deal


def _discount(company: Company, deal: JSON, discount_id: str) -> JSON:
    row = dealvalue.table(company, "deal_discounts").rows.get(discount_id)
    if row is None or row["deal_id"] != deal["id"]:
        raise PipedriveError(404, "Discount was not found", error_info="Object was not found.")
    return row


def _reprice(company: Company, deal: JSON) -> None:
    if dealvalue.has_one_time(company, deal["id"]):
        dealvalue.revalue(company, deal)


def _check(row: JSON) -> None:
    if row["type"] == "percentage" and row["amount"] > 100:
        raise bad_request("Field 'amount' cannot exceed 100 when type is percentage")


async def list_discounts(request: Request) -> Response:
    access = require_access(request, scopes_any=READ, cost=10)
    deal = deal_of(request, access.company, writing=False)
    return ok([public(r) for r in dealvalue.discounts(access.company, deal["id"])])


async def add(request: Request) -> Response:
    """201, as the current v2 spec documents for a discount add."""
    access = require_access(request, scopes_any=WRITE, cost=5)
    deal = deal_of(request, access.company, writing=True)
    body = await json_body(request)
    ctx = WriteCtx(access.company, access.user, now_of(request))
    clean = apply(ctx, FIELDS, body, read_only=("id", "deal_id", "created_at", "created_by"))
    lacking = [k for k in REQUIRED if k not in clean]
    if lacking:
        raise bad_request(f"Missing required field(s): {', '.join(lacking)}")
    table = dealvalue.table(access.company, "deal_discounts")
    stamp = rfc3339(ctx.now)
    row: JSON = {
        "id": str(uuid.uuid4()),
        "type": clean["type"],
        "amount": clean["amount"],
        "description": clean["description"],
        "deal_id": deal["id"],
        "created_at": stamp,
        "created_by": access.user.id,
        "updated_at": stamp,
        "updated_by": access.user.id,
        "_order": table.new_id(),
    }
    _check(row)
    table.rows[row["id"]] = row
    _reprice(access.company, deal)
    return ok(public(row), status_code=201)


async def update(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=5)
    deal = deal_of(request, access.company, writing=True)
    before = _discount(access.company, deal, request.path_params["discount_id"])
    body = await json_body(request)
    ctx = WriteCtx(access.company, access.user, now_of(request))
    clean = apply(ctx, FIELDS, body, read_only=("id", "deal_id", "created_at", "created_by"))
    row = {**before, **clean, "updated_at": rfc3339(ctx.now), "updated_by": access.user.id}
    _check(row)
    dealvalue.table(access.company, "deal_discounts").rows[row["id"]] = row
    _reprice(access.company, deal)
    return ok(public(row))


async def delete(request: Request) -> Response:
    """``data.id`` is the discount's (string) id, though the spec's delete model types it a number."""
    access = require_access(request, scopes_any=WRITE, cost=3)
    deal = deal_of(request, access.company, writing=True)
    row = _discount(access.company, deal, request.path_params["discount_id"])
    del dealvalue.table(access.company, "deal_discounts").rows[row["id"]]
    _reprice(access.company, deal)
    return ok({"id": row["id"]})


_BASE = "/api/v2/deals/" + id_param("id") + "/discounts"
routes: list[BaseRoute] = [
    Route(_BASE, list_discounts, methods=["GET"]),
    Route(_BASE, add, methods=["POST"]),
    Route(_BASE + "/{discount_id}", update, methods=["PATCH"]),
    Route(_BASE + "/{discount_id}", delete, methods=["DELETE"]),
]
