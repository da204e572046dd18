"""Creates whose answer is lost (timeout after sending) are settled by re-checking the CRM, never
duplicated: the record found is returned, or, when nothing was written, the create is sent again."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge.engine import Engine, HttpCore
from crmbridge.providers import default_catalog
from crmbridge_sandbox import Sandbox

from ..harness import FAST_RETRIES, Account
from ._crm import crm_get, first

pytestmark = pytest.mark.anyio


class LoseFirstAnswer(httpx.AsyncBaseTransport):
    """The first ``method path`` request times out: after the CRM applied it (``applied``) or before."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, path: str, *, applied: bool) -> None:
        self.inner, self.method, self.path, self.applied = inner, method, path, applied
        self.lost = 0
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.path.split('/api/', 1)[-1]}")
        if not self.lost and request.method == self.method and request.url.path.endswith(self.path):
            self.lost += 1
            if self.applied:
                response = await self.inner.handle_async_request(request)
                await response.aread()
            raise httpx.ReadTimeout("answer lost", request=request)
        return await self.inner.handle_async_request(request)


async def lossy(account: Account, sandbox: Sandbox, path: str, applied: bool) -> LoseFirstAnswer:
    await account.engine.aclose()
    transport = LoseFirstAnswer(sandbox.transport(), "POST", path, applied=applied)
    account.engine = Engine(default_catalog(), http=HttpCore(transport=transport, retry=FAST_RETRIES))
    return transport


CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("pipedrive_deal_create", "/api/v2/deals", {"title": "Lost answer deal"}, "/api/v2/deals", "title"),
    ("pipedrive_person_create", "/api/v2/persons", {"name": "Lost Answer", "email": ["lost@answer.example"]},
     "/api/v2/persons", "name"),
    ("pipedrive_organization_create", "/api/v2/organizations", {"name": "Lost Answer Ltd"},
     "/api/v2/organizations", "name"),
    ("pipedrive_activity_create", "/api/v2/activities", {"subject": "Lost answer call"}, "/api/v2/activities",
     "subject"),
    ("pipedrive_lead_create", "/api/v1/leads", {"title": "Lost answer lead", "organization": 1}, "/api/v1/leads",
     "title"),
    ("pipedrive_note_create", "/api/v1/notes", {"content": "Lost answer note", "deal_id": 1}, "/api/v1/notes",
     "content"),
]  # fmt: skip


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
@pytest.mark.parametrize(
    ("tool_name", "path", "tool_input", "list_path", "key"), CASES, ids=[c[0] for c in CASES]
)
async def test_lost_create_is_settled_without_duplicate(
    pipedrive: Account,
    sandbox: Sandbox,
    applied: bool,
    tool_name: str,
    path: str,
    tool_input: dict[str, Any],
    list_path: str,
    key: str,
) -> None:
    transport = await lossy(pipedrive, sandbox, path, applied)
    data = await pipedrive.ok(tool_name, tool_input)
    rows = await crm_get(pipedrive, list_path, limit=500)
    matching = [r for r in rows if r.get(key) == tool_input[key]]
    assert [r["id"] for r in matching] == [data["id"]]
    posts = [s for s in transport.sent if s.startswith("POST")]
    assert len(posts) == (1 if applied else 2), transport.sent


async def test_a_same_named_record_created_earlier_is_not_taken_for_ours(
    pipedrive: Account, sandbox: Sandbox
) -> None:
    seeded = await first(pipedrive, "/api/v2/deals")
    await lossy(pipedrive, sandbox, "/api/v2/deals", applied=True)
    data = await pipedrive.ok("pipedrive_deal_create", {"title": seeded["title"]})
    assert data["id"] != seeded["id"]
    rows = await crm_get(pipedrive, "/api/v2/deals", limit=500)
    assert len([r for r in rows if r["title"] == seeded["title"]]) == 2
