"""Which association types exist between two object types, and their inverses.

HubSpot's HUBSPOT_DEFINED ids are a fixed table (the official SDK's ``AssociationType`` enum); custom
objects and user-defined labels add per-portal definitions kept in ``Portal.association_defs``.
"""

from __future__ import annotations

from .store import AssociationDef, ObjectType, Portal

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"

# (a, b, a→b id, b→a id, label). The first unlabelled row of a pair is its default association.
_TABLE: tuple[tuple[str, str, int, int, str | None], ...] = (
    ("contact", "company", 279, 280, None),
    ("contact", "company", 1, 2, "Primary"),
    ("deal", "contact", 3, 4, None),
    ("deal", "company", 341, 342, None),
    ("deal", "company", 5, 6, "Primary"),
    ("ticket", "contact", 16, 15, None),
    ("ticket", "company", 339, 340, None),
    ("ticket", "company", 26, 25, "Primary"),
    ("deal", "ticket", 27, 28, None),
    ("deal", "line_item", 19, 20, None),
    ("deal", "quote", 63, 64, None),
    ("quote", "line_item", 67, 68, None),
    ("quote", "contact", 69, 70, None),
    ("quote", "company", 71, 72, None),
    ("note", "contact", 202, 201, None),
    ("note", "company", 190, 189, None),
    ("note", "deal", 214, 213, None),
    ("note", "ticket", 228, 227, None),
    ("call", "contact", 194, 193, None),
    ("call", "company", 182, 181, None),
    ("call", "deal", 206, 205, None),
    ("call", "ticket", 220, 219, None),
    ("task", "contact", 204, 203, None),
    ("task", "company", 192, 191, None),
    ("task", "deal", 216, 215, None),
    ("task", "ticket", 230, 229, None),
    ("task", "quote", 218, 217, None),
    ("meeting", "contact", 200, 199, None),
    ("meeting", "company", 188, 187, None),
    ("meeting", "deal", 212, 211, None),
    ("meeting", "ticket", 226, 225, None),
    ("email", "contact", 198, 197, None),
    ("email", "company", 186, 185, None),
    ("email", "deal", 210, 209, None),
    ("email", "ticket", 224, 223, None),
    ("company", "company", 13, 14, "Parent Company"),
)


#: The label of a self pair's way back where it differs from the row's label.
_BACK_LABELS = {14: "Child Company"}


def _builtin(a: str, b: str) -> list[AssociationDef]:
    found: list[AssociationDef] = []
    for x, y, forward, backward, label in _TABLE:
        if (x, y) == (a, b):
            found.append(AssociationDef(HUBSPOT_DEFINED, forward, backward, label))
        if (y, x) == (a, b):  # both rows for a self pair: parent → child is 13, child → parent 14
            found.append(
                AssociationDef(HUBSPOT_DEFINED, backward, forward, _BACK_LABELS.get(backward, label))
            )
    return found


def definitions(portal: Portal, a: ObjectType, b: ObjectType) -> list[AssociationDef]:
    """All association types from ``a`` to ``b``; the default (unlabelled) one first."""
    defs = _builtin(a.singular, b.singular) if not (a.custom or b.custom) else []
    defs += portal.association_defs.get((a.type_id, b.type_id), [])
    return sorted(defs, key=lambda d: d.label is not None)


def default_definition(portal: Portal, a: ObjectType, b: ObjectType) -> AssociationDef | None:
    defs = definitions(portal, a, b)
    return defs[0] if defs and defs[0].label is None else None


def find(portal: Portal, a: ObjectType, b: ObjectType, category: str, type_id: int) -> AssociationDef | None:
    return next(
        (d for d in definitions(portal, a, b) if d.category == category and d.type_id == type_id),
        None,
    )


def define(
    portal: Portal, a: ObjectType, b: ObjectType, label: str | None, category: str = USER_DEFINED
) -> AssociationDef:
    """Add an association type between two types (a custom-object pair or a user label), both directions."""
    used = {d.type_id for defs in portal.association_defs.values() for d in defs}
    used |= {d.inverse_id for defs in portal.association_defs.values() for d in defs}
    next_id = max([1000, *used]) + 1
    forward = AssociationDef(category, next_id, next_id if a == b else next_id + 1, label)
    portal.association_defs.setdefault((a.type_id, b.type_id), []).append(forward)
    if a != b:
        backward = AssociationDef(category, forward.inverse_id, forward.type_id, label)
        portal.association_defs.setdefault((b.type_id, a.type_id), []).append(backward)
    return forward
