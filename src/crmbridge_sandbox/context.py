"""What every part of the sandbox shares: the clock, the request log, faults, seed templates and tuning knobs."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from .clock import SandboxClock
from .faults import FaultInjector
from .requestlog import RequestLog
from .templates import SeedTemplates


@dataclass(slots=True)
class SandboxContext:
    clock: SandboxClock
    log: RequestLog = field(default_factory=RequestLog)
    faults: FaultInjector = field(default_factory=FaultInjector)
    #: Multiplies every rate-limit window (HubSpot's 10 s and 1 s, Pipedrive's 2 s); 0.01 makes them 100x
    #: shorter for fast tests. Daily budgets are not scaled.
    rate_window_scale: float = 1.0
    #: Transport for requests the sandbox itself sends (Pipedrive's uninstall callback). None = network.
    outbound_transport: httpx.AsyncBaseTransport | None = None
    #: Seeded accounts to copy instead of seeding again (see templates.py); None seeds every account afresh.
    templates: SeedTemplates | None = None

    def outbound_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.outbound_transport, timeout=10.0)
