"""Associations v4 logic shared by the single-pair and batch routes: specs, labels, listing, JSON shapes.

Rules kept here: every association has an unlabelled (default) type underneath, so adding a label also
adds the default one and removing the default removes them all; associations to archived records are
hidden; types are validated against assoctypes.definitions for the ordered pair of object types.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from .. import numbers
from . import assoclimits, assoctypes
from .auth import sandbox_of
from .errors import HubSpotError, validation
from .serialize import iso
from .store import AssociationDef, AssociationKind, ObjectType, Portal, Record

CATEGORIES = ("HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED")


def now_iso(request: Request) -> str:
    return iso(sandbox_of(request).ctx.clock.now())


def labels(portal: Portal, a: ObjectType, b: ObjectType) -> dict[AssociationKind, str | None]:
    """Every defined kind from ``a`` to ``b`` with its label (None for the unlabelled default)."""
    return {d.kind: d.label for d in assoctypes.definitions(portal, a, b)}


def kinds_json(kinds: set[AssociationKind], named: dict[AssociationKind, str | None]) -> list[dict[str, Any]]:
    """``AssociationSpecWithLabel`` list; kinds whose definition was deleted are left out."""
    ordered = sorted((k for k in kinds if k in named), key=lambda k: (k.category, k.type_id))
    return [k.as_json(named[k]) for k in ordered]


def spec_json(kind: AssociationKind) -> dict[str, Any]:
    return {"associationCategory": kind.category, "associationTypeId": kind.type_id}


def targets(portal: Portal, a: ObjectType, record_id: int, b: ObjectType) -> list[dict[str, Any]]:
    """``MultiAssociatedObjectWithLabel`` entries for one record, live targets only, ascending id."""
    table = portal.tables.get(b.type_id)
    named = labels(portal, a, b)
    found: list[dict[str, Any]] = []
    for oid, kinds in portal.associations.targets((a.type_id, record_id), b.type_id):
        other = table.records.get(oid) if table is not None else None
        types = kinds_json(kinds, named)
        if other is not None and not other.archived and types:
            found.append({"toObjectId": oid, "associationTypes": types})
    return found


def valid_list(portal: Portal, a: ObjectType, b: ObjectType) -> str:
    defs = assoctypes.definitions(portal, a, b)
    if not defs:
        return "none"
    return ", ".join(f"{d.category} {d.type_id}" + (f" ({d.label})" if d.label else "") for d in defs)


def parse_specs(portal: Portal, a: ObjectType, b: ObjectType, raw: Any, where: str) -> list[AssociationDef]:
    """``[{associationCategory, associationTypeId}]`` → definitions; 400 listing the valid ones otherwise."""
    if not isinstance(raw, list) or not raw:
        raise validation(
            f"{where} must be a non-empty JSON array of {{associationCategory, associationTypeId}} objects."
        )
    found: list[AssociationDef] = []
    for i, item in enumerate(raw):
        category = item.get("associationCategory") if isinstance(item, dict) else None
        type_id = item.get("associationTypeId") if isinstance(item, dict) else None
        if category not in CATEGORIES:
            raise validation(
                f"{where}[{i}].associationCategory must be one of {', '.join(CATEGORIES)}, got {category!r}."
            )
        type_number = numbers.whole(type_id, f"{where}[{i}].associationTypeId", low=0)
        definition = assoctypes.find(portal, a, b, str(category), type_number)
        if definition is None:
            raise validation(
                f"{category} association type {type_id} is not valid from {a.singular} to {b.singular}. "
                f"Valid association types: {valid_list(portal, a, b)}."
            )
        found.append(definition)
    return found


def no_default(a: ObjectType, b: ObjectType) -> HubSpotError:
    return validation(f"There is no default association type from {a.singular} to {b.singular}.")


def add(
    portal: Portal, a: ObjectType, ra: Record, b: ObjectType, rb: Record, defs: list[AssociationDef]
) -> None:
    """Store the given types, and the pair's unlabelled type under any labelled one; 400 past a limit."""
    default = assoctypes.default_definition(portal, a, b)
    if default is not None and default not in defs and any(d.label is not None for d in defs):
        defs = [default, *defs]
    assoclimits.check(portal, a, ra, b, rb, defs)
    for d in defs:
        portal.associations.add((a.type_id, ra.id), (b.type_id, rb.id), d.kind, d.inverse_kind)


def add_default(portal: Portal, a: ObjectType, ra: Record, b: ObjectType, rb: Record) -> list[dict[str, Any]]:
    """Add the unlabelled type; the ``PublicDefaultAssociation`` pair, one entry per direction."""
    default = assoctypes.default_definition(portal, a, b)
    if default is None:
        raise no_default(a, b)
    add(portal, a, ra, b, rb, [default])
    return [
        {"from": {"id": str(ra.id)}, "to": {"id": str(rb.id)}, "associationSpec": spec_json(default.kind)},
        {
            "from": {"id": str(rb.id)},
            "to": {"id": str(ra.id)},
            "associationSpec": spec_json(default.inverse_kind),
        },
    ]


def remove(
    portal: Portal, a: ObjectType, ra_id: int, b: ObjectType, rb_id: int, defs: list[AssociationDef]
) -> None:
    """Remove the given types; removing the unlabelled one removes every type between the pair."""
    pa, pb = (a.type_id, ra_id), (b.type_id, rb_id)
    if any(d.label is None for d in defs):
        portal.associations.remove_all(pa, pb)
        return
    for d in defs:
        portal.associations.remove_kind(pa, pb, d.kind, d.inverse_kind)


def pair_json(portal: Portal, a: ObjectType, ra: Record, b: ObjectType, rb: Record) -> dict[str, Any]:
    """``LabelsBetweenObjectPair``: the labels now set between the two records."""
    named = labels(portal, a, b)
    kinds = portal.associations.kinds((a.type_id, ra.id), (b.type_id, rb.id))
    return {
        "fromObjectTypeId": a.type_id,
        "fromObjectId": ra.id,
        "toObjectTypeId": b.type_id,
        "toObjectId": rb.id,
        "labels": sorted(label for k in kinds if (label := named.get(k)) is not None),
    }


def missing(t: ObjectType, raw_id: Any) -> HubSpotError:
    return HubSpotError(404, "OBJECT_NOT_FOUND", f"No {t.singular} with ID {raw_id} exists.")


def batch_error(
    category: str, message: str, context: dict[str, list[str]], sub: str | None = None
) -> dict[str, Any]:
    """One ``StandardError`` of a batch answer (the SDK model requires every one of these fields)."""
    error: dict[str, Any] = {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    }
    if sub is not None:
        error["subCategory"] = sub
    return error
