"""``Runtime``: the parts a process builds once and every tenant shares.

The store (and its migrations), the vault, the provider catalog, the engine with its HTTP pools, rate
limiter and name cache, and the event loop that serves synchronous callers. A server builds one
``Runtime`` at start-up and asks it for a thin per-tenant :class:`~crmbridge.core.Bridge` on each
request (``runtime.tenant(tenant_id)``), so nothing heavy happens per request and one HTTP pool and one
limiter serve every tenant. See ``docs/decisions/008-runtime-and-toolsets.md``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ..auth.refresher import Refresher
from ..engine import Catalog, Engine, HttpCore, RetryPolicy
from ..engine.deadline import seconds_option
from ..errors import ConfigurationError
from ..providers import builtin_providers, entry_point_providers
from ..spec import Provider
from ..syncloop import LoopThread
from ..vault import Vault
from .keys import open_store

if TYPE_CHECKING:
    from .bridge import Bridge
    from .models import AccountStatus, ConnectedAccount

__all__ = ["DATABASE_URL_ENV", "Runtime", "TenantStatusListener", "default_data_dir"]

#: ``listener(tenant_id, account, old_status, new_status, reason)``: a status change in any tenant.
TenantStatusListener = Callable[
    [str, "ConnectedAccount", "AccountStatus | None", "AccountStatus", "str | None"], None
]

log = logging.getLogger("crmbridge.runtime")

#: The database every ``Runtime``/``Bridge`` (and the command line) uses when none is passed.
DATABASE_URL_ENV = "CRMBRIDGE_DATABASE_URL"


def default_data_dir() -> Path:
    """``$CRMBRIDGE_HOME``, else ``$XDG_DATA_HOME/crmbridge``, else ``~/.local/share/crmbridge``."""
    explicit = os.environ.get("CRMBRIDGE_HOME")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "crmbridge"


class Runtime:
    """Process-wide parts, built once; ``tenant(id)`` gives each tenant its view.

    >>> runtime = Runtime(database_url="postgresql://…", redis_url="redis://…")
    >>> acme = runtime.tenant("acme")          # cheap: no database work, no new pools
    >>> await acme.aexecute_tool(identifier="u1", tool_name="hubspot_contacts_search", tool_input={…})
    >>> await runtime.aclose()

    ``database_url`` defaults to ``$CRMBRIDGE_DATABASE_URL``, else a SQLite file in the data directory
    (``$CRMBRIDGE_HOME``, else ``~/.local/share/crmbridge``).
    ``providers`` are added to the built-in CRMs (``builtin=False`` leaves those out), and so are the
    providers installed under the ``crmbridge.providers`` entry-point group unless ``entry_points=False``.
    ``rate_limit_scale`` and ``index_lag`` are for a sandbox with rate-limit windows scaled down and no
    search-index lag; leave them for real CRMs. ``account_cache_ttl``: seconds an account's credentials
    are trusted in memory before the database is read again (other workers' changes show up within it).
    ``timeout``: seconds one HTTP attempt may take; ``deadline``: seconds a whole tool call may take,
    retries and waits included (``None``: unbounded), unless the call says otherwise.
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        providers: Iterable[Provider] = (),
        builtin: bool = True,
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
        timeout = seconds_option("timeout", timeout, finite=True)
        #: Seconds a tool call may take when it names no deadline of its own (``None``: unbounded).
        self.deadline = None if deadline is None else seconds_option("deadline", deadline)
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        database_url = database_url or os.environ.get(DATABASE_URL_ENV) or None
        if database_url is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            database_url = f"sqlite:///{self.data_dir / 'crmbridge.db'}"
        chosen = [
            *(builtin_providers() if builtin else ()),
            *(entry_point_providers() if entry_points else ()),
            *providers,
        ]
        if not chosen:
            raise ConfigurationError("A Runtime needs at least one provider (builtin=False and none given).")
        self.catalog = Catalog(chosen)
        self.store, self.vault = open_store(database_url, self.data_dir, vault)
        self.transport = transport
        self.clock = clock
        self.account_cache_ttl = account_cache_ttl
        self.engine = Engine(
            self.catalog,
            http=HttpCore(
                transport=transport,
                redis_url=redis_url or os.environ.get("CRMBRIDGE_REDIS_URL"),
                retry=retry,
                rate_limit_scale=rate_limit_scale,
                timeout=timeout,
            ),
            cache_ttl=cache_ttl,
            index_lag=index_lag,
        )
        self.runner = LoopThread()
        self._tenants: dict[str, Bridge] = {}
        self._status_listeners: list[TenantStatusListener] = []
        self._refresher: Refresher | None = None
        self._lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"Runtime(providers={self.catalog.provider_names!r}, tenants={len(self._tenants)})"

    def tenant(self, tenant_id: str) -> Bridge:
        """The view of one tenant: built on first use, then reused (its account cache lives in it)."""
        if not isinstance(tenant_id, str) or not tenant_id.strip():
            raise ConfigurationError("tenant_id must be a non-empty string.", field="tenant_id")
        if self._closed:
            raise ConfigurationError("This Runtime is closed; build a new one.")
        with self._lock:
            view = self._tenants.get(tenant_id)
            if view is None:
                from .bridge import Bridge  # Bridge(...) builds a Runtime; the import is one-way at load

                view = self._tenants[tenant_id] = Bridge.attach(self, tenant_id)
            return view

    def on_account_status(self, listener: TenantStatusListener) -> None:
        """Call ``listener(tenant_id, account, old, new, reason)`` on every account status change of
        every tenant served by this runtime (webhooks, audit), after the change is written."""
        self._status_listeners.append(listener)

    def notify_account_status(
        self,
        tenant_id: str,
        account: ConnectedAccount,
        old: AccountStatus | None,
        new: AccountStatus,
        reason: str | None,
    ) -> None:
        """Pass one tenant's status change to the runtime's listeners (each tenant view calls this)."""
        for listener in list(self._status_listeners):
            try:
                listener(tenant_id, account, old, new, reason)
            except Exception:  # one listener's bug must not starve the others or break the caller
                log.exception("runtime account status listener failed")

    def refresh_due_accounts(self) -> dict[str, int]:
        """One background-refresh pass over every tenant's OAuth accounts (blocking): counts summed."""
        totals = {"refreshed": 0, "failed": 0}
        for tenant_id in self.store.connections.tenants():
            for key, count in self.tenant(tenant_id).refresh_due_accounts().items():
                totals[key] = totals.get(key, 0) + count
        return totals

    async def arefresh_due_accounts(self) -> dict[str, int]:
        return await asyncio.to_thread(self.refresh_due_accounts)

    def start_refresher(self, interval: float = 300.0) -> None:
        """Keep every tenant's quiet accounts fresh from one daemon thread (idempotent). A server runs
        this once per process; the refresh itself is single-flight across workers."""
        if self._refresher is None or not self._refresher.running:
            self._refresher = Refresher(self.refresh_due_accounts, interval)
            self._refresher.start()

    def stop_refresher(self) -> None:
        if self._refresher is not None:
            self._refresher.stop()
            self._refresher = None

    def run(self, coro: Any) -> Any:
        """Run a coroutine for a synchronous caller on the runtime's own loop (pools outlive the call)."""
        return self.runner.run(coro)

    async def aclose(self) -> None:
        """Stop refreshers, close HTTP pools, the limiter and the database. Idempotent."""
        if not self._begin_close():
            return
        # Pools are per event loop: close the one sync calls used on the runner's loop, then ours.
        await asyncio.to_thread(self.runner.close, self.engine.aclose())
        await self.engine.aclose()
        self.store.close()

    def close(self) -> None:
        """Sync twin of :meth:`aclose`; also stops the loop that serves synchronous calls."""
        if not self._begin_close():
            return
        self.runner.close(self.engine.aclose())
        self.store.close()

    def _begin_close(self) -> bool:
        """Mark closed and stop every refresher; ``False`` when it was closed already."""
        if self._closed:
            return False
        self._closed = True
        self.stop_refresher()
        for view in list(self._tenants.values()):
            view.stop_refresher()
        return True

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Runtime:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
