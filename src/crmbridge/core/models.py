"""Public records a caller sees: connections and connected accounts, never their secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..store import AccountStatus  # the one enum; core re-exports it as crmbridge.AccountStatus

__all__ = ["AccountStatus", "ConnectedAccount", "Connection"]


@dataclass(frozen=True, slots=True)
class Connection:
    """A tenant's configured use of a provider. The client secret is stored encrypted, never shown."""

    name: str
    provider: str
    auth_mode: str
    base_url: str | None = None
    client_id: str | None = None
    redirect_uri: str | None = None
    scopes: tuple[str, ...] = ()
    optional_scopes: tuple[str, ...] = ()
    authorize_url: str | None = None
    token_url: str | None = None
    has_client_secret: bool = False


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    """One end user's authorisation on a connection, keyed by ``(connection_name, identifier)``."""

    id: str
    connection_name: str
    identifier: str
    provider: str
    status: AccountStatus
    granted_scopes: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    status_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
