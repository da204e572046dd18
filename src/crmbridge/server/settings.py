"""What a deployment sets: where the service is reachable, limits, and which hosts it answers for."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigurationError

__all__ = ["ServiceSettings"]


def _env_list(name: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in os.environ.get(name, "").split(",") if v.strip())


def _positive(name: str) -> float:
    raw = os.environ[name]
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 1:
        raise ConfigurationError(f"{name} must be a number in (0, 1], got {raw!r}.", field=name)
    return value


@dataclass(frozen=True)
class ServiceSettings:
    """Settings of one service process; :meth:`from_env` reads ``CRMBRIDGE_*`` variables.

    ``public_url``: the origin browsers and CRMs reach the service at (builds ``oauthUrl`` and the default
    OAuth redirect URI). ``max_body_bytes``: larger request bodies are refused with 413.
    ``allowed_hosts``: ``Host`` values the MCP endpoint answers for (DNS-rebinding protection; empty:
    the public URL's host and loopback). ``idempotency_hours``: how long an ``Idempotency-Key`` answer
    is kept. ``refresh_interval``: seconds between background token-refresh passes (0: off).
    ``rate_limit_scale``: for a sandbox started with ``--rate-window-scale``, the same factor, so the
    client-side limiter paces calls to the sandbox's shorter windows; leave it at 1 for real CRMs.
    """

    public_url: str = "http://127.0.0.1:8700"
    max_body_bytes: int = 1_000_000
    allowed_hosts: tuple[str, ...] = ()
    idempotency_hours: float = 24.0
    refresh_interval: float = 300.0
    key_cache_seconds: float = 5.0
    #: Where webhook deliveries go through (tests route them in-process); ``None``: the network.
    webhook_transport: Any = None
    rate_limit_scale: float = 1.0

    @classmethod
    def from_env(cls, **overrides: object) -> ServiceSettings:
        values: dict[str, object] = {}
        if os.environ.get("CRMBRIDGE_PUBLIC_URL"):
            values["public_url"] = os.environ["CRMBRIDGE_PUBLIC_URL"].rstrip("/")
        if os.environ.get("CRMBRIDGE_MAX_BODY_BYTES"):
            values["max_body_bytes"] = int(os.environ["CRMBRIDGE_MAX_BODY_BYTES"])
        if os.environ.get("CRMBRIDGE_RATE_LIMIT_SCALE"):
            values["rate_limit_scale"] = _positive("CRMBRIDGE_RATE_LIMIT_SCALE")
        if _env_list("CRMBRIDGE_ALLOWED_HOSTS"):
            values["allowed_hosts"] = _env_list("CRMBRIDGE_ALLOWED_HOSTS")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def oauth_callback_url(self) -> str:
        return f"{self.public_url.rstrip('/')}/oauth/callback"
