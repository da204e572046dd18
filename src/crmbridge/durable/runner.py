"""The engine-neutral contract of durable work: what a workflow may do, and how a host starts one.

A workflow is an ``async def workflow(ctx, *args)`` whose arguments are JSON values. It touches the
outside world only through ``ctx.step`` (run once and checkpointed; after a crash it may run again, so a
step must be idempotent at its sink) and waits only through ``ctx.sleep`` (durable: a restart resumes
the wait where it was). Everything else in its body must be deterministic, because an engine replays the
body after a crash and skips the steps that already finished.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar

from ..errors import ConfigurationError

__all__ = ["DurableContext", "DurableRunner", "Workflow", "WorkflowRegistry"]

T = TypeVar("T")


class DurableContext(Protocol):
    """What a running workflow may use."""

    @property
    def workflow_id(self) -> str: ...

    async def step(self, name: str, func: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """Run ``func(*args)`` once and record its (JSON) result; a replay returns the record."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, durably: after a restart only the time left is waited."""
        ...


Workflow = Callable[..., Awaitable[Any]]


class DurableRunner(Protocol):
    """Starts named workflows; the workflow id is the idempotency key (a second start is a no-op)."""

    def register(self, name: str, workflow: Workflow) -> None:
        """Make ``workflow`` startable as ``name`` (before or after launch; recovery waits for it)."""
        ...

    def start(self, name: str, workflow_id: str, *args: Any) -> None:
        """Start ``name(ctx, *args)`` under ``workflow_id`` unless a workflow with that id exists."""
        ...

    async def astart(self, name: str, workflow_id: str, *args: Any) -> None: ...

    def status(self, workflow_id: str) -> str | None:
        """The engine's status word for the workflow (``PENDING``, ``SUCCESS``, ``ERROR``…), or ``None``."""
        ...


class WorkflowRegistry:
    """Workflows by name, shared by a runner and the engine's entry point.

    A crash-recovered workflow can reach the engine before the host has rebuilt the feature that
    registers it (start-up order), so :meth:`wait_for` gives a registration a little time to arrive.
    """

    def __init__(self) -> None:
        self._workflows: dict[str, Workflow] = {}
        self._changed = threading.Condition()

    def register(self, name: str, workflow: Workflow) -> None:
        if not name or not callable(workflow):
            raise ConfigurationError("A durable workflow needs a name and an async callable.")
        with self._changed:
            self._workflows[name] = workflow
            self._changed.notify_all()

    def get(self, name: str) -> Workflow | None:
        return self._workflows.get(name)

    def names(self) -> list[str]:
        return sorted(self._workflows)

    async def wait_for(self, name: str, timeout: float) -> Workflow:
        """The workflow ``name``, waiting up to ``timeout`` seconds for it to be registered."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._workflows.get(name)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise ConfigurationError(
                    f"No durable workflow named {name!r} is registered in this process "
                    f"(known: {', '.join(self.names()) or 'none'}); register it before launching.",
                    allowed=self.names(),
                )
            await asyncio.sleep(0.05)
