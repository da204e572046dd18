"""RFC 7009 token revocation: what disconnecting an OAuth account asks of the CRM.

Where the endpoint is and which token it takes are the provider's data (``AuthSpec.revoke_path``,
``revoke_token``); the client authenticates as it does at the token endpoint (``AuthSpec.client_auth``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ..errors import ProviderUnavailable
from ..spec.oauth import OAuthClient, token_endpoint_error

__all__ = ["revoke_grant", "revoke_url"]

_TIMEOUT = 10.0


def revoke_url(client: OAuthClient) -> str | None:
    """The revoke endpoint next to the client's token URL, or ``None`` when the CRM has none."""
    path = client.spec.revoke_path
    return str(httpx.URL(client.token_url).join(path)) if path else None


async def revoke_grant(http: httpx.AsyncClient, client: OAuthClient, credentials: Mapping[str, Any]) -> bool:
    """Revoke the account's grant at the CRM; ``False`` when there is nothing to revoke (no endpoint, or
    no token of the kind it takes). A refusal or an unreachable CRM raises from the taxonomy."""
    url = revoke_url(client)
    kind = client.spec.revoke_token
    token = credentials.get(kind)
    if url is None or not isinstance(token, str) or not token:
        return False
    form = {"token": token, "token_type_hint": kind}
    auth: tuple[str, str] | None = None
    if client.client_auth == "basic":
        auth = (client.client_id, client.client_secret)
    else:
        form.update(client_id=client.client_id, client_secret=client.client_secret)
    try:
        response = await http.post(url, data=form, auth=auth or httpx.USE_CLIENT_DEFAULT, timeout=_TIMEOUT)
    except httpx.TransportError as exc:
        raise ProviderUnavailable(
            f"The CRM's revoke endpoint did not answer ({type(exc).__name__}).", retry_after=5.0
        ) from None
    if response.status_code not in (200, 204):
        raise token_endpoint_error(response, "token revocation", client.spec)
    return True
