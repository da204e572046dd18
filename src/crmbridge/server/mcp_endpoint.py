"""``/mcp``: the account's tools over MCP's streamable HTTP, for agents that speak MCP to the service.

The API key authenticates each request (scope ``tools:execute``); the account is the key's bound
identifier or the ``X-Crmbridge-Identifier`` header, the integration the optional
``X-Crmbridge-Integration`` header. Stateless: every request is resolved and answered on its own, so
any worker can serve any request with no sticky sessions.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from starlette.requests import Request

from ..adapters.mcp import McpTarget
from ..adapters.mcp.http import LOOPBACK_HOSTS, McpHttpApp, streamable_http_app
from ..core import Bridge
from ..errors import InvalidInput, NotFound, PermissionDenied
from .activity import RecordingToolset
from .service import Service

__all__ = ["IDENTIFIER_HEADER", "INTEGRATION_HEADER", "mcp_app"]

IDENTIFIER_HEADER = "X-Crmbridge-Identifier"
INTEGRATION_HEADER = "X-Crmbridge-Integration"


def _hosts(service: Service) -> list[str]:
    if service.settings.allowed_hosts:
        return list(service.settings.allowed_hosts)
    public = urlsplit(service.settings.public_url).netloc
    return [public, *LOOPBACK_HOSTS] if public else list(LOOPBACK_HOSTS)


def _has_account(bridge: Bridge, identifier: str, integration: str | None) -> bool:
    """Whether the key's tenant has this account: another tenant's identifier is not found here, as in
    the REST routes, rather than an empty toolset that fails on every call."""
    names = [integration] if integration else [c.name for c in bridge.list_connections()]
    return any(bridge.get_connected_account(connection_name=n, identifier=identifier) for n in names)


def mcp_app(service: Service) -> McpHttpApp:
    async def resolve(request: Request) -> McpTarget:
        header = request.headers.get("authorization")
        principal = service.tenants.cached(header)
        if principal is None:
            principal = await asyncio.to_thread(service.tenants.authenticate, header)
        if not (principal.allows("tools:execute") or principal.allows("admin")):
            raise PermissionDenied(
                "This API key lacks the 'tools:execute' scope needed for /mcp.",
                required_scope="tools:execute",
            )
        asked = request.headers.get(IDENTIFIER_HEADER)
        identifier = principal.identifier or asked
        if identifier is None:
            raise InvalidInput(
                f"Say whose account to use: send the {IDENTIFIER_HEADER} header, or use a key bound to one "
                "identifier (`crmbridge api-keys create --identifier`).",
                field=IDENTIFIER_HEADER,
            )
        if principal.identifier is not None and asked not in (None, principal.identifier):
            raise PermissionDenied(f"This API key is bound to identifier {principal.identifier!r}.")
        integration = request.headers.get(INTEGRATION_HEADER) or None
        bridge = service.bridge(principal.tenant_id)
        toolset = await asyncio.to_thread(bridge.toolset, identifier=identifier, connection_name=integration)
        if not await asyncio.to_thread(_has_account, bridge, identifier, integration):
            where = f" on {integration!r}" if integration else ""
            raise NotFound(f"There is no connected account {identifier!r}{where} in this tenant.")
        account = f"{integration or '*'}/{identifier}"
        recorded = RecordingToolset(toolset, service.activity, principal.tenant_id, account, "mcp")
        return McpTarget(recorded, f"{principal.tenant_id}/{account}")

    hosts = _hosts(service)
    origins = [f"{scheme}://{host}" for host in hosts for scheme in ("http", "https")]
    return streamable_http_app(resolve, allowed_hosts=hosts, allowed_origins=origins, stateless=True)
