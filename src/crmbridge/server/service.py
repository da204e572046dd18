"""``Service``: what every request shares — the runtime, tenants and keys, settings — built once per process.

Nothing in it is state another worker needs: accounts, keys, idempotency answers and OAuth states live
in the database, rate-limit windows in Redis when configured. A request asks for its tenant's view
(``runtime.tenant(id)``), which is cheap and cached.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from fastapi import Request

from ..core.runtime import Runtime
from ..core.tenants import Tenants
from .settings import ServiceSettings

if TYPE_CHECKING:
    from ..core import Bridge

__all__ = ["Service", "service_of"]


class Service:
    def __init__(self, runtime: Runtime, settings: ServiceSettings, *, owns_runtime: bool = False) -> None:
        self.runtime = runtime
        self.settings = settings
        self.tenants = Tenants(runtime.store, cache_ttl=settings.key_cache_seconds)
        self.owns_runtime = owns_runtime
        self._linked: set[str] = set()

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
