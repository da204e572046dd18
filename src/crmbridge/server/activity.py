"""Recent tool calls per tenant, kept in memory for the dashboard's Activity page.

A bounded ring buffer per tenant, written after each call that went through the service (the tool route
and ``/mcp``): appending costs no I/O on the hot path, and memory stays bounded whatever the traffic. The
price (docs/decisions/023): each worker sees only its own calls, and a restart forgets them.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..engine import ToolResult
from ..spec import Tool
from ..toolsets.base import AbstractToolset, Toolset

__all__ = ["ActivityLog", "Call", "RecordingToolset"]


@dataclass(frozen=True, slots=True)
class Call:
    """One finished tool call: what ran, for whom, how it ended and how long it took."""

    at: datetime
    tool: str
    account: str
    via: str
    ok: bool
    duration_ms: float
    error_code: str | None = None


class ActivityLog:
    """The last ``size`` calls of each tenant (thread-safe; calls come from several loops)."""

    def __init__(self, size: int = 500) -> None:
        self.size = size
        self._calls: dict[str, deque[Call]] = {}
        self._lock = threading.Lock()

    def record(
        self, tenant_id: str, tool: str, account: str, via: str, result: ToolResult | None, seconds: float
    ) -> None:
        """``result`` ``None``: the call raised (an internal failure), recorded as ``internal_error``."""
        ok = bool(result is not None and result.ok)
        code = None
        if not ok:
            code = result.error.code if result is not None and result.error is not None else "internal_error"
        call = Call(datetime.now(UTC), tool, account, via, ok, round(seconds * 1000, 1), code)
        with self._lock:
            calls = self._calls.get(tenant_id)
            if calls is None:
                calls = self._calls[tenant_id] = deque(maxlen=self.size)
            calls.append(call)

    def recent(self, tenant_id: str, limit: int = 100) -> list[Call]:
        """Newest first."""
        with self._lock:
            calls = list(self._calls.get(tenant_id, ()))
        return calls[::-1][:limit]

    def per_hour(self, tenant_id: str, hours: int = 12, now: datetime | None = None) -> list[dict[str, Any]]:
        """Calls and errors in each of the last ``hours`` hours, oldest first (the chart's bars)."""
        now = now or datetime.now(UTC)
        top = now.replace(minute=0, second=0, microsecond=0)
        buckets = [{"hour": top.timestamp() - 3600 * i, "calls": 0, "errors": 0} for i in range(hours)][::-1]
        first = buckets[0]["hour"]
        for call in self.recent(tenant_id, self.size):
            index = int((call.at.timestamp() - first) // 3600)
            if 0 <= index < hours:
                buckets[index]["calls"] += 1
                buckets[index]["errors"] += 0 if call.ok else 1
        return buckets


class RecordingToolset(AbstractToolset):
    """A toolset that records each call in the activity log; everything else is the inner toolset's
    (gating and confirmation hooks included)."""

    def __init__(self, inner: Toolset, log: ActivityLog, tenant_id: str, account: str, via: str) -> None:
        self._inner, self._log, self._tenant, self._account, self._via = inner, log, tenant_id, account, via

    def list_tools(self) -> Sequence[Tool]:
        return self._inner.list_tools()

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        started = time.perf_counter()
        result: ToolResult | None = None
        try:
            result = await self._inner.call_tool(name, args)
            return result
        finally:
            self._log.record(
                self._tenant, name, self._account, self._via, result, time.perf_counter() - started
            )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __repr__(self) -> str:
        return f"RecordingToolset({self._inner!r})"
