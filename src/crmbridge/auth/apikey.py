"""Static credentials: a HubSpot private-app token or a Pipedrive API token, as an ``httpx.Auth``."""

from __future__ import annotations

from collections.abc import Generator

import httpx

from ..redaction import remember_secrets

__all__ = ["ApiKeyAuth"]


class ApiKeyAuth(httpx.Auth):
    """Puts the key in the header the provider expects (``Authorization: Bearer …``, ``x-api-token``)."""

    def __init__(self, api_key: str, *, header: str = "Authorization", prefix: str = "Bearer ") -> None:
        remember_secrets([api_key])  # a CRM that echoes it must not show it to anybody
        self._api_key = api_key
        self._header = header
        self._prefix = prefix

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = f"{self._prefix}{self._api_key}"
        yield request

    def secret_values(self) -> tuple[str, ...]:
        """The credential this sends, for masking it in what the call reports."""
        return (self._api_key,)

    def __repr__(self) -> str:
        return f"ApiKeyAuth(header={self._header!r}, api_key='***')"
