"""The ``associations.{type}`` pseudo-property of search: filter records by the ids they are associated with.

``associations.contact EQ 123`` keeps the records associated with contact 123. The matching ids are looked
up once per filter (from the other record's side, since every edge is stored both ways), so evaluating the
filter is a set membership test per record.
"""

from __future__ import annotations

from typing import Any

from .. import numbers
from ..badinput import quoted
from .errors import validation
from .filters import Predicate, as_text, required
from .store import ObjectType, Portal

SUPPORTED = ("EQ", "NEQ", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY")


def _ids(values: list[Any], where: str) -> list[int]:
    ids: list[int] = []
    for value in values:
        found = numbers.id_or_none(as_text(value))
        if found is None:
            raise validation(
                f"{quoted(value)} is not a valid record id for an associations filter (in {where})."
            )
        ids.append(found)
    return ids


def association_filter(
    portal: Portal, object_type: ObjectType, name: str, operator: str, raw: dict[str, Any], where: str
) -> Predicate:
    other = portal.resolve_type(name.partition(".")[2])
    if other is None:
        raise validation(f"Unknown object type in association filter {name!r} (in {where}).")
    if operator not in SUPPORTED:
        raise validation(
            f"Operator {operator} is not supported for {name!r}; use one of: {', '.join(SUPPORTED)}."
        )
    store = portal.associations
    if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        want = operator == "HAS_PROPERTY"
        return lambda r: bool(store.targets((object_type.type_id, r.id), other.type_id)) is want
    if operator in ("EQ", "NEQ"):
        ids = _ids([required(raw, "value", operator, where)], where)
    else:
        values = required(raw, "values", operator, where)
        ids = _ids(values if isinstance(values, list) else [values], where)
    matched = {
        oid for other_id in ids for oid, _ in store.targets((other.type_id, other_id), object_type.type_id)
    }
    if operator in ("EQ", "IN"):
        return lambda r: r.id in matched
    return lambda r: r.id not in matched
