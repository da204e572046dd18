"""OAuth credentials as an ``httpx.Auth``: the engine sends every request of an OAuth account through it.

The token is refreshed *before* it expires (HubSpot: "a 401 is not a valid signal that a new access
token is needed"), so a 401 is only a fallback: one refresh-and-retry, then the CRM's answer stands. A
403 is never a reason to refresh: it means a missing scope, which re-authorisation, not a new token, fixes.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator

import httpx

from .lifecycle import AccountRef, TokenManager

__all__ = ["OAuthAuth"]


class OAuthAuth(httpx.Auth):
    """Bearer auth for one connected account, backed by the shared :class:`TokenManager`."""

    def __init__(self, manager: TokenManager, ref: AccountRef) -> None:
        self._manager = manager
        self._ref = ref

    @property
    def account_id(self) -> str:
        return self._ref.account_id

    def secret_values(self) -> tuple[str, ...]:
        """The tokens and client secret in use, for masking them in what the call reports."""
        return (*self._manager.known_tokens(self._ref.account_id), self._ref.client.client_secret)

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("OAuthAuth refreshes tokens asynchronously: use it with httpx.AsyncClient")
        yield request  # pragma: no cover - makes this a generator

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._manager.access_token(self._ref)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        fresh = await self._manager.access_token(self._ref, stale=token)
        if fresh == token:
            return
        request.headers["Authorization"] = f"Bearer {fresh}"
        yield request

    def __repr__(self) -> str:
        return f"OAuthAuth(account_id={self._ref.account_id!r}, connection={self._ref.connection_name!r})"
