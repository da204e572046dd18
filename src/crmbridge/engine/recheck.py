"""Settling a create whose answer was lost: proven applied, proven not applied, or unknown.

Neither CRM takes idempotency keys, so after a timeout or a 5xx the only way to know whether a create
happened is to look, and looking at "the newest 100 records" proves nothing: when more than 100 records
were created meanwhile (by the same agent's concurrent calls or anyone else's) the record is missed and
the create is sent twice. So the engine looks until it has proof:

* before the first attempt, :func:`take_mark` remembers where the newest record of the provider's
  :class:`~crmbridge.spec.NewestFirst` listing stands;
* after a lost answer, :func:`look_back` pages from the newest record back to that mark, keeping every
  record past it that carries the create's key values, and :func:`verdict` decides: one such record and
  the mark reached is ``Found``; none and the mark reached is ``Absent``, the only verdict on which the
  create is sent again; several, or a mark out of reach of ``max_pages`` pages, is ``Unknown``.

:class:`Marker` and :class:`LookBack` apply the rule one record at a time without I/O, so that it can be
tested as a table. The rule assumes what both CRMs do: a new record's position (id, creation time) is
never below one that existed before it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import OutcomeUnknown
from .http import Recovered
from .shaping import dig

if TYPE_CHECKING:
    from ..spec import NewestFirst
    from .context import CallContext

__all__ = [
    "Absent",
    "Found",
    "LookBack",
    "Mark",
    "Marker",
    "Unknown",
    "look_back",
    "settle",
    "take_mark",
    "verdict",
]

log = logging.getLogger("crmbridge.engine")


@dataclass(frozen=True, slots=True)
class Mark:
    """Where the newest record stood before the create was sent: its ``position`` (``None``: the listing
    was empty) and, where records can share a position, the ids of every record at it."""

    position: Any
    ties: frozenset[str] = frozenset()


class Marker:
    """Reads the listing from its newest record on until the mark is certain."""

    def __init__(self, unique: bool) -> None:
        self.unique = unique
        self.position: Any = None
        self.ties: set[str] = set()

    def see(self, record_id: str | None, position: Any) -> bool:
        """Take the next record; ``True`` once no later record can change the mark."""
        if position is None or record_id is None:
            return False  # cannot be placed; the look-back counts such records as new
        if self.position is None:
            self.position = position
            self.ties = {record_id}
            return self.unique
        if position == self.position:
            self.ties.add(record_id)
            return False
        return bool(position < self.position)

    @property
    def mark(self) -> Mark:
        return Mark(self.position, frozenset(self.ties))


@dataclass(slots=True)
class LookBack:
    """Reads the listing from its newest record back to the mark, keeping the records past the mark that
    match the create (by id, as a page shifted by a new record may show one twice)."""

    mark: Mark
    unique: bool
    candidates: dict[str, Any] = field(default_factory=dict)
    reached: bool = False

    def see(self, record: Any, record_id: str | None, position: Any, matches: bool) -> bool:
        """Take the next record; ``True`` once the mark is reached (every later record is older)."""
        here = self.mark.position
        if here is not None and position is not None:
            if position < here or (position == here and self.unique):
                self.reached = True
                return True
            if position == here and record_id in self.mark.ties:
                return False  # existed before the create was sent
        if matches:
            self.candidates[record_id or f"#{len(self.candidates)}"] = record
        return False

    def end(self) -> None:
        """The listing has no more records: nothing was left unseen."""
        self.reached = True


@dataclass(frozen=True, slots=True)
class Found:
    """The create was applied: ``record`` is what it made."""

    record: Any


@dataclass(frozen=True, slots=True)
class Absent:
    """Proven not applied: every record created since the mark was seen, and none is the create's."""


@dataclass(frozen=True, slots=True)
class Unknown:
    """Neither could be proven; ``candidates`` are the ids of records that may be the create's."""

    message: str
    candidates: tuple[str, ...] = ()


Verdict = Found | Absent | Unknown


def verdict(candidates: dict[str, Any], reached: bool, max_pages: int) -> Verdict:
    """What the look-back proves: ``candidates`` (id → record) past the mark, ``reached``: the mark (or the
    listing's end) was reached within ``max_pages`` pages."""
    ids = tuple(candidates)
    if len(candidates) > 1:
        return Unknown(
            f"The create's answer was lost and {len(ids)} records matching it were created since it was "
            "sent; check which one is yours before trying again.",
            ids,
        )
    if not reached:
        return Unknown(
            "The create's answer was lost, and more records were created since it was sent than the "
            f"re-check reads ({max_pages} pages), so it cannot tell whether this one was; check the CRM "
            "for it before trying again.",
            ids,
        )
    if candidates:
        return Found(next(iter(candidates.values())))
    return Absent()


async def _walk(
    ctx: CallContext, listing: NewestFirst, max_pages: int, see: Callable[[Any], bool]
) -> bool | None:
    """Page through ``listing`` handing each record to ``see`` until it returns ``True`` (→ ``True``), the
    listing ends (→ ``False``) or ``max_pages`` pages were read (→ ``None``)."""
    hooks = ctx.provider.hooks
    params, body = dict(listing.params), listing.json
    for _ in range(max_pages):
        raw = await ctx.request(listing.method, listing.path, params=params or None, json=body, unwrap=False)
        records = dig(hooks.unwrap(raw), listing.items)
        for record in records if isinstance(records, list) else ():
            if see(record):
                return True
        cursor, _total = hooks.page_info(raw)
        if cursor is None:
            return False
        params, body = hooks.next_page(listing.path, params, body, cursor)
    return None


async def take_mark(ctx: CallContext, listing: NewestFirst, max_pages: int) -> Mark | None:
    """The mark before a create is sent; ``None`` when more records share the newest position than
    ``max_pages`` pages hold (a lost answer then cannot be settled)."""
    hooks = ctx.provider.hooks
    marker = Marker(listing.unique)
    walked = await _walk(
        ctx, listing, max_pages, lambda r: marker.see(hooks.record_id(r), listing.position(r))
    )
    return None if walked is None else marker.mark


async def look_back(ctx: CallContext, listing: NewestFirst, mark: Mark, max_pages: int) -> Verdict:
    """Page from the newest record back to ``mark`` and judge what was found."""
    hooks = ctx.provider.hooks
    matches = listing.matches or (lambda record: True)
    scan = LookBack(mark, listing.unique)

    def see(record: Any) -> bool:
        return scan.see(record, hooks.record_id(record), listing.position(record), matches(record))

    if await _walk(ctx, listing, max_pages, see) is False:
        scan.end()
    return verdict(scan.candidates, scan.reached, max_pages)


async def settle(
    ctx: CallContext,
    listing: NewestFirst,
    mark: Mark,
    *,
    lag: float,
    max_pages: int,
    tool: str,
    min_attempt: float = 0.0,
) -> Recovered | None:
    """After a lost answer: the record the create made, ``None`` when it proved not applied (the caller
    may send it again), or ``OutcomeUnknown``. A listing fed by a search index that lags ``lag`` seconds
    behind writes is read again, with backoff, until ``lag`` has passed before absence is believed; a
    call's deadline that ends first (less than ``min_attempt`` left after the pause) leaves it unknown."""
    indexed_at = time.monotonic() + lag
    pause = 0.5
    while True:
        found = await look_back(ctx, listing, mark, max_pages)
        if not isinstance(found, Absent) or time.monotonic() >= indexed_at:
            break
        wait = min(pause, max(0.0, indexed_at - time.monotonic()))
        if ctx.deadline is not None and wait + min_attempt > ctx.deadline.remaining():
            raise OutcomeUnknown(
                f"The create's answer was lost, and {ctx.provider.display_name}'s search can take {lag:g} s "
                f"to show a new record: this call's {ctx.deadline.seconds:g} s deadline ran out before the "
                "re-check could tell. Check the CRM before trying again.",
                deadline=ctx.deadline.seconds,
            )
        await asyncio.sleep(wait)
        pause *= 2
    if isinstance(found, Found):
        log.info("%s: a lost create was found by re-check", tool)
        return Recovered(found.record)
    if isinstance(found, Unknown):
        raise OutcomeUnknown(found.message, candidates=list(found.candidates))
    return None
