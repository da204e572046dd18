"""``Webhooks``: configure a tenant's endpoint, emit events as signed durable deliveries, list them.

Built once per process over the store and the host's durable runner (the service builds it at
start-up); every method takes the tenant. See ``docs/decisions/016-webhook-signing-and-delivery.md``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from ..errors import ConfigurationError
from ..store import Store
from ..store.webhooks import DeliveryRecord, WebhookEndpointRecord
from .backoff import Backoff
from .delivery import WORKFLOW, Deliverer
from .events import ACCOUNT_STATUS_CHANGED, check_event, validate_events

if TYPE_CHECKING:
    from ..core.models import AccountStatus, ConnectedAccount
    from ..durable import DurableRunner

__all__ = ["DeliveryPage", "EndpointConfig", "Webhooks"]

log = logging.getLogger("crmbridge.webhooks")

MAX_PAGE = 100


@dataclass(frozen=True)
class EndpointConfig:
    """A tenant's endpoint as shown: ``secret`` is set only by the call that issued it (shown once)."""

    url: str
    events: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    secret: str | None = None

    def __repr__(self) -> str:
        shown = "" if self.secret is None else ", secret=<issued>"
        return f"EndpointConfig(url={self.url!r}, events={self.events!r}{shown})"


@dataclass(frozen=True)
class DeliveryPage:
    items: list[DeliveryRecord]
    next_cursor: str | None


def _check_url(url: object) -> str:
    if not isinstance(url, str) or len(url) > 2048:
        raise ConfigurationError("url must be an http(s) URL of at most 2048 characters.", field="url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"url must be an absolute http:// or https:// URL with a host (got {url[:80]!r}).", field="url"
        )
    if parts.username or parts.password:
        raise ConfigurationError(
            "url must not carry credentials; the signature authenticates us.", field="url"
        )
    return url


def _shown(record: WebhookEndpointRecord, issued: bool) -> EndpointConfig:
    return EndpointConfig(
        url=record.url,
        events=record.events,
        created_at=record.created_at,
        updated_at=record.updated_at,
        secret=record.secret if issued else None,
    )


def encode_cursor(record: DeliveryRecord) -> str:
    raw = json.dumps([record.created_at.isoformat(), record.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, delivery_id = json.loads(raw)
        return datetime.fromisoformat(created), str(delivery_id)
    except (binascii.Error, ValueError, TypeError):
        raise ConfigurationError("cursor is not one this API returned.", field="cursor") from None


class Webhooks:
    """Per-tenant webhook endpoints and their signed, durable deliveries.

    ``runner``: the host's durable runner (``crmbridge.durable.launch_dbos(...)``); the delivery
    workflow is registered on it here. ``backoff``: the retry schedule (default: a day).
    """

    def __init__(
        self,
        store: Store,
        runner: DurableRunner,
        *,
        backoff: Backoff | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.runner = runner
        self.deliverer = Deliverer(store, backoff or Backoff(), timeout=timeout, transport=transport)
        runner.register(WORKFLOW, self.deliverer.workflow)

    def __repr__(self) -> str:
        return f"Webhooks(store={self.store!r})"

    # -- the endpoint --------------------------------------------------------------------------

    def configure(
        self, tenant_id: str, url: str, events: list[str], *, rotate_secret: bool = False
    ) -> EndpointConfig:
        """Set the tenant's endpoint. The first configuration (or ``rotate_secret``) issues a signing
        secret, returned once in ``secret``; later ones keep it and return ``secret=None``."""
        checked_url, checked_events = _check_url(url), validate_events(events)
        record, issued = self.store.webhooks.save_endpoint(
            tenant_id,
            checked_url,
            checked_events,
            lambda: "whsec_" + secrets.token_urlsafe(32),
            rotate=rotate_secret,
        )
        return _shown(record, issued)

    def endpoint(self, tenant_id: str) -> EndpointConfig | None:
        record = self.store.webhooks.get_endpoint(tenant_id)
        return None if record is None else _shown(record, False)

    def remove(self, tenant_id: str) -> bool:
        """Delete the endpoint; pending deliveries then end as failed at their next attempt."""
        return self.store.webhooks.delete_endpoint(tenant_id)

    # -- events --------------------------------------------------------------------------------

    def _prepare(
        self, tenant_id: str, event: str, data: dict[str, Any], key: str | None
    ) -> DeliveryRecord | None:
        check_event(event)
        endpoint = self.store.webhooks.get_endpoint(tenant_id)
        if endpoint is None or event not in endpoint.events:
            return None
        if key is None:
            delivery_id = "whd_" + uuid.uuid4().hex
        else:
            digest = hashlib.sha256(f"{tenant_id}\0{event}\0{key}".encode()).hexdigest()
            delivery_id = "whd_" + digest[:32]
        payload = {
            "id": delivery_id,
            "type": event,
            "created": int(self.store.webhooks.now().timestamp()),
            "data": data,
        }
        try:
            json.dumps(payload)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"Webhook data must be JSON: {exc}", field="data") from None
        record, _created = self.store.webhooks.create_delivery(tenant_id, delivery_id, event, payload)
        return record

    def emit(
        self, tenant_id: str, event: str, data: dict[str, Any], *, key: str | None = None
    ) -> DeliveryRecord | None:
        """Deliver ``event`` to the tenant's endpoint if it subscribes to it (else ``None``).

        ``key`` makes the emit idempotent: the same key gives the same delivery, started once.
        """
        record = self._prepare(tenant_id, event, data, key)
        if record is not None:
            self.runner.start(WORKFLOW, f"webhook:{record.id}", tenant_id, record.id)
        return record

    async def aemit(
        self, tenant_id: str, event: str, data: dict[str, Any], *, key: str | None = None
    ) -> DeliveryRecord | None:
        record = await asyncio.to_thread(self._prepare, tenant_id, event, data, key)
        if record is not None:
            await self.runner.astart(WORKFLOW, f"webhook:{record.id}", tenant_id, record.id)
        return record

    def resume_pending(self) -> int:
        """Start the workflow of every unfinished delivery that has none (a crash between recording a
        delivery and starting it); the engine ignores the ones already running. Call at start-up."""
        pending = self.store.webhooks.pending()
        for tenant_id, delivery_id in pending:
            self.runner.start(WORKFLOW, f"webhook:{delivery_id}", tenant_id, delivery_id)
        return len(pending)

    def on_account_status(
        self,
        tenant_id: str,
        account: ConnectedAccount,
        old: AccountStatus | None,
        new: AccountStatus,
        reason: str | None,
    ) -> None:
        """A ``Runtime.on_account_status`` listener: ``account.status_changed`` to subscribed tenants."""
        data = {
            "account": {
                "id": account.id,
                "integration": account.connection_name,
                "identifier": account.identifier,
                "provider": account.provider,
            },
            "previous_status": None if old is None else old.value,
            "status": new.value,
            "reason": reason,
        }
        self.emit(tenant_id, ACCOUNT_STATUS_CHANGED, data)

    # -- history -------------------------------------------------------------------------------

    def deliveries(self, tenant_id: str, cursor: str | None = None, limit: int = 20) -> DeliveryPage:
        """The tenant's deliveries, newest first, each with its attempts; pass ``next_cursor`` on."""
        return self.deliveries_of(self.store, tenant_id, cursor, limit)

    @staticmethod
    def deliveries_of(
        store: Store, tenant_id: str, cursor: str | None = None, limit: int = 20
    ) -> DeliveryPage:
        """:meth:`deliveries` straight from a store (no durable engine needed to read the history)."""
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
            raise ConfigurationError(f"limit must be an integer from 1 to {MAX_PAGE}.", field="limit")
        before = None if not cursor else decode_cursor(cursor)
        rows = store.webhooks.list_deliveries(tenant_id, before=before, limit=limit + 1)
        page, more = rows[:limit], len(rows) > limit
        return DeliveryPage(page, encode_cursor(page[-1]) if more and page else None)

    def delivery(self, tenant_id: str, delivery_id: str) -> DeliveryRecord | None:
        return self.store.webhooks.get_delivery(tenant_id, delivery_id)
