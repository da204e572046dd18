"""Tenants of the service and their scoped API keys: create, list, revoke, and authenticate a request.

A key reads ``crmb_<id>_<secret>``: the prefix makes a leaked key easy to spot (and to scrub by shape),
the public id finds its row without a scan, and only the SHA-256 of the random secret is stored, so the
database cannot give a key back. The secret has 256 bits of entropy, so a plain hash is enough (no slow
password hash is needed to resist guessing) and keeps authentication off the hot path's budget.
Verified keys are remembered for a few seconds per process; revoking through this process forgets them
at once, and another worker's revocation takes effect within that window.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import ConfigurationError, InvalidInput, NotFound, Unauthenticated
from ..redaction import register_secret_patterns
from ..store import Store
from ..store.tenants import ApiKeyRecord, TenantExists, TenantRecord

__all__ = ["KEY_PREFIX", "SCOPES", "Principal", "Tenants"]

KEY_PREFIX = "crmb_"
#: Every scope a key may hold; ``admin`` also manages tenants and keys over HTTP.
SCOPES: tuple[str, ...] = (
    "integrations:connect",
    "integrations:read",
    "integrations:write",
    "skills:write",
    "skills:execute",
    "tools:execute",
    "accounts:read",
    "accounts:write",
    "conversations:write",
    "webhooks:write",
    "admin",
)
_KEY_SHAPE = re.compile(r"^crmb_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$")
_TENANT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
register_secret_patterns([r"(crmb_[a-z2-7]{16}_)[A-Za-z0-9_-]{20,}"])


@dataclass(frozen=True)
class Principal:
    """Who a request is: the tenant, the key's id and scopes, and the account the key is bound to."""

    tenant_id: str
    key_id: str
    scopes: frozenset[str]
    identifier: str | None = None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_key_id() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def parse_scopes(scopes: Iterable[str] | str) -> tuple[str, ...]:
    """Scopes from a list or a comma-separated string, checked against :data:`SCOPES`."""
    items = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    chosen = tuple(dict.fromkeys(s.strip() for s in items if isinstance(s, str) and s.strip()))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise InvalidInput(
            f"Unknown scope(s) {', '.join(unknown)}; choose from {', '.join(SCOPES)}.",
            field="scopes",
            allowed=list(SCOPES),
        )
    if not chosen:
        raise InvalidInput(f"Give at least one scope from {', '.join(SCOPES)}.", field="scopes")
    return chosen


class Tenants:
    """Tenants and API keys over the store (every worker shares them through the database)."""

    def __init__(self, store: Store, *, cache_ttl: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.store = store
        self._cache_ttl = cache_ttl
        self._clock = clock
        self._verified: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    # -- tenants ----------------------------------------------------------------------------------

    def create(self, name: str) -> TenantRecord:
        if not isinstance(name, str) or not _TENANT_NAME.match(name):
            raise InvalidInput(
                f"Tenant name {name!r} is not valid: use 1-63 lower-case letters, digits, '-' or '_', "
                "starting with a letter or digit.",
                field="name",
            )
        try:
            return self.store.tenants.create(name)
        except TenantExists:
            raise ConfigurationError(f"Tenant {name!r} exists already.", field="name") from None

    def get(self, name: str) -> TenantRecord:
        tenant = self.store.tenants.get(name)
        if tenant is None:
            raise NotFound(f"No tenant named {name!r}; `crmbridge tenants list` shows them.", field="tenant")
        return tenant

    def all(self) -> list[TenantRecord]:
        return self.store.tenants.list()

    # -- keys -------------------------------------------------------------------------------------

    def create_key(
        self,
        tenant_id: str,
        scopes: Iterable[str] | str,
        *,
        name: str | None = None,
        identifier: str | None = None,
    ) -> tuple[ApiKeyRecord, str]:
        """A new key for ``tenant_id``: its record and the key itself, which is never shown again."""
        self.get(tenant_id)
        chosen = parse_scopes(scopes)
        if identifier is not None and (not isinstance(identifier, str) or not identifier.strip()):
            raise InvalidInput("identifier must be a non-empty string when given.", field="identifier")
        key_id, secret = _new_key_id(), secrets.token_urlsafe(32)
        record = self.store.api_keys.create(
            key_id, tenant_id, secret_hash=_hash(secret), scopes=chosen, name=name, identifier=identifier
        )
        return record, f"{KEY_PREFIX}{key_id}_{secret}"

    def list_keys(self, tenant_id: str | None = None) -> list[ApiKeyRecord]:
        return self.store.api_keys.list(tenant_id)

    def revoke_key(self, key_id: str, tenant_id: str | None = None) -> ApiKeyRecord:
        record = self.store.api_keys.revoke(key_id, tenant_id)
        if record is None:
            raise NotFound(f"No API key with id {key_id!r}.", field="key_id")
        with self._lock:
            self._verified = {k: v for k, v in self._verified.items() if v[1].key_id != key_id}
        return record

    def cached(self, authorization: str | None) -> Principal | None:
        """The principal of a key verified within the last few seconds (no I/O), else ``None``."""
        if not authorization or authorization[:7].lower() != "bearer ":
            return None
        digest = _hash(authorization[7:].strip())
        with self._lock:
            cached = self._verified.get(digest)
        return cached[1] if cached is not None and cached[0] > self._clock() else None

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal an ``Authorization: Bearer <key>`` header names; ``Unauthenticated`` otherwise."""
        if not authorization:
            raise Unauthenticated("No API key: send `Authorization: Bearer <your crmbridge API key>`.")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("The Authorization header must read `Bearer <your crmbridge API key>`.")
        digest = _hash(token)
        now = self._clock()
        with self._lock:
            cached = self._verified.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        match = _KEY_SHAPE.match(token)
        if match is None:
            raise Unauthenticated(f"That is not a crmbridge API key (they start with {KEY_PREFIX}).")
        record = self.store.api_keys.get(match.group(1))
        if record is None or not hmac.compare_digest(record.secret_hash, _hash(match.group(2))):
            raise Unauthenticated("Unknown API key: check that it was copied whole.")
        if record.revoked:
            raise Unauthenticated("This API key was revoked; ask the workspace's admin for a new one.")
        principal = Principal(record.tenant_id, record.id, frozenset(record.scopes), record.identifier)
        with self._lock:
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[digest] = (now + self._cache_ttl, principal)
        return principal
