"""Injected failures: 429 / 500 / 502 responses, timeouts, connection resets and added latency.

A *timeout* is the nasty kind for writes: the sandbox applies the request and then the response is lost,
so a client cannot tell whether its write landed. A *reset* drops the connection before the request is
processed. In-process, both surface through :class:`crmbridge_sandbox.SandboxTransport` as the httpx
exceptions a real network would raise; over a real socket the server hangs or drops the connection.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from typing import Any

from . import numbers

FAULT_KINDS = ("429", "500", "502", "timeout", "reset")
#: Added latency stays below what a client waits for one call; more would hang the sandbox instead.
MAX_LATENCY_MS = 120_000


class SimulatedTimeout(Exception):
    """Raised after the request was applied: the client must never see the response."""


class SimulatedReset(Exception):
    """Raised before the request was applied: the connection dropped."""


@dataclass(slots=True)
class FaultPlan:
    """Per-provider fault probabilities (0..1 each) and added latency in milliseconds."""

    p429: float = 0.0
    p500: float = 0.0
    p502: float = 0.0
    timeout: float = 0.0
    reset: float = 0.0
    latency_ms: float = 0.0

    @classmethod
    def parse(cls, spec: dict[str, Any]) -> FaultPlan:
        """Accept ``{"429": 0.1, "500": 0.05, "timeout": 0.05, "reset": 0.01, "latency_ms": 20}``."""
        aliases = {"429": "p429", "500": "p500", "502": "p502"}
        known = {f.name for f in fields(cls)}
        values: dict[str, float] = {}
        for key, raw in spec.items():
            name = aliases.get(str(key), str(key))
            if name not in known:
                allowed = ", ".join([*FAULT_KINDS, "latency_ms"])
                raise ValueError(f"unknown fault {key!r}; use any of: {allowed}")
            value = numbers.finite(raw, f"fault {key!r}")
            if name != "latency_ms" and not 0.0 <= value <= 1.0:
                raise ValueError(f"fault {key!r} is a probability and must be between 0 and 1, got {value}")
            if name == "latency_ms" and not 0 <= value <= MAX_LATENCY_MS:
                raise ValueError(f"latency_ms must be between 0 and {MAX_LATENCY_MS}, got {value:g}")
            values[name] = value
        plan = cls(**values)
        if plan.p429 + plan.p500 + plan.p502 + plan.timeout + plan.reset > 1.0:
            raise ValueError("fault probabilities of one provider must add up to at most 1")
        return plan

    def as_dict(self) -> dict[str, float]:
        return {
            "429": self.p429,
            "500": self.p500,
            "502": self.p502,
            "timeout": self.timeout,
            "reset": self.reset,
            "latency_ms": self.latency_ms,
        }

    def draw(self, rng: random.Random) -> str | None:
        """Pick at most one fault for a request."""
        roll = rng.random()
        for kind, p in (
            ("429", self.p429),
            ("500", self.p500),
            ("502", self.p502),
            ("timeout", self.timeout),
            ("reset", self.reset),
        ):
            if roll < p:
                return kind
            roll -= p
        return None


class FaultInjector:
    """Holds the current plan per provider; ``{}`` clears everything."""

    def __init__(self, seed: int = 0) -> None:
        self._plans: dict[str, FaultPlan] = {}
        self._rng = random.Random(seed)

    def configure(self, spec: dict[str, Any], providers: tuple[str, ...]) -> dict[str, dict[str, float]]:
        plans: dict[str, FaultPlan] = {}
        seed = None if spec.get("seed") is None else numbers.whole(spec["seed"], "fault 'seed'")
        for provider, plan_spec in spec.items():
            if provider == "seed":
                continue
            if provider not in providers:
                raise ValueError(f"unknown provider {provider!r}; use one of: {', '.join(providers)}")
            if not isinstance(plan_spec, dict):
                raise ValueError(f'faults for {provider!r} must be an object such as {{"500": 0.1}}')
            plans[provider] = FaultPlan.parse(plan_spec)
        self._plans = plans
        if seed is not None:
            self._rng.seed(seed)
        return self.describe()

    def describe(self) -> dict[str, dict[str, float]]:
        return {name: plan.as_dict() for name, plan in self._plans.items()}

    def plan_for(self, provider: str) -> FaultPlan | None:
        return self._plans.get(provider)

    def draw(self, provider: str) -> tuple[str | None, float]:
        """Return (fault kind or None, latency seconds) for one request."""
        plan = self._plans.get(provider)
        if plan is None:
            return None, 0.0
        return plan.draw(self._rng), plan.latency_ms / 1000.0
