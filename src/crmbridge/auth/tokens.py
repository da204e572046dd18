"""Talking to a CRM's OAuth server: the code exchange and the refresh every provider shares.

What differs per CRM is data on its ``AuthSpec`` (client auth in the form body or as HTTP Basic, its own
words for a dead grant) or a hook of its own (``identify``: who the grant belongs to). Errors are sorted
by who must act: a dead grant (re-authorise), a rejected client (the developer), or a passing failure
(retry).
"""

from __future__ import annotations

from typing import Any

import httpx

from ..errors import ProviderError, ProviderUnavailable
from ..redaction import remember_secrets
from ..spec.oauth import GrantRejected, OAuthClient, TokenSet, token_endpoint_error

__all__ = ["GrantRejected", "OAuthClient", "TokenSet", "exchange_code", "refresh_tokens"]

#: Fields of a token answer every OAuth server uses; the rest goes to ``TokenSet.extra``.
_STANDARD_FIELDS = frozenset({"access_token", "refresh_token", "expires_in", "token_type", "scope", "scopes"})
_TIMEOUT = 30.0


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def _token_call(
    http: httpx.AsyncClient, client: OAuthClient, form: dict[str, str], what: str, now: float
) -> TokenSet:
    remember_secrets([client.client_secret, form.get("code"), form.get("refresh_token")])
    auth: tuple[str, str] | None = None
    if client.client_auth == "basic":
        auth = (client.client_id, client.client_secret)
    else:
        form = {**form, "client_id": client.client_id, "client_secret": client.client_secret}
    try:
        response = await http.post(
            client.token_url,
            data=form,
            auth=auth or httpx.USE_CLIENT_DEFAULT,
            headers={"accept": "application/json"},
            timeout=_TIMEOUT,
        )
    except httpx.TransportError as exc:
        raise ProviderUnavailable(
            f"The CRM's token endpoint did not answer the {what} ({type(exc).__name__}).", retry_after=5.0
        ) from None
    if response.status_code != 200:
        raise token_endpoint_error(response, what, client.spec)
    body = _body(response)
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise ProviderError(f"The CRM's answer to the {what} holds no access token.", status=200)
    expires_in = body.get("expires_in")
    ttl = float(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else client.default_ttl
    scopes = _scopes(body.get("scopes", body.get("scope")))
    extra = {k: v for k, v in body.items() if k not in _STANDARD_FIELDS and v is not None}
    refresh = body.get("refresh_token")
    remember_secrets([access, refresh if isinstance(refresh, str) else None])
    return TokenSet(
        access, refresh if isinstance(refresh, str) and refresh else None, now + ttl, scopes, extra
    )


def _scopes(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(s) for s in value)
    if isinstance(value, str):
        return tuple(s for s in value.replace(",", " ").split() if s)
    return None


async def exchange_code(http: httpx.AsyncClient, client: OAuthClient, code: str, now: float) -> TokenSet:
    """``grant_type=authorization_code``: the one-time code from the consent redirect → tokens."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri}
    return await _token_call(http, client, form, "authorization code", now)


async def refresh_tokens(
    http: httpx.AsyncClient, client: OAuthClient, refresh_token: str, now: float
) -> TokenSet:
    """``grant_type=refresh_token``; ``GrantRejected`` means the user uninstalled or revoked the app."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await _token_call(http, client, form, "refresh token", now)
