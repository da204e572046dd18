"""An agent's whole skill set: its Connector Pack skills plus the bindings installed on it, as one toolset.

``skills`` and ``bindings`` are sibling layers that do not know each other; this is where they meet. A
binding that writes gets the same policies as a pack write — a confirmation bound to its exact input
(the skills' :class:`~crmbridge.skills.ConfirmationGate`, stored in the database so any worker can
redeem it) and the account's serial lane — so HTTP, MCP and the library all run bindings like skills.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..bindings import BoundBinding
from ..engine import ToolResult
from ..errors import ConfigurationError, CrmBridgeError, InvalidInput, NotFound
from ..skills import ConfirmationGate, SerialLanes, WriteScope
from ..skills.toolset import call_skill, failed_result, with_confirmation
from ..spec import Tool
from ..spec.binding import RestWrite
from ..store.snapshots import BindingRecord
from ..toolsets import AbstractToolset, CombinedToolset, Toolset, unknown_tool_result

if TYPE_CHECKING:
    from .bridge import Bridge

__all__ = [
    "CONFIRMATION",
    "AgentBinding",
    "GatedBindings",
    "aexecute_skill",
    "agent_bindings",
    "agent_toolset",
    "delete_agent_skill",
]

log = logging.getLogger("crmbridge.skills")

#: The input field that carries a confirmation token (the same as pack skills').
CONFIRMATION = "confirmation"
_VERBS = {"create": "Create", "update": "Update", "find_or_create": "Find or create"}


@dataclasses.dataclass(frozen=True)
class AgentBinding:
    """A binding installed on an agent, with the account it runs for."""

    record: BindingRecord
    bound: BoundBinding

    @property
    def writes(self) -> bool:
        return self.bound.compiled.validated.writes


def write_summary(binding: AgentBinding, args: Mapping[str, Any]) -> str:
    """What a binding's write would do, in words to read back to the caller."""
    compiled = binding.bound.compiled
    b = compiled.validated.binding
    assert isinstance(b, RestWrite)
    labels = {p.key: p.label or p.key for p in compiled.validated.properties.values()}
    values = ", ".join(f"{labels.get(k, k)} {v}" for k, v in compiled.values(args).items() if v is not None)
    target = compiled.validated.obj.label or compiled.validated.obj.name
    record = f" {args.get(b.id.from_)}" if b.operation == "update" and b.id is not None else ""
    article = "an" if target[:1].lower() in "aeiou" else "a"
    return f"{_VERBS[b.operation]} {article} {target}{record}: {values or 'no fields'}."


class GatedBindings(AbstractToolset):
    """An agent's bindings; writes need a confirmation and run one at a time per account."""

    def __init__(
        self,
        bindings: Sequence[AgentBinding],
        *,
        tenant_id: str,
        agent_id: str,
        conversation_id: str | None,
        gate: ConfirmationGate,
        lanes: SerialLanes,
        drifted: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._bindings = {b.record.name: b for b in bindings}
        self.tenant_id, self.agent_id, self.conversation_id = tenant_id, agent_id, conversation_id
        self._gate, self._lanes = gate, lanes
        self._drifted = dict(drifted or {})

    def __repr__(self) -> str:
        return f"GatedBindings(agent_id={self.agent_id!r}, bindings={sorted(self._bindings)!r})"

    def list_tools(self) -> Sequence[Tool]:
        return [
            with_confirmation(b.bound.definition) if b.writes else b.bound.definition
            for b in self._bindings.values()
        ]

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        binding = self._bindings.get(name)
        if binding is None:
            if name in self._drifted:
                from ..bindings import BindingDrifted

                problems = list(self._drifted[name])
                error = BindingDrifted(
                    f"Binding {name!r} no longer fits the account's schema: {'; '.join(problems)}",
                    problems=problems,
                )
                return failed_result(name, error)
            return unknown_tool_result(name, self.list_tools())
        if not binding.writes:
            return await binding.bound.call(args)
        token = None
        if isinstance(args, Mapping) and CONFIRMATION in args:
            args = dict(args)
            token = args.pop(CONFIRMATION)
        record = binding.record
        try:
            checked = binding.bound.compiled.validator().validate(args if args is not None else {}, [])
            if token is not None and (not isinstance(token, str) or not token.strip()):
                raise InvalidInput(
                    "confirmation must be the token string you were given.", field=CONFIRMATION
                )
            scope = WriteScope(
                self.tenant_id, self.agent_id, name, record.connection_name, record.identifier,
                self.conversation_id,
            )  # fmt: skip
            if token is None:
                raise await asyncio.to_thread(
                    self._gate.request, scope, checked, write_summary(binding, checked)
                )
            async with self._lanes.hold(self.tenant_id, f"{record.connection_name}:{record.identifier}"):
                await asyncio.to_thread(self._gate.redeem, scope, checked, token)
                return await binding.bound.call(checked)
        except CrmBridgeError as exc:
            return failed_result(name, exc)


def agent_bindings(bridge: Bridge, agent_id: str) -> list[BindingRecord]:
    """The bindings saved for one agent, on every account of the tenant (drifted ones too)."""
    return bridge.store.snapshots.agent_bindings(bridge.tenant_id, agent_id)


async def agent_toolset(bridge: Bridge, agent_id: str, *, conversation_id: str | None = None) -> Toolset:
    """Everything the agent can call: its pack skills (identity, gate, skills) and its bindings (gated).

    A binding whose name a pack skill already has is left out (the pack skill wins) and logged, so one
    stray name never breaks the agent's whole toolset."""
    agents = bridge.agents
    skills = await asyncio.to_thread(agents.toolset, agent_id, conversation_id=conversation_id)
    taken = {t.name for t in skills.list_tools()}
    records = await asyncio.to_thread(agent_bindings, bridge, agent_id)
    chosen: list[AgentBinding] = []
    drifted: dict[str, list[str]] = {}
    for record in records:
        if record.name in taken:
            log.warning("binding %s of agent %s is shadowed by a pack skill", record.name, agent_id)
            continue
        if record.status != "ok":
            drifted[record.name] = list(record.problems)
            continue
        try:
            bound = await bridge.bindings.abound(record.connection_name, record.identifier, record.name)
        except CrmBridgeError as exc:  # e.g. the account was disconnected: the binding cannot run now
            drifted[record.name] = [exc.message]
            continue
        chosen.append(AgentBinding(record, bound))
    if not chosen and not drifted:
        return skills
    gated = GatedBindings(
        chosen, tenant_id=bridge.tenant_id, agent_id=agent_id, conversation_id=conversation_id,
        gate=agents.gate, lanes=agents.lanes, drifted=drifted,
    )  # fmt: skip
    return CombinedToolset([skills, gated])


async def aexecute_skill(
    bridge: Bridge,
    agent_id: str,
    name: str,
    tool_input: Any = None,
    *,
    conversation_id: str | None = None,
    confirmation: str | None = None,
) -> ToolResult:
    """Run one of the agent's skills (pack or binding); a skill's failure comes back in the result."""
    try:
        toolset = await agent_toolset(bridge, agent_id, conversation_id=conversation_id)
    except ConfigurationError as exc:
        return failed_result(name, exc)
    return await call_skill(toolset, name, tool_input, confirmation)


def delete_agent_skill(bridge: Bridge, agent_id: str, name: str) -> None:
    """Remove a pack skill, or else a binding of that name, from the agent."""
    agents = bridge.agents
    agents.agent(agent_id)
    if any(s["name"] == name for s in agents.list_skills(agent_id)):
        agents.delete_skill(agent_id, name)
        return
    for record in agent_bindings(bridge, agent_id):
        if record.name == name:
            bridge.store.snapshots.delete_binding(
                bridge.tenant_id, record.connection_name, record.identifier, name
            )
            return
    raise NotFound(f"Agent {agent_id!r} has no skill {name[:80]!r}.", field="name")
