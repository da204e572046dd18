"""What changed between two snapshots of one account: objects and properties added, removed or changed."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..spec import ObjectSchema, PropertySchema, SchemaSnapshot

__all__ = ["compare", "is_empty"]

#: What a property change reports: the attributes that can break a binding or a skill.
_WATCHED = ("label", "type", "field_type", "options", "read_only", "unique", "required_on_create")


def _property_changes(old: PropertySchema, new: PropertySchema) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _WATCHED:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            if name == "options":
                was = {o.value: o.label for o in before}
                now = {o.value: o.label for o in after}
                out[name] = {
                    "added": sorted(set(now) - set(was)),
                    "removed": sorted(set(was) - set(now)),
                    "relabelled": sorted(v for v in set(was) & set(now) if was[v] != now[v]),
                }
            else:
                out[name] = {"from": before, "to": after}
    return out


def _object_changes(old: ObjectSchema, new: ObjectSchema) -> dict[str, Any]:
    was = {p.key: p for p in old.properties}
    now = {p.key: p for p in new.properties}
    changed = {k: c for k in sorted(set(was) & set(now)) if (c := _property_changes(was[k], now[k]))}
    out: dict[str, Any] = {}
    if added := sorted(set(now) - set(was)):
        out["added_properties"] = added
    if removed := sorted(set(was) - set(now)):
        out["removed_properties"] = removed
    if changed:
        out["changed_properties"] = changed
    if old.label != new.label:
        out["label"] = {"from": old.label, "to": new.label}
    return out


def compare(old: SchemaSnapshot | None, new: SchemaSnapshot) -> dict[str, Any]:
    """``{}`` for a first discovery; else ``added_objects``, ``removed_objects``, ``changed_objects``
    (per object: added, removed and changed properties) and pipelines that changed."""
    if old is None:
        return {}
    was = {o.name: o for o in old.objects}
    now = {o.name: o for o in new.objects}
    out: dict[str, Any] = {}
    if added := sorted(set(now) - set(was)):
        out["added_objects"] = added
    if removed := sorted(set(was) - set(now)):
        out["removed_objects"] = removed
    changed = {k: c for k in sorted(set(was) & set(now)) if (c := _object_changes(was[k], now[k]))}
    if changed:
        out["changed_objects"] = changed
    old_pipes = {p.id: asdict(p) for p in old.pipelines}
    new_pipes = {p.id: asdict(p) for p in new.pipelines}
    if old_pipes != new_pipes:
        out["changed_pipelines"] = sorted(
            k for k in set(old_pipes) | set(new_pipes) if old_pipes.get(k) != new_pipes.get(k)
        )
    return out


def is_empty(changes: dict[str, Any]) -> bool:
    return not changes
