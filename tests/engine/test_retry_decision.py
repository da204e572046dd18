"""The retry decision as a table: how an attempt ended, which attempt, what kind of call → what to do next."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from crmbridge.engine.deadline import Deadline
from crmbridge.engine.retry import (
    Action,
    Answered,
    Failed,
    GiveUp,
    Outcome,
    Retry,
    RetryPolicy,
    Return,
    Settle,
    decide,
    may_have_applied,
)
from crmbridge.errors import (
    CrmBridgeError,
    DeadlineExceeded,
    NotFound,
    OutcomeUnknown,
    ProviderUnavailable,
    RateLimited,
)

#: Three attempts; backoff 1 s then 2 s (the jitter below always picks the top of its range).
POLICY = RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=8.0, max_retry_after=30.0)
LAST = POLICY.max_attempts - 1


class TopOfRange(random.Random):
    """Jitter that always waits the full backoff, so the table's delays are exact."""

    def uniform(self, a: float, b: float) -> float:
        return b


@dataclass(frozen=True)
class Call:
    method: str
    idempotent: bool
    uncertain: bool = False  # an earlier attempt may have been applied
    can_recheck: bool = False


READ = Call("GET", idempotent=True)
CREATE = Call("POST", idempotent=False)
CHECKED_CREATE = Call("POST", idempotent=False, can_recheck=True)
DELETE = Call("DELETE", idempotent=True)
DELETE_AFTER_LOST_ANSWER = Call("DELETE", idempotent=True, uncertain=True)
READ_AFTER_LOST_ANSWER = Call("GET", idempotent=True, uncertain=True)


def answered(status: int, error: CrmBridgeError | None = None) -> Answered:
    return Answered(status, error)


def limited(retry_after: float, *, daily: bool = False) -> Answered:
    return Answered(429, RateLimited("slow down", status=429, retry_after=retry_after, daily=daily))


def failed(kind: type[httpx.TransportError]) -> Failed:
    return Failed(kind("boom"))


# The expected actions, in a vocabulary the table can compare.
RETURN = "return"


def retry(delay: float) -> tuple[str, float]:
    return ("retry", delay)


def settle(then: Any) -> tuple[str, Any]:
    return ("settle", then)


def give_up(kind: type[CrmBridgeError]) -> tuple[str, type[CrmBridgeError]]:
    return ("give up", kind)


def described(action: Action) -> Any:
    if isinstance(action, Return):
        return RETURN
    if isinstance(action, Retry):
        return retry(action.delay)
    if isinstance(action, Settle):
        return settle(described(action.otherwise))
    return give_up(type(action.error))


TABLE = [
    # answers that are not worth a retry
    pytest.param(answered(200), 0, READ, RETURN, id="a success is returned"),
    pytest.param(answered(201), 0, CREATE, RETURN, id="a created record is returned"),
    pytest.param(answered(400), 0, CREATE, RETURN, id="a rejected input is returned for mapping"),
    pytest.param(answered(404), 0, READ_AFTER_LOST_ANSWER, RETURN, id="a read 404 is plain"),
    pytest.param(answered(404), 0, DELETE, RETURN, id="a delete of a wrong id is not found"),
    pytest.param(answered(404), 1, DELETE_AFTER_LOST_ANSWER, give_up(NotFound), id="404 after a lost delete"),
    pytest.param(answered(410), 1, DELETE_AFTER_LOST_ANSWER, give_up(NotFound), id="410 after a lost delete"),
    pytest.param(answered(204), 1, DELETE_AFTER_LOST_ANSWER, RETURN, id="a delete that succeeds on retry"),
    # rate limits
    pytest.param(limited(5.0), 0, READ, retry(5.0), id="Retry-After longer than the backoff wins"),
    pytest.param(limited(0.1), 0, READ, retry(1.0), id="the backoff longer than Retry-After wins"),
    pytest.param(limited(5.0), 1, CREATE, retry(5.0), id="a 429 proves a create was not applied"),
    pytest.param(limited(60.0), 0, READ, RETURN, id="a wait past max_retry_after is the caller's"),
    pytest.param(limited(3600.0, daily=True), 0, READ, RETURN, id="the daily budget returns at once"),
    pytest.param(limited(0.0, daily=True), 0, CREATE, RETURN, id="the daily budget, even with no wait"),
    pytest.param(answered(429), 0, READ, retry(1.0), id="a 429 without a body backs off"),
    pytest.param(limited(1.0), LAST, READ, RETURN, id="the last attempt's 429 is returned"),
    # the CRM is unavailable
    pytest.param(answered(423), 0, CREATE, retry(1.0), id="423 proves nothing was done"),
    pytest.param(answered(503), 1, CREATE, retry(2.0), id="503 proves nothing was done"),
    pytest.param(answered(500), 0, READ, retry(1.0), id="a read is retried on 500"),
    pytest.param(answered(504), 0, DELETE, retry(1.0), id="an idempotent write is retried on 504"),
    pytest.param(answered(500), LAST, READ, RETURN, id="the last attempt's 500 is returned"),
    pytest.param(answered(500), 0, CHECKED_CREATE, settle(retry(1.0)), id="a create's 500 is re-checked"),
    pytest.param(answered(502), LAST, CHECKED_CREATE, settle(RETURN), id="re-checked on the last attempt"),
    pytest.param(answered(502), 0, CREATE, give_up(OutcomeUnknown), id="a create's 502 with no re-check"),
    # no answer at all
    pytest.param(failed(httpx.ConnectError), 0, CREATE, retry(1.0), id="a create never sent is resent"),
    pytest.param(failed(httpx.PoolTimeout), 1, CREATE, retry(2.0), id="a pool timeout sent nothing"),
    pytest.param(failed(httpx.ReadTimeout), 0, READ, retry(1.0), id="a read that timed out is retried"),
    pytest.param(failed(httpx.ReadError), LAST, READ, give_up(ProviderUnavailable), id="out of attempts"),
    pytest.param(failed(httpx.ConnectError), LAST, CREATE, give_up(ProviderUnavailable), id="never reached"),
    pytest.param(
        failed(httpx.ReadTimeout), 0, CHECKED_CREATE, settle(retry(1.0)), id="a lost create is re-checked"
    ),
    pytest.param(
        failed(httpx.RemoteProtocolError),
        LAST,
        CHECKED_CREATE,
        settle(give_up(ProviderUnavailable)),
        id="a lost create on the last attempt is re-checked, then given up",
    ),
    pytest.param(
        failed(httpx.ReadTimeout), 0, CREATE, give_up(OutcomeUnknown), id="a lost create with no re-check"
    ),
]


def decide_for(outcome: Outcome, attempt: int, call: Call) -> Action:
    return decide(
        outcome,
        attempt,
        method=call.method,
        idempotent=call.idempotent,
        uncertain=call.uncertain,
        can_recheck=call.can_recheck,
        policy=POLICY,
        crm="HubSpot",
        rng=TopOfRange(),
    )


@pytest.mark.parametrize(("outcome", "attempt", "call", "expected"), TABLE)
def test_decision(outcome: Outcome, attempt: int, call: Call, expected: Any) -> None:
    assert described(decide_for(outcome, attempt, call)) == expected


@pytest.mark.parametrize(
    ("outcome", "maybe"),
    [
        (answered(200), False),
        (answered(429), False),
        (answered(423), False),
        (answered(503), False),
        (answered(500), True),
        (answered(502), True),
        (answered(504), True),
        (failed(httpx.ConnectError), False),
        (failed(httpx.ConnectTimeout), False),
        (failed(httpx.ReadTimeout), True),
        (failed(httpx.WriteError), True),
    ],
)
def test_which_outcomes_may_have_been_applied(outcome: Outcome, maybe: bool) -> None:
    assert may_have_applied(outcome) is maybe


def test_the_errors_given_up_with_say_what_happened() -> None:
    gone = decide_for(answered(404), 1, DELETE_AFTER_LOST_ANSWER)
    assert isinstance(gone, GiveUp) and gone.error.details["maybe_deleted"] is True
    assert gone.error.status == 404
    silent = decide_for(failed(httpx.ReadError), LAST, READ)
    assert isinstance(silent, GiveUp) and silent.error.retry_after == POLICY.max_delay
    assert str(silent.error) == "HubSpot did not answer (ReadError) after 3 attempts."
    unknown = decide_for(answered(500), 0, CREATE)
    assert isinstance(unknown, GiveUp) and "HubSpot answered 500" in unknown.error.message
    assert "not retried" in unknown.error.message


def test_a_settlement_names_what_made_the_write_uncertain() -> None:
    lost = decide_for(failed(httpx.ReadTimeout), 0, CHECKED_CREATE)
    assert isinstance(lost, Settle) and "ReadTimeout" in lost.what
    answered_500 = decide_for(answered(500), 0, CHECKED_CREATE)
    assert isinstance(answered_500, Settle) and answered_500.what == "HubSpot answered 500"


def test_the_jitter_stays_within_half_to_all_of_the_backoff() -> None:
    rng = random.Random(7)
    for attempt in range(POLICY.max_attempts - 1):
        action = decide(
            answered(500),
            attempt,
            method="GET",
            idempotent=True,
            uncertain=False,
            can_recheck=False,
            policy=POLICY,
            crm="HubSpot",
            rng=rng,
        )
        backoff = POLICY.base_delay * 2**attempt
        assert isinstance(action, Retry) and backoff / 2 <= action.delay <= backoff


def left(seconds: float) -> Deadline:
    """A 2 s deadline with ``seconds`` of it left, on a clock that stands still."""
    return Deadline(2.0, seconds, clock=lambda: 0.0)


#: The same decisions under a deadline: a retry (pause + ``min_attempt``, 0.25 s) must fit in what is left.
DEADLINE_TABLE = [
    pytest.param(failed(httpx.ReadTimeout), 0, READ, left(10.0), retry(1.0), id="a retry that fits"),
    pytest.param(
        failed(httpx.ReadTimeout), 0, READ, left(1.2), give_up(DeadlineExceeded), id="a retry that does not"
    ),
    pytest.param(answered(503), 0, READ, left(1.0), give_up(DeadlineExceeded), id="a 503 with no time"),
    pytest.param(limited(5.0), 0, READ, left(3.0), RETURN, id="a 429 past the deadline is rate_limited"),
    pytest.param(limited(1.0), 0, READ, left(3.0), retry(1.0), id="a 429 within the deadline waits"),
    pytest.param(
        failed(httpx.ConnectError), 0, CREATE, left(0.5), give_up(DeadlineExceeded), id="never sent, no time"
    ),
    pytest.param(
        failed(httpx.ReadTimeout), 0, CHECKED_CREATE, left(3.0), settle(retry(1.0)), id="time to re-check"
    ),
    pytest.param(
        failed(httpx.ReadTimeout),
        0,
        CHECKED_CREATE,
        left(1.0),
        settle(give_up(DeadlineExceeded)),
        id="time to re-check, not to resend",
    ),
    pytest.param(
        failed(httpx.ReadTimeout),
        0,
        CHECKED_CREATE,
        left(0.1),
        give_up(OutcomeUnknown),
        id="no time to re-check",
    ),
    pytest.param(
        answered(500), 0, CHECKED_CREATE, left(0.0), give_up(OutcomeUnknown), id="a 500 at the deadline"
    ),
    pytest.param(
        failed(httpx.ReadError),
        LAST,
        READ,
        left(0.0),
        give_up(ProviderUnavailable),
        id="out of attempts first",
    ),
]


@pytest.mark.parametrize(("outcome", "attempt", "call", "deadline", "expected"), DEADLINE_TABLE)
def test_decision_under_a_deadline(
    outcome: Outcome, attempt: int, call: Call, deadline: Deadline, expected: Any
) -> None:
    action = decide(
        outcome,
        attempt,
        method=call.method,
        idempotent=call.idempotent,
        uncertain=call.uncertain,
        can_recheck=call.can_recheck,
        policy=POLICY,
        crm="HubSpot",
        rng=TopOfRange(),
        deadline=deadline,
    )
    assert described(action) == expected


def test_a_spent_deadline_says_how_long_it_was_and_what_was_happening() -> None:
    action = decide(
        answered(503, ProviderUnavailable("down", request_id="req-1")),
        1,
        method="GET",
        idempotent=True,
        uncertain=False,
        can_recheck=False,
        policy=POLICY,
        crm="HubSpot",
        rng=TopOfRange(),
        deadline=left(0.5),
    )
    assert isinstance(action, GiveUp) and isinstance(action.error, DeadlineExceeded)
    error = action.error
    assert error.retryable and error.code == "deadline_exceeded" and error.audience == "nobody"
    assert error.message.startswith("HubSpot answered 503 on attempt 2, and this call's 2 s deadline")
    assert error.details["deadline"] == 2.0 and error.status == 503 and error.request_id == "req-1"
