"""What a tool call returns: data for the model, or an error it can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import CrmBridgeError, error_json

__all__ = ["MAX_MESSAGE", "ToolError", "ToolResult"]

#: Characters of an error message a model reads.
MAX_MESSAGE = 1_000


@dataclass(frozen=True, slots=True)
class ToolError:
    """A taxonomy error as data: ``code``, a short ``message`` and ``details`` (``field``,
    ``allowed``, ``candidates``, ``missing_scopes``, ``authorization_link``, ``retry_after``,
    ``status``, ``request_id``, …), serialised exactly as the exception it came from."""

    code: str
    message: str
    retryable: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_exception(cls, exc: CrmBridgeError) -> ToolError:
        """A message that quotes the input (or the CRM quoting it) is cut short: a model gains nothing
        from reading a 70,000-character id back."""
        message = exc.message if len(exc.message) <= MAX_MESSAGE else f"{exc.message[:MAX_MESSAGE]}…"
        return cls(exc.code, message, exc.retryable, dict(exc.details))

    def to_dict(self) -> dict[str, Any]:
        return error_json(self.code, self.message, self.retryable, self.details)


@dataclass(frozen=True, slots=True)
class ToolResult:
    """``ok`` with compact ``data``, or not ``ok`` with an ``error``. ``raw`` holds the CRM's own
    response body only when the caller asked for it (``include_raw=True``). ``warnings`` say what was
    done differently from what the input said (a limit lowered to its maximum, an epoch number read
    as a date), so that the model is never misled by a silent change."""

    tool_name: str
    ok: bool
    data: Any = None
    error: ToolError | None = None
    raw: Any = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """What a model sees: the data, or the error, and the warnings when there are any."""
        if self.ok:
            out: dict[str, Any] = {"ok": True, "data": self.data}
        else:
            assert self.error is not None
            out = {"ok": False, "error": self.error.to_dict()}
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out
