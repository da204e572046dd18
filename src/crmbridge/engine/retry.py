"""When to try a request again, and how long to wait first: a pure decision, one attempt at a time.

:func:`decide` looks at how one attempt ended and says what to do next; ``HttpCore.send`` only carries
it out (rate limiter, sleep, re-check). Reads and idempotent writes are retried on 423 / 429 / 5xx and
transport errors. A write that is not idempotent and may have been applied (its answer was lost, or a
5xx that does not prove otherwise) is never blindly resent: it is settled first by re-checking the CRM.
With a call's :class:`~.deadline.Deadline`, only what fits in the time left is scheduled.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from ..errors import CrmBridgeError, NotFound, OutcomeUnknown, ProviderUnavailable, RateLimited

if TYPE_CHECKING:
    from .deadline import Deadline

__all__ = [
    "NOT_APPLIED_STATUSES",
    "RETRY_STATUSES",
    "Action",
    "Answered",
    "Failed",
    "GiveUp",
    "Outcome",
    "Retry",
    "RetryPolicy",
    "Return",
    "Settle",
    "ambiguous",
    "decide",
    "may_have_applied",
    "not_sent",
]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped; a server's ``Retry-After`` wins when it is longer.

    ``max_retry_after`` bounds how long one call may sleep on the CRM's say-so: past it the caller gets
    ``RateLimited`` with ``retry_after`` instead of a hung tool call. Under a deadline, a retry (or a
    re-check) is only worth it when ``min_attempt`` seconds are left for it after its pause.
    """

    max_attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 8.0
    max_retry_after: float = 30.0
    min_attempt: float = 0.25

    def delay(
        self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        backoff = min(self.max_delay, self.base_delay * (2**attempt))
        jittered = (rng or random).uniform(backoff / 2, backoff)
        return max(jittered, retry_after or 0.0)


#: Statuses worth another try: the CRM did not (or may not have) done the work and may later.
RETRY_STATUSES = frozenset({423, 429, 500, 502, 503, 504})
#: Of those, the ones that prove the request was not applied.
NOT_APPLIED_STATUSES = frozenset({423, 429, 503})


def not_sent(exc: httpx.HTTPError) -> bool:
    """The request never reached the CRM, so even a create can be retried."""
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def ambiguous(exc: httpx.HTTPError) -> bool:
    """The request may have been applied but its answer was lost."""
    return isinstance(exc, httpx.TransportError) and not not_sent(exc)


# How one attempt ended.


@dataclass(frozen=True, slots=True)
class Answered:
    """The CRM answered ``status``; ``error`` is what its body says, for a status worth a retry."""

    status: int
    error: CrmBridgeError | None = None

    def __str__(self) -> str:
        return f"answered {self.status}"


@dataclass(frozen=True, slots=True)
class Failed:
    """The attempt ended without an answer."""

    error: httpx.TransportError

    def __str__(self) -> str:
        return type(self.error).__name__


Outcome = Answered | Failed


# What to do next.


@dataclass(frozen=True, slots=True)
class Return:
    """Hand the CRM's answer to the caller: a success, an error to map, or a wait too long to sit out."""


@dataclass(frozen=True, slots=True)
class Retry:
    """Wait ``delay`` seconds, then send again."""

    delay: float


@dataclass(frozen=True, slots=True)
class GiveUp:
    """Raise ``error``: nothing more can be learnt by sending again."""

    error: CrmBridgeError


@dataclass(frozen=True, slots=True)
class Settle:
    """A write may have been applied (``what`` happened): re-check the CRM. What it finds is the result;
    if it finds nothing the write was not applied, and ``otherwise`` says what to do next."""

    what: str
    otherwise: Return | Retry | GiveUp


Action = Return | Retry | GiveUp | Settle


def may_have_applied(outcome: Outcome) -> bool:
    """This attempt may have done the work although it did not say so."""
    if isinstance(outcome, Failed):
        return ambiguous(outcome.error)
    return outcome.status in RETRY_STATUSES - NOT_APPLIED_STATUSES


def decide(
    outcome: Outcome,
    attempt: int,
    *,
    method: str,
    idempotent: bool,
    uncertain: bool,
    can_recheck: bool,
    policy: RetryPolicy,
    crm: str,
    rng: random.Random | None = None,
    deadline: Deadline | None = None,
) -> Action:
    """What to do after ``attempt`` (0-based) ended in ``outcome``.

    ``uncertain``: an earlier attempt may have been applied. ``can_recheck``: a lost write can be settled
    by re-checking the CRM. ``crm`` names it in messages. ``rng`` makes the jitter reproducible.
    ``deadline``: the call's; a retry whose pause and attempt do not fit in what is left is not made.
    """
    last = attempt + 1 >= policy.max_attempts
    left = math.inf if deadline is None else deadline.remaining()

    def fits(pause: float) -> bool:
        return pause + policy.min_attempt <= left

    spent = None if fits(0.0) else deadline  # not even a re-check fits any more

    if isinstance(outcome, Failed):
        kind = type(outcome.error).__name__
        pause = policy.delay(attempt, rng=rng)
        then: Return | Retry | GiveUp
        if last:
            then = GiveUp(
                ProviderUnavailable(
                    f"{crm} did not answer ({kind}) after {policy.max_attempts} attempts.",
                    retry_after=policy.max_delay,
                )
            )
        elif deadline is None or fits(pause):
            then = Retry(pause)
        else:
            then = GiveUp(deadline.exceeded(f"{crm} did not answer ({kind}) on attempt {attempt + 1}"))
        if ambiguous(outcome.error) and not idempotent:
            what = f"the connection failed ({kind}) after sending"
            return _settle(what, then, can_recheck, spent)
        return then
    if outcome.status not in RETRY_STATUSES:
        return _final(outcome.status, method, uncertain)
    if isinstance(outcome.error, RateLimited) and outcome.error.daily:
        return Return()  # the daily budget: waiting inside a tool call will not help
    retry_after = outcome.error.retry_after if outcome.error is not None else None
    wait = None if last else policy.delay(attempt, retry_after, rng=rng)
    if wait is None or wait > policy.max_retry_after or (outcome.status == 429 and not fits(wait)):
        then = Return()  # the CRM's answer (a 429 says when to come back)
    elif deadline is None or fits(wait):
        then = Retry(wait)
    else:
        request_id = outcome.error.request_id if outcome.error is not None else None
        exceeded = f"{crm} answered {outcome.status} on attempt {attempt + 1}"
        then = GiveUp(deadline.exceeded(exceeded, status=outcome.status, request_id=request_id))
    if outcome.status in NOT_APPLIED_STATUSES or idempotent:
        return then
    return _settle(f"{crm} answered {outcome.status}", then, can_recheck, spent)


def _final(status: int, method: str, uncertain: bool) -> Return | GiveUp:
    """An answer not worth retrying is the caller's, unless it cannot be read on its own."""
    if uncertain and method == "DELETE" and status in (404, 410):
        # Gone now, but was it this call? An earlier attempt's answer was lost: it may have deleted the
        # record, or the id never existed. Say both, claim neither.
        return GiveUp(
            NotFound(
                "No record with this id exists now. An earlier attempt's answer was lost, so this call "
                "may have deleted it, or the id was wrong; check the id before trying again.",
                status=status,
                maybe_deleted=True,
            )
        )
    return Return()


def _settle(
    what: str, then: Return | Retry | GiveUp, can_recheck: bool, spent: Deadline | None
) -> Settle | GiveUp:
    """Re-check the write if possible; ``spent``: the call's deadline, when it leaves no time to."""
    if can_recheck and spent is not None:
        return GiveUp(
            OutcomeUnknown(
                f"The write may or may not have been applied: {what}, and this call's {spent.seconds:g} s "
                "deadline left no time to re-check. Check the CRM before trying again.",
                deadline=spent.seconds,
            )
        )
    if can_recheck:
        return Settle(what, then)
    return GiveUp(
        OutcomeUnknown(
            f"The write may or may not have been applied: {what}. It was not retried, to avoid a "
            "duplicate; check the CRM before trying again."
        )
    )
