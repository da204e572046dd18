"""The one error for input no route can use, whatever the route: each app renders it in its own shape
(HubSpot's and Pipedrive's error bodies, ``{"error": …}`` on the control API)."""

from __future__ import annotations

__all__ = ["BadInput", "quoted"]


class BadInput(ValueError):
    """A request the sandbox refuses before acting on it: 400, or 413 for a body that is too large.

    A ``ValueError``, so Python callers of the sandbox (``SandboxClock.advance``, ``FaultPlan.parse``)
    see the kind of error they expect.
    """

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def quoted(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, so an error never echoes a 5,000-digit number back."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(text)} characters)"
