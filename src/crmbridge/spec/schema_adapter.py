"""What a provider gives discovery and bindings: how to read its schema, and how to run a binding's
search and writes. Each provider implements it as data plus small functions in its own folder, so neither
``discovery`` nor ``bindings`` ever asks which CRM it is talking to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .schema import ObjectSchema, PropertySchema, SchemaSnapshot
from .tool import Tool

__all__ = ["Condition", "Reader", "SchemaAdapter", "SearchPage", "SearchPlan"]

#: Runs one tool for the account through the engine and returns its data; raises the error it got.
Reader = Callable[[Tool, Mapping[str, Any]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Condition:
    """A filter with its value known (a constant, or the skill's input): ANDed with the others."""

    property: PropertySchema
    operator: str
    value: Any = None


@dataclass(frozen=True, slots=True)
class SearchPlan:
    obj: ObjectSchema
    conditions: tuple[Condition, ...]
    sort: tuple[str, str] | None  # (property key, ASCENDING | DESCENDING)
    limit: int
    properties: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchPage:
    """Records as flat ``{"id", property key: value}``; ``total`` when the CRM says it; ``capped`` when
    more records matched than were returned (never a silent sample)."""

    records: list[dict[str, Any]]
    total: int | None = None
    capped: bool = False


class SchemaAdapter(Protocol):
    provider: str
    #: Most filters one search can AND together.
    max_filters: int

    async def discover(self, read: Reader) -> SchemaSnapshot: ...

    def scopes(self, obj: ObjectSchema, *, write: bool) -> tuple[str, ...]:
        """The OAuth scopes reading (or writing) records of ``obj`` needs."""
        ...

    def search_problems(
        self, obj: ObjectSchema, conditions: Sequence[tuple[PropertySchema, str]], sort: str | None
    ) -> list[tuple[int | None, str]]:
        """What this CRM cannot run: ``(filter index or None for the sort, reason)``."""
        ...

    def search_request(self, plan: SearchPlan) -> dict[str, Any]:
        """The request the search compiles to, for a dry run to show."""
        ...

    async def search(self, read: Reader, plan: SearchPlan) -> SearchPage: ...

    async def create(self, read: Reader, obj: ObjectSchema, values: Mapping[str, Any]) -> dict[str, Any]: ...

    async def update(
        self, read: Reader, obj: ObjectSchema, record_id: str, values: Mapping[str, Any]
    ) -> dict[str, Any]: ...
