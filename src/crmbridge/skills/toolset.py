"""An agent's skills as a toolset, and its policies as wrappers around it (the pydantic-ai shape: a policy
is a toolset wrapper), so the library enforces them whoever calls: HTTP, MCP, an adapter, a test.

``SkillToolset`` runs compiled skills; ``GatedToolset`` asks for a confirmation before a gated write and
runs every write in the account's serial lane; ``VerifiedIdentityToolset`` refuses a change to a contact
the conversation has not verified. ``Agents.toolset`` stacks them: identity, then gate, then skills.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ..engine import Catalog, ToolError, ToolResult
from ..engine.result import ToolResult as _Result
from ..engine.schema import CompiledSchema
from ..errors import CrmBridgeError, InvalidInput
from ..spec import Tool
from ..store.idempotency import IdempotencyRepository
from ..store.skill_store import SkillRecord, SkillRepository
from ..toolsets import AbstractToolset, ToolRunner, Toolset, WrapperToolset, unknown_tool_result
from .compiled import load, policy_of, tool_of
from .errors import IdentityNotVerified
from .flows import StepFailed, run_flow, summary
from .gate import ConfirmationGate, WriteScope
from .lane import SerialLanes
from .recent import RecentContacts

__all__ = [
    "GatedToolset",
    "SkillToolset",
    "VerifiedIdentityToolset",
    "call_skill",
    "failed_result",
    "with_confirmation",
]

#: The input field that carries a confirmation token to a gated skill.
CONFIRMATION = "confirmation"


def failed_result(name: str, exc: CrmBridgeError) -> ToolResult:
    return _Result(name, False, error=ToolError.from_exception(exc))


class SkillToolset(AbstractToolset):
    """The skills installed on one agent, for one conversation (or none)."""

    def __init__(
        self,
        runner: ToolRunner,
        tenant_id: str,
        agent_id: str,
        records: Sequence[SkillRecord],
        *,
        conversation_id: str | None = None,
        schemas: dict[str, CompiledSchema] | None = None,
        recent_creates: IdempotencyRepository | None = None,
    ) -> None:
        """``recent_creates``: where find-or-create remembers the contacts it made (see ``recent``)."""
        self._runner = runner
        self._recent_creates = recent_creates
        self.tenant_id = tenant_id
        self.agent_id = agent_id
        self.conversation_id = conversation_id
        self._records = {r.name: r for r in records}
        self._tools = [tool_of(r) for r in records]
        #: Validators by skill fingerprint: compiled once per definition, shared by an agent's toolsets.
        self._schemas: dict[str, CompiledSchema] = {} if schemas is None else schemas

    def __repr__(self) -> str:
        return f"SkillToolset(agent_id={self.agent_id!r}, skills={sorted(self._records)!r})"

    @property
    def catalog(self) -> Catalog:
        return self._runner.catalog

    def list_tools(self) -> Sequence[Tool]:
        return list(self._tools)

    def record(self, name: str) -> SkillRecord | None:
        return self._records.get(name)

    def parse(self, name: str, args: Any) -> dict[str, Any]:
        """The input validated against the skill's schema (raises ``InvalidInput`` naming the field)."""
        record = self._records[name]
        schema = self._schemas.get(record.fingerprint)
        if schema is None:
            schema = self._schemas[record.fingerprint] = CompiledSchema(
                record.definition.get("input_schema") or {}
            )
        return schema.parse(args if args is not None else {})

    def scope(self, name: str) -> WriteScope:
        record = self._records[name]
        return WriteScope(
            self.tenant_id,
            self.agent_id,
            name,
            record.connection_name,
            record.identifier,
            self.conversation_id,
        )

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        record = self._records.get(name)
        if record is None:
            return unknown_tool_result(name, self._tools)
        try:
            parsed = self.parse(name, args)
            compiled = load(self._runner.catalog, record)
        except CrmBridgeError as exc:
            return failed_result(name, exc)

        async def call(tool_name: str, tool_input: Mapping[str, Any]) -> Any:
            tool = self._runner.catalog.tool(tool_name)
            result = await self._runner.arun_tool(
                tool, dict(tool_input), identifier=record.identifier, connection_name=record.connection_name
            )
            if not result.ok:
                raise StepFailed(result)
            return result.data

        recent = None
        if self._recent_creates is not None:
            account = f"{record.connection_name}:{record.identifier}"
            recent = RecentContacts(self._recent_creates, self.tenant_id, account)
        try:
            data = await run_flow(compiled, parsed, call, recent)
        except StepFailed as failed:
            return dataclasses.replace(failed.result, tool_name=name)
        except CrmBridgeError as exc:
            return failed_result(name, exc)
        return _Result(name, True, data)

    def call_tool_sync(self, name: str, args: Any) -> ToolResult:
        return self._runner.run_sync(self.call_tool(name, args))


async def call_skill(toolset: Toolset, name: str, tool_input: Any, confirmation: str | None) -> ToolResult:
    """Call a skill with the caller's confirmation token (if any) put where the gate looks for it."""
    args = tool_input if tool_input is not None else {}
    if confirmation is not None and isinstance(args, Mapping):
        args = {**args, CONFIRMATION: confirmation}
    return await toolset.call_tool(name, args)


def with_confirmation(tool: Tool) -> Tool:
    """The tool's schema with the optional confirmation token a gated write is called again with."""
    schema = dict(tool.input_schema)
    schema["properties"] = {
        **dict(schema.get("properties") or {}),
        CONFIRMATION: {
            "type": "string",
            "description": "The token from this skill's confirmation_required answer, once the caller agreed.",
        },
    }
    return dataclasses.replace(tool, input_schema=schema)


class GatedToolset(WrapperToolset):
    """Gated writes need a confirmation bound to their exact input; every write runs in its account's lane."""

    def __init__(self, skills: SkillToolset, gate: ConfirmationGate, lanes: SerialLanes) -> None:
        super().__init__(skills)
        self.skills = skills
        self._gate = gate
        self._lanes = lanes

    def list_tools(self) -> Sequence[Tool]:
        out = []
        for tool in self.skills.list_tools():
            record = self.skills.record(tool.name)
            gated = record is not None and policy_of(record).gated
            out.append(with_confirmation(tool) if gated else tool)
        return out

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        record = self.skills.record(name)
        if record is None or record.definition.get("access") != "write":
            return await self.skills.call_tool(name, args)
        token = None
        if isinstance(args, Mapping) and CONFIRMATION in args:
            args = dict(args)
            token = args.pop(CONFIRMATION)
        try:
            parsed = self.skills.parse(name, args)
            if token is not None and (not isinstance(token, str) or not token.strip()):
                raise InvalidInput(
                    "confirmation must be the token string you were given.", field=CONFIRMATION
                )
            scope = self.skills.scope(name)
            if policy_of(record).gated and token is None:
                template = load(self.skills.catalog, record).template
                raise self._gate.request(scope, parsed, summary(template, parsed))
        except CrmBridgeError as exc:
            return failed_result(name, exc)
        try:
            async with self._lanes.hold(
                self.skills.tenant_id, f"{record.connection_name}:{record.identifier}"
            ):
                if policy_of(record).gated:
                    assert token is not None
                    self._gate.redeem(scope, parsed, token)
                return await self.skills.call_tool(name, parsed)
        except CrmBridgeError as exc:
            return failed_result(name, exc)


class VerifiedIdentityToolset(WrapperToolset):
    """Skills with ``verified_identity`` run only on the contact this conversation verified."""

    def __init__(self, wrapped: GatedToolset, repository: SkillRepository) -> None:
        super().__init__(wrapped)
        self._skills = wrapped.skills
        self._repository = repository

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        record = self._skills.record(name)
        if record is not None and policy_of(record).verified_identity:
            try:
                await asyncio.to_thread(self._check, name, args)
            except CrmBridgeError as exc:
                return failed_result(name, exc)
        return await self.wrapped.call_tool(name, args)

    def _check(self, name: str, args: Any) -> None:
        how = "Verify the caller first (conversation verify: otp, caller_id or email_link), then call again."
        conversation_id = self._skills.conversation_id
        if conversation_id is None:
            raise IdentityNotVerified(
                f"{name} changes a contact, so it needs a conversation with a verified caller. {how}"
            )
        conversation = self._repository.conversation(self._skills.tenant_id, conversation_id)
        if conversation is None:
            raise IdentityNotVerified(f"Conversation {conversation_id!r} does not exist. {how}")
        contact_id = str(args.get("contact_id")) if isinstance(args, Mapping) else None
        if conversation.verified_contact_id is None:
            raise IdentityNotVerified(f"The caller's identity is not verified in this conversation. {how}")
        if contact_id != conversation.verified_contact_id:
            raise IdentityNotVerified(
                f"The caller was verified as contact {conversation.verified_contact_id}, not {contact_id}: "
                f"{name} may change only the caller's own contact."
            )
