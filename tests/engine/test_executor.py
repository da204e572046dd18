"""The executor's promise: whatever goes wrong, the caller gets a result, never an exception."""

from __future__ import annotations

import logging

import httpx
import pytest

from crmbridge.auth import ApiKeyAuth
from crmbridge.engine import CallTarget, Engine, HttpCore, executor
from crmbridge.providers import default_catalog

pytestmark = pytest.mark.anyio

TARGET = CallTarget(account_key="t", base_url="https://crm.test", auth=ApiKeyAuth("pat-na1-secret-secret"))


async def test_a_bug_becomes_an_internal_error_result_and_a_logged_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(executor, "plan_request", broken)
    engine = Engine(
        default_catalog(),
        http=HttpCore(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={}))),
    )
    with caplog.at_level(logging.ERROR, logger="crmbridge.engine"):
        result = await engine.execute_named("hubspot_contact_get", {"contact_id": "1"}, TARGET)
    assert result.error is not None and result.error.code == "internal_error"
    assert "ValueError" in result.error.message
    assert any(r.exc_info and r.exc_info[0] is ValueError for r in caplog.records)
