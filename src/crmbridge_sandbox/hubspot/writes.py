"""Creating, updating and archiving records, shared by the single-record and batch routes.

Every write keeps the system properties (``hs_object_id``, create/modify dates) and the property
history that ``propertiesWithHistory`` reads; creates may carry inline associations.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import numbers
from . import assoclimits, assoctypes, validation
from .common import conflict
from .errors import HubSpotError
from .errors import validation as validation_error
from .propdefs import timestamp_names
from .serialize import iso
from .store import AssociationDef, HistoryEntry, ObjectType, Portal, Record


@dataclass(frozen=True, slots=True)
class PendingAssociation:
    """An inline association of a create body, checked before anything is written."""

    to_type: ObjectType
    to_id: int
    definition: AssociationDef


# ---------------------------------------------------------------- lookups


def unique_properties(portal: Portal, object_type: ObjectType) -> list[str]:
    defs = portal.properties.get(object_type.type_id, {})
    return ["hs_object_id", *(n for n, p in defs.items() if p.has_unique_value and not p.archived)]


def check_id_property(portal: Portal, object_type: ObjectType, id_property: str | None) -> str | None:
    """``idProperty`` must name a unique-value property; None/``hs_object_id`` mean the record id."""
    if id_property is None or id_property in ("", "hs_object_id"):
        return None
    allowed = unique_properties(portal, object_type)
    if id_property not in allowed:
        raise validation_error(
            f'Property "{id_property}" is not a unique identifier for {object_type.name}; '
            f"idProperty must be one of: {', '.join(allowed)}"
        )
    return id_property


def _match(id_property: str, value: str) -> str:
    return value.strip().lower() if id_property == "email" else value


def find(
    portal: Portal,
    object_type: ObjectType,
    ref: str,
    id_property: str | None = None,
    *,
    archived: bool = False,
) -> Record | None:
    """The record a path/input id names, by record id or by a unique property value."""
    table = portal.tables[object_type.type_id]
    prop = check_id_property(portal, object_type, id_property)
    if prop is None:
        rid = numbers.id_or_none(ref)
        record = None if rid is None else table.records.get(rid)
        return record if record is not None and record.archived == archived else None
    wanted = _match(prop, str(ref))
    for record in table.records.values():
        if record.archived == archived and _match(prop, record.properties.get(prop, "")) == wanted:
            return record
    return None


def index(portal: Portal, object_type: ObjectType, id_property: str | None) -> dict[str, Record]:
    """Live records keyed by id or by a unique property, for batch lookups."""
    prop = check_id_property(portal, object_type, id_property)
    live = portal.tables[object_type.type_id].live()
    if prop is None:
        return {str(r.id): r for r in live}
    return {_match(prop, r.properties[prop]): r for r in live if r.properties.get(prop)}


def is_live(portal: Portal, type_id: str, record_id: int) -> bool:
    table = portal.tables.get(type_id)
    record = table.records.get(record_id) if table else None
    return record is not None and not record.archived


def owner_table(portal: Portal, record_id: int) -> ObjectType | None:
    """Record ids are unique across the portal, so an id alone names its type."""
    for table in portal.tables.values():
        record = table.records.get(record_id)
        if record is not None and not record.archived:
            return table.type
    return None


# ---------------------------------------------------------------- checks


def unique_conflict(
    portal: Portal, object_type: ObjectType, values: dict[str, str], exclude: int | None = None
) -> HubSpotError | None:
    """409 when a unique value (a contact's e-mail) is already held by another live record."""
    defs = portal.properties.get(object_type.type_id, {})
    for name, value in values.items():
        prop = defs.get(name)
        if prop is None or not prop.has_unique_value or not value:
            continue
        other = find(portal, object_type, value, name)
        if other is not None and other.id != exclude:
            label = "Contact" if object_type.name == "contacts" else object_type.singular.capitalize()
            return conflict(f"{label} already exists. Existing ID: {other.id}")
    return None


def parse_associations(portal: Portal, object_type: ObjectType, raw: Any) -> list[PendingAssociation]:
    """Check ``[{to:{id}, types:[{associationCategory, associationTypeId}]}]`` against live records."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise validation_error("Invalid input JSON: 'associations' must be a list")
    pending: list[PendingAssociation] = []
    for i, item in enumerate(raw):
        to = item.get("to") if isinstance(item, dict) else None
        types = item.get("types") if isinstance(item, dict) else None
        if not isinstance(to, dict) or "id" not in to or not isinstance(types, list) or not types:
            raise validation_error(
                f"associations[{i}] must look like {{'to': {{'id': '123'}}, 'types': "
                "[{'associationCategory': 'HUBSPOT_DEFINED', 'associationTypeId': 202}]}"
            )
        found_id = numbers.id_or_none(to["id"])
        to_id = -1 if found_id is None else found_id
        target = owner_table(portal, to_id)
        if target is None:
            raise validation_error(
                f"associations[{i}]: no record with id {to['id']} exists to associate with"
            )
        for spec in types:
            category = spec.get("associationCategory") if isinstance(spec, dict) else None
            type_id = spec.get("associationTypeId") if isinstance(spec, dict) else None
            type_number = numbers.id_or_none(type_id)
            found = (
                None
                if type_number is None
                else assoctypes.find(portal, object_type, target, str(category), type_number)
            )
            if found is None:
                raise validation_error(
                    f"associations[{i}]: association type {category} {type_id} is not valid from "
                    f"{object_type.singular} to {target.singular} (record {to_id})"
                )
            pending.append(PendingAssociation(target, to_id, found))
    assoclimits.check_new(portal, object_type, [(p.to_type, p.to_id, p.definition) for p in pending])
    return pending


def apply_associations(
    portal: Portal, object_type: ObjectType, record_id: int, pending: list[PendingAssociation]
) -> None:
    for p in pending:
        portal.associations.add(
            (object_type.type_id, record_id),
            (p.to_type.type_id, p.to_id),
            p.definition.kind,
            p.definition.inverse_kind,
        )


# ---------------------------------------------------------------- writes


def _line_item_amount(values: dict[str, str]) -> str | None:
    try:
        quantity = Decimal(values.get("quantity") or "1")
        price = Decimal(values["price"])
        discount = Decimal(values.get("discount") or "0")
    except (KeyError, InvalidOperation):
        return None
    amount = quantity * (price - discount)
    return format(amount.normalize(), "f") if amount == amount.to_integral_value() else str(amount)


def new_record(
    portal: Portal, object_type: ObjectType, values: dict[str, str], now: float, *, source: str = "API"
) -> Record:
    """Store already-valid values as a new record with its system properties; no checks (seeding path)."""
    rid = portal.new_id()
    created, modified = timestamp_names(object_type)
    stamp = iso(now)
    props = {k: v for k, v in values.items() if v != ""}
    props["hs_object_id"] = str(rid)
    props[created] = stamp
    props[modified] = stamp
    if object_type.name == "line_items" and "price" in props:
        amount = _line_item_amount(props)
        if amount is not None:
            props["amount"] = amount
    history = {k: [HistoryEntry(v, now, source)] for k, v in props.items()}
    record = Record(rid, props, now, now, history)
    portal.tables[object_type.type_id].records[rid] = record
    return record


def create(
    portal: Portal, object_type: ObjectType, properties: Any, associations: Any = None, *, now: float
) -> Record:
    """Validate and store one record (400/409 as HubSpot), then its inline associations."""
    values = validation.check(portal, object_type, properties)
    clash = unique_conflict(portal, object_type, values)
    if clash is not None:
        raise clash
    pending = parse_associations(portal, object_type, associations)
    record = new_record(portal, object_type, values, now)
    apply_associations(portal, object_type, record.id, pending)
    return record


def update(portal: Portal, object_type: ObjectType, record: Record, properties: Any, *, now: float) -> Record:
    """Validate and apply a partial update; an empty string clears a value."""
    values = validation.check(portal, object_type, properties, record=record)
    clash = unique_conflict(portal, object_type, values, exclude=record.id)
    if clash is not None:
        raise clash
    apply_update(object_type, record, values, now)
    return record


def apply_update(object_type: ObjectType, record: Record, values: dict[str, str], now: float) -> None:
    for name, value in values.items():
        if value == "":
            record.properties.pop(name, None)
            record.history.setdefault(name, []).insert(0, HistoryEntry("", now))
        elif record.properties.get(name) != value:
            record.set(name, value, now)
    if object_type.name == "line_items" and {"price", "quantity", "discount"} & values.keys():
        amount = _line_item_amount(record.properties)
        if amount is not None and amount != record.properties.get("amount"):
            record.set("amount", amount, now)
    _, modified = timestamp_names(object_type)
    record.updated_at = now
    record.set(modified, iso(now), now)


def archive(record: Record, *, now: float) -> None:
    """Send to the recycle bin: the record and its associations disappear from reads."""
    if not record.archived:
        record.archived = True
        record.archived_at = now
        record.updated_at = now
