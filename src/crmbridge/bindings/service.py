"""Bindings for one tenant: validate against the account's latest snapshot (with the re-authorisation
link when a scope is missing), preview, compile, save, flag drift, and "describe it".

Routes of the HTTP API are thin calls into this class:
``POST /agents/{agentId}/integrations/{integration}/bindings`` → :meth:`Bindings.aauthor` (``dry_run``
→ :meth:`apreview`); ``POST .../bindings/auto`` → :meth:`adescribe`; ``POST /integrations/{i}/discover``
→ :meth:`arediscover` (discovery plus the drift check of saved bindings).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ..discovery import Discovery, adapter_for
from ..discovery.reading import reader
from ..engine import CallTarget, ToolResult
from ..errors import CrmBridgeError, InsufficientScope, NotFound
from ..spec.binding import RestSearch, RestWrite
from .compile import CompiledBinding, compile_binding
from .describe import Proposal, propose
from .problems import BindingInvalid
from .toolset import BindingToolset, BoundBinding
from .validate import Validated, validate

__all__ = ["BindingDrifted", "Bindings"]

SAMPLES = 3


class BindingDrifted(CrmBridgeError):
    """The account's schema changed under a saved binding: it is not run until it is fixed."""

    code = "binding_drifted"
    audience = "developer"
    http_status = 409


class Bindings:
    def __init__(
        self, discovery: Discovery, *, target_for: Callable[[str, str], Awaitable[CallTarget]]
    ) -> None:
        self.discovery = discovery
        self.target_for = target_for

    # -- validation and compilation ------------------------------------------------------------

    async def avalidate(
        self, connection_name: str, identifier: str, binding: Mapping[str, Any] | RestSearch | RestWrite
    ) -> Validated:
        """Against the latest snapshot; raises ``BindingInvalid`` (every problem) or ``InsufficientScope``
        with ``authorization_link`` asking for exactly the scope the object needs."""
        found, index = await asyncio.to_thread(self.discovery.index, connection_name, identifier)
        adapter = adapter_for(found.snapshot.provider)
        validated = validate(binding, found.snapshot, adapter, index=index, snapshot_version=found.version)
        await self._check_scopes(connection_name, identifier, validated)
        return validated

    async def _check_scopes(self, connection_name: str, identifier: str, v: Validated) -> None:
        adapter = adapter_for(self.discovery.provider_of(connection_name))
        needed = adapter.scopes(v.obj, write=v.writes)
        target = await self.target_for(connection_name, identifier)
        if target.granted_scopes is None:
            return  # API keys and private-app tokens: the grant is not known, the CRM will say
        missing = sorted(set(needed) - target.granted_scopes)
        if not missing:
            return
        link = await target.authorization_link(missing) if target.authorization_link else None
        raise InsufficientScope(
            f"Binding {v.obj.label} needs {', '.join(missing)}, which this account has not granted. "
            "Ask the user to re-authorise with the link.",
            missing_scopes=missing,
            authorization_link=link,
        )

    async def acompile(
        self, connection_name: str, identifier: str, binding: Mapping[str, Any] | RestSearch | RestWrite
    ) -> CompiledBinding:
        validated = await self.avalidate(connection_name, identifier, binding)
        return compile_binding(validated, adapter_for(self.discovery.provider_of(connection_name)))

    # -- preview, run, save ----------------------------------------------------------------------

    async def apreview(
        self, connection_name: str, identifier: str, binding: Mapping[str, Any] | RestSearch | RestWrite,
        sample_input: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """The dry run: the compiled tool, the request it sends, and (for reads) up to 3 sample records.
        Filters whose input is not in ``sample_input`` are left out, and the warnings say so; a search
        that matched more than it returned says ``capped``."""
        compiled = await self.acompile(connection_name, identifier, binding)
        args = dict(sample_input or {})
        plan = compiled.plan(args, limit=SAMPLES, skip_missing=True)
        out: dict[str, Any] = {
            "skill": compiled_definition(compiled),
            "request": compiled.adapter.search_request(plan) if isinstance(compiled.validated.binding, RestSearch)
            or compiled.validated.binding.operation == "find_or_create" else None,
            "warnings": [],
        }  # fmt: skip
        skipped = [n for n in compiled.inputs if n not in args]
        if skipped:
            out["warnings"].append(
                f"No sample value for {', '.join(skipped)}: previewed without those filters."
            )
        if isinstance(compiled.validated.binding, RestWrite):
            out["fields"] = compiled.values(args)
            return out
        read = reader(self.discovery.runner_for(connection_name, identifier))
        page = await compiled.adapter.search(read, plan)
        out["samples"] = page.records[:SAMPLES]
        out["capped"] = page.capped
        if page.total is not None:
            out["total"] = page.total
        if page.capped:
            out["warnings"].append("More records matched than the samples shown.")
        return out

    async def arun(
        self, connection_name: str, identifier: str, name: str, args: Mapping[str, Any]
    ) -> ToolResult:
        """Run a saved binding for its account (a drifted one fails with ``binding_drifted``)."""
        compiled = await self.aload(connection_name, identifier, name)
        return await compiled.execute(self.discovery.runner_for(connection_name, identifier), args)

    async def asave(
        self, connection_name: str, identifier: str, binding: Mapping[str, Any] | RestSearch | RestWrite,
        *, agent_id: str | None = None,
    ) -> CompiledBinding:  # fmt: skip
        """Validate, compile and store under its name (replacing one of the same name)."""
        compiled = await self.acompile(connection_name, identifier, binding)
        b = compiled.validated.binding
        await asyncio.to_thread(
            self.discovery.repository.save_binding, self.discovery.tenant_id, connection_name, identifier,
            name=b.name, agent_id=agent_id, definition=b.model_dump(by_alias=True, exclude_none=True),
            snapshot_version=compiled.validated.snapshot_version,
        )  # fmt: skip
        return compiled

    async def aload(self, connection_name: str, identifier: str, name: str) -> CompiledBinding:
        saved = {r.name: r for r in await asyncio.to_thread(self.list, connection_name, identifier)}
        record = saved.get(name)
        if record is None:
            raise NotFound(f"No binding {name!r} for this account.", field="name", candidates=sorted(saved))
        if record.status != "ok":
            raise BindingDrifted(
                f"Binding {name!r} no longer fits the account's schema: {'; '.join(record.problems)}",
                problems=record.problems,
            )
        return await self.acompile(connection_name, identifier, record.definition)

    async def abound(self, connection_name: str, identifier: str, name: str) -> BoundBinding:
        """A saved binding ready to install as a skill: its definition, and a call for its account."""
        compiled = await self.aload(connection_name, identifier, name)
        return BoundBinding(compiled, self.discovery.runner_for(connection_name, identifier))

    async def atoolset(
        self, connection_name: str, identifier: str, *, agent_id: str | None = None
    ) -> BindingToolset:
        """The account's saved bindings (those of ``agent_id`` when given) that still fit the schema."""
        records = await asyncio.to_thread(self.list, connection_name, identifier)
        chosen = [r for r in records if r.status == "ok" and (agent_id is None or r.agent_id == agent_id)]
        return BindingToolset([await self.abound(connection_name, identifier, r.name) for r in chosen])

    def list(self, connection_name: str, identifier: str) -> list[Any]:
        return self.discovery.repository.bindings(self.discovery.tenant_id, connection_name, identifier)

    async def arediscover(self, connection_name: str, identifier: str) -> dict[str, Any]:
        """Discover again, then re-validate every saved binding: those that no longer fit are flagged."""
        discovered = await self.discovery.adiscover(connection_name, identifier)
        flagged = []
        for record in await asyncio.to_thread(self.list, connection_name, identifier):
            try:
                validate(record.definition, discovered.snapshot, adapter_for(discovered.snapshot.provider))
                status, problems = "ok", []
            except BindingInvalid as exc:
                status = "drifted"
                problems = [f"{p['path']}: {p['message']}" for p in exc.problems]
                flagged.append({"name": record.name, "problems": problems})
            await asyncio.to_thread(
                self.discovery.repository.mark_binding, self.discovery.tenant_id, connection_name,
                identifier, record.name, status=status, problems=problems,
            )  # fmt: skip
        return {**discovered.summary(), "driftedBindings": flagged}

    # -- describe it -----------------------------------------------------------------------------

    async def adescribe(
        self, connection_name: str, identifier: str, goal: str, *, name: str | None = None
    ) -> Proposal:
        """A plain-language goal → a proposed binding, validated like a hand-written one. A goal it cannot
        read safely comes back with ``binding=None`` and a question in ``warnings``."""
        found, index = await asyncio.to_thread(self.discovery.index, connection_name, identifier)
        proposal = propose(goal, found.snapshot, index, name=name)
        if proposal.binding is None:
            return proposal
        try:
            validated = await self.avalidate(connection_name, identifier, proposal.binding)
        except BindingInvalid as exc:  # what the CRM cannot run, or a guess that does not fit: refuse
            return proposal.refused([f"{p['path']}: {p['message']}" for p in exc.problems])
        return proposal.with_skill(
            compiled_definition(compile_binding(validated, adapter_for(found.snapshot.provider)))
        )


def compiled_definition(compiled: CompiledBinding) -> dict[str, Any]:
    d = compiled.definition
    return {"name": d.name, "description": d.description, "input_schema": dict(d.input_schema),
            "annotations": d.annotations.to_dict(), "scopes": list(d.scopes)}  # fmt: skip
