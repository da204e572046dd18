"""The background refresher: keeps active accounts' tokens fresh and their refresh tokens alive.

Proactive refresh on the call path covers busy accounts; this covers quiet ones. Pipedrive refresh tokens
die after 60 days without use (reference pipedrive-api §1) and the only way back is a full reinstall, so
an account nobody called for weeks must still be refreshed now and then. Each pass goes through the same
single-flight refresh as tool calls, so a pass racing a call (or another worker's pass) costs nothing extra.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Literal

from ..store import AccountRecord, AccountStatus

__all__ = ["DEFAULT_IDLE_REFRESH", "Refresher", "refresh_reason"]

log = logging.getLogger("crmbridge.auth")

#: Refresh an account whose refresh token was last used this long ago, well inside Pipedrive's 60 days.
DEFAULT_IDLE_REFRESH = 30 * 86_400.0

Reason = Literal["expiring", "idle"]


def refresh_reason(record: AccountRecord, now: float, *, horizon: float, idle_after: float) -> Reason | None:
    """Why a background pass should refresh this account now, or ``None``.

    ``expiring``: its access token ends within ``horizon`` seconds (the next pass plus the margin);
    ``idle``: its refresh token has not been used for ``idle_after`` seconds.
    """
    if record.status not in (AccountStatus.ACTIVE, AccountStatus.EXPIRED):
        return None
    creds = record.credentials or {}
    if creds.get("type") != "oauth" or not creds.get("refresh_token"):
        return None
    if float(creds.get("expires_at") or 0.0) - now <= horizon:
        return "expiring"
    if now - float(creds.get("obtained_at") or 0.0) >= idle_after:
        return "idle"
    return None


class Refresher:
    """A daemon thread that calls ``sweep()`` every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, sweep: Callable[[], object], interval: float) -> None:
        if interval <= 0:
            raise ValueError("the refresher interval must be > 0 seconds")
        self.interval = interval
        self._sweep = sweep
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="crmbridge-refresher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._sweep()
            except Exception:  # one bad pass (database down) must not end the thread
                log.exception("background token refresh pass failed")
            self._stop.wait(self.interval)
