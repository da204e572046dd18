"""Request and response bodies. JSON uses camelCase (seed 001's ``oauthUrl``, ``returnUrl``); unknown
fields are refused (422 naming them) so a typo never silently does nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ..core.models import ConnectedAccount, Connection

__all__ = [
    "AccountOut",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyOut",
    "ConnectIn",
    "ConnectOut",
    "ExecuteIn",
    "IntegrationIn",
    "IntegrationOut",
    "TenantIn",
    "TenantOut",
]

Name = Field(min_length=1, max_length=255)


class Body(BaseModel):
    """Bodies we accept: camelCase, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Out(BaseModel):
    """Bodies we answer with: camelCase."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class IntegrationIn(Body):
    provider: str | None = Field(
        None, max_length=64, description="`hubspot` or `pipedrive`; defaults to the integration's name."
    )
    auth: Literal["oauth", "api_key"] | None = Field(
        None, description="`oauth` (bring your own OAuth client) or `api_key`; inferred from clientId."
    )
    client_id: str | None = Field(None, max_length=512)
    client_secret: str | None = Field(
        None, max_length=2048, description="Write-only. Omit on an update to keep the stored one."
    )
    redirect_uri: str | None = Field(
        None, max_length=2048, description="Defaults to this service's /oauth/callback."
    )
    scopes: list[str] | None = Field(None, max_length=200)
    optional_scopes: list[str] | None = Field(None, max_length=200)
    authorize_url: str | None = Field(None, max_length=2048)
    token_url: str | None = Field(None, max_length=2048)
    base_url: str | None = Field(None, max_length=2048, description="The CRM API origin (e.g. the sandbox).")


class IntegrationOut(Out):
    name: str
    provider: str
    auth: str
    client_id: str | None = None
    has_client_secret: bool = False
    redirect_uri: str | None = None
    scopes: list[str] = []
    optional_scopes: list[str] = []
    authorize_url: str | None = None
    token_url: str | None = None
    base_url: str | None = None

    @classmethod
    def of(cls, c: Connection) -> IntegrationOut:
        return cls(
            name=c.name,
            provider=c.provider,
            auth=c.auth_mode,
            client_id=c.client_id,
            has_client_secret=c.has_client_secret,
            redirect_uri=c.redirect_uri,
            scopes=list(c.scopes),
            optional_scopes=list(c.optional_scopes),
            authorize_url=c.authorize_url,
            token_url=c.token_url,
            base_url=c.base_url,
        )


class ConnectIn(Body):
    identifier: str = Field("default", min_length=1, max_length=255)
    return_url: str | None = Field(None, max_length=2048, description="OAuth: where the browser goes after.")
    scopes: list[str] = Field(default_factory=list, max_length=100, description="OAuth: extra scopes.")
    api_key: str | None = Field(None, min_length=1, max_length=4096, description="API-key integrations.")
    api_domain: str | None = Field(None, max_length=2048, description="API-key: the account's API origin.")
    agent_ids: list[str] | None = Field(
        None,
        max_length=200,
        description="Agents that get the integration's Connector Pack when this account connects "
        "(default: every agent that has not opted out).",
    )


class AccountOut(Out):
    identifier: str
    integration: str
    provider: str
    status: str
    status_reason: str | None = None
    granted_scopes: list[str] = []
    portal: dict[str, Any] = Field(default_factory=dict, description="The CRM account: portal/company.")
    auth: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    reauthorization_url: str | None = None

    @classmethod
    def of(cls, a: ConnectedAccount, reauthorization_url: str | None = None) -> AccountOut:
        meta = dict(a.metadata or {})
        auth = meta.pop("auth", None)
        portal = {k: v for k, v in meta.items() if isinstance(v, str | int | float | bool)}
        return cls(
            identifier=a.identifier,
            integration=a.connection_name,
            provider=a.provider,
            status=a.status.value,
            status_reason=a.status_reason,
            granted_scopes=list(a.granted_scopes),
            portal=portal,
            auth=auth,
            created_at=a.created_at,
            updated_at=a.updated_at,
            reauthorization_url=reauthorization_url,
        )


class ConnectOut(Out):
    oauth_url: str | None = Field(None, description="OAuth: open in a browser to give consent.")
    account: AccountOut


class ExecuteIn(Body):
    identifier: str | None = Field(None, min_length=1, max_length=255)
    integration: str | None = Field(None, min_length=1, max_length=128)
    input: dict[str, Any] = Field(default_factory=dict)
    deadline_ms: int | None = Field(None, ge=1, le=600_000)


class ToolErrorOut(Out):
    """The library's one error shape: ``code``, ``message``, ``retryable``, then its details flattened
    (``field``, ``allowed``, ``candidates``, ``authorization_link``, ``retry_after``…)."""

    model_config = ConfigDict(alias_generator=None, extra="allow")

    code: str
    message: str
    retryable: bool


class ToolResultOut(Out):
    ok: bool
    data: Any = None
    error: ToolErrorOut | None = None
    warnings: list[str] | None = None


class TenantIn(Body):
    name: str = Field(min_length=1, max_length=63)


class TenantOut(Out):
    id: str
    created_at: datetime


class ApiKeyCreate(Body):
    tenant: str | None = Field(None, description="Admin keys only: the tenant; default the key's own.")
    scopes: list[str] = Field(min_length=1, max_length=20)
    name: str | None = Field(None, max_length=128)
    identifier: str | None = Field(None, min_length=1, max_length=255)


class ApiKeyOut(Out):
    id: str
    tenant: str
    name: str | None = None
    scopes: list[str]
    identifier: str | None = None
    created_at: datetime
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself: shown once, store it now.")
