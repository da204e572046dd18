"""Connecting an account with an API key: the key is tried with a cheap read before it is saved ``ACTIVE``.

A mistyped or revoked key then fails where it was given (``connect_api_key``, the CLI), not at the first
tool call of some later conversation. The read is the provider's data (``AuthSpec.key_check_tool``) and
runs through the engine, so it goes where the account's calls will go and within its rate limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import AuthFailed, ConfigurationError, InvalidInput, ProviderUnavailable
from .accounts import API_DOMAIN
from .models import AccountStatus, ConnectedAccount

if TYPE_CHECKING:
    from ..engine import CallTarget, Engine
    from ..spec import Provider
    from ..store import ConnectionRecord
    from .accounts import Accounts

__all__ = ["ApiKeyPlan", "check_api_key", "plan_api_key", "save_api_key"]

#: A check answered with one of these says the key was accepted (authenticated), whatever else it says.
_KEY_ACCEPTED = frozenset({"insufficient_scope"})


@dataclass(frozen=True)
class ApiKeyPlan:
    """An API key about to be saved for one account, and the call target that tries it."""

    connection: ConnectionRecord
    provider: Provider = field(repr=False)
    identifier: str
    api_key: str = field(repr=False)
    metadata: dict[str, Any]
    target: CallTarget


def plan_api_key(
    accounts: Accounts, connection_name: str, identifier: str, api_key: str, api_domain: str | None
) -> ApiKeyPlan:
    """Check the arguments and work out where the account's calls will go; nothing is written."""
    connection = accounts.connection(connection_name)
    if not isinstance(identifier, str) or not identifier.strip():
        raise ConfigurationError(
            "identifier must be a non-empty string (your user's id).", field="identifier"
        )
    if not isinstance(api_key, str) or not api_key.strip():
        raise InvalidInput("api_key is empty.", field="api_key")
    provider = accounts.catalog.provider(connection.provider)
    metadata: dict[str, Any] = {"auth": "api_key"}
    if api_domain:
        metadata[API_DOMAIN] = _origin(api_domain)
    elif provider.auth.base_url_per_account:
        metadata[API_DOMAIN] = connection.config.get("base_url") or provider.base_url
    key = api_key.strip()
    target = accounts.api_key_target(connection, key, metadata)
    return ApiKeyPlan(connection, provider, identifier, key, metadata, target)


def _origin(api_domain: str) -> str:
    try:
        parsed = httpx.URL(api_domain)
    except (httpx.InvalidURL, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInput(
            f"api_domain {api_domain!r} is not an http(s) URL (e.g. https://yourcompany.pipedrive.com).",
            field="api_domain",
        )
    return api_domain.rstrip("/")


def _keep_answer_fields(plan: ApiKeyPlan, answer: Any) -> None:
    """The answer fields the provider keeps (``AuthSpec.key_check_metadata``), plain values only."""
    body = answer.get("data", answer) if isinstance(answer, dict) else None
    if not isinstance(body, dict):
        return
    for key, name in plan.provider.auth.key_check_metadata:
        value = body.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool):
            plan.metadata[key] = value


async def check_api_key(engine: Engine, plan: ApiKeyPlan) -> bool:
    """Try the key with the provider's cheap read: ``True`` when it was accepted, ``False`` when the
    provider has no read to check with; raises when the CRM refuses the key or cannot tell."""
    auth = plan.provider.auth
    if auth.key_check_tool is None:
        return False
    tool = engine.catalog.tool(auth.key_check_tool)
    result = await engine.execute(tool, dict(auth.key_check_input), plan.target)
    if result.ok:
        _keep_answer_fields(plan, result.data)
    if result.ok or result.error is None or result.error.code in _KEY_ACCEPTED:
        return True
    error, crm = result.error, plan.provider.display_name
    context = {k: error.details[k] for k in ("status", "request_id", "provider") if k in error.details}
    if error.code == "auth_failed":
        raise AuthFailed(
            f"{crm} refused this API key ({error.details.get('status', 401)}): check that it was copied "
            "whole and is still active there. Nothing was saved.",
            field="api_key",
            **context,
        )
    skip = "or pass check=False to save it unchecked"
    if error.retryable:
        raise ProviderUnavailable(
            f"Could not check the API key: {error.message} Try again, {skip}.",
            retry_after=error.details.get("retry_after"),
            **context,
        )
    raise ConfigurationError(
        f"Checking the API key with {tool.name} at {plan.target.base_url} failed ({error.code}: "
        f"{error.message}); check the connection's base_url (or api_domain), {skip}. Nothing was saved.",
        **context,
    )


def save_api_key(accounts: Accounts, plan: ApiKeyPlan, *, checked: bool) -> ConnectedAccount:
    """Store the key (encrypted) and mark the account ``ACTIVE``; creates the account if new."""
    name = plan.connection.name
    accounts.get_or_create(name, plan.identifier)
    return accounts.update(
        name,
        plan.identifier,
        status=AccountStatus.ACTIVE,
        credentials={"api_key": plan.api_key},
        metadata=plan.metadata,
        reason="api key checked and saved" if checked else "api key saved unchecked",
    )
