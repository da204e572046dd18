"""Find-or-create under load and a faulty CRM: 50 concurrent create_contact calls, ~10 % of the sandbox's
answers failing (errors, lost answers, dropped connections), leave exactly one contact per caller, and
every call is answered: the contact, or an error that says to try again."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from crmbridge import ToolResult
from crmbridge_sandbox import Sandbox, SandboxClock

from .platform import PROVIDERS, Platform, platform

pytestmark = pytest.mark.anyio

#: The CRMs' rate-limit windows shrunk 100x (sandbox and client alike), so 50 calls take no minute.
SCALE = 0.01


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(clock=SandboxClock(), rate_window_scale=SCALE, fault_seed=3)


#: About one request in ten fails; a timeout applies the request and loses its answer.
FAULTS = {"500": 0.03, "502": 0.02, "timeout": 0.03, "reset": 0.02}


def _callers(count: int) -> list[list[str]]:
    """For each new caller, the formats a voice platform may hand over for their number."""
    out = []
    for n in range(count):
        line = f"{n + 1:02d}"
        out.append([f"+1 (628) 555-01{line}", f"62855501{line}", f"1-628-555-01{line}", f"+162855501{line}"])
    return out


async def _ask_and_confirm(made: Platform, args: dict[str, Any]) -> ToolResult:
    """One caller's create_contact: the confirmation round trip, then the confirmed call."""
    agents, agent_id = made.agents, made.agent_id
    asked = await agents.aexecute(agent_id, "create_contact", args)
    if asked.error is None or asked.error.code != "confirmation_required":
        return asked  # a read before the gate failed: answered, and tested below
    return await agents.aexecute(
        agent_id, "create_contact", args, confirmation=asked.error.details["confirmation"]
    )


async def _set_faults(sandbox: Sandbox, spec: dict[str, Any]) -> None:
    async with sandbox.client() as control:
        response = await control.post("/_sandbox/faults", json=spec)
        assert response.status_code == 200, response.text


async def _fault_log(sandbox: Sandbox, provider: str) -> Counter[str]:
    async with sandbox.client() as control:
        log = (await control.get("/_sandbox/requests", params={"provider": provider})).json()
    return Counter(str(entry["fault"]) for entry in log["requests"] if entry.get("fault"))


def _holders(made: Platform, tail: str, e164: str) -> list[str]:
    """The ids of every contact whose stored number is ``e164`` (read with faults off)."""
    from crmbridge.skills import e164 as normalise

    found = []
    for record in made.contacts_ending(tail):
        phones = record.get("phones") or [(record.get("properties") or {}).get("phone")]
        values = [p.get("value") if isinstance(p, dict) else p for p in phones]
        if any(v and normalise(str(v), "US") == e164 for v in values):
            found.append(str(record["id"]))
    return found


@pytest.mark.parametrize("callers", [1, 5])
@pytest.mark.parametrize("provider", PROVIDERS)
async def test_50_concurrent_creates_with_faults_leave_one_contact_per_caller(
    provider: str, callers: int, sandbox: Sandbox, tmp_path: Path
) -> None:
    made = await asyncio.to_thread(platform, sandbox, tmp_path, provider, rate_limit_scale=SCALE)
    try:
        numbers = _callers(callers)
        calls = [
            (who, {"phone": numbers[who][n % 4], "first_name": f"Caller{who}"})
            for n in range(50 // callers)
            for who in range(callers)
        ]
        assert len(calls) == 50
        await _set_faults(sandbox, {provider: FAULTS, "seed": 17})
        try:
            results = await asyncio.gather(*(_ask_and_confirm(made, args) for _, args in calls))
        finally:
            await _set_faults(sandbox, {})
        faulted = await _fault_log(sandbox, provider)
        assert sum(faulted.values()) >= 5, f"too few faults to test anything: {faulted}"

        ids: dict[int, set[str]] = {who: set() for who in range(callers)}
        unanswered = []
        for (who, args), result in zip(calls, results, strict=True):
            if result.ok:
                assert result.data["status"] in ("created", "existing"), result.data
                ids[who].add(result.data["contact"]["id"])
                continue
            error = result.error
            assert error is not None and error.message, result
            assert error.retryable, f"{args}: {error.code} {error.message}"
            unanswered.append((who, args))
        # Whatever failed is settled by trying again, as its error said.
        for who, args in unanswered:
            again = await _ask_and_confirm(made, args)
            assert again.ok, again.error
            ids[who].add(again.data["contact"]["id"])

        for who in range(callers):
            assert len(ids[who]) == 1, f"caller {who} got several contacts: {ids[who]}"
            e164 = "+1628555" + numbers[who][1][-4:]
            stored = await asyncio.to_thread(_holders, made, e164[-4:], e164)
            assert stored == list(ids[who]), f"caller {who}: {stored} in the CRM, {ids[who]} answered"
        created = [r.data["created"] for r in results if r.ok]
        assert created.count(True) <= callers
    finally:
        await asyncio.to_thread(made.close)


class LoseCreateAnswers(httpx.AsyncBaseTransport):
    """Lets the first ``count`` contact creates reach the CRM, then loses their answers (a timeout after
    sending): the write landed, the client cannot tell."""

    CREATES = ("/crm/v3/objects/contacts", "/api/v2/persons")

    def __init__(self, inner: httpx.AsyncBaseTransport, count: int) -> None:
        self.inner = inner
        self.left = count
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith(self.CREATES) and self.left > 0:
            self.left -= 1
            self.lost += 1
            await response.aread()
            raise httpx.ReadTimeout("answer lost after the create landed", request=request)
        return response


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_create_whose_answer_is_lost_is_settled_without_a_duplicate(
    provider: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    made = await asyncio.to_thread(platform, sandbox, tmp_path, provider)
    try:
        lossy = LoseCreateAnswers(made.transport.inner, count=1)
        made.transport.inner = lossy
        args = {"phone": "+1 628 555 0199", "first_name": "Lost"}
        results = await asyncio.gather(*(_ask_and_confirm(made, args) for _ in range(5)))
        assert lossy.lost == 1
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        ids = {r.data["contact"]["id"] for r in results}
        assert len(ids) == 1
        assert [r.data["created"] for r in results].count(True) == 1
        assert await asyncio.to_thread(_holders, made, "0199", "+16285550199") == list(ids)
    finally:
        await asyncio.to_thread(made.close)


async def _contact_ids_by_list(made: Platform) -> list[str]:
    """Every contact, read through the list API (not search, which the lag hides new records from)."""
    ids: list[str] = []
    after = None
    while True:
        args: dict[str, Any] = {"limit": 100, "properties": ["phone"]}
        if after:
            args["after"] = after
        page = await asyncio.to_thread(made.run, "hubspot_contacts_list", args)
        assert page.ok, page.error
        ids += [str(r["id"]) for r in page.data["results"] if "0177" in str(r.get("properties"))]
        after = page.data.get("next_cursor")
        if not after:
            return ids


async def test_a_lagging_search_index_does_not_duplicate_a_new_caller(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """HubSpot's search shows a new contact seconds after it is created: the calls that follow the
    first one (serialised by the account's lane) must not take "not found yet" for "new"."""
    made = await asyncio.to_thread(platform, sandbox, tmp_path, "hubspot", rate_limit_scale=SCALE)
    try:
        async with sandbox.client() as control:
            lag = await control.post("/_sandbox/hubspot/search-lag", json={"seconds": 30})
            assert lag.status_code == 200, lag.text
        args = {"phone": "+1 628 555 0177", "first_name": "Lagged"}
        results = await asyncio.gather(*(_ask_and_confirm(made, args) for _ in range(10)))
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        assert len({r.data["contact"]["id"] for r in results}) == 1
        assert [r.data["created"] for r in results].count(True) == 1
        assert await _contact_ids_by_list(made) == [results[0].data["contact"]["id"]]
    finally:
        await asyncio.to_thread(made.close)
