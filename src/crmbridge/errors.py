"""One error taxonomy, organised around who has to act.

* the model (bad input: which field, why, what is allowed) — ``InvalidInput``, ``AmbiguousReference``,
  ``NotFound``, ``Conflict``;
* the developer (configuration) — ``ConfigurationError``, ``UnknownTool``;
* the end user (re-authorise: the error carries the link) — ``ReauthorizationRequired``,
  ``InsufficientScope``;
* nobody yet (retryable, with ``retry_after``) — ``RateLimited``, ``ProviderUnavailable``;
* nobody can tell (a write whose outcome is unknown) — ``OutcomeUnknown``.

Every error has a stable ``code``, a short ``message`` written for an LLM, and JSON-safe ``details``.
Messages never carry secrets: :func:`scrub` runs over every message and detail string.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any, ClassVar

__all__ = [
    "AmbiguousReference",
    "AuthFailed",
    "ConfigurationError",
    "Conflict",
    "CrmBridgeError",
    "InsufficientScope",
    "InternalError",
    "InvalidInput",
    "NotFound",
    "OutcomeUnknown",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimited",
    "ReauthorizationRequired",
    "UnknownTool",
    "register_secret_patterns",
    "scrub",
]

# Generic shapes only: bearer tokens, and anything after a credential-like key in a URL, a form body or
# JSON. The shapes of the credentials each CRM issues are the provider's (``AuthSpec.secret_patterns``),
# added through ``register_secret_patterns`` when it joins a catalog.
_GENERIC_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)((?:api_token|api_key|apikey|access_token|refresh_token|client_secret|token|code|password)"
        r"[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]{6,}"
    ),
)
_secret_patterns: tuple[re.Pattern[str], ...] = _GENERIC_SECRET_PATTERNS
_registering = threading.Lock()


def register_secret_patterns(patterns: Iterable[str]) -> None:
    """Mask these shapes too, everywhere from now on (a provider's credential formats); a first group, if
    any, is kept. Registering a pattern again changes nothing."""
    global _secret_patterns
    with _registering:
        known = {p.pattern for p in _secret_patterns}
        added = tuple(re.compile(p) for p in dict.fromkeys(patterns) if p not in known)
        if added:
            _secret_patterns = (*_secret_patterns, *added)


def scrub(text: str) -> str:
    """Mask anything that looks like a credential: errors and logs go to models and humans alike."""
    for pattern in _secret_patterns:
        text = pattern.sub(lambda m: (m.group(1) if m.re.groups else "") + "[redacted]", text)
    return text


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    return value


class CrmBridgeError(Exception):
    """Base of every error crmbridge raises or returns in a ``ToolResult``."""

    code: ClassVar[str] = "error"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, **details: Any) -> None:
        self.message = scrub(message)
        self.details: dict[str, Any] = {k: _scrub_value(v) for k, v in details.items() if v is not None}
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape an LLM (or an HTTP client) sees."""
        return {"code": self.code, "message": self.message, "retryable": self.retryable, **self.details}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class InvalidInput(CrmBridgeError):
    """The tool input is wrong: ``field`` says where, ``allowed`` (when known) what would be accepted."""

    code = "invalid_input"


class AmbiguousReference(InvalidInput):
    """A plain-language value matched several records: ``candidates`` lists them for the model to pick."""

    code = "ambiguous_reference"


class NotFound(CrmBridgeError):
    code = "not_found"


class Conflict(CrmBridgeError):
    """The write collides with an existing record; ``existing_id`` names it when the CRM says."""

    code = "conflict"


class InsufficientScope(CrmBridgeError):
    """The grant lacks scopes: ``missing_scopes`` and, for OAuth accounts, ``authorization_link``."""

    code = "insufficient_scope"


class ReauthorizationRequired(CrmBridgeError):
    """The end user must authorise again (revoked, expired, uninstalled); ``authorization_link`` when known."""

    code = "reauthorization_required"


class AuthFailed(ReauthorizationRequired):
    """The CRM rejected the credentials (a wrong or deleted API key)."""

    code = "auth_failed"


class RateLimited(CrmBridgeError):
    code = "rate_limited"
    retryable = True


class ProviderUnavailable(CrmBridgeError):
    code = "provider_unavailable"
    retryable = True


class OutcomeUnknown(CrmBridgeError):
    """A write was sent but its answer was lost and a re-check could not settle it: do not blindly retry."""

    code = "outcome_unknown"


class ProviderError(CrmBridgeError):
    """Any other error the CRM returned; ``status`` and the CRM's own ``provider_code`` are in details."""

    code = "provider_error"


class InternalError(CrmBridgeError):
    """A bug in crmbridge itself: the call is reported, never raised into the agent's loop, and the
    traceback goes to the ``crmbridge`` log for the developer."""

    code = "internal_error"


class ConfigurationError(CrmBridgeError):
    """The developer's set-up is wrong (no such connection, account not connected, bad URL)."""

    code = "configuration_error"


class UnknownTool(ConfigurationError):
    code = "unknown_tool"
