"""The browser hand-off that ties an OAuth consent to the browser that started it.

``connect`` does not hand out the CRM's consent URL directly. It makes a session-bound link (the state
carries a hash of a random binding value) and returns ``/oauth/begin?h=…``: a short-lived, sealed
envelope. Opening it sets an HttpOnly cookie holding the binding (one cookie per flow) and redirects to
the CRM. The callback completes only when that cookie comes back, so a callback URL replayed in another
browser — the login-CSRF attack of docs/decisions/013 — is refused before the code is exchanged.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from ..auth.state import StateSigner
from ..errors import InvalidInput
from ..vault import VaultError

if TYPE_CHECKING:
    from .models import ConnectIn
    from .service import Service

__all__ = [
    "HANDOFF_SECONDS",
    "Handoff",
    "cookie_name",
    "handoff_link",
    "oauth_url_for",
    "open_handoff",
    "seal_cookie",
]

HANDOFF_SECONDS = 600
_AAD_LINK = "crmbridge/oauth-handoff/link"
_AAD_COOKIE = "crmbridge/oauth-handoff/cookie"


@dataclass(frozen=True)
class Handoff:
    tenant_id: str
    consent_url: str
    binding: str
    return_url: str | None
    state_id: str


def _check_return_url(url: str | None) -> str | None:
    if url is None:
        return None
    if not url.startswith(("https://", "http://")):
        raise InvalidInput("returnUrl must be an absolute http(s) URL.", field="returnUrl")
    return url


async def oauth_url_for(service: Service, tenant_id: str, integration: str, body: ConnectIn) -> str:
    """The link to give the user: a sealed hand-off to the CRM's consent screen for this account."""
    return_url = _check_return_url(body.return_url)
    return await asyncio.to_thread(
        handoff_link, service, tenant_id, integration, body.identifier, tuple(body.scopes), return_url
    )


def handoff_link(
    service: Service,
    tenant_id: str,
    integration: str,
    identifier: str,
    scopes: tuple[str, ...] = (),
    return_url: str | None = None,
) -> str:
    """A session-bound consent link wrapped in a sealed ``/oauth/begin`` hand-off (blocking: it writes
    the state). Also what re-authorisation links in tool errors and account views are made of."""
    binding = secrets.token_urlsafe(24)
    consent = service.runtime.tenant(tenant_id).oauth.authorization_link(
        integration, identifier, scopes, binding
    )
    envelope = {
        "t": tenant_id,
        "u": consent,
        "b": binding,
        "r": return_url,
        "s": StateSigner.state_id(_query_value(consent, "state")),
        "x": int(time.time()) + HANDOFF_SECONDS,
    }
    sealed = service.runtime.vault.encrypt(json.dumps(envelope, separators=(",", ":")), aad=_AAD_LINK)
    return f"{service.settings.public_url.rstrip('/')}/oauth/begin?{urlencode({'h': sealed})}"


def _query_value(url: str, name: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else ""


def open_handoff(service: Service, sealed: str) -> Handoff | None:
    """The hand-off in a ``/oauth/begin`` link, or ``None`` when it is forged, damaged or expired."""
    try:
        envelope = json.loads(service.runtime.vault.decrypt(sealed, aad=_AAD_LINK))
    except (VaultError, ValueError, TypeError):
        return None
    if not isinstance(envelope, dict) or int(envelope.get("x", 0)) < time.time():
        return None
    return Handoff(envelope["t"], envelope["u"], envelope["b"], envelope.get("r"), envelope["s"])


def cookie_name(state_id: str) -> str:
    """One cookie per flow, so two consents started in one browser do not overwrite each other."""
    return f"crmbridge_oauth_{state_id[:16]}"


def seal_cookie(service: Service, handoff: Handoff) -> str:
    value = json.dumps({"b": handoff.binding, "r": handoff.return_url}, separators=(",", ":"))
    return service.runtime.vault.encrypt(value, aad=f"{_AAD_COOKIE}/{handoff.state_id}")


def open_cookie(service: Service, state_id: str, sealed: str | None) -> tuple[str | None, str | None]:
    """``(binding, return_url)`` from the flow's cookie; ``(None, None)`` when absent or not ours."""
    if not sealed:
        return None, None
    try:
        value = json.loads(service.runtime.vault.decrypt(sealed, aad=f"{_AAD_COOKIE}/{state_id}"))
    except (VaultError, ValueError, TypeError):
        return None, None
    return value.get("b"), value.get("r")
