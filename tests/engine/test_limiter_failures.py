"""A rate limiter that fails never costs a call: before sending, limits fall back to this process (Redis);
after sending, the CRM's answer is returned even if the limiter cannot learn from it."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import httpx
import pytest

from crmbridge import Bridge
from crmbridge.engine.ratelimit import InMemoryRateLimiter, RateLimits
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox
from tests.bridges import USER, Connected

from .test_ratelimit_redis import closed_port_url, redis_warnings


class ForgetfulLimiter(InMemoryRateLimiter):
    """Counts requests, then fails to record their answers (its store went away after the send)."""

    async def observe(
        self, key: str, limits: RateLimits, request: httpx.Request, response: httpx.Response
    ) -> None:
        raise ConnectionError("the limiter's store closed the connection")


def test_a_create_the_crm_applied_is_returned_when_the_limiter_cannot_learn(
    hubspot_bridge: Connected, sandbox: Sandbox
) -> None:
    bridge = hubspot_bridge.bridge
    bridge.engine.http.rate_limiter = ForgetfulLimiter()
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    created = bridge.execute_tool(
        identifier=USER, tool_name="hubspot_contact_create", tool_input={"email": email, "firstname": "Ada"}
    )
    assert created.ok, created.error
    found = bridge.execute_tool(
        identifier=USER, tool_name="hubspot_contacts_search", tool_input={"query": email}
    )
    assert found.ok and found.data["count"] == 1, found


def test_a_bridge_whose_redis_is_down_serves_every_call_with_one_warning(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = sandbox.hubspot.create_portal(seed_value=7).private_app_token
    with Bridge(
        database_url=f"sqlite:///{tmp_path}/bridge.db",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        vault=Vault.from_string(Vault.generate_key()),
        redis_url=closed_port_url(),
    ) as bridge:
        bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
        bridge.connect_api_key(connection_name="hubspot", identifier=USER, api_key=token)
        with caplog.at_level(logging.WARNING, logger="crmbridge"):
            results = [
                bridge.execute_tool(
                    identifier=USER,
                    tool_name="hubspot_contact_create",
                    tool_input={"email": f"{uuid.uuid4().hex[:8]}@example.com"},
                )
                for _ in range(3)
            ] + [bridge.execute_tool(identifier=USER, tool_name="hubspot_owners_list") for _ in range(3)]
    assert [r.error for r in results if not r.ok] == []
    assert len(redis_warnings(caplog)) == 1
