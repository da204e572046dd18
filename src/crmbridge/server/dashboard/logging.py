"""Interaction logging: per integration, the writeback mode and what to do when no CRM contact matches
(each explained in a line), the counters, the latest interactions with their CRM record and the reason a
skip or a failure gave, and a retry of the failed ones.

Over ``service.conversations`` (``Conversations``), the object the ``/writeback`` and ``/conversations``
routes use. The library retries an integration's failed interactions together (``retry_failed``), so the
retry button re-queues every failed one of that integration, and says so.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from ...conversations import Conversations
from ..service import service_of
from .guard import Viewer, need, posted
from .render import SECURITY_HEADERS, page

__all__ = ["router"]

router = APIRouter()
Name = Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
MODES = {
    "off": "Nothing is written to the CRM; conversations that end while off stay unexported.",
    "summary": "Each ended conversation becomes a call log and a note with its summary on the caller's contact.",
    "summary_transcript": "As summary, and the note also carries the (scrubbed) transcript.",
}
ON_NO_MATCH = {
    "skip": "When no contact matches the caller, nothing is written and the interaction shows as skipped.",
    "create": "When no contact matches the caller, a contact is created from the caller's details first.",
}


async def _logging(request: Request) -> Conversations:
    """Built on first need over the durable runner, which may block: off the event loop."""
    service = service_of(request)
    return await asyncio.to_thread(lambda: service.conversations)


@router.get("/logging")
async def logging_page(
    request: Request,
    done: str = Query("", max_length=64),
    who: Viewer = Depends(need("integrations:read")),
) -> Response:
    service = service_of(request)
    connections = await service.bridge(who.tenant_id).alist_connections()
    logging_ = await _logging(request)

    def gather() -> list[dict[str, Any]]:
        return [
            {
                "name": c.name,
                "setting": logging_.writeback(who.tenant_id, c.name),
                "recent": logging_.recent(who.tenant_id, c.name, 20),
            }
            for c in connections
        ]

    integrations = await asyncio.to_thread(gather)
    notice = ""
    if done.startswith("saved:"):
        notice = f"Interaction logging saved for {done[6:]}."
    elif done.startswith("retried:"):
        notice = f"{done[8:]} failed interaction(s) queued again."
    return page(
        request, "logging.html", who, current="logging", title="Interaction logging",
        integrations=integrations, modes=MODES, on_no_match=ON_NO_MATCH, notice=notice,
    )  # fmt: skip


@router.post("/logging/{integration}")
async def save_setting(
    request: Request, integration: str = Name, who: Viewer = Depends(need("integrations:write"))
) -> Response:
    form = await posted(request, who)
    logging_ = await _logging(request)
    await asyncio.to_thread(
        logging_.set_writeback, who.tenant_id, integration, form.get("mode"), form.get("on_no_match")
    )
    target = "/dashboard/logging?done=" + quote(f"saved:{integration}")
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)


@router.post("/logging/{integration}/retry")
async def retry_failed(
    request: Request, integration: str = Name, who: Viewer = Depends(need("integrations:write"))
) -> Response:
    """Every failed interaction of the integration, queued again (the library's retry is per integration)."""
    await posted(request, who)
    logging_ = await _logging(request)
    await asyncio.to_thread(logging_.writeback, who.tenant_id, integration)  # NotFound for an unknown one
    count = await asyncio.to_thread(logging_.retry_failed, who.tenant_id, integration)
    target = "/dashboard/logging?done=" + quote(f"retried:{count}")
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)
