"""The data a HubSpot portal holds: object types, records, associations, and schema definitions.

This module is the shared contract of the HubSpot sandbox; route modules read and write these classes and
keep HubSpot's rules (validation, search semantics, scopes) in their own files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ObjectType:
    type_id: str  # "0-1", "2-1234567"
    name: str  # plural API name: "contacts", "line_items"
    singular: str  # "contact": used in association pseudo-properties and association type tables
    read_scopes: tuple[str, ...]
    write_scopes: tuple[str, ...]
    primary_display: str
    #: properties searched by the free-text ``query`` of the search API
    searchable: tuple[str, ...]
    #: properties returned when a request names none
    default_properties: tuple[str, ...]
    custom: bool = False
    fully_qualified_name: str | None = None

    @property
    def schema_read_scopes(self) -> tuple[str, ...]:
        key = "custom" if self.custom else self.name
        return (*self.read_scopes, f"crm.schemas.{key}.read")


def _crm(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (f"crm.objects.{name}.read", f"crm.objects.{name}.write"), (f"crm.objects.{name}.write",)


def _engagement(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    read = ("crm.objects.contacts.read", "crm.objects.contacts.write", f"crm.objects.{name}.read")
    return read, ("crm.objects.contacts.write",)


def _commerce(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    read, write = _crm(name)
    return (*read, "e-commerce"), (*write, "e-commerce")


_DEFAULT_TIMESTAMPS = ("createdate", "hs_lastmodifieddate", "hs_object_id")


def _t(
    type_id: str,
    name: str,
    singular: str,
    scopes: tuple[tuple[str, ...], tuple[str, ...]],
    primary: str,
    searchable: tuple[str, ...],
    defaults: tuple[str, ...],
) -> ObjectType:
    return ObjectType(type_id, name, singular, scopes[0], scopes[1], primary, searchable, defaults)


BUILTIN_TYPES: tuple[ObjectType, ...] = (
    _t(
        "0-1",
        "contacts",
        "contact",
        _crm("contacts"),
        "email",
        ("firstname", "lastname", "email", "phone", "company", "website", "domain"),
        ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    ),
    _t(
        "0-2",
        "companies",
        "company",
        _crm("companies"),
        "name",
        ("name", "domain", "website", "phone"),
        ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    ),
    _t(
        "0-3",
        "deals",
        "deal",
        _crm("deals"),
        "dealname",
        ("dealname",),
        (
            "amount",
            "closedate",
            "createdate",
            "dealname",
            "dealstage",
            "hs_lastmodifieddate",
            "hs_object_id",
            "pipeline",
        ),
    ),
    _t(
        "0-5",
        "tickets",
        "ticket",
        (("tickets",), ("tickets",)),
        "subject",
        ("subject", "content"),
        (
            "content",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
            "hs_pipeline",
            "hs_pipeline_stage",
            "hs_ticket_category",
            "hs_ticket_priority",
            "subject",
        ),
    ),
    _t(
        "0-46",
        "notes",
        "note",
        _engagement("notes"),
        "hs_note_body",
        ("hs_note_body",),
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
    ),
    _t(
        "0-48",
        "calls",
        "call",
        _engagement("calls"),
        "hs_call_title",
        ("hs_call_title", "hs_call_body"),
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
    ),
    _t(
        "0-27",
        "tasks",
        "task",
        _engagement("tasks"),
        "hs_task_subject",
        ("hs_task_subject", "hs_task_body"),
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
    ),
    _t(
        "0-47",
        "meetings",
        "meeting",
        _engagement("meetings"),
        "hs_meeting_title",
        ("hs_meeting_title", "hs_meeting_body"),
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
    ),
    _t(
        "0-49",
        "emails",
        "email",
        _engagement("emails"),
        "hs_email_subject",
        ("hs_email_subject", "hs_email_text"),
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
    ),
    _t(
        "0-116",
        "postal_mail",
        "postal_mail",
        _engagement("postal_mail"),
        "hs_postal_mail_body",
        ("hs_postal_mail_body",),
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
    ),
    _t(
        "0-7",
        "products",
        "product",
        _commerce("products"),
        "name",
        ("name", "description", "hs_sku"),
        ("createdate", "description", "hs_lastmodifieddate", "hs_object_id", "name", "price"),
    ),
    _t(
        "0-8",
        "line_items",
        "line_item",
        _commerce("line_items"),
        "name",
        ("name",),
        ("amount", "createdate", "hs_lastmodifieddate", "hs_object_id", "name", "price", "quantity"),
    ),
    _t(
        "0-14",
        "quotes",
        "quote",
        _commerce("quotes"),
        "hs_title",
        ("hs_title",),
        ("hs_createdate", "hs_expiration_date", "hs_lastmodifieddate", "hs_object_id", "hs_title"),
    ),
)

CUSTOM_SCOPES: tuple[tuple[str, ...], tuple[str, ...]] = _crm("custom")

ENGAGEMENT_TYPES = frozenset({"notes", "calls", "tasks", "meetings", "emails", "postal_mail"})


@dataclass(slots=True)
class PropertyOption:
    label: str
    value: str
    display_order: int = 0
    hidden: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "displayOrder": self.display_order,
            "hidden": self.hidden,
            "description": "",
        }


@dataclass(slots=True)
class PropertyDef:
    name: str
    label: str
    type: str  # string | number | date | datetime | enumeration | bool | phone_number
    field_type: str  # text | textarea | number | date | select | radio | checkbox | booleancheckbox | ...
    group_name: str
    description: str = ""
    options: list[PropertyOption] = field(default_factory=list)
    has_unique_value: bool = False
    calculated: bool = False
    read_only: bool = False  # modificationMetadata.readOnlyValue
    hubspot_defined: bool = True
    hidden: bool = False
    archived: bool = False
    display_order: int = -1
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass(slots=True)
class Stage:
    id: str
    label: str
    display_order: int
    metadata: dict[str, str]
    archived: bool = False


@dataclass(slots=True)
class Pipeline:
    id: str
    label: str
    display_order: int
    stages: list[Stage]
    archived: bool = False
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass(slots=True)
class Owner:
    id: str
    email: str
    first_name: str
    last_name: str
    user_id: int
    teams: list[dict[str, Any]] = field(default_factory=list)
    type: str = "PERSON"
    archived: bool = False
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass(slots=True)
class HistoryEntry:
    value: str
    timestamp: float
    source_type: str = "API"


@dataclass(slots=True)
class Record:
    id: int
    properties: dict[str, str]
    created_at: float
    updated_at: float
    history: dict[str, list[HistoryEntry]] = field(default_factory=dict)
    archived: bool = False
    archived_at: float | None = None

    def set(self, name: str, value: str, now: float) -> None:
        self.properties[name] = value
        self.history.setdefault(name, []).insert(0, HistoryEntry(value, now))


@dataclass(slots=True)
class ObjectTable:
    type: ObjectType
    records: dict[int, Record] = field(default_factory=dict)

    def live(self) -> list[Record]:
        return [r for r in self.records.values() if not r.archived]


@dataclass(frozen=True, slots=True)
class AssociationDef:
    """One association type between two object types, seen from the ``from`` side."""

    category: str  # HUBSPOT_DEFINED | USER_DEFINED | INTEGRATOR_DEFINED
    type_id: int
    inverse_id: int
    label: str | None = None

    @property
    def kind(self) -> AssociationKind:
        return AssociationKind(self.category, self.type_id)

    @property
    def inverse_kind(self) -> AssociationKind:
        return AssociationKind(self.category, self.inverse_id)


@dataclass(frozen=True, slots=True)
class AssociationKind:
    category: str  # HUBSPOT_DEFINED | USER_DEFINED | INTEGRATOR_DEFINED
    type_id: int

    def as_json(self, label: str | None = None) -> dict[str, Any]:
        return {"category": self.category, "typeId": self.type_id, "label": label}


class AssociationStore:
    """Directed association edges; every edge is stored with its inverse so both sides can list it."""

    __slots__ = ("_edges", "_kinds")  # spelt out: state files fingerprint the fields of what they keep

    def __init__(self) -> None:
        # (from_type_id, from_id) -> (to_type_id, to_id) -> kinds
        self._edges: dict[tuple[str, int], dict[tuple[str, int], set[AssociationKind]]] = defaultdict(dict)
        # One instance per kind: thousands of edges share a few dozen kinds, so a copied portal
        # (templates.py) unpickles each kind once instead of once per edge.
        self._kinds: dict[AssociationKind, AssociationKind] = {}

    def add(
        self, a: tuple[str, int], b: tuple[str, int], kind: AssociationKind, inverse: AssociationKind
    ) -> None:
        kind, inverse = self._kinds.setdefault(kind, kind), self._kinds.setdefault(inverse, inverse)
        self._edges[a].setdefault(b, set()).add(kind)
        self._edges[b].setdefault(a, set()).add(inverse)

    def kinds(self, a: tuple[str, int], b: tuple[str, int]) -> set[AssociationKind]:
        return set(self._edges.get(a, {}).get(b, set()))

    def remove_kind(
        self, a: tuple[str, int], b: tuple[str, int], kind: AssociationKind, inverse: AssociationKind
    ) -> None:
        self._edges.get(a, {}).get(b, set()).discard(kind)
        self._edges.get(b, {}).get(a, set()).discard(inverse)
        for x, y in ((a, b), (b, a)):
            if not self._edges.get(x, {}).get(y, True):
                del self._edges[x][y]

    def remove_all(self, a: tuple[str, int], b: tuple[str, int]) -> None:
        self._edges.get(a, {}).pop(b, None)
        self._edges.get(b, {}).pop(a, None)

    def targets(self, a: tuple[str, int], to_type_id: str) -> list[tuple[int, set[AssociationKind]]]:
        """Associated records of one type, in ascending id order."""
        found = [(oid, set(k)) for (tid, oid), k in self._edges.get(a, {}).items() if tid == to_type_id and k]
        return sorted(found, key=lambda item: item[0])

    def move_record(self, old: tuple[str, int], new: tuple[str, int]) -> None:
        """Give ``new`` every edge of ``old`` (both directions, labels kept), then drop ``old`` (a merge)."""
        for target, kinds in list(self._edges.get(old, {}).items()):
            if target == new:
                continue
            back = self._edges.get(target, {}).get(old, set())
            self._edges[new].setdefault(target, set()).update(kinds)
            self._edges[target].setdefault(new, set()).update(back)
        self.drop_record(old)

    def drop_record(self, a: tuple[str, int]) -> None:
        for b in list(self._edges.get(a, {})):
            self.remove_all(a, b)
        self._edges.pop(a, None)

    def retype(self, type_ids: Mapping[str, str]) -> None:
        """Rename object type ids in every edge (a copied portal's custom objects get the copy's ids)."""

        def renamed(end: tuple[str, int]) -> tuple[str, int]:
            return type_ids.get(end[0], end[0]), end[1]

        edges = self._edges
        self._edges = defaultdict(dict)
        for a, targets in edges.items():
            self._edges[renamed(a)] = {renamed(b): kinds for b, kinds in targets.items()}


@dataclass(slots=True)
class CustomSchema:
    """A custom object definition; its records live in ``Portal.tables[object_type.type_id]``."""

    object_type: ObjectType
    labels: dict[str, str]
    required_properties: list[str]
    searchable_properties: list[str]
    secondary_display_properties: list[str]
    associated_type_ids: list[str]
    created_at: float = 0.0
    updated_at: float = 0.0
    archived: bool = False
    description: str | None = None
    #: association type id -> the name given when it was defined through the schemas API
    association_names: dict[int, str] = field(default_factory=dict)


@dataclass
class Portal:
    """One HubSpot account (hub)."""

    id: int
    tier: str  # free | starter | professional | enterprise
    private_app_token: str
    created_at: float
    time_zone: str = "US/Eastern"
    domain: str = ""
    tables: dict[str, ObjectTable] = field(default_factory=dict)
    associations: AssociationStore = field(default_factory=AssociationStore)
    #: type_id -> property name -> definition
    properties: dict[str, dict[str, PropertyDef]] = field(default_factory=dict)
    #: type_id -> pipelines (deals "0-3" and tickets "0-5")
    pipelines: dict[str, list[Pipeline]] = field(default_factory=dict)
    owners: list[Owner] = field(default_factory=list)
    schemas: dict[str, CustomSchema] = field(default_factory=dict)
    #: (from type_id, to type_id) -> association definitions beyond HubSpot's built-in table
    #: (custom-object pairs and user-defined labels); see assoctypes.py
    association_defs: dict[tuple[str, str], list[AssociationDef]] = field(default_factory=dict)
    #: (from type_id, to type_id) -> association kind -> userEnforcedMaxToObjectIds (assoclimits.py)
    association_limits: dict[tuple[str, str], dict[AssociationKind, int]] = field(default_factory=dict)
    #: "type_id/pipeline_id[/stage_id]" -> audit entries of pipeline and stage writes (pipelinewrites.py)
    audits: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: type_id -> group name -> {name, label, displayOrder, archived}: groups created or edited through the
    #: API (groups no one touched are derived from the properties; see properties.groups)
    property_groups: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    _next_id: int = 1001

    def __post_init__(self) -> None:
        for t in BUILTIN_TYPES:
            self.tables.setdefault(t.type_id, ObjectTable(t))

    def new_id(self) -> int:
        value = self._next_id
        self._next_id += 1
        return value

    def object_types(self) -> list[ObjectType]:
        return [table.type for table in self.tables.values()]

    def resolve_type(self, ref: str) -> ObjectType | None:
        """Find a type by API name, singular, type id ("0-1", "2-…") or fully qualified name ("p123_cars")."""
        key = ref.strip().lower()
        for table in self.tables.values():
            t = table.type
            if t.custom and getattr(self.schemas.get(t.type_id), "archived", False):
                continue  # a deleted custom object is gone from every record route
            if key in (t.type_id, t.name, t.singular) or (
                t.fully_qualified_name is not None and key == t.fully_qualified_name.lower()
            ):
                return t
        return None

    def table(self, ref: str) -> ObjectTable | None:
        t = self.resolve_type(ref)
        return self.tables[t.type_id] if t else None
