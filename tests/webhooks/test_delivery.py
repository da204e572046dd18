"""Deliveries end to end: a loopback receiver gets signed POSTs; failures are retried with backoff and
every attempt is recorded; history is paginated and tenant-scoped; account status changes are emitted."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import uuid

import pytest

from crmbridge.core import Runtime
from crmbridge.errors import ConfigurationError
from crmbridge.store import AccountStatus, Store
from crmbridge.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, Webhooks, verify_signature
from tests.webhooks.conftest import wait_for_status
from tests.webhooks.receiver import Receiver, running_receiver

EVENT = "account.status_changed"


def test_a_delivery_arrives_signed_with_its_id(webhooks: Webhooks, receiver: Receiver) -> None:
    secret = webhooks.configure("t1", receiver.url, [EVENT]).secret
    assert secret is not None
    delivery = webhooks.emit("t1", EVENT, {"status": "ACTIVE"})
    assert delivery is not None
    wait_for_status(webhooks, "t1", delivery.id, "delivered")
    [request] = receiver.requests
    payload = json.loads(request.body)
    assert payload == {
        "id": delivery.id,
        "type": EVENT,
        "created": payload["created"],
        "data": {"status": "ACTIVE"},
    }
    assert request.headers[DELIVERY_HEADER.lower()] == delivery.id
    header = request.headers[SIGNATURE_HEADER.lower()]
    t = header.split(",")[0].removeprefix("t=")
    independent = hmac.new(secret.encode(), f"{t}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert header.endswith(f"v1={independent}")
    verify_signature(secret, header, request.body)
    done = webhooks.delivery("t1", delivery.id)
    assert done is not None and done.attempts == 1 and done.finished_at is not None
    assert [(a.number, a.status_code, a.error) for a in done.attempt_log] == [(1, 200, None)]


def test_failures_are_retried_with_growing_delays_and_every_attempt_recorded(webhooks: Webhooks) -> None:
    with running_receiver([500, 503, 500]) as receiver:
        webhooks.configure("t1", receiver.url, [EVENT])
        delivery = webhooks.emit("t1", EVENT, {"n": 1})
        assert delivery is not None
        wait_for_status(webhooks, "t1", delivery.id, "delivered")
    done = webhooks.delivery("t1", delivery.id)
    assert done is not None
    assert [a.status_code for a in done.attempt_log] == [500, 503, 500, 200]
    assert done.last_error is None
    # Every retry carried the same id and body; only the signature's timestamp may change.
    assert {r.headers[DELIVERY_HEADER.lower()] for r in receiver.requests} == {delivery.id}
    assert len({r.body for r in receiver.requests}) == 1
    gaps = [b.at - a.at for a, b in zip(receiver.requests, receiver.requests[1:], strict=False)]
    # Backoff 0.05, 0.1, 0.2 s, less up to 20 % jitter: each wait at least 80 % of its base.
    assert gaps[0] >= 0.04 and gaps[1] >= 0.08 and gaps[2] >= 0.16


def test_an_unreachable_receiver_fails_after_the_window_with_errors_recorded(webhooks: Webhooks) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there
    webhooks.deliverer.backoff = type(webhooks.deliverer.backoff)(initial=0.05, cap=0.1, window=0.4, jitter=0)
    webhooks.configure("t1", f"http://127.0.0.1:{port}/hook", [EVENT])
    delivery = webhooks.emit("t1", EVENT, {})
    assert delivery is not None
    wait_for_status(webhooks, "t1", delivery.id, "failed")
    done = webhooks.delivery("t1", delivery.id)
    assert done is not None and done.attempts >= 2 and done.next_attempt_at is None
    assert all(a.status_code is None and a.error and "Connect" in a.error for a in done.attempt_log)
    assert done.last_error == done.attempt_log[-1].error


def test_an_emit_with_a_key_delivers_once(webhooks: Webhooks, receiver: Receiver) -> None:
    key = f"interaction-{uuid.uuid4()}"  # unique: the DBOS system database outlives this test's store
    webhooks.configure("t1", receiver.url, [EVENT])
    first = webhooks.emit("t1", EVENT, {"a": 1}, key=key)
    second = webhooks.emit("t1", EVENT, {"a": 1}, key=key)
    assert first is not None and second is not None and first.id == second.id
    wait_for_status(webhooks, "t1", first.id, "delivered")
    assert receiver.seen == {first.id: 1}
    assert webhooks.resume_pending() == 0


def test_history_is_newest_first_paginated_and_tenant_scoped(webhooks: Webhooks, receiver: Receiver) -> None:
    webhooks.configure("a", receiver.url, [EVENT])
    webhooks.configure("b", receiver.url, [EVENT])
    mine = [webhooks.emit("a", EVENT, {"i": i}) for i in range(5)]
    theirs = [webhooks.emit("b", EVENT, {"i": i}) for i in range(2)]
    ids, cursor = [], None
    while True:
        page = webhooks.deliveries("a", cursor, limit=2)
        ids += [d.id for d in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert ids == [d.id for d in reversed(mine) if d] or sorted(ids) == sorted(d.id for d in mine if d)
    created = [webhooks.delivery("a", i).created_at for i in ids]  # type: ignore[union-attr]
    assert created == sorted(created, reverse=True) and len(ids) == 5
    assert {d.id for d in webhooks.deliveries("b").items} == {d.id for d in theirs if d}
    assert webhooks.delivery("b", ids[0]) is None
    with pytest.raises(ConfigurationError, match="cursor"):
        webhooks.deliveries("a", "not-a-cursor!")
    with pytest.raises(ConfigurationError, match="limit"):
        webhooks.deliveries("a", limit=0)


def test_account_status_changes_reach_subscribed_tenants(
    webhooks: Webhooks, store: Store, receiver: Receiver, tmp_path: object
) -> None:
    runtime = Runtime.__new__(Runtime)  # a runtime over this store, without building a second one
    runtime._status_listeners = []
    runtime.on_account_status(webhooks.on_account_status)
    webhooks.configure("subscribed", receiver.url, [EVENT])
    from crmbridge.core.accounts import Accounts
    from crmbridge.engine import Catalog
    from crmbridge.providers import builtin_providers

    catalog = Catalog(builtin_providers())
    for tenant in ("subscribed", "silent"):
        accounts = Accounts(store, tenant, catalog)
        accounts.listeners.append(lambda *a, t=tenant: runtime.notify_account_status(t, *a))
        accounts.add_connection("hubspot", provider="hubspot")
        accounts.get_or_create("hubspot", "user-1")
        accounts.update("hubspot", "user-1", status=AccountStatus.REVOKED, reason="revoked in the CRM")
    receiver.wait_for(2)
    events = [json.loads(r.body) for r in receiver.requests]
    assert [e["data"]["status"] for e in events] == ["PENDING", "REVOKED"]
    revoked = events[1]["data"]
    assert revoked["previous_status"] == "PENDING" and revoked["reason"] == "revoked in the CRM"
    assert revoked["account"]["identifier"] == "user-1" and revoked["account"]["provider"] == "hubspot"
    assert webhooks.deliveries("silent").items == []
