"""Confirmation the server enforces: a write runs only after the user said yes to exactly that write.

The first call of a tool that needs confirmation writes nothing; it returns what would be written and a
token. The token is random, single use, short-lived, and bound to a hash of the scope (the account),
the tool's name and the exact arguments: a second call with the token and the same arguments runs
once; a changed argument, a reused or expired token, or a token of another account is refused.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ...spec import Tool
from ...toolsets import Toolset

__all__ = ["ConfirmationPolicy", "ConfirmationStore", "Redeemed", "arguments_hash"]

#: Seconds a confirmation token stays valid: long enough for a person to read and answer.
DEFAULT_TTL = 300.0

Redeemed = Literal["ok", "unknown", "expired", "mismatch"]


def arguments_hash(scope: str, tool_name: str, arguments: Mapping[str, Any]) -> str:
    """A digest of what is confirmed: the account, the tool and its arguments in canonical JSON."""
    canonical = json.dumps(
        {"scope": scope, "tool": tool_name, "arguments": arguments},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class _Pending:
    digest: str
    expires_at: float


class ConfirmationStore:
    """Tokens waiting for the user's yes, in this process's memory.

    One server process owns its tokens; several workers behind a load balancer need sticky sessions or
    a shared store with the same two methods (``issue``, ``redeem``). Only a hash of the arguments is
    kept, never the arguments themselves."""

    def __init__(self, *, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ConfirmationStore(pending={len(self._pending)}, ttl={self.ttl})"

    def issue(self, digest: str) -> str:
        """A new token for ``digest`` (see :func:`arguments_hash`)."""
        token = f"cfm_{secrets.token_urlsafe(18)}"
        now = self._clock()
        with self._lock:
            self._pending = {t: p for t, p in self._pending.items() if p.expires_at > now}
            self._pending[token] = _Pending(digest, now + self.ttl)
        return token

    def redeem(self, token: str, digest: str) -> Redeemed:
        """Spend ``token`` on ``digest``: ``ok`` once; the token is gone whatever the answer, so a
        refused attempt cannot be retried with other arguments."""
        with self._lock:
            pending = self._pending.pop(token, None)
        if pending is None:
            return "unknown"
        if pending.expires_at <= self._clock():
            return "expired"
        if not secrets.compare_digest(pending.digest, digest):
            return "mismatch"
        return "ok"


@dataclass(frozen=True, slots=True)
class ConfirmationPolicy:
    """Which calls need the user's yes: every write when ``confirm_writes``, and any tool the toolset
    marks gated (a toolset may offer ``requires_confirmation(tool) -> bool``, as gated skills will)."""

    confirm_writes: bool = False

    def requires(self, toolset: Toolset, tool: Tool) -> bool:
        gated = getattr(toolset, "requires_confirmation", None)
        if callable(gated) and gated(tool):
            return True
        return self.confirm_writes and tool.writes
