"""The send path: which failures are retried, which are re-checked, and which are never repeated."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from crmbridge.auth import ApiKeyAuth
from crmbridge.engine import CallTarget, Engine, HttpCore, RetryPolicy
from crmbridge.engine.http import Recovered
from crmbridge.engine.ratelimit import limited
from crmbridge.errors import NotFound, OutcomeUnknown, ProviderUnavailable, RateLimited
from crmbridge.providers import builtin, default_catalog

pytestmark = pytest.mark.anyio

HUBSPOT = builtin("hubspot")
TARGET = CallTarget(account_key="t", base_url="https://crm.test", auth=ApiKeyAuth("pat-na1-secret-secret"))


def core(script: list[Callable[[httpx.Request], httpx.Response]], seen: list[httpx.Request]) -> HttpCore:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return script[min(len(seen), len(script)) - 1](request)

    return HttpCore(
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.002),
    )


def status(
    code: int, body: dict[str, object] | None = None, **headers: str
) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(code, json=body or {}, headers=headers)


def fail(exc: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def raise_(request: httpx.Request) -> httpx.Response:
        raise exc("boom", request=request)

    return raise_


async def test_reads_are_retried_on_429_and_5xx_and_timeouts() -> None:
    seen: list[httpx.Request] = []
    http = core(
        [
            status(429, {"policyName": "TEN_SECONDLY_ROLLING"}, **{"retry-after": "0"}),
            status(502),
            fail(httpx.ReadTimeout),
            status(200, {"id": "1"}),
        ],
        seen,
    )
    response = await http.send(HUBSPOT, TARGET, "GET", "/crm/v3/objects/contacts/1", idempotent=True)
    assert isinstance(response, httpx.Response) and response.status_code == 200
    assert len(seen) == 4
    assert seen[0].headers["authorization"] == "Bearer pat-na1-secret-secret"


async def test_daily_limit_is_not_retried() -> None:
    seen: list[httpx.Request] = []
    http = core([status(429, {"policyName": "DAILY", "message": "You have reached your daily limit."})], seen)
    response = await http.send(HUBSPOT, TARGET, "GET", "/x", idempotent=True)
    assert isinstance(response, httpx.Response) and response.status_code == 429
    assert len(seen) == 1


async def test_a_create_whose_answer_was_lost_is_never_resent_blindly() -> None:
    seen: list[httpx.Request] = []
    http = core([fail(httpx.ReadTimeout), status(201, {"id": "2"})], seen)
    with pytest.raises(OutcomeUnknown) as caught:
        await http.send(HUBSPOT, TARGET, "POST", "/crm/v3/objects/deals", json={}, idempotent=False)
    assert len(seen) == 1
    assert "not retried" in caught.value.message


async def test_a_lost_create_found_by_the_recheck_is_returned_not_repeated() -> None:
    seen: list[httpx.Request] = []
    http = core([fail(httpx.ReadTimeout)], seen)

    async def recover() -> Recovered | None:
        return Recovered({"id": "7"})

    result = await http.send(
        HUBSPOT, TARGET, "POST", "/crm/v3/objects/deals", json={}, idempotent=False, recover=recover
    )
    assert result == Recovered({"id": "7"})
    assert len(seen) == 1


async def test_a_lost_create_that_did_not_happen_is_sent_again() -> None:
    seen: list[httpx.Request] = []
    http = core([status(500), status(201, {"id": "3"})], seen)
    checks: list[int] = []

    async def recover() -> Recovered | None:
        checks.append(1)
        return None

    result = await http.send(
        HUBSPOT, TARGET, "POST", "/crm/v3/objects/deals", json={}, idempotent=False, recover=recover
    )
    assert isinstance(result, httpx.Response) and result.status_code == 201
    assert len(seen) == 2 and checks == [1]


async def test_creates_are_retried_when_the_crm_proves_nothing_was_done() -> None:
    seen: list[httpx.Request] = []
    http = core(
        [
            status(429, {"policyName": "TEN_SECONDLY_ROLLING"}, **{"retry-after": "0"}),
            fail(httpx.ConnectError),
            status(201, {"id": "4"}),
        ],
        seen,
    )
    result = await http.send(HUBSPOT, TARGET, "POST", "/crm/v3/objects/deals", json={}, idempotent=False)
    assert isinstance(result, httpx.Response) and result.status_code == 201


async def test_a_delete_whose_first_answer_was_lost_claims_neither_success_nor_a_wrong_id() -> None:
    seen: list[httpx.Request] = []
    http = core([fail(httpx.ReadTimeout), status(404, {"message": "resource not found"})], seen)
    with pytest.raises(NotFound) as caught:
        await http.send(HUBSPOT, TARGET, "DELETE", "/crm/v3/objects/deals/5", idempotent=True)
    assert caught.value.details["maybe_deleted"] is True
    assert "may have deleted it" in caught.value.message


async def test_a_delete_of_a_wrong_id_is_not_found() -> None:
    seen: list[httpx.Request] = []
    http = core([status(404, {"message": "resource not found"})], seen)
    response = await http.send(HUBSPOT, TARGET, "DELETE", "/crm/v3/objects/deals/5", idempotent=True)
    assert isinstance(response, httpx.Response) and response.status_code == 404


async def test_giving_up_says_the_provider_is_unavailable() -> None:
    seen: list[httpx.Request] = []
    http = core([fail(httpx.ReadError)], seen)
    with pytest.raises(ProviderUnavailable) as caught:
        await http.send(HUBSPOT, TARGET, "GET", "/x", idempotent=True)
    assert len(seen) == 4
    assert caught.value.retryable


async def test_the_daily_limit_reaches_the_caller_with_the_time_to_reset() -> None:
    body = {"status": "error", "message": "You have reached your daily limit.", "policyName": "DAILY"}
    transport = httpx.MockTransport(lambda request: httpx.Response(429, json=body))
    engine = Engine(
        default_catalog(), http=HttpCore(transport=transport, retry=RetryPolicy(base_delay=0.001))
    )
    result = await engine.execute_named("hubspot_contact_get", {"contact_id": "1"}, TARGET)
    assert result.error is not None and result.error.code == "rate_limited"
    assert result.error.details["policy"] == "DAILY"
    assert 0 < result.error.details["retry_after"] <= 86_400
    assert "midnight" in result.error.message


async def test_a_crm_error_carries_the_crms_request_id() -> None:
    body = {"status": "error", "message": "resource not found", "correlationId": "c0ffee-1"}
    headers = {"x-hubspot-correlation-id": "c0ffee-1"}
    transport = httpx.MockTransport(lambda request: httpx.Response(404, json=body, headers=headers))
    engine = Engine(default_catalog(), http=HttpCore(transport=transport))
    result = await engine.execute_named("hubspot_contact_get", {"contact_id": "1"}, TARGET)
    assert result.error is not None and result.error.code == "not_found"
    assert result.error.details["request_id"] == "c0ffee-1"
    assert result.error.details["provider"] == "hubspot"


@pytest.mark.parametrize(
    ("provider", "answer", "daily"),
    [
        ("hubspot", httpx.Response(429, json={"policyName": "DAILY"}), True),
        ("hubspot", httpx.Response(429, json={"policyName": "TEN_SECONDLY_ROLLING"}), False),
        ("pipedrive", httpx.Response(429, json={"error": "daily request budget exceeded"}), True),
        ("pipedrive", httpx.Response(429, json={"error": "Request over limit"}), False),
    ],
)
def test_each_crm_says_when_the_daily_budget_is_spent(
    provider: str, answer: httpx.Response, daily: bool
) -> None:
    error = builtin(provider).hooks.parse_error(answer, None)
    assert isinstance(error, RateLimited) and error.daily is daily


def test_a_daily_budget_spent_on_our_side_is_daily_too() -> None:
    limits = HUBSPOT.rate_limits
    assert limited(limits, 3600.0).daily and not limited(limits, 20.0, window="burst").daily
