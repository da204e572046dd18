"""Public records a caller sees: connections and connected accounts, never their secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = ["AccountStatus", "ConnectedAccount", "Connection"]


class AccountStatus(StrEnum):
    """Lifecycle of a connected account.

    ``PENDING`` → ``ACTIVE`` (authorised, or an API key saved) → ``EXPIRED`` (a refresh failed for a
    reason that may pass: the refresh is retried on the next call) or ``REVOKED`` (the CRM said the
    grant is gone: uninstall, ``invalid_grant``; calls fail fast with an authorization link) or
    ``ERROR`` (unexpected provider answer). Re-authorising moves any of them back to ``ACTIVE`` with
    the same account id and history.
    """

    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    ERROR = "ERROR"


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
