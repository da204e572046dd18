"""The sandbox's notion of time: wall-clock time plus an offset the tests control.

Token expiry, refresh-token idleness, rate-limit windows and soft-delete purges all read this clock, so
moving it forward (``POST /_sandbox/clock``) ages every one of them consistently.
"""

from __future__ import annotations

import math
import time

#: 2200-01-01 UTC: far beyond any token's life, well inside what dates and timestamps can show.
LATEST = 7_258_118_400.0


class SandboxClock:
    """Seconds since the epoch, movable forward.

    ``frozen=True`` stops the clock at ``start`` so that only :meth:`advance` moves it; tests use that
    for deterministic rate-limit windows. Otherwise time flows and advancing adds an offset.
    """

    def __init__(self, start: float | None = None, *, frozen: bool = False) -> None:
        self._frozen = frozen
        self._origin = time.time() if start is None else start
        self._wall_origin = time.time()
        self._offset = 0.0

    @property
    def frozen(self) -> bool:
        return self._frozen

    @property
    def offset(self) -> float:
        """How far :meth:`advance` has moved the clock, in seconds."""
        return self._offset

    def now(self) -> float:
        if self._frozen:
            return self._origin + self._offset
        return self._origin + (time.time() - self._wall_origin) + self._offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> float:
        """Move time forward (never backward, never past :data:`LATEST`) and return the new now."""
        if not math.isfinite(seconds):
            raise ValueError(f"advance_seconds must be a finite number, got {seconds!r}")
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward; advance_seconds must be >= 0")
        room = LATEST - self.now()
        if seconds > room:
            raise ValueError(
                f"the sandbox clock stops at 2200-01-01 UTC: advance_seconds must be at most {room:.0f} now"
            )
        self._offset += seconds
        return self.now()
