"""One error taxonomy, organised around who has to act.

Each class knows its ``audience`` (who must act) and ``http_status`` (what a server answers with, so a
problem+json response needs no table of its own)::

    CrmBridgeError                  developer  500
    ├── InvalidInput                model      422  bad input: ``field``, ``allowed``
    │   └── AmbiguousReference      model      422  ``candidates`` to pick from
    ├── NotFound                    model      404
    ├── Conflict                    model      409  ``existing_id``
    ├── OutcomeUnknown              model      502  a write's answer was lost: check before retrying
    ├── InsufficientScope           end_user   403  ``missing_scopes``, ``authorization_link``
    ├── OAuthSessionMismatch        end_user   403  an OAuth callback arrived in another user's session
    ├── ReauthorizationRequired     end_user   401  ``authorization_link``
    │   └── AuthFailed              end_user   401
    ├── RateLimited                 nobody     429  retryable, ``retry_after``, ``daily``
    ├── ProviderUnavailable         nobody     503  retryable, ``retry_after``
    │   └── DeadlineExceeded        nobody     504  the call's ``deadline`` ran out first
    ├── StorageUnavailable          nobody     503  retryable, ``retry_after``: our database, not the CRM
    ├── ProviderError               developer  502  any other CRM answer: ``provider_code``
    ├── InternalError               developer  500  a bug of ours
    ├── ConfigurationError          developer  400  the set-up the caller controls is wrong
    │   └── UnknownTool             developer  404
    ├── Unauthenticated             developer  401  the service's API key is missing, malformed, unknown or revoked
    └── PermissionDenied            developer  403  the API key lacks ``required_scope``

``OutcomeUnknown`` is the model's to act on: it can read the CRM before writing again. It is a 502
because the CRM's answer was lost or unusable, not because crmbridge failed.

Every error has a stable ``code``, a short ``message`` written for an LLM, typed context from the CRM's
answer (``status``, ``request_id``, ``retry_after``, ``provider``) and JSON-safe ``details``; all are
fixed at construction (:meth:`CrmBridgeError.with_details` returns a new error). Messages never carry
secrets: :func:`scrub` runs over every message, typed string and detail string (the credentials in use,
by value, and anything shaped like one; see :mod:`crmbridge.redaction`), and :meth:`CrmBridgeError.masked`
masks a call's own credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Literal, Self

from .redaction import mask_values, register_secret_patterns, scrub

__all__ = [
    "AmbiguousReference",
    "Audience",
    "AuthFailed",
    "ConfigurationError",
    "Conflict",
    "CrmBridgeError",
    "DeadlineExceeded",
    "InsufficientScope",
    "InternalError",
    "InvalidInput",
    "NotFound",
    "OAuthSessionMismatch",
    "OutcomeUnknown",
    "PermissionDenied",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimited",
    "ReauthorizationRequired",
    "StorageUnavailable",
    "Unauthenticated",
    "UnknownTool",
    "error_json",
    "register_secret_patterns",
    "scrub",
]


def _scrub_value(value: Any, mask: Callable[[str], str] = scrub) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list | tuple):
        return [_scrub_value(v, mask) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_value(v, mask) for k, v in value.items()}
    return value


Audience = Literal["model", "developer", "end_user", "nobody"]
"""Who must act on an error: fix the input, fix the set-up, re-authorise, or wait."""


def error_json(code: str, message: str, retryable: bool, details: Mapping[str, Any]) -> dict[str, Any]:
    """The one JSON shape of an error, whether raised (``CrmBridgeError``) or returned (``ToolError``)."""
    return {"code": code, "message": message, "retryable": retryable, **details}


def _scrubbed(details: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _scrub_value(value) for key, value in details.items() if value is not None}


def _scrubbed_text(value: str | None) -> str | None:
    return scrub(value) if value else None


class CrmBridgeError(Exception):
    """Base of every error crmbridge raises or returns in a ``ToolResult``.

    The typed context says what the CRM answered: ``status`` (its HTTP status), ``request_id`` (its
    correlation id, for its support), ``retry_after`` (seconds) and ``provider`` (its name).
    """

    code: ClassVar[str] = "error"
    retryable: ClassVar[bool] = False
    audience: ClassVar[Audience] = "developer"
    http_status: ClassVar[int] = 500

    status: int | None
    request_id: str | None
    retry_after: float | None
    provider: str | None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        provider: str | None = None,
        **details: Any,
    ) -> None:
        self.message = scrub(message)
        self.status = status
        self.request_id = _scrubbed_text(request_id)
        self.retry_after = retry_after
        self.provider = _scrubbed_text(provider)
        self._details = _scrubbed(details)
        super().__init__(self.message)

    @property
    def details(self) -> Mapping[str, Any]:
        """Everything the JSON carries besides code, message and retryable: the typed context that is
        set, then the free-form details. Read-only: :meth:`with_details` makes a new error."""
        context = {key: value for key, value in self._context().items() if value is not None}
        return MappingProxyType({**context, **self._details})

    def with_details(self, **more: Any) -> Self:
        """A copy of this error with ``more`` details (scrubbed, ``None`` left out); this one is untouched.

        Typed context is fixed at construction: naming it here is a mistake, not an update.
        """
        typed = sorted(more.keys() & self._context().keys())
        if typed:
            raise TypeError(f"{', '.join(typed)}: typed context, set when the error is made")
        cls = type(self)
        copy = cls.__new__(cls)
        copy.__dict__.update(self.__dict__)
        copy.args = self.args
        copy._details = {**self._details, **_scrubbed(more)}
        return copy

    def masked(self, values: Iterable[str]) -> Self:
        """This error with each of ``values`` (a call's own credentials) masked wherever it appears; the
        same error when none does."""
        secrets = [v for v in values if v]
        if not secrets:
            return self

        def mask(text: str) -> str:
            return mask_values(text, secrets)

        texts = (self.message, self.request_id or "", self.provider or "")
        details = _scrub_value(self._details, mask)
        if [mask(t) for t in texts] == list(texts) and details == self._details:
            return self
        copy = self.with_details()
        copy.message = mask(self.message)
        copy.request_id = self.request_id and mask(self.request_id)
        copy.provider = self.provider and mask(self.provider)
        copy._details = details
        copy.args = (copy.message,)
        return copy

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape an LLM (or an HTTP client) sees."""
        return error_json(self.code, self.message, self.retryable, self.details)

    def _context(self) -> dict[str, Any]:
        """The typed attributes under their JSON names; ``None`` means unset and stays out of the JSON."""
        return {
            "status": self.status,
            "request_id": self.request_id,
            "retry_after": self.retry_after,
            "provider": self.provider,
        }

    def __str__(self) -> str:
        """The CRM's request id first, as its support will ask for it."""
        return f"Request {self.request_id}: {self.message}" if self.request_id else self.message

    def __repr__(self) -> str:
        context = "".join(f", {key}={value!r}" for key, value in self._context().items() if value is not None)
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}{context})"


class InvalidInput(CrmBridgeError):
    """The tool input is wrong: ``field`` says where, ``allowed`` (when known) what would be accepted."""

    code = "invalid_input"
    audience: ClassVar[Audience] = "model"
    http_status = 422


class AmbiguousReference(InvalidInput):
    """A plain-language value matched several records: ``candidates`` lists them for the model to pick."""

    code = "ambiguous_reference"


class NotFound(CrmBridgeError):
    code = "not_found"
    audience: ClassVar[Audience] = "model"
    http_status = 404


class Conflict(CrmBridgeError):
    """The write collides with an existing record; ``existing_id`` names it when the CRM says."""

    code = "conflict"
    audience: ClassVar[Audience] = "model"
    http_status = 409


class InsufficientScope(CrmBridgeError):
    """The grant lacks scopes: ``missing_scopes`` and, for OAuth accounts, ``authorization_link``."""

    code = "insufficient_scope"
    audience: ClassVar[Audience] = "end_user"
    http_status = 403


class OAuthSessionMismatch(CrmBridgeError):
    """An OAuth callback finished in a session other than the one the link was made for (login CSRF):
    refused before the code is exchanged, and the link is not spent. Names no identifier."""

    code = "oauth_session_mismatch"
    audience: ClassVar[Audience] = "end_user"
    http_status = 403

    def __init__(self, message: str | None = None, **context: Any) -> None:
        super().__init__(
            message
            or "This connection link was made for another signed-in user or browser session, so it was not "
            "completed. Start connecting again from your own account.",
            **context,
        )


class ReauthorizationRequired(CrmBridgeError):
    """The end user must authorise again (revoked, expired, uninstalled); ``authorization_link`` when known.

    ``account_status`` (``REVOKED``, ``PENDING`` …) is set when the account's own state, not a CRM answer,
    says so; the JSON shows it as ``status`` when there is no HTTP status.
    """

    code = "reauthorization_required"
    audience: ClassVar[Audience] = "end_user"
    http_status = 401

    def __init__(self, message: str, *, account_status: str | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.account_status = account_status

    def _context(self) -> dict[str, Any]:
        context = super()._context()
        if context["status"] is None:
            context["status"] = self.account_status
        return context


class AuthFailed(ReauthorizationRequired):
    """The CRM rejected the credentials (a wrong or deleted API key)."""

    code = "auth_failed"


class RateLimited(CrmBridgeError):
    """Too many calls: try again after ``retry_after`` seconds. ``daily`` means the day's budget is spent,
    so waiting inside one tool call cannot help."""

    code = "rate_limited"
    retryable = True
    audience: ClassVar[Audience] = "nobody"
    http_status = 429

    def __init__(self, message: str, *, daily: bool = False, **context: Any) -> None:
        super().__init__(message, **context)
        self.daily = daily

    def _context(self) -> dict[str, Any]:
        return {**super()._context(), "daily": self.daily or None}


class ProviderUnavailable(CrmBridgeError):
    code = "provider_unavailable"
    retryable = True
    audience: ClassVar[Audience] = "nobody"
    http_status = 503


class StorageUnavailable(CrmBridgeError):
    """crmbridge's own database did not answer in time (down, unreachable, or a lock held too long by
    another worker): nothing reached the CRM, so the call can simply be made again after ``retry_after``.
    ``storage`` names the backend (``postgresql``, ``sqlite``)."""

    code = "storage_unavailable"
    retryable = True
    audience: ClassVar[Audience] = "nobody"
    http_status = 503


class DeadlineExceeded(ProviderUnavailable):
    """The call's deadline (``deadline``, seconds) ran out before the CRM answered in time. Nothing
    uncertain was left behind (a write that may have landed is ``OutcomeUnknown`` instead), so trying
    again is safe; a separate code tells a budget too short for the CRM from a CRM that is down."""

    code = "deadline_exceeded"
    http_status = 504


class OutcomeUnknown(CrmBridgeError):
    """A write was sent but its answer was lost and a re-check could not settle it: do not blindly retry."""

    code = "outcome_unknown"
    audience: ClassVar[Audience] = "model"
    http_status = 502


class ProviderError(CrmBridgeError):
    """Any other error the CRM returned; ``status`` and the CRM's own ``provider_code`` say which."""

    code = "provider_error"
    http_status = 502


class InternalError(CrmBridgeError):
    """A bug in crmbridge itself: the call is reported, never raised into the agent's loop, and the
    traceback goes to the ``crmbridge`` log for the developer."""

    code = "internal_error"


class ConfigurationError(CrmBridgeError):
    """The developer's set-up is wrong (no such connection, account not connected, bad URL)."""

    code = "configuration_error"
    http_status = 400


class UnknownTool(ConfigurationError):
    code = "unknown_tool"
    http_status = 404


class Unauthenticated(CrmBridgeError):
    """A request to the service carried no usable API key (missing, malformed, unknown or revoked)."""

    code = "unauthenticated"
    http_status = 401


class PermissionDenied(CrmBridgeError):
    """The service's API key is valid but lacks ``required_scope`` for what it asked."""

    code = "permission_denied"
    http_status = 403
