"""What the store hands out: immutable records with secrets decrypted but kept out of ``repr``.

Records are plain values, detached from any session, so they can cross threads and layers freely; the
secret fields are excluded from ``repr`` so a record logged by accident leaks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

from ..errors import Audience, ConfigurationError, CrmBridgeError, NotFound
from .status import AccountStatus

__all__ = [
    "AccountEventRecord",
    "AccountNotFound",
    "AccountRecord",
    "ConnectionInUse",
    "ConnectionRecord",
    "OAuthStateError",
]


@dataclass(frozen=True)
class ConnectionRecord:
    """A tenant's configured use of a provider; ``client_secret`` is decrypted (bring-your-own-client)."""

    id: str
    tenant_id: str
    name: str
    provider: str
    config: dict[str, Any]
    client_secret: str | None = field(repr=False)
    created_at: datetime
    updated_at: datetime

    @property
    def auth_mode(self) -> str:
        """``"oauth"`` or ``"api_key"``; OAuth unless the config says otherwise."""
        return str(self.config.get("auth_mode", "oauth"))


@dataclass(frozen=True)
class AccountRecord:
    """One end user's authorisation on a connection; ``credentials`` is the decrypted token dict.

    ``credentials_version`` goes up on every credentials write: a worker that read version N and finds
    N+1 after taking the lock knows someone else already refreshed. ``previous_status`` is set only on
    records returned by ``accounts.update`` (the status before that write) so callers can fire hooks.
    """

    id: str
    tenant_id: str
    connection_name: str
    identifier: str
    status: AccountStatus
    credentials: dict[str, Any] = field(repr=False)
    credentials_version: int
    granted_scopes: list[str]
    metadata: dict[str, Any]
    status_reason: str | None
    created_at: datetime
    updated_at: datetime
    previous_status: AccountStatus | None = field(default=None, compare=False)

    @property
    def status_changed(self) -> bool:
        return self.previous_status is not None and self.previous_status != self.status


@dataclass(frozen=True)
class AccountEventRecord:
    id: int
    tenant_id: str
    account_id: str
    old_status: AccountStatus | None
    new_status: AccountStatus
    reason: str | None
    created_at: datetime


class AccountNotFound(NotFound):
    """No such account for this tenant (it may exist for another tenant: the store never says)."""

    code = "account_not_found"
    audience: ClassVar[Audience] = "developer"  # the caller named an account this tenant does not have


class ConnectionInUse(ConfigurationError):
    """A connection that still has connected accounts cannot be removed on its own; ``accounts`` names
    their identifiers."""

    def __init__(self, name: str, identifiers: list[str]) -> None:
        shown = ", ".join(identifiers[:5]) + (", …" if len(identifiers) > 5 else "")
        super().__init__(
            f"Connection {name!r} still has {len(identifiers)} connected account(s) ({shown}): delete them "
            "first, or pass delete_accounts=True to delete them with it (each grant revoked at the CRM).",
            accounts=identifiers,
        )


class OAuthStateError(CrmBridgeError):
    """The ``state`` of an OAuth callback is unknown, expired or already used: restart the authorisation.

    ``reason`` is ``"unknown"``, ``"expired"`` or ``"used"``.
    """

    code = "oauth_state_invalid"
    audience = "end_user"  # the person in the browser restarts the authorisation
    http_status = 400

    def __init__(self, reason: Literal["unknown", "expired", "used"]) -> None:
        texts = {
            "unknown": "unknown OAuth state: the link was not issued by this service",
            "expired": "OAuth state expired: start the authorisation again",
            "used": "OAuth state already used: each authorisation link works once",
        }
        super().__init__(texts[reason], reason=reason)
        self.reason = reason
