"""Rows to records and secrets to vault tokens, in one place so every secret gets the same AAD binding.

The associated data is ``"{tenant_id}:{table}:{row id}"``: a ciphertext copied into another row, another
tenant or another table fails to decrypt instead of handing out someone else's token.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..vault import Vault
from .models import AccountEventRow, AccountRow, ConnectionRow
from .records import AccountEventRecord, AccountRecord, ConnectionRecord
from .status import AccountStatus

__all__ = ["ACCOUNTS", "CONNECTIONS", "WEBHOOK_ENDPOINTS", "Codec", "aad_for"]

CONNECTIONS = "connections"
ACCOUNTS = "connected_accounts"
WEBHOOK_ENDPOINTS = "webhook_endpoints"


def aad_for(tenant_id: str, table: str, row_id: str) -> str:
    return f"{tenant_id}:{table}:{row_id}"


class Codec:
    """Encrypts on the way in and decrypts on the way out; records never hold ciphertext."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def seal_client_secret(self, tenant_id: str, connection_id: str, secret: str | None) -> str | None:
        if secret is None:
            return None
        return self.vault.encrypt(secret, aad=aad_for(tenant_id, CONNECTIONS, connection_id))

    def seal_credentials(self, tenant_id: str, account_id: str, credentials: Mapping[str, Any]) -> str:
        plaintext = json.dumps(dict(credentials), separators=(",", ":"), sort_keys=True)
        return self.vault.encrypt(plaintext, aad=aad_for(tenant_id, ACCOUNTS, account_id))

    def seal_webhook_secret(self, tenant_id: str, endpoint_id: str, secret: str) -> str:
        return self.vault.encrypt(secret, aad=aad_for(tenant_id, WEBHOOK_ENDPOINTS, endpoint_id))

    def open_webhook_secret(self, tenant_id: str, endpoint_id: str, token: str) -> str:
        return self.vault.decrypt(token, aad=aad_for(tenant_id, WEBHOOK_ENDPOINTS, endpoint_id))

    def reseal(self, token: str, tenant_id: str, table: str, row_id: str) -> str:
        """The same secret under the vault's newest key (key rotation)."""
        aad = aad_for(tenant_id, table, row_id)
        return self.vault.encrypt(self.vault.decrypt(token, aad=aad), aad=aad)

    def connection(self, row: ConnectionRow) -> ConnectionRecord:
        secret = None
        if row.client_secret_enc is not None:
            aad = aad_for(row.tenant_id, CONNECTIONS, row.id)
            secret = self.vault.decrypt(row.client_secret_enc, aad=aad)
        return ConnectionRecord(
            id=row.id,
            tenant_id=row.tenant_id,
            name=row.name,
            provider=row.provider,
            config=dict(row.config),
            client_secret=secret,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def account(self, row: AccountRow, previous_status: AccountStatus | None = None) -> AccountRecord:
        credentials: dict[str, Any] = {}
        if row.credentials_enc is not None:
            aad = aad_for(row.tenant_id, ACCOUNTS, row.id)
            credentials = json.loads(self.vault.decrypt(row.credentials_enc, aad=aad))
        return AccountRecord(
            id=row.id,
            tenant_id=row.tenant_id,
            connection_name=row.connection_name,
            identifier=row.identifier,
            status=AccountStatus(row.status),
            credentials=credentials,
            credentials_version=row.credentials_version,
            granted_scopes=list(row.granted_scopes),
            metadata=dict(row.account_metadata),
            status_reason=row.status_reason,
            created_at=row.created_at,
            updated_at=row.updated_at,
            previous_status=previous_status,
        )

    @staticmethod
    def event(row: AccountEventRow) -> AccountEventRecord:
        return AccountEventRecord(
            id=row.id,
            tenant_id=row.tenant_id,
            account_id=row.account_id,
            old_status=None if row.old_status is None else AccountStatus(row.old_status),
            new_status=AccountStatus(row.new_status),
            reason=row.reason,
            created_at=row.created_at,
        )
