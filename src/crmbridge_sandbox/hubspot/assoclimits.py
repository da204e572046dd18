"""User-enforced association limits (``maxToObjectIds``) and their enforcement on every association write.

A limit belongs to one association type seen from one side: "a deal has at most 2 contacts with the
Decision maker label" says nothing about how many deals a contact may have (that is the inverse type's
own limit). The unlabelled type's limit is the object-level limit; label limits may not exceed it.

HubSpot's wording and code for an association refused by a limit are not in its spec or SDK; the sandbox
answers 400 ``VALIDATION_ERROR`` with subCategory ``crm.associations.ASSOCIATION_LIMIT_EXCEEDED`` and a
message naming the type, the limit and the record (its own choice, see the decision record).
"""

from __future__ import annotations

from .errors import HubSpotError
from .store import AssociationDef, AssociationKind, ObjectType, Portal, Record

#: The highest limit the sandbox accepts: HubSpot caps user limits below the subscription's limits,
#: which the spec does not give; 10,000 is the sandbox's stand-in.
CEILING = 10_000
EXCEEDED = "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"


def limits(portal: Portal, a: ObjectType, b: ObjectType) -> dict[AssociationKind, int]:
    return portal.association_limits.get((a.type_id, b.type_id), {})


def set_limit(portal: Portal, a: ObjectType, b: ObjectType, kind: AssociationKind, value: int | None) -> None:
    pair = portal.association_limits.setdefault((a.type_id, b.type_id), {})
    if value is None:
        pair.pop(kind, None)
    else:
        pair[kind] = value
    if not pair:
        del portal.association_limits[(a.type_id, b.type_id)]


def _used(portal: Portal, a: ObjectType, record_id: int, b: ObjectType, kind: AssociationKind) -> set[int]:
    """Ids of the live ``b`` records ``a``'s record holds with ``kind`` (archived ones are hidden, so free)."""
    table = portal.tables.get(b.type_id)
    records = table.records if table is not None else {}
    return {
        oid
        for oid, kinds in portal.associations.targets((a.type_id, record_id), b.type_id)
        if kind in kinds and oid in records and not records[oid].archived
    }


def _refused(
    a: ObjectType, b: ObjectType, d: AssociationDef, limit: int, record_id: int, who: str | None = None
) -> HubSpotError:
    name = f"{d.category} {d.type_id}" + (f" ({d.label})" if d.label else "")
    return HubSpotError(
        400,
        "VALIDATION_ERROR",
        f"Association limit exceeded: {who or f'{a.singular} {record_id}'} may be associated with at most {limit} "
        f"{b.singular} record{'s' if limit != 1 else ''} with association type {name}.",
        sub_category=EXCEEDED,
        context={
            **({} if who else {"fromObjectId": [str(record_id)]}),
            "typeId": [str(d.type_id)],
            "limit": [str(limit)],
        },
    )


def check(
    portal: Portal, a: ObjectType, ra: Record, b: ObjectType, rb: Record, defs: list[AssociationDef]
) -> None:
    """Refuse (before anything is written) types that would take either record past a limit."""
    forward, backward = limits(portal, a, b), limits(portal, b, a)
    for d in defs:
        limit = forward.get(d.kind)
        if limit is not None and len(_used(portal, a, ra.id, b, d.kind) | {rb.id}) > limit:
            raise _refused(a, b, d, limit, ra.id)
        limit = backward.get(d.inverse_kind)
        if limit is not None and len(_used(portal, b, rb.id, a, d.inverse_kind) | {ra.id}) > limit:
            back = AssociationDef(d.category, d.inverse_id, d.type_id, d.label)
            raise _refused(b, a, back, limit, rb.id)


def check_new(portal: Portal, t: ObjectType, pending: list[tuple[ObjectType, int, AssociationDef]]) -> None:
    """The same check for a record being created with inline associations (it has none yet).

    Each input of a batch create is checked against what is stored when it is read, not against the
    inputs before it in the same batch (a simplification of the sandbox).
    """
    chosen: dict[tuple[str, AssociationDef], set[int]] = {}
    for b, to_id, d in pending:
        chosen.setdefault((b.type_id, d), set()).add(to_id)
    for b, to_id, d in pending:
        limit = limits(portal, t, b).get(d.kind)
        if limit is not None and len(chosen[(b.type_id, d)]) > limit:
            raise _refused(t, b, d, limit, 0, "the new record")
        limit = limits(portal, b, t).get(d.inverse_kind)
        if limit is not None and len(_used(portal, b, to_id, t, d.inverse_kind)) + 1 > limit:
            raise _refused(b, t, AssociationDef(d.category, d.inverse_id, d.type_id, d.label), limit, to_id)
