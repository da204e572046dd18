"""Compiling a Connector Pack for one account and installing it on agents, idempotently.

Install reads the account's configuration once (the provider's ``compile`` step, through the engine),
builds each skill's definition and inserts it under the unique key (tenant, agent, name): an existing
skill with the same definition is skipped (``created: false``), one compiled from an older configuration
is recompiled (``updated: true``), and of concurrent installs exactly one inserts each skill.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..engine import ToolResult
from ..errors import ConfigurationError, CrmBridgeError, NotFound
from ..store import AccountStatus
from ..store.skill_store import SkillRepository
from .compiled import definition, fingerprint, pack_of
from .phones import phone_region

if TYPE_CHECKING:
    from .agents import TenantView

__all__ = ["PackInstaller"]

log = logging.getLogger("crmbridge.skills")


class _CompileFailed(Exception):
    def __init__(self, result: ToolResult) -> None:
        self.result = result


class PackInstaller:
    def __init__(self, tenant: TenantView, repository: SkillRepository) -> None:
        self._tenant = tenant
        self._repo = repository

    def _account(self, integration: str, identifier: str) -> tuple[str, str, str | None]:
        """``(connection name, provider, phone region)`` of an ACTIVE account, or the error saying what is
        missing. The region is the connection's ``phone_region`` setting, when it has one."""
        store, tenant_id = self._tenant.store, self._tenant.tenant_id
        connection = store.connections.get(tenant_id, integration)
        if connection is None:
            raise NotFound(
                f"There is no integration {integration[:80]!r}; add the connection first.",
                field="integration",
            )
        account = store.accounts.get(tenant_id, integration, identifier)
        if account is None or account.status is not AccountStatus.ACTIVE:
            state = "is not connected" if account is None else f"is {account.status.value}"
            raise ConfigurationError(
                f"The {integration} account {identifier!r} {state}: connect it before installing its pack.",
                field="identifier",
            )
        region = connection.config.get("phone_region")
        return connection.name, connection.provider, None if region is None else str(region)

    async def compile(self, integration: str, identifier: str, provider: str) -> dict[str, Any]:
        """The account's configuration as the pack's steps resolve it (read through the engine)."""
        pack = pack_of(self._tenant.catalog, provider)

        async def call(tool_name: str, tool_input: Mapping[str, Any]) -> Any:
            tool = self._tenant.catalog.tool(tool_name)
            result = await self._tenant.arun_tool(
                tool, dict(tool_input), identifier=identifier, connection_name=integration
            )
            if not result.ok:
                raise _CompileFailed(result)
            return result.data

        try:
            return await pack.steps.compile(call)
        except _CompileFailed as failed:
            assert failed.result.error is not None
            raise ConfigurationError(
                f"Reading the {integration} account's configuration failed ({failed.result.tool_name}): "
                f"{failed.result.error.message}",
                field="integration",
            ) from None

    async def install(
        self, agent_id: str, integration: str, identifier: str, *, trigger: str
    ) -> dict[str, Any]:
        """Compile and install; the result is recorded and returned (``{"skills": [...]}``)."""
        started = time.perf_counter()
        connection_name, provider, region = await asyncio.to_thread(self._account, integration, identifier)
        pack = pack_of(self._tenant.catalog, provider)
        region = phone_region(region, pack.default_region)
        resolved = await self.compile(connection_name, identifier, provider)
        skills = await asyncio.to_thread(
            self._store, agent_id, connection_name, identifier, provider, pack, resolved, region
        )
        result = {
            "integration": connection_name,
            "identifier": identifier,
            "skills": skills,
            "compile_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        await asyncio.to_thread(
            self._repo.record_install, self._tenant.tenant_id, agent_id, connection_name, identifier, trigger,
            {"ok": True, "skills": skills},
        )  # fmt: skip
        return result

    def _store(
        self,
        agent_id: str,
        connection_name: str,
        identifier: str,
        provider: str,
        pack: Any,
        resolved: dict[str, Any],
        region: str,
    ) -> list[dict[str, Any]]:
        tenant_id = self._tenant.tenant_id
        out: list[dict[str, Any]] = []
        for template in pack.templates:
            stored = definition(template, resolved, region)
            mark = fingerprint(stored)
            record, created = self._repo.add_skill(
                tenant_id, agent_id, template.name, connection_name=connection_name, identifier=identifier,
                provider=provider, template=template.name, definition=stored, fingerprint=mark,
            )  # fmt: skip
            entry: dict[str, Any] = {"name": template.name, "created": created, "updated": False}
            if not created and (record.connection_name, record.identifier) != (connection_name, identifier):
                entry["skipped"] = f"already installed from {record.connection_name} ({record.identifier})"
            elif not created and record.fingerprint != mark:
                self._repo.recompile_skill(tenant_id, record.id, stored, mark)
                entry["updated"] = True
            out.append(entry)
        return out

    async def _install_recorded(
        self, agent_id: str, integration: str, identifier: str, trigger: str
    ) -> dict[str, Any]:
        """Install, and record a failure instead of raising (installs triggered by connect or creation)."""
        try:
            return await self.install(agent_id, integration, identifier, trigger=trigger)
        except CrmBridgeError as exc:
            log.warning("pack install of %s on agent %s failed: %s", integration, agent_id, exc.code)
            failure = {"ok": False, "error": exc.to_dict()}
            await asyncio.to_thread(
                self._repo.record_install,
                self._tenant.tenant_id,
                agent_id,
                integration,
                identifier,
                trigger,
                failure,
            )
            return {"integration": integration, "identifier": identifier, **failure}

    async def install_on_connect(self, connection_name: str, identifier: str) -> list[dict[str, Any]]:
        """The account just turned ACTIVE: its pack goes on the agents the connect named, or else on every
        agent that has not opted out."""
        tenant_id = self._tenant.tenant_id
        connection = await asyncio.to_thread(self._tenant.store.connections.get, tenant_id, connection_name)
        if connection is None or self._tenant.catalog.provider(connection.provider).pack is None:
            return []
        named = await asyncio.to_thread(self._repo.targets, tenant_id, connection_name, identifier)
        agents = await asyncio.to_thread(self._repo.agents, tenant_id)
        chosen = [a.id for a in agents if (a.id in named if named is not None else a.auto_install)]
        return [await self._install_recorded(a, connection_name, identifier, "connect") for a in chosen]

    async def install_connected(self, agent_id: str) -> list[dict[str, Any]]:
        """A new agent gets the pack of every integration with a connected account (``default``, or the
        only ACTIVE one)."""
        store, tenant_id = self._tenant.store, self._tenant.tenant_id
        out = []
        for connection in await asyncio.to_thread(store.connections.list, tenant_id):
            if self._tenant.catalog.provider(connection.provider).pack is None:
                continue
            active = [
                a.identifier
                for a in await asyncio.to_thread(store.accounts.list, tenant_id, connection.name)
                if a.status is AccountStatus.ACTIVE
            ]
            identifier = "default" if "default" in active else active[0] if len(active) == 1 else None
            if identifier is not None:
                out.append(
                    await self._install_recorded(agent_id, connection.name, identifier, "agent_created")
                )
        return out
