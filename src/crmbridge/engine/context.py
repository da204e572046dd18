"""Who a call is for (``CallTarget``) and what hooks may use while preparing it (``CallContext``)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx

from ..errors import CrmBridgeError
from .hooks import body_json
from .shaping import dig

if TYPE_CHECKING:
    from ..spec import Provider
    from .deadline import Deadline
    from .http import HttpCore

__all__ = ["CallContext", "CallTarget", "HoldsSecrets", "TTLCache"]

log = logging.getLogger("crmbridge.engine")


@runtime_checkable
class HoldsSecrets(Protocol):
    """An ``httpx.Auth`` that can say which credentials it sends (API key, tokens, client secret)."""

    def secret_values(self) -> tuple[str, ...]: ...


@dataclass(eq=False)
class CallTarget:
    """One connected account as the engine needs it: where to send, with which credentials.

    ``account_key`` keys the rate limiter (one CRM account, however many identifiers share it);
    ``granted_scopes`` is ``None`` when unknown (private-app and API tokens), which skips the pre-flight
    scope check; ``configured_scopes`` is what the connection asks for at consent (implied scopes
    included; ``None`` when it does not say), so a scope outside it is the developer's to add, not the end
    user's to grant; ``authorization_link(scopes)`` builds a re-consent link asking for extra scopes;
    ``on_auth_error`` lets the account layer record a revocation (or a refused key), and may hand back
    the error to report instead.
    """

    account_key: str
    base_url: str
    auth: httpx.Auth
    granted_scopes: frozenset[str] | None = None
    configured_scopes: frozenset[str] | None = None
    #: The connection's name, for messages that tell the developer what to change.
    connection_name: str = ""
    #: Keys the resolver cache; per user, since some answers are ("me", the user's own currency).
    #: Empty: ``account_key``.
    cache_key: str = ""
    authorization_link: Callable[[Sequence[str]], Awaitable[str | None]] | None = None
    on_auth_error: Callable[[CrmBridgeError], Awaitable[CrmBridgeError | None]] | None = None

    def secret_values(self) -> tuple[str, ...]:
        """The credentials this call sends, when its ``auth`` says: every error it reports masks them."""
        return self.auth.secret_values() if isinstance(self.auth, HoldsSecrets) else ()

    def __repr__(self) -> str:
        return f"CallTarget(account_key={self.account_key!r}, base_url={self.base_url!r})"


class TTLCache:
    """Resolved names per account: pipelines, stages and owners change rarely, lookups cost a request."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._data: dict[tuple[str, str], tuple[float, Any]] = {}

    def get(self, account_key: str, key: str) -> Any | None:
        hit = self._data.get((account_key, key))
        if hit is None or hit[0] < self._clock():
            return None
        return hit[1]

    def put(self, account_key: str, key: str, value: Any) -> None:
        self._data[(account_key, key)] = (self._clock() + self.ttl, value)

    def clear(self, account_key: str | None = None) -> None:
        if account_key is None:
            self._data.clear()
        else:
            for k in [k for k in self._data if k[0] == account_key]:
                del self._data[k]


@dataclass(eq=False)
class CallContext:
    """Handed to resolvers and preparers: make read calls on the same account, through the same
    rate limits and retries as the tool call itself, and cache what they learn. One per tool call, so
    it carries the call's ``deadline``: side requests keep to it without the hooks knowing."""

    provider: Provider
    target: CallTarget
    http: HttpCore
    cache: TTLCache
    deadline: Deadline | None = None

    @property
    def granted_scopes(self) -> frozenset[str] | None:
        return self.target.granted_scopes

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        unwrap: bool = True,
    ) -> Any:
        """Send a side request; returns the unwrapped body or raises a taxonomy error."""
        response = await self.http.send(
            self.provider,
            self.target,
            method,
            path,
            params=params,
            json=json,
            idempotent=True,
            deadline=self.deadline,
        )
        from .http import Recovered

        assert not isinstance(response, Recovered)  # only creates are recovered
        if response.status_code >= 400:
            raise self.provider.hooks.parse_error(response, None)

        body = body_json(response)
        return self.provider.hooks.unwrap(body) if unwrap else body

    async def paginate(
        self,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        method: str = "GET",
        items: str = "",
        max_pages: int = 10,
    ) -> AsyncIterator[Any]:
        """Every record of a list endpoint: each page is a side request (same limits and retries), the
        provider's ``page_info`` finds the cursor and its ``next_page`` asks for the next page.

        ``items`` is the dotted path of the records in the unwrapped body (empty: the body is the list).
        A bound, not a guarantee: after ``max_pages`` pages it stops (and logs that more were left).
        """
        hooks = self.provider.hooks
        query = dict(params or {})
        for _ in range(max_pages):
            body = await self.request(method, path, params=query or None, json=json, unwrap=False)
            found = dig(hooks.unwrap(body), items)
            for record in found if isinstance(found, list) else ():
                yield record
            cursor, _total = hooks.page_info(body)
            if cursor is None:
                return
            query, json = hooks.next_page(path, query, json, cursor)
        log.warning("%s %s: stopped after %d pages; more records were left", method, path, max_pages)

    @property
    def cache_key(self) -> str:
        return self.target.cache_key or self.target.account_key

    async def cached(self, key: str, load: Callable[[], Awaitable[Any]], *, fresh: bool = False) -> Any:
        value = None if fresh else self.cache.get(self.cache_key, key)
        if value is None:
            value = await load()
            self.cache.put(self.cache_key, key, value)
        return value
