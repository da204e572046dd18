"""The OAuth ``state`` parameter: a random single-use id (stored) plus an HMAC that binds it.

The store keeps ``state id → (tenant, connection, identifier, expiry)`` and spends it once; the MAC makes
the value unforgeable and ties it to that tenant, connection and identifier, so a state copied from one
link can never complete another user's authorisation even if a row were tampered with. The MAC key is
derived from the vault's key ring, so it needs no configuration of its own and follows key rotation: a
state signed under an older key still verifies while that key remains in the ring.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from ..store import OAuthStateError
from ..vault import Vault

__all__ = ["StateSigner"]

_LABEL = "crmbridge/oauth-state/v1"
_FORMAT = re.compile(r"^([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{22,64})$")


def _derive(vault: Vault, key_id: str) -> bytes:
    """A MAC key per vault key, so state signatures rotate with the key ring."""
    return vault.derive_key(key_id, _LABEL)


class StateSigner:
    """Signs and checks ``<state id>.<mac>``; the MAC covers tenant, connection and identifier."""

    def __init__(self, vault: Vault) -> None:
        self._keys = [_derive(vault, key_id) for key_id in vault.key_ids]

    def _mac(self, key: bytes, state_id: str, tenant: str, connection: str, identifier: str) -> str:
        message = "\x1f".join((state_id, tenant, connection, identifier)).encode()
        digest = hmac.new(key, message, hashlib.sha256).digest()[:24]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def sign(self, state_id: str, tenant: str, connection: str, identifier: str) -> str:
        return f"{state_id}.{self._mac(self._keys[0], state_id, tenant, connection, identifier)}"

    @staticmethod
    def state_id(state: str) -> str:
        """The stored id inside a state value; a malformed value is an unknown state."""
        match = _FORMAT.match(state or "")
        if match is None:
            raise OAuthStateError("unknown")
        return match.group(1)

    def verify(self, state: str, tenant: str, connection: str, identifier: str) -> None:
        match = _FORMAT.match(state or "")
        if match is None:
            raise OAuthStateError("unknown")
        state_id, mac = match.groups()
        for key in self._keys:
            if hmac.compare_digest(mac, self._mac(key, state_id, tenant, connection, identifier)):
                return
        raise OAuthStateError("unknown")
