"""``Conversations``: writeback settings, ending conversations, and the durable ``log_interaction``
workflow that writes each ended conversation back to the matched CRM contact exactly once.

Built once per process over the runtime and the host's durable runner (the service builds it on first
need; a library user builds it the same way). ``on_event(tenant, event, data, key)`` receives
``interaction.logged`` / ``interaction.failed`` (the service forwards them to its webhooks).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, InvalidInput, NotFound
from ..store.interactions import InteractionRecord, WritebackSetting
from .content import parse_time, scrub_end_payload
from .writer import Writer, _Failed

if TYPE_CHECKING:
    from ..core.runtime import Runtime
    from ..durable import DurableContext, DurableRunner

__all__ = ["MODES", "ON_NO_MATCH", "WORKFLOW", "Conversations"]

log = logging.getLogger("crmbridge.conversations")

WORKFLOW = "crmbridge.conversations.log_interaction"
INTERACTION_LOGGED = "interaction.logged"
INTERACTION_FAILED = "interaction.failed"
MODES = ("off", "summary", "summary_transcript")
ON_NO_MATCH = ("skip", "create")
ROLES = ("caller", "agent")
MAX_ATTEMPTS = 8
EventSink = Callable[[str, str, dict[str, Any], str], None]


def _one_of(value: Any, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise InvalidInput(
            f"{field} must be one of: {', '.join(allowed)} (got {str(value)[:40]!r}).",
            field=field,
            allowed=list(allowed),
        )
    return str(value)


def status_json(record: InteractionRecord) -> dict[str, Any]:
    return {
        "interactionId": record.id,
        "status": record.status,
        "crmRecordId": record.crm_record_id,
        "contactId": record.contact_id,
        "matchRule": record.match_rule,
        "reason": record.reason,
        "integration": record.connection_name,
        "attempts": record.attempts,
        "redactions": record.content.get("redactions", []),
        "endedAt": record.ended_at.isoformat(),
    }


class Conversations:
    def __init__(
        self, runtime: Runtime, runner: DurableRunner, *, on_event: EventSink | None = None, region: str = "US",
        backoff: float = 1.0,
    ) -> None:  # fmt: skip
        self.runtime = runtime
        self.store = runtime.store
        self.runner = runner
        self.on_event = on_event
        self.region = region
        self.backoff = backoff
        self._setup_done: set[tuple[str, str, str]] = set()
        runner.register(WORKFLOW, self.workflow)
        #: The loops the workflows ran on (the durable engine's): their HTTP pools only they can close.
        self._loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()

    def __repr__(self) -> str:
        return f"Conversations(store={self.store!r})"

    def close(self) -> None:
        """Close the HTTP pools the workflows opened on the durable engine's loops (before the runtime
        closes; a pool left open there leaks its sockets). Call from outside those loops."""
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        loops = [loop for loop in list(self._loops) if loop is not current]
        self._loops = weakref.WeakSet()
        for loop in loops:
            if loop.is_closed() or not loop.is_running():
                continue
            closing = asyncio.run_coroutine_threadsafe(self.runtime.engine.http.close_pool(), loop)
            try:
                closing.result(timeout=5)
            except Exception as exc:  # a shutdown goes on regardless
                log.warning("closing interaction logging's HTTP pool: %s", type(exc).__name__)

    # -- settings ------------------------------------------------------------------------------

    def _connection(self, tenant_id: str, integration: str) -> None:
        if self.store.connections.get(tenant_id, integration) is None:
            raise NotFound(f"No integration named {integration!r}.", field="integration")

    def writeback(self, tenant_id: str, integration: str) -> dict[str, Any]:
        self._connection(tenant_id, integration)
        return self._settings_json(
            tenant_id, integration, self.store.interactions.setting(tenant_id, integration)
        )

    def set_writeback(
        self, tenant_id: str, integration: str, mode: Any, on_no_match: Any = None
    ) -> dict[str, Any]:
        """Switch logging ``off``, to ``summary`` or ``summary_transcript``; ``on_no_match`` (``skip`` or
        ``create``) stays as it was when ``None``. Conversations that ended while off stay unexported."""
        checked = _one_of(mode, MODES, "mode")
        no_match = None if on_no_match is None else _one_of(on_no_match, ON_NO_MATCH, "onNoMatch")
        self._connection(tenant_id, integration)
        saved = self.store.interactions.save_setting(tenant_id, integration, checked, no_match)
        return self._settings_json(tenant_id, integration, saved)

    def _settings_json(self, tenant_id: str, integration: str, s: WritebackSetting) -> dict[str, Any]:
        return {
            "mode": s.mode,
            "onNoMatch": s.on_no_match,
            "enabledAt": None if s.enabled_at is None else s.enabled_at.isoformat(),
            "stats": self.store.interactions.stats(tenant_id, integration),
        }

    # -- ending --------------------------------------------------------------------------------

    def _target(
        self, tenant_id: str, agent_id: str, integration: str | None
    ) -> tuple[str | None, str | None]:
        """The account an agent's interactions go to: its installed skills' account, else the tenant's
        only active account (of ``integration`` when given)."""
        for skill in self.store.skills.skills(tenant_id, agent_id):
            if integration in (None, skill.connection_name):
                return skill.connection_name, skill.identifier
        active = [a for a in self.store.accounts.list(tenant_id, integration) if a.status.value == "ACTIVE"]
        if len(active) == 1:
            return active[0].connection_name, active[0].identifier
        return (integration, None) if integration else (None, None)

    def end(self, tenant_id: str, conversation_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Record the interaction (scrubbed) and start its workflow; ending again returns the first answer."""
        conversation = self.store.skills.conversation(tenant_id, conversation_id)
        if conversation is None:
            raise NotFound(f"There is no conversation {str(conversation_id)[:80]!r}.", field="conversationId")
        existing = self.store.interactions.of_conversation(tenant_id, conversation_id)
        if existing is not None:
            return status_json(existing)
        transcript = payload.get("transcript") or []
        for i, turn in enumerate(transcript):
            if (
                not isinstance(turn, Mapping)
                or turn.get("role") not in ROLES
                or not isinstance(turn.get("text"), str)
            ):
                raise InvalidInput(
                    f"transcript[{i}] must be {{'role': 'caller'|'agent', 'text': str}}.",
                    field=f"transcript[{i}]",
                )
        now = self.store.interactions.now()
        ended = parse_time(payload.get("endedAt"), now)
        connection, identifier = self._target(tenant_id, conversation.agent_id, payload.get("integration"))
        setting = self.store.interactions.setting(tenant_id, connection) if connection else WritebackSetting()
        content = scrub_end_payload(list(transcript), payload.get("summary"), payload.get("outcome"))
        content.update(
            channel=conversation.channel,
            direction=conversation.caller.get("direction") or payload.get("direction") or "inbound",
            caller={
                k: conversation.caller[k] for k in ("phone", "email", "name") if conversation.caller.get(k)
            },
            verified_contact_id=conversation.verified_contact_id,
            started_at=(conversation.caller.get("started_at") or conversation.created_at.isoformat()),
            ended_at=ended.isoformat(),
            duration_ms=payload.get("durationMs"),
            outcome=payload.get("outcome"),
            recording_url=payload.get("recordingUrl"),
            agent_phone=payload.get("agentPhone"),
        )
        status, reason = "queued", None
        if setting.mode == "off":
            status, reason = "disabled", "Interaction logging was off for this integration when it ended."
        elif identifier is None:
            status, reason = "skipped", "No connected CRM account for this agent."
        record, created = self.store.interactions.create(
            tenant_id, conversation_id, connection_name=connection, identifier=identifier, status=status,
            mode=setting.mode, on_no_match=setting.on_no_match, content=content, reason=reason,
            contact_id=None, match_rule=None, ended_at=ended,
        )  # fmt: skip
        if created and record.status == "queued":
            self.runner.start(WORKFLOW, f"interaction:{record.id}", tenant_id, record.id)
        return status_json(record)

    async def aend(self, tenant_id: str, conversation_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        return await asyncio.to_thread(self.end, tenant_id, conversation_id, payload)

    def status(self, tenant_id: str, conversation_id: str) -> dict[str, Any] | None:
        record = self.store.interactions.of_conversation(tenant_id, conversation_id)
        return None if record is None else {**status_json(record), "crmUrl": self.crm_url(record)}

    def recent(self, tenant_id: str, integration: str, limit: int = 20) -> list[dict[str, Any]]:
        """The integration's latest interactions (newest first), each with its conversation's id."""
        self._connection(tenant_id, integration)
        found = self.store.interactions.recent(tenant_id, integration, max(1, min(limit, 200)))
        return [
            {**status_json(r), "conversationId": r.conversation_id, "crmUrl": self.crm_url(r)} for r in found
        ]

    def crm_url(self, record: InteractionRecord) -> str | None:
        """Where a logged interaction shows in the CRM's web app: its contact's page, built by the
        provider's writeback (``contact_url``) from the account's metadata."""
        if record.status != "logged" or not record.contact_id or not record.connection_name:
            return None
        connection = self.store.connections.get(record.tenant_id, record.connection_name)
        account = self.store.accounts.get(record.tenant_id, record.connection_name, record.identifier or "")
        if connection is None or account is None:
            return None
        mapping = getattr(self.runtime.catalog.provider(connection.provider), "writeback", None)
        return None if mapping is None else mapping.contact_url(account.metadata or {}, record.contact_id)

    def resume_pending(self) -> int:
        """Start the workflow of every queued interaction (the engine ignores running ones)."""
        queued = self.store.interactions.queued()
        for tenant_id, interaction_id in queued:
            self.runner.start(WORKFLOW, f"interaction:{interaction_id}", tenant_id, interaction_id)
        return len(queued)

    def retry_failed(self, tenant_id: str, integration: str, identifier: str | None = None) -> int:
        """Queue the integration's failed interactions (of the account ``identifier`` when given) again,
        e.g. once the account was re-authorised; how many were queued."""
        count = 0
        for t, interaction_id in self.store.interactions.failed(tenant_id, integration, identifier):
            if not self.store.interactions.requeue(t, interaction_id):
                continue  # another retry took it
            # A fresh workflow id: the first workflow of this interaction finished (as failed).
            self.runner.start(
                WORKFLOW, f"interaction:{interaction_id}:retry:{uuid.uuid4().hex}", t, interaction_id
            )
            count += 1
        return count

    # -- the workflow --------------------------------------------------------------------------

    async def workflow(self, ctx: DurableContext, tenant_id: str, interaction_id: str) -> str:
        while True:
            try:
                outcome: dict[str, Any] = await ctx.step(
                    "conversations.attempt", self.attempt, tenant_id, interaction_id
                )
            except Exception as exc:  # the step died mid-way (a crash in miniature): try again later
                log.warning("interaction %s: attempt raised %s; retrying", interaction_id, type(exc).__name__)
                outcome = await ctx.step(
                    "conversations.count", self._count_failure, tenant_id, interaction_id
                )
            wait = outcome.get("retry_in")
            if wait is None:
                return str(outcome["status"])
            await ctx.sleep(float(wait))

    async def _count_failure(self, tenant_id: str, interaction_id: str) -> dict[str, Any]:
        repo = self.store.interactions
        record = await asyncio.to_thread(repo.get, tenant_id, interaction_id)
        if record is None or record.status != "queued":
            return {"status": "missing" if record is None else record.status, "retry_in": None}
        attempts = record.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            await self._finish(
                record, "failed", reason="Gave up after repeated internal errors.", attempts=attempts
            )
            return {"status": "failed", "retry_in": None}
        await asyncio.to_thread(repo.update, tenant_id, interaction_id, attempts=attempts)
        return {"status": "queued", "retry_in": self.backoff * 2 ** (attempts - 1)}

    async def attempt(self, tenant_id: str, interaction_id: str) -> dict[str, Any]:
        """One try at writing the interaction; re-reads everything, so a repeat is harmless."""
        self._loops.add(asyncio.get_running_loop())
        repo = self.store.interactions
        record = await asyncio.to_thread(repo.get, tenant_id, interaction_id)
        if record is None or record.status != "queued":
            return {"status": "missing" if record is None else record.status, "retry_in": None}
        connection = await asyncio.to_thread(
            self.store.connections.get, tenant_id, record.connection_name or ""
        )
        if connection is None:
            await self._finish(record, "failed", reason="The integration was deleted.")
            return {"status": "failed", "retry_in": None}
        provider = self.runtime.catalog.provider(connection.provider)
        mapping = getattr(provider, "writeback", None)
        if mapping is None:
            raise ConfigurationError(f"Provider {provider.name!r} has no interaction writeback mapping.")
        bridge = self.runtime.tenant(tenant_id)
        writer = Writer(bridge, record, mapping, self.region)
        try:
            contact_id, rule, note = record.contact_id, record.match_rule or "", ""
            if contact_id is None:
                contact_id, rule, note = await writer.match()
                if contact_id is None:
                    if record.on_no_match == "skip":
                        await self._finish(
                            record,
                            "skipped",
                            reason="no_match: no contact has the caller's phone or e-mail.",
                            match_rule="none",
                        )
                        return {"status": "skipped", "retry_in": None}
                    contact_id, rule = await writer.create_contact(), "created"
                record = (
                    await asyncio.to_thread(
                        repo.update, tenant_id, interaction_id, contact_id=contact_id, match_rule=rule
                    )
                    or record
                )
                writer.ix = record
            note = note or _NOTES.get(rule, "")
            await writer.setup(self._setup_done)
            ix = writer.interaction(contact_id, note)

            def started() -> None:
                updated = repo.update(tenant_id, interaction_id, write_started_at=repo.now())
                if updated is not None:
                    writer.ix = updated

            crm_id = await writer.write(ix, started)
        except _Failed as failure:
            if failure.retry_in is not None and record.attempts + 1 < MAX_ATTEMPTS:
                attempts = record.attempts + 1
                await asyncio.to_thread(
                    repo.update, tenant_id, interaction_id, attempts=attempts, reason=failure.reason
                )
                return {
                    "status": "queued",
                    "retry_in": max(failure.retry_in, self.backoff * 2 ** (attempts - 1)),
                }
            await self._finish(record, "failed", reason=failure.reason)
            return {"status": "failed", "retry_in": None}
        await self._finish(record, "logged", crm_record_id=crm_id, reason=None)
        return {"status": "logged", "retry_in": None}

    async def _finish(self, record: InteractionRecord, status: str, **fields: Any) -> None:
        updated = await asyncio.to_thread(
            self.store.interactions.update, record.tenant_id, record.id, status=status, **fields
        )
        if updated is None or self.on_event is None or status not in ("logged", "failed"):
            return
        event = INTERACTION_LOGGED if status == "logged" else INTERACTION_FAILED
        data = {"conversationId": updated.conversation_id, **status_json(updated)}
        await asyncio.to_thread(self.on_event, record.tenant_id, event, data, f"{record.id}:{status}")


_NOTES = {
    "verified": "Logged to the caller's verified contact.",
    "phone": "Matched by the caller's phone number.",
    "email": "Matched by the caller's e-mail address.",
    "created": "No contact matched; a contact was created for the caller.",
}
