"""The sandbox's notion of time: wall-clock time plus an offset the tests control.

Token expiry, refresh-token idleness, rate-limit windows and soft-delete purges all read this clock, so
moving it forward (``POST /_sandbox/clock``) ages every one of them consistently.
"""

from __future__ import annotations

import time


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

    def now(self) -> float:
        if self._frozen:
            return self._origin + self._offset
        return self._origin + (time.time() - self._wall_origin) + self._offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> float:
        """Move time forward (never backward) and return the new now."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward; advance_seconds must be >= 0")
        self._offset += seconds
        return self.now()
