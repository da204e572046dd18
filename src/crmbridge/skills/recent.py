"""The contacts find-or-create made recently, remembered per account and caller in the database.

A CRM's search index can show a new record seconds after it was created (HubSpot: up to about half a
minute), so "the search found no one" does not mean "this caller is new" for the call that follows a
create. Every create_contact runs in its account's serial lane; before creating, it asks this ledger,
and after creating it records the contact here, so the next call (on any worker, through the shared
database) gets the same contact even while the search still misses it.

It reuses the idempotency store (``store.idempotency``): a row per (tenant, key) with a TTL, claimed by
an insert, its answer sealed by the vault. The key is a hash of the account and the caller's number or
e-mail, so no phone number is stored in clear.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import timedelta
from typing import Any

from ..store.idempotency import IdempotencyRepository

__all__ = ["RecentContacts"]

_FINGERPRINT = "skills:create_contact"


class RecentContacts:
    """``claim`` before creating (the contact a recent create made, or ``None``: go ahead and create),
    then ``remember`` the created contact, or ``forget`` when nothing was created."""

    def __init__(
        self, repository: IdempotencyRepository, tenant_id: str, account: str, *, ttl: float = 900.0
    ) -> None:
        """``account``: the CRM account (``connection:identifier``); ``ttl``: seconds a create is kept,
        well past any search index's lag."""
        self._repository = repository
        self._tenant_id = tenant_id
        self._account = account
        self._ttl = timedelta(seconds=ttl)

    def key(self, caller: str) -> str:
        """The row of a caller (their E.164 number, or ``email:`` and their e-mail) on this account."""
        digest = hashlib.sha256(f"{self._account}\n{caller}".encode()).hexdigest()
        return f"skills:contact:{digest}"

    async def claim(self, key: str) -> dict[str, Any] | None:
        kept = await asyncio.to_thread(self._repository.claim, self._tenant_id, key, _FINGERPRINT, self._ttl)
        if kept.outcome != "replay" or kept.body is None:
            return None  # claimed (new), or a claim left by a create that never answered: create
        contact = json.loads(kept.body).get("contact")
        return contact if isinstance(contact, dict) else None

    async def remember(self, key: str, contact: dict[str, Any]) -> None:
        body = json.dumps({"contact": contact})
        await asyncio.to_thread(self._repository.finish, self._tenant_id, key, 201, body)

    async def forget(self, key: str) -> None:
        await asyncio.to_thread(self._repository.release, self._tenant_id, key)
