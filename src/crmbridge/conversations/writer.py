"""Writing one interaction to its CRM: match the caller, create a contact when asked, write the record
exactly once. Everything CRM-specific comes from the provider's ``WritebackMapping``.

Exactly once at the sink: the interaction row is the ledger. ``write_started_at`` is stored before the
create is sent and ``crm_record_id`` once it answered; a retry that finds the first without the second
(a crash, a lost answer) re-checks the CRM for the record carrying the interaction's marker before it
creates anything, and a CRM-side unique value (HubSpot) refuses a second create outright.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import phonenumbers

from ..skills.phones import phone_query, same_number
from ..spec.writeback import CallerForms, Candidate, Interaction, ToolCall, WritebackMapping
from ..store.interactions import InteractionRecord
from .content import parse_time, record_body, title_of

if TYPE_CHECKING:
    from ..core import Bridge
    from ..engine.result import ToolResult

__all__ = ["Outcome", "Writer"]

log = logging.getLogger("crmbridge.conversations")

Outcome = dict[str, Any]
_MAX_PAGES = 50


class _Failed(Exception):
    def __init__(self, reason: str, *, retry_in: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_in = retry_in


def _check(result: ToolResult, what: str) -> Any:
    if result.ok:
        # The CRM's own body: the mappings read it as the provider documents it.
        return result.raw if result.raw is not None else result.data
    assert result.error is not None
    error = result.error
    if error.retryable:
        after = error.details.get("retry_after")
        raise _Failed(f"{what}: {error.message}", retry_in=float(after) if after else 0.0)
    raise _Failed(f"{what} failed ({error.code}): {error.message}")


class Writer:
    def __init__(
        self, bridge: Bridge, record: InteractionRecord, mapping: WritebackMapping, region: str
    ) -> None:
        self.bridge = bridge
        self.ix = record
        self.mapping = mapping
        self.region = region

    async def run(self, call: ToolCall) -> ToolResult:
        return await self.bridge.arun_tool(
            call.tool,
            dict(call.input),
            identifier=self.ix.identifier or "",
            connection_name=self.ix.connection_name,
            include_raw=True,
        )

    # -- matching ------------------------------------------------------------------------------

    def caller_forms(self) -> CallerForms:
        caller = self.ix.content.get("caller") or {}
        phone = caller.get("phone")
        e164: str | None = None
        forms: tuple[str, ...] = ()
        if phone:
            try:
                query = phone_query(str(phone), self.region)
                e164 = query.e164
                number = phonenumbers.parse(query.e164, None)
                typed = (
                    phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
                    phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
                )
                # Stored as typed: search the bare forms and the two usual formatted ones.
                forms = tuple(dict.fromkeys((query.e164, query.digits, query.national, *typed)))
            except Exception:  # an impossible number matches nothing; email may still match
                pass
        email = str(caller["email"]).strip().lower() if caller.get("email") else None
        return CallerForms(e164=e164, forms=forms, email=email, name=caller.get("name"))

    async def _search(self, calls: list[ToolCall]) -> list[Candidate]:
        found: dict[str, Candidate] = {}
        for call in calls:
            data = _check(await self.run(call), "Searching the CRM for the caller")
            for c in self.mapping.candidates(data):
                found.setdefault(c.id, c)
        return list(found.values())

    async def match(self) -> tuple[str | None, str, str]:
        """``(contact id or None, rule, note for the record body)``."""
        verified = self.ix.content.get("verified_contact_id")
        if verified:
            return str(verified), "verified", "Logged to the caller's verified contact."
        forms = self.caller_forms()
        if forms.e164:
            query = phone_query(forms.e164, self.region)
            hits = [
                c for c in await self._search(self.mapping.find_by_phone(forms))
                if any(same_number(p, query, self.region) for p in c.phones)
            ]  # fmt: skip
            if len(hits) == 1:
                return hits[0].id, "phone", "Matched by the caller's phone number."
            if hits:
                chosen = max(hits, key=lambda c: (c.last_active, c.id))
                note = (
                    f"{len(hits)} contacts share the caller's number; logged only to the most recently "
                    "active one (rule: phone_most_recent)."
                )
                return chosen.id, "phone_most_recent", note
        if forms.email:
            hits = [
                c for c in await self._search(self.mapping.find_by_email(forms.email))
                if forms.email in (e.lower() for e in c.emails)
            ]  # fmt: skip
            if hits:
                chosen = max(hits, key=lambda c: (c.last_active, c.id))
                return chosen.id, "email", "Matched by the caller's e-mail address."
        return None, "none", ""

    async def create_contact(self) -> str:
        data = _check(
            await self.run(self.mapping.create_contact(self.caller_forms())), "Creating the contact"
        )
        created = self.mapping.record_id(data)
        if created is None:
            raise _Failed("The CRM created the contact but returned no id.")
        return created

    # -- writing -------------------------------------------------------------------------------

    async def setup(self, done: set[tuple[str, str, str]]) -> None:
        key = (self.ix.tenant_id, self.ix.connection_name or "", self.ix.identifier or "")
        if key in done:
            return
        for call in self.mapping.setup:
            result = await self.run(call)
            if not result.ok and (
                result.error is None or result.error.code not in self.mapping.setup_done_codes
            ):
                _check(result, "Preparing the CRM for interaction logging")
        done.add(key)

    def interaction(self, contact_id: str, note: str) -> Interaction:
        content = self.ix.content
        with_transcript = self.ix.mode == "summary_transcript"
        body_html, body_text = record_body(
            content,
            with_transcript=with_transcript,
            match_note=note,
            marker=self.ix.id,
            limit=self.mapping.body_limit,
        )
        started = parse_time(content.get("started_at"), self.ix.ended_at)
        ended = parse_time(content.get("ended_at"), self.ix.ended_at)
        duration = content.get("duration_ms")
        if duration is None:
            duration = max(0, round((ended - started).total_seconds() * 1000))
        caller = content.get("caller") or {}
        return Interaction(
            id=self.ix.id, marker=self.ix.id, channel=content["channel"], direction=content.get("direction", "inbound"),
            contact_id=contact_id, title=title_of(content["channel"], caller), body_html=body_html,
            body_text=body_text, started_at=started, ended_at=ended, duration_ms=int(duration),
            caller_phone=self.caller_forms().e164, agent_phone=content.get("agent_phone"),
            outcome=content.get("outcome"), recording_url=content.get("recording_url"),
        )  # fmt: skip

    async def find_existing(self, ix: Interaction) -> str | None:
        call = self.mapping.find_existing(ix)
        for _ in range(_MAX_PAGES):
            result = await self.run(call)
            if not result.ok and result.error is not None and result.error.code == "not_found":
                return None
            data = _check(result, "Re-checking the CRM for an earlier write")
            found = self.mapping.existing_id(ix, data)
            if found is not None:
                return found
            more = self.mapping.find_next(data)
            if more is None:
                return None
            call = replace(call, input={**call.input, **more})
        return None

    async def write(self, ix: Interaction, mark_started: Any) -> str:
        if self.ix.write_started_at is not None:
            found = await self.find_existing(ix)
            if found is not None:
                return found
        await asyncio.to_thread(mark_started)
        result = await self.run(self.mapping.write(ix))
        if not result.ok and result.error is not None and result.error.code in self.mapping.duplicate_codes:
            found = await self.find_existing(ix)
            if found is not None:
                return found
        data = _check(result, "Writing the interaction")
        created = self.mapping.record_id(data)
        if created is None:
            raise _Failed("The CRM accepted the interaction but returned no id.")
        return created
