"""``Service``: what every request shares — the runtime, tenants and keys, settings — built once per process.

Nothing in it is state another worker needs: accounts, keys, idempotency answers and OAuth states live
in the database, rate-limit windows in Redis when configured. A request asks for its tenant's view
(``runtime.tenant(id)``), which is cheap and cached.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import TYPE_CHECKING, Any

from fastapi import Request

from ..core.runtime import Runtime
from ..core.tenants import Tenants
from ..store.status import AccountStatus
from .activity import ActivityLog
from .settings import ServiceSettings

if TYPE_CHECKING:
    from ..conversations import Conversations
    from ..core import Bridge
    from ..core.models import ConnectedAccount
    from ..durable import DurableRunner
    from ..webhooks import Webhooks

__all__ = ["Service", "service_of"]

log = logging.getLogger("crmbridge.server")


class Service:
    def __init__(
        self,
        runtime: Runtime,
        settings: ServiceSettings,
        *,
        owns_runtime: bool = False,
        durable: DurableRunner | None = None,
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.tenants = Tenants(runtime.store, cache_ttl=settings.key_cache_seconds)
        self.owns_runtime = owns_runtime
        #: Recent tool calls per tenant (this worker's), for the dashboard's Activity page.
        self.activity = ActivityLog()
        self._linked: set[str] = set()
        self._durable = durable
        self._owns_durable = False
        self._webhooks: Webhooks | None = None
        self._conversations: Conversations | None = None
        self._lock = threading.Lock()
        runtime.on_account_status(self._account_status_changed)

    # -- durable work and webhooks -------------------------------------------------------------------

    def durable(self) -> DurableRunner:
        """The process's durable runner: the one given, the host's DBOS, or a DBOS launched here on a
        system database beside the store's (launched on first need, so a service with no webhooks and
        no interaction logging never starts it)."""
        with self._lock:
            if self._durable is None:
                from ..durable.dbos_runner import DBOSRunner, launch_dbos, system_database_url
                from ..errors import ConfigurationError

                try:
                    self._durable = DBOSRunner.attach()
                except ConfigurationError:
                    url = self.runtime.store.engine.url.render_as_string(hide_password=False)
                    self._durable = launch_dbos(system_database_url(url))
                    self._owns_durable = True
            return self._durable

    @property
    def webhooks(self) -> Webhooks:
        runner = self.durable()
        with self._lock:
            if self._webhooks is None:
                from ..webhooks import Webhooks

                self._webhooks = Webhooks(
                    self.runtime.store, runner, transport=self.settings.webhook_transport
                )
            return self._webhooks

    @property
    def conversations(self) -> Conversations:
        """Interaction logging, built on first need over the durable runner (which resumes the
        interactions a previous process left queued); its events go to the tenant's webhooks, only
        when the tenant has an endpoint."""
        runner = self.durable()
        with self._lock:
            if self._conversations is None:
                from ..conversations import Conversations

                def emit(tenant_id: str, event: str, data: dict[str, Any], key: str) -> None:
                    if self.runtime.store.webhooks.get_endpoint(tenant_id) is not None:
                        self.webhooks.emit(tenant_id, event, data, key=key)

                self._conversations = Conversations(self.runtime, runner, on_event=emit)
                fresh = True
            else:
                fresh = False
            found = self._conversations
        if fresh:
            found.resume_pending()
        return found

    def resume_durable_work(self) -> int:
        """At start-up: resume the deliveries and interactions a previous process left unfinished
        (none: the durable engine is not even started)."""
        resumed = 0
        if self.runtime.store.webhooks.pending():
            resumed += self.webhooks.resume_pending()
        if self.runtime.store.interactions.queued():
            _ = self.conversations  # building it registers the workflow and resumes what is queued
            resumed += 1
        return resumed

    def _account_status_changed(
        self,
        tenant_id: str,
        account: ConnectedAccount,
        old: AccountStatus | None,
        new: AccountStatus,
        reason: str | None,
    ) -> None:
        if new is AccountStatus.ACTIVE and old is not AccountStatus.ACTIVE:
            self._retry_failed_interactions(tenant_id, account)
        if self.runtime.store.webhooks.get_endpoint(tenant_id) is None:
            return  # the common case costs one read and never starts the durable engine
        self.webhooks.on_account_status(tenant_id, account, old, new, reason)

    def _retry_failed_interactions(self, tenant_id: str, account: ConnectedAccount) -> None:
        """An account is ACTIVE again (re-authorised): queue the interactions that failed on it. One
        read when there are none; otherwise on a thread of its own, since the change may be reported
        from inside an event loop (even the durable engine's) that starting workflows must not block."""
        integration, identifier = account.connection_name, account.identifier
        if not self.runtime.store.interactions.failed(tenant_id, integration, identifier):
            return

        def retry() -> None:
            try:
                self.conversations.retry_failed(tenant_id, integration, identifier)
            except Exception:  # logged, never raised into the status change that triggered it
                log.exception("retrying the failed interactions of a re-authorised account failed")

        threading.Thread(target=retry, name="crmbridge-retry-interactions", daemon=True).start()

    def close_durable(self) -> None:
        """At shutdown: close the durable runner if this service launched it (a given one is the host's)."""
        with self._lock:
            runner, owns, conversations = self._durable, self._owns_durable, self._conversations
        if conversations is not None:  # its pools on the durable engine's loops are this runtime's
            conversations.close()
        with self._lock:
            if not owns:
                return
            self._durable, self._webhooks, self._owns_durable = None, None, False
            self._conversations = None
        close = getattr(runner, "close", None)
        if close is not None:
            close()

    def bridge(self, tenant_id: str) -> Bridge:
        """The tenant's view, whose re-authorisation links (in tool errors) are the service's own
        browser hand-offs, so that they too complete only in the browser that opens them."""
        view = self.runtime.tenant(tenant_id)
        if tenant_id not in self._linked:
            from .oauth_handoff import handoff_link

            view.accounts.authorization_link = functools.partial(handoff_link, self, tenant_id)
            self._linked.add(tenant_id)
        return view

    def __repr__(self) -> str:
        return f"Service(public_url={self.settings.public_url!r})"


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service
