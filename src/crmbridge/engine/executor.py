"""``Engine.execute``: one tool call, the same way whoever asked for it.

validate → check scopes → resolve names to ids → provider quirks → plan the request → send (rate
limits, retries, safe re-checks of lost creates) → map errors → shape a compact result.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any

from ..errors import (
    CrmBridgeError,
    InsufficientScope,
    InternalError,
    InvalidInput,
    OutcomeUnknown,
    ReauthorizationRequired,
)
from ..spec import Prepared, Provider, Tool
from .catalog import Catalog
from .context import CallContext, CallTarget, TTLCache
from .hooks import body_json
from .http import HttpCore, Recover, Recovered
from .inputguard import bounded
from .request import plan_request
from .result import ToolError, ToolResult
from .shaping import shape_output

__all__ = ["Engine"]

log = logging.getLogger("crmbridge.engine")


def _warned(result: ToolResult, warnings: list[str]) -> ToolResult:
    return replace(result, warnings=(*result.warnings, *warnings)) if warnings else result


class Engine:
    """Stateless per call; holds the catalog, the connection pools, the limiter and the name cache."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        http: HttpCore | None = None,
        cache_ttl: float = 300.0,
        index_lag: float | None = None,
    ) -> None:
        """``catalog`` holds the providers this engine can call. ``index_lag`` overrides each provider's
        search-index lag (``ProviderHooks.index_lag``) used when re-checking a lost create; a sandbox,
        which indexes at once, can use 0."""
        self.index_lag = index_lag
        self.http = http or HttpCore()
        self.catalog = catalog
        self.cache = TTLCache(cache_ttl)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def execute_named(
        self, tool_name: str, tool_input: Any, target: CallTarget, *, include_raw: bool = False
    ) -> ToolResult:
        """Look ``tool_name`` up in the catalog, then :meth:`execute` it."""
        try:
            tool = self.catalog.tool(tool_name)
        except CrmBridgeError as exc:
            return ToolResult(tool_name, False, error=ToolError.from_exception(exc))
        return await self.execute(tool, tool_input, target, include_raw=include_raw)

    async def execute(
        self, tool: Tool, tool_input: Any, target: CallTarget, *, include_raw: bool = False
    ) -> ToolResult:
        """Run ``tool`` (a catalog tool or one compiled for this account) for ``target``; never raises."""
        tool_name = tool.name
        warnings: list[str] = []  # what coercion changed in meaning, for the model to know
        try:
            provider = self.catalog.provider(tool.provider)
            # Bounds (size, depth, digits, NaN, Unicode) before anything else reads the input.
            args = self.catalog.schema(tool).validate(bounded(tool_input), warnings)
            await self._check_scopes(provider, tool, args, target)
            ctx = CallContext(provider, target, self.http, self.cache)
            prepared = await self._resolve(ctx, tool, args)
            return _warned(await self._call(ctx, tool, prepared, include_raw), warnings)
        except CrmBridgeError as exc:
            error = await self._on_error(exc, target)
            log.info("tool %s failed: %s", tool_name, error.code)
            return _warned(ToolResult(tool_name, False, error=ToolError.from_exception(error)), warnings)
        except Exception as exc:  # a bug of ours must not crash the agent's loop
            log.exception("tool %s raised %s", tool_name, type(exc).__name__)
            error = InternalError(
                f"crmbridge failed on this call ({type(exc).__name__}); the details are in its log."
            )
            return ToolResult(tool_name, False, error=ToolError.from_exception(error))

    async def _check_scopes(
        self, provider: Provider, tool: Tool, args: dict[str, Any], target: CallTarget
    ) -> None:
        if target.granted_scopes is None:
            return
        needed = provider.hooks.scopes_for(tool, args)
        missing = sorted(set(needed) - target.granted_scopes)
        if missing:
            raise InsufficientScope(
                f"This account has not granted {', '.join(missing)}, which {tool.name} needs. "
                "Ask the user to re-authorise with the link.",
                missing_scopes=missing,
            )

    async def _resolve(self, ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
        hooks = ctx.provider.hooks
        for field, resolver in tool.resolve.items():  # in declared order: a pipeline before its stage
            if args.get(field) is not None:
                try:
                    args[field] = await hooks.resolvers[resolver](ctx, args[field], args)
                except InvalidInput as exc:
                    if "field" in exc.details:
                        raise
                    raise exc.with_details(field=field) from exc
        if tool.prepare:
            return await hooks.preparers[tool.prepare](ctx, tool, args)
        return Prepared(args)

    async def _call(self, ctx: CallContext, tool: Tool, prepared: Prepared, include_raw: bool) -> ToolResult:
        hooks = ctx.provider.hooks
        planned = plan_request(tool, prepared.args)
        recover = (
            await self._recovery(ctx, tool, prepared.args)
            if tool.writes and not tool.annotations.idempotent
            else None
        )
        response = await self.http.send(
            ctx.provider,
            ctx.target,
            planned.method,
            planned.path,
            params=planned.params,
            json=planned.json,
            idempotent=tool.annotations.idempotent or tool.annotations.read_only,
            recover=recover,
        )
        if isinstance(response, Recovered):
            data = hooks.shape_record(response.record, tool, prepared)
            return ToolResult(tool.name, True, data, raw=response.record if include_raw else None)
        body = body_json(response)
        if response.status_code >= 400:
            raise hooks.parse_error(response, tool)
        data = shape_output(tool, hooks, body, prepared)
        return ToolResult(tool.name, True, data, raw=body if include_raw else None)

    async def _recovery(self, ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Recover | None:
        """Snapshot what already matches a create's keys, so a lost answer can be settled exactly.

        Records matching the keys after the failure but not before are ours: one means the create
        happened, none means it did not (resend), several means somebody else wrote too (unknown).
        """
        if tool.recheck is None:
            return None
        hooks = ctx.provider.hooks
        before = await hooks.find_created(ctx, tool, args)
        if before is None:
            return None
        seen = {hooks.record_id(r) for r in before}

        async def recover() -> Recovered | None:
            deadline = time.monotonic() + (self.index_lag if self.index_lag is not None else hooks.index_lag)
            pause = 0.5
            while True:
                after = await hooks.find_created(ctx, tool, args) or []
                new = [r for r in after if hooks.record_id(r) not in seen]
                if new or time.monotonic() >= deadline:
                    break
                await asyncio.sleep(min(pause, max(0.0, deadline - time.monotonic())))
                pause *= 2
            if not new:
                return None
            if len(new) == 1:
                log.info("%s: a lost create was found by re-check", tool.name)
                return Recovered(new[0])
            raise OutcomeUnknown(
                f"The create's answer was lost and {len(new)} matching records appeared since; "
                "check which one is yours before trying again.",
                candidates=[hooks.record_id(r) for r in new],
            )

        return recover

    async def _on_error(self, exc: CrmBridgeError, target: CallTarget) -> CrmBridgeError:
        """Tell the account's owner about an authorisation failure; the error to report, with the
        re-authorisation link when the end user must act and the error lacks one."""
        if isinstance(exc, ReauthorizationRequired) and target.on_auth_error is not None:
            await target.on_auth_error(exc)
        if (
            isinstance(exc, InsufficientScope | ReauthorizationRequired)
            and "authorization_link" not in exc.details
            and target.authorization_link is not None
        ):
            link = await target.authorization_link(exc.details.get("missing_scopes", []))
            if link:
                return exc.with_details(authorization_link=link)
        return exc
