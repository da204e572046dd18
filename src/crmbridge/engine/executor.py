"""``Engine.execute``: one tool call, the same way whoever asked for it.

rename aliases and report every unknown or blank field → validate → check scopes → resolve names to ids →
provider quirks → plan the request → send (rate limits, retries, safe re-checks of lost creates) → map
errors → shape a compact result.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from ..errors import (
    ConfigurationError,
    CrmBridgeError,
    InsufficientScope,
    InternalError,
    InvalidInput,
    ReauthorizationRequired,
)
from ..spec import Prepared, Provider, Tool
from .catalog import Catalog
from .context import CallContext, CallTarget, TTLCache
from .deadline import Deadline
from .fields import precheck
from .hooks import body_json
from .http import HttpCore, Recover, Recovered
from .inputguard import bounded
from .recheck import settle, take_mark
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
        recheck_pages: int = 10,
    ) -> None:
        """``catalog`` holds the providers this engine can call. ``index_lag`` overrides each provider's
        search-index lag (``ProviderHooks.index_lag``) used when re-checking a lost create; a sandbox,
        which indexes at once, can use 0. ``recheck_pages`` bounds how many pages of records created
        since a lost create was sent the re-check reads before calling the outcome unknown."""
        self.index_lag = index_lag
        self.recheck_pages = recheck_pages
        self.http = http or HttpCore()
        self.catalog = catalog
        self.cache = TTLCache(cache_ttl)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def execute_named(
        self,
        tool_name: str,
        tool_input: Any,
        target: CallTarget,
        *,
        include_raw: bool = False,
        deadline: Deadline | None = None,
    ) -> ToolResult:
        """Look ``tool_name`` up in the catalog, then :meth:`execute` it."""
        try:
            tool = self.catalog.tool(tool_name)
        except CrmBridgeError as exc:
            return ToolResult(tool_name, False, error=ToolError.from_exception(exc))
        return await self.execute(tool, tool_input, target, include_raw=include_raw, deadline=deadline)

    async def execute(
        self,
        tool: Tool,
        tool_input: Any,
        target: CallTarget,
        *,
        include_raw: bool = False,
        deadline: Deadline | None = None,
    ) -> ToolResult:
        """Run ``tool`` (a catalog tool or one compiled for this account) for ``target``; never raises.
        ``deadline``: when the call must be over, side requests and re-checks included."""
        tool_name = tool.name
        warnings: list[str] = []  # what coercion changed in meaning, for the model to know
        try:
            provider = self.catalog.provider(tool.provider)
            # Bounds (size, depth, digits, NaN, Unicode) before anything else reads the input; then the
            # CRM's own field names, then coercion and validation.
            args = self.catalog.schema(tool).validate(precheck(tool, bounded(tool_input)), warnings)
            await self._check_scopes(provider, tool, args, target)
            ctx = CallContext(provider, target, self.http, self.cache, deadline)
            prepared = await self._resolve(ctx, tool, args)
            return _warned(await self._call(ctx, tool, prepared, include_raw), warnings)
        except CrmBridgeError as exc:
            error = (await self._on_error(exc, target, tool_name)).masked(target.secret_values())
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
            error = InsufficientScope(
                f"This account has not granted {', '.join(missing)}, which {tool.name} needs. "
                "Ask the user to re-authorise with the link.",
                missing_scopes=missing,
            )
            raise _beyond_configuration(error, target, tool.name) or error

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
            deadline=ctx.deadline,
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
        """Mark where the created type's newest record stands, so a lost answer can be settled exactly.

        After a lost answer every record created since the mark is looked at (``engine.recheck``): the
        create is sent again only when none of them is its own; a mark out of reach or several look-alikes
        make the outcome unknown. ``None`` (no re-check possible) makes any lost answer unknown, and so
        does a call's deadline that comes first.
        """
        if tool.recheck is None:
            return None
        hooks = ctx.provider.hooks
        listing = hooks.created_listing(tool, args)
        if listing is None:
            return None
        mark = await take_mark(ctx, listing, self.recheck_pages)
        if mark is None:
            log.info("%s: too many records share the newest position to mark it; no re-check", tool.name)
            return None
        lag = self.index_lag if self.index_lag is not None else hooks.index_lag

        async def recover() -> Recovered | None:
            return await settle(
                ctx,
                listing,
                mark,
                lag=lag,
                max_pages=self.recheck_pages,
                tool=tool.name,
                min_attempt=self.http.retry.min_attempt,
            )

        return recover

    async def _on_error(self, exc: CrmBridgeError, target: CallTarget, tool_name: str) -> CrmBridgeError:
        """Tell the account's owner about an authorisation failure; the error to report, with the
        re-authorisation link when the end user must act and the error lacks one. A scope the
        connection never asks for is the developer's to add: no link could grant it."""
        if isinstance(exc, InsufficientScope):
            exc = _beyond_configuration(exc, target, tool_name) or exc
        if isinstance(exc, ReauthorizationRequired) and target.on_auth_error is not None:
            exc = await target.on_auth_error(exc) or exc
        if (
            isinstance(exc, InsufficientScope | ReauthorizationRequired)
            and "authorization_link" not in exc.details
            and target.authorization_link is not None
        ):
            link = await target.authorization_link(exc.details.get("missing_scopes", []))
            if link:
                return exc.with_details(authorization_link=link)
        return exc


def _beyond_configuration(
    error: InsufficientScope, target: CallTarget, tool_name: str
) -> ConfigurationError | None:
    """``error`` as the developer's ``configuration_error`` when re-consent cannot fix it, else ``None``.

    Re-consent asks only for the scopes the connection requests. Our own pre-flight check lists scopes
    that are all needed, so one outside the connection is enough; a CRM's 403 lists alternatives (any
    one would do), so it takes all of them being outside.
    """
    configured = target.configured_scopes
    listed = [str(s) for s in error.details.get("missing_scopes") or ()]
    if configured is None or not listed:
        return None
    if error.status is None:
        absent = [s for s in listed if s not in configured]
        needs = ", ".join(absent)
    else:
        absent = [] if any(s in configured for s in listed) else listed
        needs = ("one of " if len(absent) > 1 else "") + ", ".join(absent)
    if not absent:
        return None
    connection = f"connection {target.connection_name!r}" if target.connection_name else "the connection"
    return ConfigurationError(
        f"{tool_name} needs {needs}, which {connection} does not request, so re-authorising cannot "
        "grant it. Add the scope to the app in the CRM's developer settings and to scopes= (or "
        "optional_scopes=) of add_connection(...); users then re-authorise once.",
        status=error.status,
        request_id=error.request_id,
        provider=error.provider,
        missing_scopes=listed,
        unconfigured_scopes=absent,
    )
