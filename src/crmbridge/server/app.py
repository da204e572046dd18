"""``create_app``: the FastAPI application of ``crmbridge serve``.

Built over one :class:`~crmbridge.core.runtime.Runtime` (given, or built from the environment and owned
by the app). Every route is a thin call into the tenant's view; the app adds authentication and scopes,
problem+json errors, request ids, a body cap, idempotency and JSON access logs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.routing import Route

from .. import __version__
from ..core.runtime import Runtime
from .agent_mcp import agent_mcp_app
from .dashboard import dashboard_app
from .mcp_endpoint import mcp_app
from .middleware import RequestContext
from .openapi_doc import install_openapi
from .problems import install_problem_handlers
from .routes import (
    accounts,
    admin,
    agents,
    bindings,
    conversations,
    health,
    integrations,
    oauth,
    schema,
    skills,
    tools,
    webhooks,
)
from .service import Service
from .settings import ServiceSettings

if TYPE_CHECKING:
    from ..durable import DurableRunner

__all__ = ["create_app"]

log = logging.getLogger("crmbridge.server")

_DESCRIPTION = """\
CRM tools for AI agents, as a multi-tenant service.

**Authentication**: `Authorization: Bearer <API key>`; each route names the scope it needs. A missing,
malformed, unknown or revoked key is 401; a key without the scope is 403.

**Errors** are RFC 9457 `application/problem+json` with our `code`. A tool call that reached the tool
answers 200 with `{"ok": false, "error": …}` when the tool failed; 4xx means the request itself was refused.

**Idempotency**: send `Idempotency-Key` on any POST that writes; the same key and body within 24 h return the
first answer (header `Idempotent-Replayed: true`); the same key with another body is 422.

**Lists** are cursor-paginated: `{"data": […], "nextCursor": …}`; pass `cursor` for the next page.
"""


def create_app(
    runtime: Runtime | None = None,
    settings: ServiceSettings | None = None,
    *,
    durable: DurableRunner | None = None,
    **runtime_options: Any,
) -> FastAPI:
    """The service's ASGI app. Without ``runtime`` one is built from ``runtime_options`` and the
    environment, and closed when the app shuts down. ``durable``: the durable runner for webhooks (and
    interaction logging); by default the process's DBOS, launched on first need."""
    settings = settings or ServiceSettings.from_env()
    owns = runtime is None
    chosen = runtime if runtime is not None else Runtime(**runtime_options)
    service = Service(chosen, settings, owns_runtime=owns, durable=durable)

    mcp = mcp_app(service)
    agent_mcp = agent_mcp_app(service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.refresh_interval > 0:
            chosen.start_refresher(settings.refresh_interval)
        try:
            await asyncio.to_thread(service.resume_durable_work)
            async with mcp.run(), agent_mcp.run():
                yield
        finally:
            chosen.stop_refresher()
            await asyncio.to_thread(service.close_durable)
            if service.owns_runtime:
                await chosen.aclose()

    app = FastAPI(
        title="crmbridge",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.service = service
    install_problem_handlers(app)
    for module in (health, admin, integrations, accounts, tools, webhooks, oauth, conversations):
        app.include_router(module.router)
    for module in (agents, skills, schema, bindings):  # the agent platform (issues 12 and 14)
        app.include_router(module.router)
    app.router.routes.append(Route("/mcp", mcp, methods=["GET", "POST", "DELETE"], include_in_schema=False))
    app.router.routes.append(
        Route("/agents/{agentId}/mcp", agent_mcp, methods=["GET", "POST", "DELETE"], include_in_schema=False)
    )
    install_openapi(app)
    app.mount("/dashboard", dashboard_app(service))
    app.add_middleware(RequestContext, max_body=settings.max_body_bytes)
    return app
