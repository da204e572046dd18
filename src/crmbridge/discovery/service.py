"""Discovery for one tenant: discover an account's schema, keep it versioned, browse and search it.

The routes of the HTTP API are thin calls into this class:
``POST /integrations/{integration}/discover`` → :meth:`Discovery.adiscover`;
``GET .../objects`` → :meth:`objects`; ``GET .../objects/{object}`` → :meth:`object`;
``GET .../search?q=`` → :meth:`search`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from ..errors import InvalidInput, NotFound
from ..spec import ObjectSchema, SchemaSnapshot
from ..store.snapshots import SnapshotRepository
from .codec import object_json, snapshot_from_json, snapshot_json
from .diff import compare
from .reading import Runner, adapter_for, reader
from .search import SchemaIndex

__all__ = ["Discovered", "Discovery", "SnapshotNotFound"]


class SnapshotNotFound(NotFound):
    """No discovery has run for this account yet."""

    code = "schema_not_discovered"


@dataclass(frozen=True)
class Discovered:
    """One stored snapshot: its version, what changed since the version before, and the schema."""

    version: int
    snapshot: SchemaSnapshot
    changes: dict[str, Any]
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The ``discover`` route's answer."""
        objects = self.snapshot.objects
        return {
            "version": self.version,
            "objects": len(objects),
            "customObjects": [o.name for o in objects if o.custom],
            "properties": sum(len(o.properties) for o in objects),
            "pipelines": len(self.snapshot.pipelines),
            "associationTypes": len(self.snapshot.associations),
            "discoveredAt": self.snapshot.discovered_at,
            "changes": self.changes,
            "notes": dict(self.snapshot.extra),
        }


def object_summary(obj: ObjectSchema) -> dict[str, Any]:
    return {"name": obj.name, "label": obj.label, "pluralLabel": obj.plural_label, "custom": obj.custom,
            "properties": len(obj.properties)}  # fmt: skip


class Discovery:
    """``runner_for(connection_name, identifier)`` runs a tool for that account; ``provider_of(connection)``
    names its CRM. Both come from the Bridge (``bridge.discovery``)."""

    def __init__(
        self,
        repository: SnapshotRepository,
        tenant_id: str,
        *,
        runner_for: Callable[[str, str], Runner],
        provider_of: Callable[[str], str],
    ) -> None:
        self.repository = repository
        self.tenant_id = tenant_id
        self.runner_for = runner_for
        self.provider_of = provider_of
        self._indexes: dict[tuple[str, str, int], SchemaIndex] = {}

    async def adiscover(self, connection_name: str, identifier: str) -> Discovered:
        """Read the account's schema through the engine, store it as the next version, report changes."""
        provider = await asyncio.to_thread(self.provider_of, connection_name)
        adapter = adapter_for(provider)
        started = time.perf_counter()
        snapshot = await adapter.discover(reader(self.runner_for(connection_name, identifier)))
        seconds = time.perf_counter() - started
        snapshot = replace(snapshot, discovered_at=datetime.now(UTC).isoformat(timespec="seconds"))
        previous = await asyncio.to_thread(self.latest, connection_name, identifier)
        changes = compare(previous.snapshot if previous else None, snapshot)
        record = await asyncio.to_thread(
            self.repository.add, self.tenant_id, connection_name, identifier,
            provider=provider, snapshot=snapshot_json(snapshot), changes=changes,
        )  # fmt: skip
        return Discovered(record.version, snapshot, changes, seconds)

    def latest(self, connection_name: str, identifier: str, version: int | None = None) -> Discovered | None:
        record = self.repository.get(self.tenant_id, connection_name, identifier, version)
        if record is None:
            return None
        return Discovered(record.version, snapshot_from_json(record.snapshot), record.changes)

    def require(self, connection_name: str, identifier: str) -> Discovered:
        found = self.latest(connection_name, identifier)
        if found is None:
            raise SnapshotNotFound(
                f"No schema has been discovered for {identifier!r} on {connection_name!r} yet: run discovery "
                "first (POST /integrations/{integration}/discover).",
            )
        return found

    def index(self, connection_name: str, identifier: str) -> tuple[Discovered, SchemaIndex]:
        found = self.require(connection_name, identifier)
        key = (connection_name, identifier, found.version)
        if key not in self._indexes:
            self._indexes[key] = SchemaIndex(found.snapshot)
        return found, self._indexes[key]

    def objects(self, connection_name: str, identifier: str) -> list[dict[str, Any]]:
        return [object_summary(o) for o in self.require(connection_name, identifier).snapshot.objects]

    def object(self, connection_name: str, identifier: str, name: str) -> dict[str, Any]:
        """One object with its properties, pipelines and association types; by name or label."""
        found, index = self.index(connection_name, identifier)
        obj = find_object(found.snapshot, name)
        if obj is None:
            close = [h.object.name for h in index.search(name, kinds=("object",), limit=3)]
            raise NotFound(f"No object {name!r} in this account's schema.", field="object", candidates=close)
        out = object_json(obj)
        out["pipelines"] = [object_json_pipeline(p) for p in found.snapshot.pipelines if p.object == obj.name]
        out["associations"] = [
            {"from": a.from_object, "to": a.to_object, "typeId": a.type_id, "label": a.label}
            for a in found.snapshot.associations
            if obj.name in (a.from_object, a.to_object)
        ]
        return out

    def search(
        self, connection_name: str, identifier: str, query: str, *, limit: int = 20, object: str | None = None
    ) -> list[dict[str, Any]]:
        if not query.strip():
            raise InvalidInput("Give a search term (q).", field="q")
        _, index = self.index(connection_name, identifier)
        return [h.to_dict() for h in index.search(query, limit=limit, object=object)]


def object_json_pipeline(p: Any) -> dict[str, Any]:
    return {"id": p.id, "label": p.label, "stages": [{"id": s.id, "label": s.label} for s in p.stages]}


def find_object(snapshot: SchemaSnapshot, name: str) -> ObjectSchema | None:
    """By API name, label or plural label, any case (``cars``, ``Car``, ``2-123``)."""
    wanted = name.casefold()
    for obj in snapshot.objects:
        if wanted in {obj.name.casefold(), obj.label.casefold(), obj.plural_label.casefold()}:
            return obj
    return None
