"""A create whose answer is lost while others create records of the same type is settled exactly, for every
create tool that re-checks: found when it was applied, sent again only when proven absent, otherwise
``outcome_unknown`` -- however many records were created in between (issue 9, item 1).

Recheck pages are made small (25 records) so that the 110 records created between the mark and the
re-check fill several pages; before the fix Pipedrive looked only at the newest 100 and created again.
HubSpot's re-check searches by the create's keys, so other records never reach its pages: 20 do there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from crmbridge.engine import Engine, ToolResult
from crmbridge_sandbox import Sandbox, SandboxClock

from .creates import RECHECKED, CreateCase, engine_on, open_account, small_pages, stored

pytestmark = pytest.mark.anyio

PAGE = 25
LABEL = "Lost answer"
PIPEDRIVE = tuple(c for c in RECHECKED if c.provider == "pipedrive")


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(rate_window_scale=0.01)


class LoseAnswerAmidCrowd(httpx.AsyncBaseTransport):
    """The first create reaches the CRM (or, ``applied=False``, is dropped on the way), then ``crowd()``
    creates other records, then the create's answer is lost; later creates pass."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        path: str,
        crowd: Callable[[], Awaitable[object]],
        *,
        applied: bool = True,
    ) -> None:
        self.inner, self.path, self.crowd, self.applied = inner, path, crowd, applied
        self.creates = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith(self.path):
            self.creates += 1
            if self.creates == 1:
                if self.applied:
                    await (await self.inner.handle_async_request(request)).aread()
                await self.crowd()
                raise httpx.ReadTimeout("the answer was lost", request=request)
        return await self.inner.handle_async_request(request)


def crowd_of(case: CreateCase) -> int:
    return 110 if case.provider == "pipedrive" else 20


async def lose_one(
    case: CreateCase,
    sandbox: Sandbox,
    client: httpx.AsyncClient,
    crowd_label: Callable[[int], str],
    *,
    crowd: int,
    applied: bool = True,
    **engine_options: int,
) -> tuple[ToolResult, int, dict[str, int]]:
    """Create ``LABEL`` through a transport that loses the answer while ``crowd`` other creates (labelled
    ``crowd_label(i)``) happen; the result, how often the create was sent, and the stored label counts."""
    account, fixtures = await open_account(case, sandbox, client, rate_limit_scale=0.01)
    catalog = small_pages(PAGE)
    path = catalog.tool(case.tool).path

    async def others() -> None:
        if case.raw is not None:  # straight to the API: quicker
            for i in range(crowd):
                r = await account.crm.post(path, json=case.raw(crowd_label(i), fixtures))
                assert r.status_code in (200, 201), r.text
            return
        done = await asyncio.gather(
            *(account.call(case.tool, case.inputs(crowd_label(i), fixtures)) for i in range(crowd))
        )
        assert all(r.ok for r in done), [r.error for r in done if not r.ok][:1]

    lossy = LoseAnswerAmidCrowd(sandbox.transport(), path, others, applied=applied)
    engine = engine_on(lossy, catalog, rate_limit_scale=0.01, **engine_options)
    result = await engine.execute_named(case.tool, case.inputs(LABEL, fixtures), account.target)
    counts = await stored(account, case)
    await engine.aclose()
    await account.aclose()
    return result, lossy.creates, dict(counts)


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
@pytest.mark.parametrize("case", RECHECKED, ids=str)
async def test_a_lost_create_is_settled_past_pages_of_other_creates(
    case: CreateCase, applied: bool, sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    crowd = crowd_of(case)
    result, sent, counts = await lose_one(
        case, sandbox, client, lambda i: f"Other {i}", crowd=crowd, applied=applied
    )
    assert result.ok, result.error
    assert counts.get(LABEL) == 1, counts.get(LABEL)
    assert sent == (1 if applied else 2)  # found, not sent again; or proven absent and sent again
    assert sum(counts.get(f"Other {i}", 0) for i in range(crowd)) == crowd


@pytest.mark.parametrize("case", RECHECKED, ids=str)
async def test_look_alikes_created_meanwhile_leave_the_outcome_unknown(
    case: CreateCase, sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    """Three other records with the same keys appeared since the create was sent: which one is ours
    cannot be told, so the create is neither claimed nor sent again."""
    result, sent, counts = await lose_one(case, sandbox, client, lambda i: LABEL, crowd=3)
    error = result.error
    assert error is not None and error.code == "outcome_unknown", error
    assert len(error.details["candidates"]) == 4
    assert sent == 1 and counts[LABEL] == 4


@pytest.mark.parametrize("case", PIPEDRIVE, ids=str)
async def test_a_mark_out_of_reach_leaves_the_outcome_unknown(
    case: CreateCase, sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    """110 records since the mark, but the re-check may read only 2 pages of 25: not proven either way."""
    result, sent, counts = await lose_one(
        case, sandbox, client, lambda i: f"Other {i}", crowd=110, applied=False, recheck_pages=2
    )
    error = result.error
    assert error is not None and error.code == "outcome_unknown", error
    assert "2 pages" in error.message
    assert sent == 1 and LABEL not in counts


LEADS = next(c for c in PIPEDRIVE if c.tool == "pipedrive_lead_create")


@pytest.fixture
async def frozen() -> AsyncIterator[tuple[Sandbox, httpx.AsyncClient]]:
    sandbox = Sandbox(clock=SandboxClock(frozen=True), rate_window_scale=0.01)
    async with sandbox.client() as client:
        yield sandbox, client


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
async def test_leads_created_within_the_same_second_are_told_apart(
    applied: bool, frozen: tuple[Sandbox, httpx.AsyncClient]
) -> None:
    """Leads have UUIDs and only a creation time to order them: with the clock stopped, every lead shares
    one second, so the mark remembers each lead of that second and the re-check compares ids."""
    sandbox, client = frozen
    account, fixtures = await open_account(LEADS, sandbox, client, rate_limit_scale=0.01)
    person = fixtures["person"]
    for i in range(12):  # already there when the create is sent: same second, same person
        r = await account.crm.post("/api/v1/leads", json={"title": f"Before {i}", "person_id": person})
        assert r.status_code == 201, r.text

    async def others() -> None:
        for i in range(12):
            r = await account.crm.post("/api/v1/leads", json={"title": f"After {i}", "person_id": person})
            assert r.status_code == 201, r.text

    catalog = small_pages(5)
    lossy = LoseAnswerAmidCrowd(sandbox.transport(), "/api/v1/leads", others, applied=applied)
    engine: Engine = engine_on(lossy, catalog, rate_limit_scale=0.01)
    result = await engine.execute_named(LEADS.tool, {"title": LABEL, "person": person}, account.target)
    counts = await stored(account, LEADS)
    await engine.aclose()
    await account.aclose()
    assert result.ok, result.error
    assert counts[LABEL] == 1
    assert lossy.creates == (1 if applied else 2)
