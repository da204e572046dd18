"""A schema snapshot as JSON (for the store and the HTTP API) and back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..spec import (
    AssociationType,
    ObjectSchema,
    PipelineSchema,
    PropertyOption,
    PropertySchema,
    SchemaSnapshot,
    StageSchema,
)

__all__ = ["object_json", "property_json", "snapshot_from_json", "snapshot_json"]


def snapshot_json(snapshot: SchemaSnapshot) -> dict[str, Any]:
    return asdict(snapshot)


def object_json(obj: ObjectSchema) -> dict[str, Any]:
    return asdict(obj)


def property_json(prop: PropertySchema) -> dict[str, Any]:
    return asdict(prop)


def _property(raw: dict[str, Any]) -> PropertySchema:
    options = tuple(PropertyOption(**o) for o in raw.get("options") or ())
    return PropertySchema(**{**raw, "options": options})


def _object(raw: dict[str, Any]) -> ObjectSchema:
    return ObjectSchema(**{**raw, "properties": tuple(_property(p) for p in raw.get("properties") or ())})


def _pipeline(raw: dict[str, Any]) -> PipelineSchema:
    return PipelineSchema(**{**raw, "stages": tuple(StageSchema(**s) for s in raw.get("stages") or ())})


def snapshot_from_json(raw: dict[str, Any]) -> SchemaSnapshot:
    return SchemaSnapshot(
        provider=raw["provider"],
        objects=tuple(_object(o) for o in raw.get("objects") or ()),
        pipelines=tuple(_pipeline(p) for p in raw.get("pipelines") or ()),
        associations=tuple(AssociationType(**a) for a in raw.get("associations") or ()),
        discovered_at=raw.get("discovered_at", ""),
        extra=dict(raw.get("extra") or {}),
    )
