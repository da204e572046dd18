"""``Agents``: one tenant's agents, their skills, conversations and the Connector Pack installs.

Every HTTP route of the agent platform is one call here (``bridge.agents``); the server adds only
scopes, parsing and status codes. Blocking methods have ``a``-prefixed coroutine twins where they talk
to the CRM (install, execute, verify).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from ..engine import ToolError, ToolResult
from ..engine.schema import CompiledSchema
from ..errors import ConfigurationError, CrmBridgeError, InvalidInput, NotFound
from ..store import AccountStatus, Store
from ..store.skill_store import AgentRecord, ConversationRecord, SkillRecord
from ..toolsets import Toolset
from ..toolsets.account import ToolRunner
from .compiled import pack_of
from .errors import IdentityNotVerified
from .gate import ConfirmationGate
from .install import PackInstaller
from .lane import SerialLanes
from .phones import phone_region
from .toolset import GatedToolset, SkillToolset, VerifiedIdentityToolset, call_skill

__all__ = ["Agents", "TenantView"]

log = logging.getLogger("crmbridge.skills")
T = TypeVar("T")

CHANNELS = ("voice", "chat")
VERIFY_METHODS = ("otp", "caller_id", "email_link", "agent_portal", "sso")


class _Loop(Protocol):
    def run(self, coro: Any) -> Any: ...


class TenantView(ToolRunner, Protocol):
    """What the agents of a tenant need from it (``crmbridge.Bridge`` is one): an account toolset's
    runner, plus the tenant's id, store and loop."""

    tenant_id: str

    @property
    def store(self) -> Store: ...

    @property
    def runtime(self) -> _Loop: ...


def agent_json(agent: AgentRecord) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "auto_install": agent.auto_install,
        "created_at": agent.created_at.isoformat(),
    }


def skill_json(skill: SkillRecord) -> dict[str, Any]:
    stored = skill.definition
    return {
        "name": skill.name,
        "template": skill.template,
        "integration": skill.connection_name,
        "identifier": skill.identifier,
        "provider": skill.provider,
        "description": stored.get("description"),
        "input_schema": stored.get("input_schema"),
        "access": stored.get("access"),
        "policy": stored.get("policy"),
        "resolved": stored.get("resolved"),
        "created_at": skill.created_at.isoformat(),
        "updated_at": skill.updated_at.isoformat(),
    }


def conversation_json(conversation: ConversationRecord) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "agent_id": conversation.agent_id,
        "channel": conversation.channel,
        "caller": conversation.caller,
        "verified": None
        if conversation.verified_contact_id is None
        else {"contact_id": conversation.verified_contact_id, "method": conversation.verified_method},
    }


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("pack install on connect failed: %s", type(task.exception()).__name__)


class Agents:
    """The agent platform of one tenant. ``confirmation_ttl``: seconds a confirmation lives;
    ``lane_timeout``: seconds a write waits for its account's serial lane before ``write_lane_busy``."""

    def __init__(
        self, tenant: TenantView, *, confirmation_ttl: float = 300.0, lane_timeout: float = 30.0
    ) -> None:
        self._tenant = tenant
        self.tenant_id = tenant.tenant_id
        self._repo = tenant.store.skills
        self.gate = ConfirmationGate(self._repo, ttl=confirmation_ttl)
        self.lanes = SerialLanes(self._repo, timeout=lane_timeout)
        self.installer = PackInstaller(tenant, self._repo)
        self._schemas: dict[str, CompiledSchema] = {}

    def __repr__(self) -> str:
        return f"Agents(tenant_id={self.tenant_id!r})"

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        result: T = self._tenant.runtime.run(coro)
        return result

    # -- agents --------------------------------------------------------------------------------

    async def acreate_agent(self, name: str, *, auto_install: bool = True) -> dict[str, Any]:
        """A new agent; with ``auto_install`` it gets the pack of every connected integration at once."""
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise InvalidInput("name must be a non-blank string of at most 200 characters.", field="name")
        agent = await asyncio.to_thread(
            self._repo.create_agent, self.tenant_id, name.strip(), auto_install=auto_install
        )
        out = agent_json(agent)
        if auto_install:
            out["installs"] = await self.installer.install_connected(agent.id)
        return out

    def create_agent(self, name: str, *, auto_install: bool = True) -> dict[str, Any]:
        return self._run(self.acreate_agent(name, auto_install=auto_install))

    def list_agents(self) -> list[dict[str, Any]]:
        return [agent_json(a) for a in self._repo.agents(self.tenant_id)]

    def agent(self, agent_id: str) -> AgentRecord:
        agent = self._repo.agent(self.tenant_id, agent_id) if isinstance(agent_id, str) else None
        if agent is None:
            raise NotFound(f"There is no agent {str(agent_id)[:80]!r}.", field="agentId")
        return agent

    def get_agent(self, agent_id: str) -> dict[str, Any]:
        out = agent_json(self.agent(agent_id))
        out["installs"] = self._repo.installs(self.tenant_id, agent_id)
        return out

    def delete_agent(self, agent_id: str) -> None:
        if not self._repo.delete_agent(self.tenant_id, agent_id):
            raise NotFound(f"There is no agent {str(agent_id)[:80]!r}.", field="agentId")

    def set_auto_install(self, agent_id: str, auto_install: bool) -> dict[str, Any]:
        """Opt an agent in or out of installs on connect."""
        self.agent(agent_id)
        self._repo.set_auto_install(self.tenant_id, agent_id, auto_install)
        return agent_json(self.agent(agent_id))

    # -- packs and skills ----------------------------------------------------------------------

    def pack(self, integration: str) -> dict[str, Any]:
        """The pack of an integration (a connection name, or a provider name): its skill templates."""
        connection = self._tenant.store.connections.get(self.tenant_id, integration)
        provider = connection.provider if connection is not None else integration
        if provider not in self._tenant.catalog.provider_names:
            raise NotFound(f"There is no integration {integration[:80]!r}.", field="integration")
        pack = pack_of(self._tenant.catalog, provider)
        return {
            "integration": integration,
            "provider": provider,
            "default_region": phone_region(
                None if connection is None else connection.config.get("phone_region"), pack.default_region
            ),
            "notes": pack.notes,
            "skills": [t.to_dict() for t in pack.templates],
        }

    async def ainstall_pack(
        self, agent_id: str, integration: str, *, identifier: str = "default"
    ) -> dict[str, Any]:
        """Compile the pack for the integration's account and install it on the agent (idempotent:
        existing skills come back ``created: false``, recompiled ones ``updated: true``)."""
        await asyncio.to_thread(self.agent, agent_id)
        return await self.installer.install(agent_id, integration, identifier, trigger="manual")

    def install_pack(self, agent_id: str, integration: str, *, identifier: str = "default") -> dict[str, Any]:
        return self._run(self.ainstall_pack(agent_id, integration, identifier=identifier))

    def list_skills(self, agent_id: str) -> list[dict[str, Any]]:
        self.agent(agent_id)
        return [skill_json(s) for s in self._repo.skills(self.tenant_id, agent_id)]

    def delete_skill(self, agent_id: str, name: str) -> None:
        self.agent(agent_id)
        if not self._repo.delete_skill(self.tenant_id, agent_id, name):
            raise NotFound(f"Agent {agent_id!r} has no skill {str(name)[:80]!r}.", field="name")

    def install_on_connect(self, connection_name: str, identifier: str, agent_ids: Iterable[str]) -> None:
        """Name the agents the next connect of this account installs its pack on (``agentIds`` of connect);
        without it every agent that has not opted out gets it."""
        chosen = list(agent_ids)
        for agent_id in chosen:
            self.agent(agent_id)
        self._repo.set_targets(self.tenant_id, connection_name, identifier, chosen)

    def on_account_status(
        self, account: Any, old: AccountStatus | None, new: AccountStatus, reason: str | None
    ) -> None:
        """The status listener: an account that turns ACTIVE gets its pack installed on the agents."""
        if new is not AccountStatus.ACTIVE or old is AccountStatus.ACTIVE:
            return
        if not self._repo.agents(self.tenant_id):
            return  # the usual case outside agent platforms: nothing to install on
        work = self.installer.install_on_connect(account.connection_name, account.identifier)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._run(work)  # the usual case: connect writes the status from a worker thread
            return
        task = loop.create_task(work)  # called on an event loop: do not block it
        task.add_done_callback(_log_failure)

    # -- conversations -------------------------------------------------------------------------

    def start_conversation(
        self, agent_id: str, *, channel: str, caller: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        self.agent(agent_id)
        if channel not in CHANNELS:
            raise InvalidInput(
                f"channel must be one of {', '.join(CHANNELS)}.", field="channel", allowed=list(CHANNELS)
            )
        known = {
            k: str(v)[:200] for k, v in dict(caller or {}).items() if k in ("phone", "email", "name") and v
        }
        return conversation_json(self._repo.create_conversation(self.tenant_id, agent_id, channel, known))

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        return conversation_json(self._conversation(conversation_id))

    def _conversation(self, conversation_id: str) -> ConversationRecord:
        found = self._repo.conversation(self.tenant_id, conversation_id)
        if found is None:
            raise NotFound(f"There is no conversation {str(conversation_id)[:80]!r}.", field="conversationId")
        return found

    async def averify(self, conversation_id: str, *, contact_id: str, method: str) -> dict[str, Any]:
        """Record the caller's verified identity (the platform's own check, never the model's word).
        ``caller_id`` is checked here: the conversation's caller number must be that contact's, alone."""
        if method not in VERIFY_METHODS:
            raise InvalidInput(
                f"method must be one of {', '.join(VERIFY_METHODS)}.",
                field="method",
                allowed=list(VERIFY_METHODS),
            )
        if not isinstance(contact_id, str) or not contact_id.strip():
            raise InvalidInput("contactId must be the id of the caller's contact.", field="contactId")
        conversation = await asyncio.to_thread(self._conversation, conversation_id)
        if method == "caller_id":
            await self._check_caller_id(conversation, contact_id)
        verified = await asyncio.to_thread(
            self._repo.verify_conversation, self.tenant_id, conversation_id, contact_id, method
        )
        assert verified is not None
        return conversation_json(verified)

    def verify(self, conversation_id: str, *, contact_id: str, method: str) -> dict[str, Any]:
        return self._run(self.averify(conversation_id, contact_id=contact_id, method=method))

    async def _check_caller_id(self, conversation: ConversationRecord, contact_id: str) -> None:
        phone = conversation.caller.get("phone")
        if not phone:
            raise IdentityNotVerified("This conversation has no caller number to match (caller.phone).")
        skills = await asyncio.to_thread(self._skills, conversation.agent_id, conversation.id)
        if skills.record("find_contact") is None:
            raise ConfigurationError(
                "caller_id verification needs the agent's find_contact skill (install the pack)."
            )
        found = await skills.call_tool("find_contact", {"phone": phone})
        if not found.ok:
            assert found.error is not None
            raise IdentityNotVerified(f"The caller's number could not be checked: {found.error.message}")
        if found.data.get("status") != "found" or found.data["contact"]["id"] != contact_id:
            raise IdentityNotVerified(
                "The caller's number does not identify this contact alone; verify with an OTP or e-mail link."
            )

    # -- running skills ------------------------------------------------------------------------

    def _skills(self, agent_id: str, conversation_id: str | None) -> SkillToolset:
        self.agent(agent_id)
        if conversation_id is not None and self._conversation(conversation_id).agent_id != agent_id:
            raise NotFound(
                f"Agent {agent_id!r} has no conversation {conversation_id!r}.", field="conversationId"
            )
        records = self._repo.skills(self.tenant_id, agent_id)
        return SkillToolset(
            self._tenant,
            self.tenant_id,
            agent_id,
            records,
            conversation_id=conversation_id,
            schemas=self._schemas,
            recent_creates=self._tenant.store.idempotency,
        )

    def toolset(self, agent_id: str, *, conversation_id: str | None = None) -> Toolset:
        """The agent's skills with their policies enforced: what every front end hands the model."""
        skills = self._skills(agent_id, conversation_id)
        return VerifiedIdentityToolset(GatedToolset(skills, self.gate, self.lanes), self._repo)

    async def aexecute(
        self,
        agent_id: str,
        name: str,
        tool_input: Any = None,
        *,
        conversation_id: str | None = None,
        confirmation: str | None = None,
    ) -> ToolResult:
        """Run one skill (``POST /agents/{id}/skills/{name}/execute``); errors come back in the result."""
        try:
            toolset = await asyncio.to_thread(self.toolset, agent_id, conversation_id=conversation_id)
        except CrmBridgeError as exc:
            return ToolResult(name, False, error=ToolError.from_exception(exc))
        return await call_skill(toolset, name, tool_input, confirmation)

    def execute(self, agent_id: str, name: str, tool_input: Any = None, **options: Any) -> ToolResult:
        return self._tenant.run_sync(self.aexecute(agent_id, name, tool_input, **options))
