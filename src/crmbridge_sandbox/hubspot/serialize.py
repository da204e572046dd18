"""HubSpot's JSON shapes for records (``SimplePublicObject`` and friends)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from .store import ObjectType, Record

#: Returned with every record whatever properties were asked for.
ALWAYS = ("hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate", "hs_createdate")


def iso(ts: float) -> str:
    """Epoch seconds → HubSpot's ISO form, e.g. ``2026-03-10T23:04:41.164Z``."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def split_names(raw: str | Iterable[str] | None) -> list[str] | None:
    """Accept ``a,b`` or repeated values; None when nothing was asked."""
    if raw is None:
        return None
    items = [raw] if isinstance(raw, str) else list(raw)
    names = [n.strip() for item in items for n in item.split(",") if n.strip()]
    return names or None


def record_json(
    record: Record,
    object_type: ObjectType,
    properties: Iterable[str] | None = None,
    *,
    with_history: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Render a record; ``properties`` None means the type's default properties."""
    wanted = list(object_type.default_properties if properties is None else properties)
    names = list(dict.fromkeys([*wanted, *(n for n in ALWAYS if n in record.properties)]))
    body: dict[str, Any] = {
        "id": str(record.id),
        "properties": {name: record.properties.get(name) for name in names},
        "createdAt": iso(record.created_at),
        "updatedAt": iso(record.updated_at),
        "archived": record.archived,
    }
    if record.archived and record.archived_at is not None:
        body["archivedAt"] = iso(record.archived_at)
    if with_history:
        body["propertiesWithHistory"] = {
            name: [
                {"value": h.value, "timestamp": iso(h.timestamp), "sourceType": h.source_type}
                for h in record.history.get(name, [])
            ]
            for name in with_history
        }
    return body
