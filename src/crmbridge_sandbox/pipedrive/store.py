"""The data a Pipedrive company holds; the shared contract of the Pipedrive sandbox's route modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Soft-deleted v2 entities stay readable (``is_deleted: true``) this long, then are purged for good.
RETENTION_SECONDS = 30 * 86_400


@dataclass(slots=True)
class User:
    id: int
    name: str
    email: str
    is_admin: bool = True
    active: bool = True
    created: float = 0.0
    phone: str | None = None


@dataclass(slots=True)
class EntityTable:
    """Rows of one entity type as plain dicts, in their API (v2) shape, keyed by id.

    Soft-deleted rows keep ``is_deleted: True`` and a ``deleted_at`` clock time until purged.
    Keys starting with ``_`` are sandbox bookkeeping and never rendered.
    """

    rows: dict[Any, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1

    def new_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def live(self) -> list[dict[str, Any]]:
        return [r for r in self.rows.values() if not r.get("is_deleted")]

    def purge(self, now: float) -> None:
        """Drop rows soft-deleted more than 30 days ago; called lazily on every access."""
        cutoff = now - RETENTION_SECONDS
        dead = [k for k, r in self.rows.items() if r.get("is_deleted") and r.get("deleted_at", now) <= cutoff]
        for key in dead:
            del self.rows[key]

    def get(self, key: Any, now: float) -> dict[str, Any] | None:
        """The row (soft-deleted or not) unless it never existed or was purged."""
        self.purge(now)
        return self.rows.get(key)

    def get_live(self, key: Any) -> dict[str, Any] | None:
        row = self.rows.get(key)
        return None if row is None or row.get("is_deleted") else row


@dataclass(slots=True)
class FieldDef:
    """One field of an entity (v2 fields API shape); custom fields carry a 40-char hash code."""

    field_code: str
    field_name: str
    field_type: str
    is_custom_field: bool = False
    options: list[dict[str, Any]] | None = None
    is_optional_response_field: bool = False
    id: int = 0
    description: str | None = None
    #: ``ui_visibility`` / ``important_fields`` / ``required_fields`` a field write set (else defaults)
    settings: dict[str, Any] = field(default_factory=dict)
    #: v1's metadata: clock times and user ids of the last writes (None: as old as the company, by its admin)
    add_time: float | None = None
    update_time: float | None = None
    created_by: int | None = None
    updated_by: int | None = None


ENTITIES = (
    "deals",
    "persons",
    "organizations",
    "activities",
    "products",
    "pipelines",
    "stages",
    "leads",
    "notes",
    "product_variations",
    "note_comments",
)


@dataclass
class Company:
    id: int
    domain: str  # company_domain: the sandbox api_domain ends with /pipedrive/<domain>
    name: str
    plan: str  # lite | growth | premium | ultimate
    created_at: float
    seats: int = 1
    currency: str = "USD"
    users: dict[int, User] = field(default_factory=dict)
    api_tokens: dict[str, int] = field(default_factory=dict)  # token -> user id
    tables: dict[str, EntityTable] = field(default_factory=dict)
    #: entity ("deal", "person", "organization", "product", "activity") -> fields, in display order
    fields: dict[str, list[FieldDef]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ENTITIES:
            self.tables.setdefault(name, EntityTable())

    def admin(self) -> User:
        return next(iter(self.users.values()))

    def custom_fields(self, entity: str) -> list[FieldDef]:
        return [f for f in self.fields.get(entity, []) if f.is_custom_field]
