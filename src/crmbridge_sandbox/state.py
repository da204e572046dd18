"""A sandbox's accounts, apps, tokens and records kept in a file across restarts (``--state PATH``).

Without it a restarted ``crmbridge sandbox`` mints new portals, companies and tokens, so every connection
saved against the old ones stops working. With it, the sandbox loads the file at start and writes it
after each control-API change, every couple of seconds while CRM calls change data, and on a clean
shutdown. Writes are atomic (a temporary file renamed over the old one), so a crash leaves the previous
state, never half of one.

The file is a short text header and a pickle, the form seed templates already use (``templates.py``).
Rate-limit windows, the request log and injected faults are not kept: they describe one run. A file
that is not a sandbox state, or was written by a sandbox whose data layout differs, is refused with a
message naming it; the sandbox never quietly starts empty in its place. Only classes of the sandbox's
own data model are unpickled.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import io
import json
import logging
import os
import pickle
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .hubspot import store as hubspot_store
from .hubspot import tokens as hubspot_tokens
from .pipedrive import store as pipedrive_store
from .pipedrive import tokens as pipedrive_tokens
from .templates import unpickle

if TYPE_CHECKING:
    from .app import Sandbox

__all__ = ["StateFile", "StateFileError"]

logger = logging.getLogger("crmbridge_sandbox")

MAGIC = b"crmbridge-sandbox-state\n"
FORMAT_VERSION = 1
#: The modules whose classes make up the saved state: the only sandbox classes a state file may name.
DATA_MODULES: tuple[ModuleType, ...] = (hubspot_store, hubspot_tokens, pipedrive_store, pipedrive_tokens)
_SAFE_BUILTINS = {
    ("builtins", name)
    for name in ("dict", "list", "set", "frozenset", "tuple", "int", "float", "str", "bytes")
} | {("collections", "defaultdict"), ("collections", "OrderedDict")}


class StateFileError(Exception):
    """The state file cannot be read or written; the message names the file and what to do."""


def _layout() -> str:
    """A fingerprint of the saved classes' fields: a file written under another layout is refused."""
    shape = []
    for (module, name), cls in sorted(_data_classes().items()):
        if dataclasses.is_dataclass(cls):
            names = [f.name for f in dataclasses.fields(cls)]
        else:
            names = list(getattr(cls, "__slots__", ()))
        shape.append(f"{module}.{name}({','.join(names)})")
    return hashlib.sha256("\n".join(shape).encode()).hexdigest()[:16]


def _data_classes() -> dict[tuple[str, str], type]:
    """The classes the saved state is made of, by (module, name)."""
    return {
        (module.__name__, name): cls
        for module in DATA_MODULES
        for name, cls in vars(module).items()
        if isinstance(cls, type) and cls.__module__ == module.__name__
    }


class _DataUnpickler(pickle.Unpickler):
    """Unpickles the sandbox's data classes and plain containers, nothing else: not the modules those
    files import (``uuid.os.system`` is reachable from a module that imports ``uuid``)."""

    def find_class(self, module: str, name: str) -> Any:
        found = _data_classes().get((module, name))
        if found is not None:
            return found
        if (module, name) in _SAFE_BUILTINS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of the sandbox's data")


class StateFile:
    """Where one sandbox keeps its state. ``seed`` is what its first accounts were seeded with: a file
    written by a sandbox of another seed is refused, since its data is not what that seed makes."""

    def __init__(
        self, path: str | os.PathLike[str], *, seed: int | None = None, interval: float = 2.0
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be > 0")
        self.path = Path(path)
        self.seed = seed
        self.interval = interval

    def __repr__(self) -> str:
        return f"StateFile({str(self.path)!r}, seed={self.seed!r})"

    def exists(self) -> bool:
        return self.path.exists()

    def error(self, why: str) -> StateFileError:
        return StateFileError(f"sandbox state file {self.path}: {why}")

    def read(self) -> dict[str, Any]:
        """The saved state; :class:`StateFileError` for a file that is not one or cannot be used."""
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise self.error(f"cannot be read ({exc.strerror or exc})") from None
        stream = io.BytesIO(raw)
        if stream.readline() != MAGIC:
            raise self.error("is not a sandbox state file; pass another --state path, or remove it")
        try:
            header = json.loads(stream.readline())
            version, layout, seed = header["version"], header["layout"], header.get("seed")
        except (ValueError, KeyError, TypeError):
            raise self.error("has a damaged header; remove it to start afresh") from None
        if version != FORMAT_VERSION or layout != _layout():
            raise self.error(
                "was written by a sandbox of another crmbridge version, whose data does not fit this one; "
                "remove it to start afresh, or run the version that wrote it"
            )
        if self.seed is not None and seed is not None and seed != self.seed:
            raise self.error(
                f"holds accounts seeded with --seed {seed}, not {self.seed}; start with --seed {seed}, "
                "or pass another --state path"
            )
        try:
            state = unpickle_data(stream.read())
        except Exception as exc:  # a truncated or altered pickle fails in many ways
            raise self.error(f"is damaged ({type(exc).__name__}); remove it to start afresh") from None
        if not isinstance(state, dict):
            raise self.error("is damaged (no state inside); remove it to start afresh")
        return state

    def write(self, state: dict[str, Any]) -> None:
        """Replace the file with ``state`` in one step; readable by its owner only (it holds tokens)."""
        header = {"version": FORMAT_VERSION, "layout": _layout(), "seed": self.seed, "saved_at": time.time()}
        blob = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        directory = self.path.parent
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise self.error(f"cannot be written in {directory} ({exc.strerror or exc})") from None
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(MAGIC + json.dumps(header).encode() + b"\n" + blob)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise self.error(f"cannot be written ({exc.strerror or exc})") from None


def unpickle_data(blob: bytes) -> Any:
    """Like :func:`~crmbridge_sandbox.templates.unpickle`, restricted to the sandbox's data classes."""
    if not blob:
        raise EOFError("no data")
    return unpickle(blob, unpickler=_DataUnpickler)


def capture(sandbox: Sandbox) -> dict[str, Any]:
    """What a state file keeps: both CRMs' accounts, apps, tokens and id counters, and the clock's offset."""
    return {
        "clock_offset": sandbox.clock.offset,
        "hubspot": sandbox.hubspot.saved_state(),
        "pipedrive": sandbox.pipedrive.saved_state(),
    }


def restore(sandbox: Sandbox, state: dict[str, Any], file: StateFile) -> None:
    try:
        sandbox.hubspot.restore_state(state["hubspot"])
        sandbox.pipedrive.restore_state(state["pipedrive"])
        offset = float(state["clock_offset"])
    except (KeyError, TypeError, ValueError) as exc:
        raise file.error(f"is damaged ({type(exc).__name__}: {exc}); remove it to start afresh") from None
    if offset > sandbox.clock.offset:
        sandbox.clock.advance(offset - sandbox.clock.offset)


@contextlib.asynccontextmanager
async def autosave(sandbox: Sandbox) -> AsyncIterator[None]:
    """While a served sandbox runs: save its changes every ``interval`` seconds, and once more at the end."""
    file = sandbox.state_file
    if file is None:
        yield
        return

    async def flush_changes() -> None:
        while True:
            await asyncio.sleep(file.interval)
            if sandbox.unsaved_changes:
                sandbox.save_state_quietly()

    task = asyncio.create_task(flush_changes())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sandbox.save_state_quietly()
