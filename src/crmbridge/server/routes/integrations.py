"""``/integrations``: configure a tenant's CRM connections (seed 001's paths; the integration is the
connection's name) and connect accounts to them."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Path, Request, Response

from ...core.tenants import Principal
from ...errors import ConfigurationError, InvalidInput, NotFound, ReauthorizationRequired
from ..idempotency import idempotent
from ..models import AccountOut, ConnectIn, ConnectOut, IntegrationIn, IntegrationOut
from ..oauth_handoff import oauth_url_for
from ..pagination import Page
from ..security import require
from ..service import service_of

__all__ = ["router"]

router = APIRouter(tags=["integrations"])
IntegrationName = Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")


@router.get("/integrations", response_model=Page[IntegrationOut], response_model_by_alias=True)
async def list_integrations(
    request: Request, principal: Principal = Depends(require("integrations:read"))
) -> Page[IntegrationOut]:
    bridge = service_of(request).bridge(principal.tenant_id)
    connections = await bridge.alist_connections()
    return Page(data=[IntegrationOut.of(c) for c in connections], next_cursor=None)


@router.put("/integrations/{integration}", response_model=IntegrationOut, response_model_by_alias=True)
async def configure_integration(
    body: IntegrationIn,
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:write")),
) -> IntegrationOut:
    service = service_of(request)
    bridge = service.bridge(principal.tenant_id)
    provider = body.provider or integration
    if provider not in bridge.catalog.provider_names:
        raise InvalidInput(
            f"Unknown provider {provider!r}; choose one of {', '.join(bridge.catalog.provider_names)} "
            "(set `provider` when the integration's name is not the provider's).",
            field="provider",
            allowed=list(bridge.catalog.provider_names),
        )
    oauth = body.auth == "oauth" or (body.auth is None and body.client_id is not None)
    options: dict[str, Any] = {"base_url": body.base_url}
    if oauth:
        if not body.client_id:
            raise InvalidInput("An OAuth integration needs clientId.", field="clientId")
        secret = body.client_secret
        if secret is None:
            existing = await asyncio.to_thread(bridge.store.connections.get, principal.tenant_id, integration)
            secret = existing.client_secret if existing is not None else None
        if not secret:
            raise InvalidInput("An OAuth integration needs clientSecret.", field="clientSecret")
        options.update(
            client_id=body.client_id,
            client_secret=secret,
            redirect_uri=body.redirect_uri or service.settings.oauth_callback_url,
            scopes=body.scopes,
            optional_scopes=body.optional_scopes,
            authorize_url=body.authorize_url,
            token_url=body.token_url,
        )
    elif body.client_id or body.client_secret:
        raise InvalidInput(
            "clientId/clientSecret are for `auth: oauth`; drop them for an API-key integration."
        )
    connection = await bridge.aadd_connection(integration, provider=provider, **options)
    return IntegrationOut.of(connection)


@router.get("/integrations/{integration}", response_model=IntegrationOut, response_model_by_alias=True)
async def get_integration(
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:read")),
) -> IntegrationOut:
    bridge = service_of(request).bridge(principal.tenant_id)
    for connection in await bridge.alist_connections():
        if connection.name == integration:
            return IntegrationOut.of(connection)
    raise NotFound(f"No integration named {integration!r}; PUT /integrations/{integration} creates it.")


@router.delete("/integrations/{integration}", status_code=204)
async def delete_integration(
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:write")),
) -> Response:
    bridge = service_of(request).bridge(principal.tenant_id)
    await _known(request, principal, integration)
    await bridge.adelete_connection(integration, delete_accounts=True)
    return Response(status_code=204)


@router.post(
    "/integrations/{integration}/connect",
    response_model=ConnectOut,
    response_model_by_alias=True,
    responses={201: {"model": ConnectOut}},
)
async def connect(
    body: ConnectIn,
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:connect")),
) -> Response:
    async def run() -> tuple[int, Any]:
        service = service_of(request)
        bridge = service.bridge(principal.tenant_id)
        connection = await _known(request, principal, integration)
        if body.agent_ids is not None:  # the agents this connect installs the pack on (seed 001)
            await asyncio.to_thread(
                bridge.agents.install_on_connect, integration, body.identifier, body.agent_ids
            )
        if connection.config.get("auth_mode") == "oauth":
            if body.api_key is not None:
                raise InvalidInput(
                    f"{integration!r} is an OAuth integration: connect through oauthUrl, without apiKey.",
                    field="apiKey",
                )
            url = await oauth_url_for(service, principal.tenant_id, integration, body)
            account = await bridge.aget_connected_account(
                connection_name=integration, identifier=body.identifier
            )
            assert account is not None
            return 200, ConnectOut(oauth_url=url, account=AccountOut.of(account))
        if body.api_key is None:
            raise InvalidInput(f"{integration!r} is an API-key integration: send apiKey.", field="apiKey")
        try:
            account = await bridge.aconnect_api_key(
                connection_name=integration,
                identifier=body.identifier,
                api_key=body.api_key,
                api_domain=body.api_domain,
            )
        except ReauthorizationRequired as exc:  # the CRM refused the key: the body is wrong, not our auth
            raise InvalidInput(exc.message, field="apiKey") from None
        return 200, ConnectOut(oauth_url=None, account=AccountOut.of(account))

    return await idempotent(request, principal, run)


async def _known(request: Request, principal: Principal, integration: str) -> Any:
    store = service_of(request).runtime.store
    connection = await asyncio.to_thread(store.connections.get, principal.tenant_id, integration)
    if connection is None:
        raise NotFound(
            f"No integration named {integration!r}; PUT /integrations/{integration} creates it.",
            field="integration",
        )
    if connection.provider not in service_of(request).runtime.catalog.provider_names:
        raise ConfigurationError(
            f"Integration {integration!r} uses an unknown provider {connection.provider!r}."
        )
    return connection
