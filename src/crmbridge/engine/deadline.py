"""``Deadline``: when one tool call must be over, passed explicitly to every step that can wait.

A stalled CRM would otherwise hold a call for every attempt's whole HTTP timeout; a voice agent needs
its answer in seconds. The HTTP timeout of each attempt, the pause before a retry, the rate limiter's
wait, the resolvers' side requests and the re-check of a lost create all ask the same ``Deadline`` how
much is left (``docs/decisions/012-g6-deadlines.md``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigurationError, DeadlineExceeded

__all__ = ["Deadline", "seconds_option"]


def seconds_option(name: str, value: object, *, finite: bool = False) -> float:
    """``value`` as a positive number of seconds, or a ``ConfigurationError`` saying what was wrong.
    ``finite=False`` lets ``float("inf")`` mean "no bound"."""
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or math.isnan(number) or number <= 0 or (finite and math.isinf(number)):
        kind = "a positive number of seconds" + ("" if finite else ' (float("inf") for none)')
        raise ConfigurationError(f"{name} must be {kind}, not {value!r}.", field=name)
    return float(number)


@dataclass(frozen=True, slots=True)
class Deadline:
    """``seconds`` is the budget the caller gave (for messages); ``expires_at`` is on ``clock``."""

    seconds: float
    expires_at: float
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)

    @classmethod
    def after(cls, seconds: object, *, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """A deadline ``seconds`` from now; a bad value raises ``ConfigurationError`` naming ``deadline``."""
        budget = seconds_option("deadline", seconds)
        return cls(budget, clock() + budget, clock)

    def remaining(self) -> float:
        """Seconds left, never negative (``inf`` for a deadline of ``float("inf")``)."""
        return max(0.0, self.expires_at - self.clock())

    def exceeded(self, what: str, **context: Any) -> DeadlineExceeded:
        """The error for a call that ran out of time while ``what`` was happening."""
        return DeadlineExceeded(
            f"{what}, and this call's {self.seconds:g} s deadline leaves no time for more. It is safe to "
            "try again (with a longer deadline if the CRM is slow).",
            deadline=self.seconds,
            **context,
        )
