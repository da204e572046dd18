"""Run in spawned processes by the cross-process single-flight test (importable, hence its own module)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from crmbridge import Bridge
from crmbridge.engine import RetryPolicy
from crmbridge.vault import Vault


class OffsetClock:
    """Wall-clock seconds shifted like the sandbox clock (picklable, unlike a lambda)."""

    def __init__(self, offset: float) -> None:
        self.offset = offset

    def __call__(self) -> float:
        return time.time() + self.offset


def burst(
    db_url: str, key_line: str, data_dir: str, offset: float, tool: str, calls: int, barrier: Any, out: Any
) -> None:
    """One worker: its own Bridge on the shared database, ``calls`` concurrent tool calls at the barrier."""
    bridge = Bridge(
        database_url=db_url,
        data_dir=data_dir,
        vault=Vault.from_string(key_line),
        clock=OffsetClock(offset),
        retry=RetryPolicy(max_attempts=6, base_delay=0.05, max_delay=0.5),
        rate_limit_scale=0.01,  # the test's sandbox runs with windows 100x shorter
    )

    async def run() -> list[Any]:
        barrier.wait(timeout=60)
        results = await asyncio.gather(
            *(bridge.aexecute_tool(identifier="u1", tool_name=tool, tool_input={}) for _ in range(calls))
        )
        await bridge.aclose()
        return list(results)

    try:
        results = asyncio.run(run())
        out.put({"ok": sum(r.ok for r in results), "errors": [r.error.code for r in results if not r.ok][:5]})
    except BaseException as exc:  # report instead of dying silently
        out.put({"ok": 0, "errors": [repr(exc)]})
        raise
    finally:
        bridge.close()
