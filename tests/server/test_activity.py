"""The in-process activity log: bounded per tenant, newest first, bucketed per hour; calls through the
tool route and ``/mcp`` land in it, and a call that raises is recorded as an internal error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crmbridge.engine import ToolResult
from crmbridge.server.activity import ActivityLog, RecordingToolset
from crmbridge.toolsets.functions import FunctionToolset

from .service_env import ServiceEnv
from .test_mcp_endpoint import _session

pytestmark = pytest.mark.anyio


def test_the_log_is_bounded_per_tenant_and_newest_first() -> None:
    log = ActivityLog(size=3)
    for i in range(5):
        log.record("a", f"t{i}", "x/u", "http", ToolResult(f"t{i}", True, data={}), 0.0123)
    log.record("b", "other", "x/u", "http", None, 0.001)
    assert [c.tool for c in log.recent("a")] == ["t4", "t3", "t2"]
    assert log.recent("a")[0].duration_ms == 12.3
    (only,) = log.recent("b")
    assert only.ok is False and only.error_code == "internal_error"


def test_calls_and_errors_per_hour() -> None:
    log = ActivityLog()
    log.record("a", "t", "x/u", "http", ToolResult("t", True, data={}), 0.01)
    log.record("a", "t", "x/u", "http", None, 0.01)
    now = datetime.now(UTC)
    buckets = log.per_hour("a", hours=3, now=now)
    assert len(buckets) == 3 and buckets[-1]["calls"] == 2 and buckets[-1]["errors"] == 1
    assert log.per_hour("a", hours=3, now=now + timedelta(hours=5))[-1]["calls"] == 0


async def test_a_raising_toolset_is_recorded_and_the_error_propagates() -> None:
    inner = FunctionToolset()

    @inner.function(read_only=True)
    def boom() -> dict[str, Any]:
        "Always fails."
        raise RuntimeError("no")

    log = ActivityLog()
    recorded = RecordingToolset(inner, log, "a", "x/u", "mcp")
    assert [t.name for t in recorded.list_tools()] == ["boom"]
    try:
        result = await recorded.call_tool("boom", {})
    except RuntimeError:
        result = None
    (call,) = log.recent("a")
    assert call.tool == "boom" and call.via == "mcp"
    assert call.ok is (result is not None and result.ok)


async def test_tool_route_and_mcp_calls_are_recorded(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    r = await env.api.post(
        "/tools/pipedrive_pipelines_list/execute",
        headers=env.headers(),
        json={"identifier": "u1", "input": {}},
    )
    assert r.status_code == 200 and r.json()["ok"] is True
    headers = {**env.headers(), "X-Crmbridge-Identifier": "u1", "X-Crmbridge-Integration": "pipedrive"}
    async with _session(env, headers) as session:
        await session.call_tool("pipedrive_pipelines_list", {})
    calls = env.app.state.service.activity.recent("acme")
    assert [(c.via, c.tool, c.account, c.ok) for c in calls] == [
        ("mcp", "pipedrive_pipelines_list", "pipedrive/u1", True),
        ("http", "pipedrive_pipelines_list", "*/u1", True),
    ]
    assert env.app.state.service.activity.recent("other") == []
