"""Small helpers shared by the HubSpot resolvers: matching keys, property value text, object names."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["SINGULAR", "as_text", "key", "now_ms", "search_body", "words"]

#: API object name → what messages call one record.
SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "notes": "note",
    "tasks": "task",
    "tickets": "ticket",
}

# Letters and digits of any script ("Выиграна", "成交") count; punctuation, spaces and "_" do not.
_NOT_ALNUM = re.compile(r"[\W_]+")


def key(text: Any) -> str:
    """A matching key: case-folded, letters and digits only ("Closed-Won" == "closed won" == "closedwon")."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", str(text)).casefold())


def words(text: Any) -> list[str]:
    return [w for w in _NOT_ALNUM.split(unicodedata.normalize("NFKC", str(text)).casefold()) if w]


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
