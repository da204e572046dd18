"""When a failed delivery is tried again: exponential backoff with jitter, within a retry window."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["Backoff"]

#: Our own generator: drawing from the global one would disturb (and be disturbed by) anyone seeding it.
_JITTER = random.Random()


@dataclass(frozen=True)
class Backoff:
    """Attempt ``n`` failed → wait ``min(initial * factor**(n-1), cap)``, less up to ``jitter`` of it at
    random (so receivers that come back are not hit by every sender at once); no attempt starts later
    than ``window`` seconds after the event. The defaults retry for a day, then at most hourly;
    tests scale all of it down."""

    initial: float = 10.0
    factor: float = 2.0
    cap: float = 3600.0
    window: float = 24 * 3600.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if not (self.initial > 0 and self.factor >= 1 and self.cap >= self.initial and self.window > 0):
            raise ValueError("Backoff needs initial > 0, factor >= 1, cap >= initial and window > 0")
        if not 0 <= self.jitter < 1:
            raise ValueError("Backoff jitter is a fraction in [0, 1)")

    def delay(self, failed_attempts: int, rng: random.Random | None = None) -> float:
        base = min(self.initial * self.factor ** max(failed_attempts - 1, 0), self.cap)
        return base * (1 - self.jitter * (rng or _JITTER).random())
