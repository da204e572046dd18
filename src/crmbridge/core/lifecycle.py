"""The end of an account's life: disconnect it (revoke at the CRM, erase its tokens), delete it, or remove
a connection with its accounts. See ``docs/decisions/012-g7-account-lifecycle.md``.

Revoking runs inside the account's single-flight lock, the one token refreshes take: a refresh waiting on
it then finds the account ``REVOKED`` and asks the CRM for nothing. The tokens are erased whatever the
CRM answers; a failed revocation is reported (the status reason, ``metadata["crm_revoke"]`` of the
account returned, a warning in the log), since keeping tokens the user asked to forget would be worse
than a grant left at the CRM.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import httpx

from ..auth.revoke import revoke_grant
from ..errors import ConfigurationError, CrmBridgeError
from ..spec.oauth import OAuthClient
from .accounts import public_account, public_connection
from .models import AccountStatus, ConnectedAccount, Connection

if TYPE_CHECKING:
    from ..spec import Provider
    from ..store import AccountRecord, ConnectionRecord
    from .accounts import Accounts

__all__ = ["REVOKE_OUTCOME", "Lifecycle"]

log = logging.getLogger("crmbridge.accounts")

#: The metadata entry of the account a disconnect returns that says what the CRM did: ``revoked``
#: (the grant is gone there too), ``failed`` (it may remain) or ``none`` (nothing to revoke: an API key,
#: no stored token, or a CRM without a revoke endpoint).
REVOKE_OUTCOME = "crm_revoke"


class Lifecycle:
    """Disconnect and delete for one tenant's accounts and connections (the Bridge delegates here)."""

    def __init__(
        self,
        accounts: Accounts,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        forget_tokens: Callable[[str], None] = lambda account_id: None,
    ) -> None:
        self.accounts = accounts
        self.store = accounts.store
        self.tenant_id = accounts.tenant_id
        self._transport = transport
        self._forget_tokens = forget_tokens

    def list_connections(self) -> list[Connection]:
        return [public_connection(r) for r in self.store.connections.list(self.tenant_id)]

    def disconnect(self, connection_name: str, identifier: str) -> ConnectedAccount:
        """Revoke the account's grant at the CRM where it can be, erase its credentials: ``REVOKED``."""
        connection = self.accounts.connection(connection_name)
        return self._disconnect(connection, self._record(connection, identifier), "disconnected")

    def delete(self, connection_name: str, identifier: str) -> ConnectedAccount:
        """Disconnect, then erase the account with its status history; returns it as it was last."""
        connection = self.accounts.connection(connection_name)
        account = self._disconnect(connection, self._record(connection, identifier), "deleted")
        self.store.accounts.delete(self.tenant_id, account.id)
        return account

    def delete_connection(self, name: str, *, delete_accounts: bool = False) -> list[ConnectedAccount]:
        """Remove a connection. Its accounts refuse that (``ConnectionInUse``) unless ``delete_accounts``:
        then each is disconnected and deleted with it. Returns the accounts deleted."""
        connection = self.accounts.connection(name)
        records = self.store.accounts.list(self.tenant_id, name)
        deleted: list[ConnectedAccount] = []
        if records and delete_accounts:
            deleted = [self._disconnect(connection, r, "deleted with its connection") for r in records]
        try:
            self.store.connections.delete(self.tenant_id, name, with_accounts=delete_accounts)
        finally:
            self.accounts.forget_all()
        return deleted

    # -- the work ------------------------------------------------------------------------------

    def _record(self, connection: ConnectionRecord, identifier: str) -> AccountRecord:
        record = self.store.accounts.get(self.tenant_id, connection.name, identifier)
        if record is None:
            raise ConfigurationError(
                f"There is no account {identifier!r} on connection {connection.name!r}.", field="identifier"
            )
        return record

    def _disconnect(self, connection: ConnectionRecord, record: AccountRecord, verb: str) -> ConnectedAccount:
        provider = self.accounts.catalog.provider(connection.provider)
        with self.store.accounts.locked(self.tenant_id, record.id) as locked:
            outcome, detail = self._revoke(provider, connection, locked.account)
            updated = locked.update(
                status=AccountStatus.REVOKED,
                credentials={},
                granted_scopes=[],
                status_reason=f"{verb}: {detail}",
            )
        self._forget_tokens(record.id)
        self.accounts.forget(connection.name, record.identifier)
        stored = public_account(updated, connection.provider)
        if updated.status_changed and updated.previous_status is not None:
            self.accounts.emit(stored, updated.previous_status, updated.status, updated.status_reason)
        # The outcome is told, not stored: a later authorisation must not inherit it.
        account = replace(stored, metadata={**stored.metadata, REVOKE_OUTCOME: outcome})
        log.info("account %s on %s %s (revocation at the CRM: %s)", record.id, connection.name, verb, outcome)
        return account

    def _revoke(
        self, provider: Provider, connection: ConnectionRecord, record: AccountRecord
    ) -> tuple[str, str]:
        """``(outcome, what happened)``; blocking, in the caller's (worker) thread."""
        crm = provider.display_name
        credentials = record.credentials or {}
        if "api_key" in credentials:
            return "none", (
                f"the API key was erased here; it keeps working at {crm} until it is deleted or rotated there"
            )
        if not credentials:
            return "none", "it held no credentials"
        if not provider.auth.revoke_path:
            return (
                "none",
                f"the tokens were erased; {crm} has no revoke endpoint (the user can remove the app)",
            )
        try:
            client = OAuthClient.from_config(provider, connection.config, connection.client_secret)
            revoked = self._run(lambda http: revoke_grant(http, client, credentials))
        except CrmBridgeError as exc:
            log.warning("revoking account %s at %s failed: %s", record.id, crm, exc.code)
            return "failed", (
                f"revoking at {crm} failed ({exc.code}); the tokens were erased here, but the grant may "
                f"remain until the user removes the app in {crm}"
            )
        if not revoked:
            return "none", f"the tokens were erased; none of them could be revoked at {crm}"
        return "revoked", f"the grant was revoked at {crm} and the tokens erased"

    def _run(self, call: Callable[[httpx.AsyncClient], Awaitable[bool]]) -> bool:
        """One HTTP exchange on a private event loop in this worker thread (the account lock is held)."""

        async def go() -> bool:
            client = httpx.AsyncClient(transport=self._transport)
            try:
                return await call(client)
            finally:
                if self._transport is None:  # an injected transport is shared: never close it here
                    await client.aclose()

        return asyncio.run(go())
