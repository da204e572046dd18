"""``Bridge``: one tenant's view of a :class:`~crmbridge.core.Runtime`, the facade every front end uses.

``runtime.tenant(id)`` hands out Bridges that share the runtime's store, pools, limiter and catalog;
``Bridge(...)`` on its own is the one-tenant shortcut that builds (and owns) a private runtime.
"""

from __future__ import annotations

import asyncio
import functools
import math
import os
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any

import httpx

from ..engine import CallTarget, Catalog, Engine, RetryPolicy, ToolResult, tool_definition
from ..engine.deadline import Deadline
from ..engine.result import ToolError
from ..errors import CrmBridgeError
from ..spec import Provider, Tool
from ..store import Store
from ..toolsets import AccountToolset
from ..vault import Vault
from .accounts import Accounts, StatusListener
from .apikeys import check_api_key, plan_api_key, save_api_key
from .bridge_oauth import OAuthMethods
from .bridge_schema import SchemaMethods
from .lifecycle import Lifecycle
from .models import ConnectedAccount, Connection
from .oauth import OAuthService
from .runtime import Runtime, default_data_dir

if TYPE_CHECKING:
    from ..skills import Agents

__all__ = ["Bridge", "default_data_dir"]


class Bridge(OAuthMethods, SchemaMethods):
    """Connected accounts and tool calls for one tenant.

    >>> bridge = Bridge(database_url="sqlite:///bridge.db")
    >>> bridge.add_connection("hubspot", provider="hubspot")
    >>> bridge.connect_api_key(connection_name="hubspot", identifier="user_1", api_key="pat-…")
    >>> bridge.execute_tool(identifier="user_1", tool_name="hubspot_contacts_search", tool_input={"query": "acme"})

    Every method that does I/O has an ``a``-prefixed coroutine twin for async code; the sync ones run on
    the runtime's private event loop so connection pools survive between calls.
    """

    runtime: Runtime
    tenant_id: str
    accounts: Accounts
    oauth: OAuthService
    lifecycle: Lifecycle

    def __init__(
        self,
        database_url: str | None = None,
        *,
        tenant_id: str = "default",
        providers: Iterable[Provider] = (),
        entry_points: bool = True,
        data_dir: str | os.PathLike[str] | None = None,
        redis_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        cache_ttl: float = 300.0,
        vault: Vault | None = None,
        clock: Callable[[], float] | None = None,
        rate_limit_scale: float = 1.0,
        index_lag: float | None = None,
        account_cache_ttl: float = 30.0,
        timeout: float = 30.0,
        deadline: float | None = None,
    ) -> None:
        """A private :class:`Runtime` with these options, and this Bridge as its one tenant.

        ``providers`` are added to the built-in CRMs (and to those installed under the
        ``crmbridge.providers`` entry points, unless ``entry_points=False``); ``rate_limit_scale`` and ``index_lag`` are for a
        sandbox run (``crmbridge sandbox --rate-window-scale``); ``account_cache_ttl``: seconds an
        account's credentials are trusted in memory before the database is read again. ``timeout``:
        seconds one HTTP attempt may take; ``deadline``: seconds a whole tool call may take by default."""
        runtime = Runtime(
            database_url,
            providers=providers,
            entry_points=entry_points,
            data_dir=data_dir,
            redis_url=redis_url,
            transport=transport,
            retry=retry,
            cache_ttl=cache_ttl,
            vault=vault,
            clock=clock,
            rate_limit_scale=rate_limit_scale,
            index_lag=index_lag,
            account_cache_ttl=account_cache_ttl,
            timeout=timeout,
            deadline=deadline,
        )
        self._setup(runtime, tenant_id, owns_runtime=True)

    @classmethod
    def attach(cls, runtime: Runtime, tenant_id: str) -> Bridge:
        """A view of ``tenant_id`` over an existing runtime (what ``runtime.tenant(id)`` returns)."""
        view = cls.__new__(cls)
        view._setup(runtime, tenant_id, owns_runtime=False)
        return view

    def _setup(self, runtime: Runtime, tenant_id: str, *, owns_runtime: bool) -> None:
        self.runtime = runtime
        self.tenant_id = tenant_id
        self._owns_runtime = owns_runtime
        self.accounts = Accounts(
            runtime.store, tenant_id, runtime.catalog, target_ttl=runtime.account_cache_ttl
        )
        self.accounts.listeners.append(functools.partial(runtime.notify_account_status, tenant_id))
        #: The OAuth layer (links, callback, token lifecycle); ``clock`` is wall-clock seconds for expiry.
        self.oauth = OAuthService(
            self.accounts,
            vault=runtime.vault,
            http=runtime.engine.http,
            catalog=runtime.catalog,
            clock=runtime.clock,
            transport=runtime.transport,
        )
        self.lifecycle = Lifecycle(
            self.accounts, transport=runtime.transport, forget_tokens=self.oauth.tokens.forget
        )
        self._agents: Agents | None = None
        # Seed 001: an account that turns ACTIVE installs its Connector Pack on the tenant's agents.
        self.accounts.listeners.append(lambda *change: self.agents.on_account_status(*change))

    @property
    def agents(self) -> Agents:
        """This tenant's agents, skills and conversations (``crmbridge.skills.Agents``), built on first use."""
        if self._agents is None:
            from ..skills import Agents  # the agent-platform layer loads only when used

            self._agents = Agents(self)
        return self._agents

    # -- the shared parts, for code that needs them directly ------------------------------------

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    @property
    def catalog(self) -> Catalog:
        return self.runtime.catalog

    @property
    def store(self) -> Store:
        return self.runtime.store

    @property
    def vault(self) -> Vault:
        return self.runtime.vault

    @property
    def transport(self) -> httpx.AsyncBaseTransport | None:
        return self.runtime.transport

    def __repr__(self) -> str:
        return f"Bridge(tenant_id={self.tenant_id!r})"

    # -- connections and accounts --------------------------------------------------------------

    def add_connection(
        self,
        name: str,
        *,
        provider: str,
        base_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        redirect_uri: str | None = None,
        scopes: Iterable[str] | None = None,
        optional_scopes: Iterable[str] | None = None,
        authorize_url: str | None = None,
        token_url: str | None = None,
    ) -> Connection:
        """Configure a provider for this tenant: API-key mode, or OAuth with your own client (BYOC)."""
        return self.accounts.add_connection(
            name,
            provider=provider,
            client_secret=client_secret,
            base_url=base_url.rstrip("/") if base_url else None,
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=list(scopes) if scopes is not None else None,
            optional_scopes=list(optional_scopes) if optional_scopes is not None else None,
            authorize_url=authorize_url,
            token_url=token_url,
        )

    async def aadd_connection(self, name: str, *, provider: str, **options: Any) -> Connection:
        """Async twin of :meth:`add_connection` (same keyword options)."""
        return await asyncio.to_thread(lambda: self.add_connection(name, provider=provider, **options))

    def connect_api_key(
        self,
        *,
        connection_name: str,
        identifier: str,
        api_key: str,
        api_domain: str | None = None,
        check: bool = True,
    ) -> ConnectedAccount:
        """Connect an account with an API key (a HubSpot private-app token, a Pipedrive API token, …).

        The key is first tried with a cheap read (HubSpot: one owner; Pipedrive: the current user): a key
        the CRM refuses raises ``AuthFailed`` and nothing is saved. ``check=False`` saves it untried
        (offline set-up). A key that later gets a 401 moves the account to ``ERROR`` until replaced."""
        return self.runtime.run(
            self.aconnect_api_key(
                connection_name=connection_name,
                identifier=identifier,
                api_key=api_key,
                api_domain=api_domain,
                check=check,
            )
        )

    async def aconnect_api_key(
        self,
        *,
        connection_name: str,
        identifier: str,
        api_key: str,
        api_domain: str | None = None,
        check: bool = True,
    ) -> ConnectedAccount:
        plan = await asyncio.to_thread(
            plan_api_key, self.accounts, connection_name, identifier, api_key, api_domain
        )
        checked = await check_api_key(self.engine, plan) if check else False
        return await asyncio.to_thread(save_api_key, self.accounts, plan, checked=checked)

    def get_or_create_connected_account(self, *, connection_name: str, identifier: str) -> ConnectedAccount:
        """Idempotent: the existing account, or a new ``PENDING`` one."""
        return self.accounts.get_or_create(connection_name, identifier)

    async def aget_or_create_connected_account(
        self, *, connection_name: str, identifier: str
    ) -> ConnectedAccount:
        return await asyncio.to_thread(self.accounts.get_or_create, connection_name, identifier)

    def get_connected_account(self, *, connection_name: str, identifier: str) -> ConnectedAccount | None:
        return self.accounts.get(connection_name, identifier)

    async def aget_connected_account(
        self, *, connection_name: str, identifier: str
    ) -> ConnectedAccount | None:
        return await asyncio.to_thread(self.accounts.get, connection_name, identifier)

    def list_connected_accounts(self, connection_name: str | None = None) -> list[ConnectedAccount]:
        return self.accounts.list(connection_name)

    async def alist_connected_accounts(self, connection_name: str | None = None) -> list[ConnectedAccount]:
        return await asyncio.to_thread(self.accounts.list, connection_name)

    def list_connections(self) -> list[Connection]:
        return self.lifecycle.list_connections()

    async def alist_connections(self) -> list[Connection]:
        return await asyncio.to_thread(self.lifecycle.list_connections)

    def disconnect_account(self, *, connection_name: str, identifier: str) -> ConnectedAccount:
        """Revoke the account's grant at the CRM (where it has a revoke endpoint) and erase its tokens:
        the account stays, ``REVOKED``, and re-authorising brings it back. ``status_reason`` and
        ``metadata["crm_revoke"]`` (``revoked`` / ``failed`` / ``none``) say what the CRM did."""
        return self.runtime.run(
            self.adisconnect_account(connection_name=connection_name, identifier=identifier)
        )

    async def adisconnect_account(self, *, connection_name: str, identifier: str) -> ConnectedAccount:
        return await asyncio.to_thread(self.lifecycle.disconnect, connection_name, identifier)

    def delete_account(self, *, connection_name: str, identifier: str) -> ConnectedAccount:
        """Disconnect the account, then erase it with its status history; returns it as it was last."""
        return self.runtime.run(self.adelete_account(connection_name=connection_name, identifier=identifier))

    async def adelete_account(self, *, connection_name: str, identifier: str) -> ConnectedAccount:
        return await asyncio.to_thread(self.lifecycle.delete, connection_name, identifier)

    def delete_connection(self, name: str, *, delete_accounts: bool = False) -> list[ConnectedAccount]:
        """Remove a connection. While it has accounts this raises ``ConnectionInUse`` (a
        ``ConfigurationError``), unless ``delete_accounts=True``: each is then disconnected and deleted
        with it. Returns the accounts deleted."""
        return self.runtime.run(self.adelete_connection(name, delete_accounts=delete_accounts))

    async def adelete_connection(self, name: str, *, delete_accounts: bool = False) -> list[ConnectedAccount]:
        return await asyncio.to_thread(
            lambda: self.lifecycle.delete_connection(name, delete_accounts=delete_accounts)
        )

    def on_account_status(self, listener: StatusListener) -> None:
        """Call ``listener(account, old, new, reason)`` on every account status change."""
        self.accounts.listeners.append(listener)

    # -- tools ---------------------------------------------------------------------------------

    def list_tools(self, provider: str | None = None, *, strict: bool = False) -> list[dict[str, Any]]:
        """Tool definitions: name, description, input_schema, annotations, scopes (``strict``: the
        OpenAI strict-mode variant of each schema, where one exists)."""
        return [tool_definition(t, strict=strict) for t in self.catalog.tools(provider)]

    async def arun_tool(
        self,
        tool: Tool,
        tool_input: Any = None,
        *,
        identifier: str,
        connection_name: str | None = None,
        include_raw: bool = False,
        deadline: float | None = None,
    ) -> ToolResult:
        """Run a :class:`~crmbridge.spec.Tool` object (a catalog tool, or one compiled for this account)
        for one user; the provider follows from the tool. Errors come back in ``result.error``.
        ``deadline``: seconds the whole call may take (``None``: the runtime's default)."""
        try:
            budget = self.runtime.deadline if deadline is None else deadline
            until = None if budget is None else Deadline.after(budget)
            target = self.accounts.cached_target(tool.provider, identifier, connection_name)
            if target is None:  # first call for this account: the database is read off the event loop
                target = await self._read_target(tool.provider, identifier, connection_name, until)
        except CrmBridgeError as exc:
            return ToolResult(tool.name, False, error=ToolError.from_exception(exc))
        return await self.engine.execute(
            tool, tool_input or {}, target, include_raw=include_raw, deadline=until
        )

    async def _read_target(
        self, provider: str, identifier: str, connection_name: str | None, deadline: Deadline | None
    ) -> CallTarget:
        """The account from the database, off the event loop; a deadline stops waiting for it."""
        read = asyncio.to_thread(self.accounts.target, provider, identifier, connection_name)
        left = None if deadline is None or math.isinf(deadline.seconds) else deadline.remaining()
        try:
            async with asyncio.timeout(left):
                return await read
        except TimeoutError:
            assert deadline is not None
            raise deadline.exceeded("The account was still being read from the database") from None

    def run_tool(
        self,
        tool: Tool,
        tool_input: Any = None,
        *,
        identifier: str,
        connection_name: str | None = None,
        include_raw: bool = False,
        deadline: float | None = None,
    ) -> ToolResult:
        return self.run_sync(
            self.arun_tool(
                tool,
                tool_input,
                identifier=identifier,
                connection_name=connection_name,
                include_raw=include_raw,
                deadline=deadline,
            )
        )

    async def aexecute_tool(
        self,
        *,
        identifier: str,
        tool_name: str,
        tool_input: Any = None,
        connection_name: str | None = None,
        include_raw: bool = False,
        deadline: float | None = None,
    ) -> ToolResult:
        """Run a catalog tool by name for one user; errors come back in ``result.error``, never raised.
        ``deadline``: seconds the whole call may take (``None``: the runtime's default)."""
        try:
            tool = self.catalog.tool(tool_name)
        except CrmBridgeError as exc:
            return ToolResult(tool_name, False, error=ToolError.from_exception(exc))
        return await self.arun_tool(
            tool,
            tool_input,
            identifier=identifier,
            connection_name=connection_name,
            include_raw=include_raw,
            deadline=deadline,
        )

    def execute_tool(
        self,
        *,
        identifier: str,
        tool_name: str,
        tool_input: Any = None,
        connection_name: str | None = None,
        include_raw: bool = False,
        deadline: float | None = None,
    ) -> ToolResult:
        return self.runtime.run(
            self.aexecute_tool(
                identifier=identifier,
                tool_name=tool_name,
                tool_input=tool_input,
                connection_name=connection_name,
                include_raw=include_raw,
                deadline=deadline,
            )
        )

    def run_sync(self, coro: Coroutine[Any, Any, ToolResult]) -> ToolResult:
        """Run a tool-call coroutine for synchronous code on the runtime's loop."""
        result: ToolResult = self.runtime.run(coro)
        return result

    def toolset(
        self,
        *,
        identifier: str,
        connection_name: str | None = None,
        provider: str | None = None,
        tools: Iterable[str] | None = None,
        read_only: bool = False,
        deadline: float | None = None,
    ) -> AccountToolset:
        """The catalog bound to one connected account: what every front end (OpenAI, Anthropic,
        LangChain, MCP) consumes. ``connection_name`` (or ``provider``) picks the CRM; ``tools`` narrows
        the list (unknown names raise at once); ``read_only`` keeps only tools that change nothing;
        ``deadline``: seconds each of its calls may take (``None``: the runtime's default)."""
        if connection_name is not None:
            provider = self.accounts.connection(connection_name).provider
        return AccountToolset(
            self,
            identifier=identifier,
            connection_name=connection_name,
            provider=provider,
            tools=tools,
            read_only=read_only,
            deadline=deadline,
        )

    # -- lifecycle -----------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop this tenant's refresher; a Bridge built on its own also closes its private runtime."""
        self.stop_refresher()
        if self._owns_runtime:
            await self.runtime.aclose()

    def close(self) -> None:
        self.stop_refresher()
        if self._owns_runtime:
            self.runtime.close()

    def __enter__(self) -> Bridge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
