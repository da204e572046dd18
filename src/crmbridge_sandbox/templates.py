"""Seeded accounts kept as templates, so that asking again for the same seed costs a copy, not a seeding.

Seeding a HubSpot portal or a Pipedrive company takes tens of milliseconds (mostly Faker); a test suite
asks for the same seed hundreds of times. The first seeding of a set of seed parameters is kept here as a
pickle, taken before anyone could write to the account; the next request with the same parameters gets
an unpickled copy (a few milliseconds), which the provider then gives a new identity: id, token, domain,
and whatever derives from them (HubSpot custom-object type ids, Pipedrive user ids and e-mail domains).

The data is the same as a fresh seed's: the key holds everything seeding depends on (the seed, the sizes,
the sandbox's UTC day, and for Pipedrive the real date Faker's relative dates are drawn from), and every
copy is a new object graph, so one account's writes never reach another. ``Sandbox(templates=None)``
seeds every account afresh. One :data:`PROCESS_TEMPLATES` is shared by every sandbox of the process by
default: its entries are immutable bytes, safe across sandboxes and threads.
"""

from __future__ import annotations

import gc
import io
import pickle
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

__all__ = ["PROCESS_TEMPLATES", "SeedTemplates", "unpickle"]


def unpickle(blob: bytes, *, unpickler: type[pickle.Unpickler] = pickle.Unpickler) -> Any:
    """``pickle.loads`` (through ``unpickler``) with the garbage collector paused.

    Unpickling a seeded account makes thousands of objects, none of them garbage: collecting while it
    runs only walks the whole heap again and again (3 ms a portal instead of 9 in a full test process).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return unpickler(io.BytesIO(blob)).load()
    finally:
        if collecting:
            gc.enable()


class SeedTemplates:
    """Pickled seeded states by their seed parameters; the least recently used go first.

    ``max_bytes`` leaves large seeds (10,000 contacts) out: they are rare, and keeping them would hold
    tens of megabytes for the life of the process.
    """

    def __init__(self, *, max_entries: int = 32, max_bytes: int = 4_000_000) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("max_entries and max_bytes must be positive")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._pickles: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def copy(self, key: Hashable) -> Any | None:
        """A private copy of the state kept under ``key``, or None when there is none."""
        with self._lock:
            blob = self._pickles.get(key)
            if blob is None:
                self.misses += 1
                return None
            self._pickles.move_to_end(key)
            self.hits += 1
        return unpickle(blob)

    def keep(self, key: Hashable, state: Any) -> None:
        """Keep ``state`` as it is now; later changes to it do not reach the template."""
        blob = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        if len(blob) > self.max_bytes:
            return
        with self._lock:
            self._pickles[key] = blob
            self._pickles.move_to_end(key)
            while len(self._pickles) > self.max_entries:
                self._pickles.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pickles.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._pickles)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._pickles


#: The templates every :class:`~crmbridge_sandbox.Sandbox` of this process shares unless given its own.
PROCESS_TEMPLATES = SeedTemplates()
