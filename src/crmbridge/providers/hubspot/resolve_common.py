"""Small helpers shared by the HubSpot resolvers: property value text, object names, search bodies.

Names are matched by :mod:`crmbridge.engine.matching`, as for every provider.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SINGULAR", "SYSTEM_PROPERTIES", "as_text", "now_ms", "search_body"]

#: API object name → what messages call one record.
SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "notes": "note",
    "tasks": "task",
    "tickets": "ticket",
}


#: What HubSpot sets on every record and returns with every read: an echoed record carries them, and a
#: write leaves them out rather than be refused for them.
SYSTEM_PROPERTIES = frozenset(
    {"hs_object_id", "createdate", "hs_createdate", "lastmodifieddate", "hs_lastmodifieddate"}
)


def as_text(value: Any) -> str:
    """A property value as HubSpot stores it: strings; ``true``/``false``; whole floats without ``.0``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def now_ms() -> str:
    import time

    return str(int(time.time() * 1000))


def search_body(
    filters: list[list[dict[str, Any]]] | None = None,
    *,
    query: str | None = None,
    properties: list[str] | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    body: dict[str, Any] = {"limit": limit}
    if filters:
        body["filterGroups"] = [{"filters": group} for group in filters]
    if query:
        body["query"] = query
    if properties:
        body["properties"] = properties
    return body
