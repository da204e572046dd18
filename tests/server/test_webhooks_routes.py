"""``/webhooks`` over HTTP: the secret shown once, an account's status change delivered signed, and the
delivery listed with its attempts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from crmbridge.server import ServiceSettings
from crmbridge.webhooks import verify_signature
from tests.durable.dbosutil import shared_runner

from .service_env import PUBLIC, ServiceEnv, build_env, close_env

pytestmark = pytest.mark.anyio


async def test_status_changes_are_delivered_signed_and_listed(tmp_path: Path) -> None:
    received: list[httpx.Request] = []

    async def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    settings = ServiceSettings(
        public_url=PUBLIC, refresh_interval=0, webhook_transport=httpx.MockTransport(receiver)
    )
    env: ServiceEnv = await build_env(tmp_path, settings=settings, durable=shared_runner())
    try:
        bad = await env.api.put(
            "/webhooks", headers=env.headers(), json={"url": "https://hooks.example/x", "events": ["nope"]}
        )
        assert bad.status_code in (400, 422) and "account.status_changed" in bad.text
        r = await env.api.put(
            "/webhooks",
            headers=env.headers(),
            json={"url": "https://hooks.example/crm", "events": ["account.status_changed"]},
        )
        assert r.status_code == 200, r.text
        secret = r.json()["secret"]
        assert secret.startswith("whsec_")
        shown = await env.api.get("/webhooks", headers=env.headers())
        assert shown.status_code == 200 and secret not in shown.text and shown.json()["secret"] is None

        await env.pipedrive_api_key(identifier="u1")  # PENDING -> ACTIVE
        for _ in range(200):
            if len(received) >= 2:
                break
            await asyncio.sleep(0.05)
        for delivery in received:
            verify_signature(secret, delivery.headers["crmbridge-signature"], delivery.content, tolerance=300)
        events = sorted((json.loads(d.content) for d in received), key=lambda e: e["created"])
        assert [e["type"] for e in events] == ["account.status_changed"] * 2
        assert {(e["data"]["previous_status"], e["data"]["status"]) for e in events} == {
            (None, "PENDING"),
            ("PENDING", "ACTIVE"),
        }
        assert {e["data"]["account"]["identifier"] for e in events} == {"u1"}
        delivery = received[0]
        body = delivery.content
        assert secret not in body.decode()

        listed = await env.api.get("/webhooks/deliveries", headers=env.headers())
        assert listed.status_code == 200
        ids = [d["id"] for d in listed.json()["data"]]
        assert delivery.headers["crmbridge-delivery"] in ids
        other = env.new_key("globex")
        assert (await env.api.get("/webhooks/deliveries", headers=env.headers(other))).json()["data"] == []
    finally:
        await close_env(env)
