"""What the integration and account routes do, shared by the JSON API and the dashboard.

The routes parse and answer HTTP; these functions are the use case itself (over the tenant's Bridge), so
the API and the dashboard cannot drift apart: one place decides what a configuration or a connect means.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..core.models import AccountStatus, ConnectedAccount, Connection
from ..errors import ConfigurationError, InvalidInput, NotFound, ReauthorizationRequired
from ..store.records import ConnectionRecord
from .models import ConnectIn, IntegrationIn
from .oauth_handoff import oauth_url_for
from .service import Service

__all__ = ["configure_integration", "connect_account", "delete_account", "known_integration", "reauth_link"]


async def known_integration(service: Service, tenant_id: str, integration: str) -> ConnectionRecord:
    """The tenant's integration by name; ``NotFound`` when it has none by that name."""
    store = service.runtime.store
    connection = await asyncio.to_thread(store.connections.get, tenant_id, integration)
    if connection is None:
        raise NotFound(
            f"No integration named {integration!r}; PUT /integrations/{integration} creates it.",
            field="integration",
        )
    if connection.provider not in service.runtime.catalog.provider_names:
        raise ConfigurationError(
            f"Integration {integration!r} uses an unknown provider {connection.provider!r}."
        )
    found: ConnectionRecord = connection
    return found


async def configure_integration(
    service: Service, tenant_id: str, integration: str, body: IntegrationIn
) -> Connection:
    """Create or update an integration: OAuth client (the stored secret is kept when none is given) or
    API-key mode."""
    bridge = service.bridge(tenant_id)
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
            existing = await asyncio.to_thread(bridge.store.connections.get, tenant_id, integration)
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
    return await bridge.aadd_connection(integration, provider=provider, **options)


async def connect_account(
    service: Service, tenant_id: str, integration: str, body: ConnectIn
) -> tuple[str | None, ConnectedAccount]:
    """Start (OAuth: the hand-off link to open, the account PENDING) or make (API key) a connection."""
    bridge = service.bridge(tenant_id)
    connection = await known_integration(service, tenant_id, integration)
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
        url = await oauth_url_for(service, tenant_id, integration, body)
        account = await bridge.aget_connected_account(connection_name=integration, identifier=body.identifier)
        assert account is not None
        return url, account
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
    return None, account


async def reauth_link(
    service: Service,
    tenant_id: str,
    connection: ConnectionRecord,
    account: ConnectedAccount,
    return_url: str | None = None,
) -> str | None:
    """The way back for an account that is not ACTIVE on an OAuth integration (else ``None``)."""
    if account.status == AccountStatus.ACTIVE or connection.config.get("auth_mode") != "oauth":
        return None
    body = ConnectIn.model_validate({"identifier": account.identifier, "returnUrl": return_url})
    return await oauth_url_for(service, tenant_id, connection.name, body)


async def delete_account(service: Service, tenant_id: str, integration: str, identifier: str) -> None:
    """Disconnect and forget one account (``NotFound`` when there is none)."""
    await known_integration(service, tenant_id, integration)
    bridge = service.bridge(tenant_id)
    found = await asyncio.to_thread(
        bridge.get_connected_account, connection_name=integration, identifier=identifier
    )
    if found is None:
        raise NotFound(f"No account {identifier!r} on integration {integration!r}.", field="identifier")
    await bridge.adelete_account(connection_name=integration, identifier=identifier)
