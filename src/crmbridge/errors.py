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
    "scrub",
]

# Bearer tokens; HubSpot private-app tokens (pat-…), OAuth access tokens (C… base64, long) and refresh
# tokens (na1-<uuid>); Pipedrive API tokens and client secrets (40 hex), OAuth access tokens
# (<company>:<user>:<64 hex>) and refresh tokens (v1u:…); anything after a credential-like key in a URL,
# a form body or JSON.
_SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\bpat-[a-z0-9]+-[A-Za-z0-9-]{8,}"),
    re.compile(r"\bC[A-Z][A-Za-z0-9_-]{60,}"),
    re.compile(r"\b(?:na|eu|ap)\d-[0-9a-f]{8}-[0-9a-f-]{27}\b"),
    re.compile(r"\b\d+:\d+:[0-9a-f]{64}\b"),
    re.compile(r"\bv1u:[A-Za-z0-9_-]{20,}"),
    re.compile(
        r"(?i)((?:api_token|api_key|apikey|hapikey|access_token|refresh_token|client_secret|token|code|password)"
        r"[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]{6,}"
    ),
    re.compile(r"\b[0-9a-f]{40}\b"),
    re.compile(r"\b(?:CN|EU|NA|AP)[A-Za-z0-9]?-[A-Za-z0-9_-]{20,}"),
]


def scrub(text: str) -> str:
    """Mask anything that looks like a credential: errors and logs go to models and humans alike."""
    for pattern in _SECRET_PATTERNS:
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
