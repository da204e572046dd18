"""A log of every request a sandbox CRM received, for tests that count calls (e.g. token requests)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    provider: str
    method: str
    path: str
    status: int | None
    time: float
    account: str | None = None
    fault: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    """Bounded, thread-safe append-only log; the oldest entries fall off past ``maxlen``."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def query(self, *, provider: str | None = None, path_prefix: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            entries = list(self._entries)
        return [
            e
            for e in entries
            if (provider is None or e.provider == provider)
            and (path_prefix is None or e.path.startswith(path_prefix))
        ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
