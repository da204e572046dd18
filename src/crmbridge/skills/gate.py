"""Confirmation tokens for gated writes: single use, short-lived, bound to the exact write.

The binding is a SHA-256 over (tenant, agent, skill, account, conversation, input): a token issued for
one write cannot run another, and the model cannot change an argument after the caller said yes. The
database keeps only the token's hash; redeeming is one conditional UPDATE, so a replay (or two workers
racing with the same token) runs the write at most once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..store.skill_store import SkillRepository
from .errors import ConfirmationMismatch, ConfirmationRequired

__all__ = ["ConfirmationGate", "WriteScope"]

_PREFIX = "cfm_"
_WHY = {
    "unknown": "This confirmation is not one this agent issued.",
    "used": "This confirmation was already used: the write it approved ran once.",
    "expired": "This confirmation has expired.",
    "mismatch": "This confirmation was issued for different arguments (or another skill or conversation).",
}


@dataclass(frozen=True, slots=True)
class WriteScope:
    """Who writes what where: everything a confirmation is bound to besides the input."""

    tenant_id: str
    agent_id: str
    skill: str
    connection_name: str
    identifier: str
    conversation_id: str | None

    def binding(self, args: Mapping[str, Any]) -> str:
        body = {
            "tenant": self.tenant_id,
            "agent": self.agent_id,
            "skill": self.skill,
            "account": [self.connection_name, self.identifier],
            "conversation": self.conversation_id,
            "input": args,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConfirmationGate:
    """Issues and redeems confirmations (``ttl`` seconds)."""

    def __init__(self, repository: SkillRepository, *, ttl: float = 300.0) -> None:
        self._repository = repository
        self.ttl = ttl

    def request(self, scope: WriteScope, args: Mapping[str, Any], summary: str) -> ConfirmationRequired:
        """A fresh token for this exact write, as the error the first call answers with."""
        token = _PREFIX + secrets.token_urlsafe(24)
        expires = self._repository.issue_confirmation(
            scope.tenant_id, scope.agent_id, scope.skill, _hash(token), scope.binding(args), summary, self.ttl
        )
        return ConfirmationRequired(
            f"Nothing was written yet. Read this back to the caller and, once they agree, call {scope.skill} "
            "again with the same input and this confirmation.",
            confirmation=token,
            summary=summary,
            expires_at=expires.isoformat(),
        )

    def redeem(self, scope: WriteScope, args: Mapping[str, Any], token: str) -> None:
        """Use the token for this write, or raise ``confirmation_mismatch`` saying why not."""
        outcome = self._repository.redeem_confirmation(scope.tenant_id, _hash(token), scope.binding(args))
        if outcome != "ok":
            raise ConfirmationMismatch(
                f"{_WHY[outcome]} Nothing was written; call {scope.skill} without a confirmation to get a new one.",
                reason=outcome,
            )
