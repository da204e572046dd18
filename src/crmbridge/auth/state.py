"""The OAuth ``state`` parameter: a random single-use id (stored) plus an HMAC that binds it.

The store keeps ``state id → (tenant, connection, identifier, expiry)`` and spends it once; the MAC makes
the value unforgeable and ties it to that tenant, connection and identifier, so a state copied from one
link can never complete another user's authorisation even if a row were tampered with. The MAC key is
derived from the vault's key ring, so it needs no configuration of its own and follows key rotation: a
state signed under an older key still verifies while that key remains in the ring.

A link can also be bound to the browser session it was made for (``session_binding``, a value the
application keeps in that session): a hash of it joins the MAC and the state is marked ``.s``, so the
callback completes only when the application presents the same value (login CSRF). The value itself
never appears in the link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from ..errors import OAuthSessionMismatch
from ..store import OAuthStateError
from ..vault import Vault

__all__ = ["StateSigner"]

_LABEL = "crmbridge/oauth-state/v1"
_FORMAT = re.compile(r"^([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{22,64})(\.s)?$")
_BOUND = ".s"


def _derive(vault: Vault, key_id: str) -> bytes:
    """A MAC key per vault key, so state signatures rotate with the key ring."""
    return vault.derive_key(key_id, _LABEL)


def _session_part(session_binding: str | None) -> tuple[str, ...]:
    if session_binding is None:
        return ()
    return ("session:" + hashlib.sha256(session_binding.encode()).hexdigest(),)


class StateSigner:
    """Signs and checks ``<state id>.<mac>[.s]``; the MAC covers tenant, connection, identifier and, for
    a session-bound state (``.s``), a hash of the session's value."""

    def __init__(self, vault: Vault) -> None:
        self._keys = [_derive(vault, key_id) for key_id in vault.key_ids]

    def _mac(self, key: bytes, state_id: str, *bound_to: str) -> str:
        message = "\x1f".join((state_id, *bound_to)).encode()
        digest = hmac.new(key, message, hashlib.sha256).digest()[:24]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def sign(
        self,
        state_id: str,
        tenant: str,
        connection: str,
        identifier: str,
        *,
        session_binding: str | None = None,
    ) -> str:
        bound_to = (tenant, connection, identifier, *_session_part(session_binding))
        mark = _BOUND if session_binding is not None else ""
        return f"{state_id}.{self._mac(self._keys[0], state_id, *bound_to)}{mark}"

    @staticmethod
    def state_id(state: str) -> str:
        """The stored id inside a state value; a malformed value is an unknown state."""
        match = _FORMAT.match(state or "")
        if match is None:
            raise OAuthStateError("unknown")
        return match.group(1)

    @staticmethod
    def bound(state: str) -> bool:
        """Whether the state was bound to a session when its link was made."""
        return (state or "").endswith(_BOUND) and _FORMAT.match(state) is not None

    def verify(
        self, state: str, tenant: str, connection: str, identifier: str, *, session_binding: str | None = None
    ) -> None:
        """Raise unless the MAC matches; a session-bound state needs the same ``session_binding``
        (:class:`OAuthSessionMismatch`), an unbound one ignores it."""
        match = _FORMAT.match(state or "")
        if match is None:
            raise OAuthStateError("unknown")
        state_id, mac, mark = match.groups()
        if mark and session_binding is None:
            raise OAuthSessionMismatch()
        bound_to = (tenant, connection, identifier, *_session_part(session_binding if mark else None))
        for key in self._keys:
            if hmac.compare_digest(mac, self._mac(key, state_id, *bound_to)):
                return
        raise OAuthSessionMismatch() if mark else OAuthStateError("unknown")
