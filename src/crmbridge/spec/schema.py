"""What discovery finds in one account: objects (custom ones too), their properties, pipelines and
association types. Plain data, filled by a provider's discovery and read by bindings and skills."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "AssociationType",
    "ObjectSchema",
    "PipelineSchema",
    "PropertyOption",
    "PropertySchema",
    "SchemaSnapshot",
    "StageSchema",
]

PropertyType = Literal["string", "number", "bool", "date", "datetime", "enumeration", "reference", "other"]


@dataclass(frozen=True, slots=True)
class PropertyOption:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class PropertySchema:
    """One field of an object. ``key`` is what the API takes (a Pipedrive custom field's hash key);
    ``name`` what people call it."""

    key: str
    label: str
    type: PropertyType = "string"
    field_type: str = ""
    options: tuple[PropertyOption, ...] = ()
    read_only: bool = False
    unique: bool = False
    required_on_create: bool = False
    custom: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class StageSchema:
    id: str
    label: str
    order: int = 0


@dataclass(frozen=True, slots=True)
class PipelineSchema:
    id: str
    label: str
    object: str
    stages: tuple[StageSchema, ...] = ()


@dataclass(frozen=True, slots=True)
class AssociationType:
    from_object: str
    to_object: str
    type_id: int | None = None
    label: str | None = None
    category: str = ""


@dataclass(frozen=True, slots=True)
class ObjectSchema:
    """A standard or custom object type: ``name`` is what tools take (``contacts``, ``2-123``, ``deals``)."""

    name: str
    label: str
    plural_label: str = ""
    custom: bool = False
    primary_property: str = ""
    properties: tuple[PropertySchema, ...] = ()


@dataclass(frozen=True)
class SchemaSnapshot:
    """One account's schema at one moment; versioned by whoever stores it."""

    provider: str
    objects: tuple[ObjectSchema, ...] = ()
    pipelines: tuple[PipelineSchema, ...] = ()
    associations: tuple[AssociationType, ...] = ()
    discovered_at: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def object(self, name: str) -> ObjectSchema | None:
        return next((o for o in self.objects if o.name == name), None)
