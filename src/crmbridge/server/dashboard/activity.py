"""Activity: the tenant's recent tool calls (HTTP and MCP) and an inline SVG chart of calls and errors per
hour. Read from this worker's in-process activity log (docs/decisions/023)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..service import service_of
from .guard import Viewer, need
from .render import page

__all__ = ["chart", "router"]

router = APIRouter()
_HEIGHT, _BAR = 120, 24


def chart(buckets: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar geometry for the template: one pair of bars (calls, errors) per hour, scaled to the busiest."""
    top = max([b["calls"] for b in buckets] + [1])
    bars = []
    for i, b in enumerate(buckets):
        calls_h = round(_HEIGHT * b["calls"] / top)
        errors_h = round(_HEIGHT * b["errors"] / top)
        hour = datetime.fromtimestamp(b["hour"], UTC).strftime("%H:00")
        bars.append(
            {"x": i * (_BAR + 8), "calls": b["calls"], "errors": b["errors"], "hour": hour,
             "calls_y": _HEIGHT - calls_h, "calls_h": calls_h, "errors_y": _HEIGHT - errors_h,
             "errors_h": errors_h}
        )  # fmt: skip
    return {"bars": bars, "width": len(bars) * (_BAR + 8), "height": _HEIGHT, "bar": _BAR, "top": top}


@router.get("/activity")
async def activity_page(request: Request, who: Viewer = Depends(need("accounts:read"))) -> Response:
    log = service_of(request).activity
    calls = log.recent(who.tenant_id, 100)
    buckets = log.per_hour(who.tenant_id)
    totals = {"calls": len(calls), "errors": sum(1 for c in calls if not c.ok)}
    return page(
        request, "activity.html", who, current="activity", title="Activity",
        calls=calls, chart=chart(buckets), totals=totals,
    )  # fmt: skip
