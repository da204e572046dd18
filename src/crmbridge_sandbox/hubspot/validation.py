"""Property value validation the way HubSpot does it: every bad value is collected into one 400 whose
message embeds the list of property errors as JSON.

``check`` returns the values normalised to the strings HubSpot would store (lower-case e-mails, ISO
datetimes, ``YYYY-MM-DD`` dates, ``true``/``false``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import HubSpotError, validation
from .propdefs import INTEGER_PROPERTIES
from .serialize import iso
from .store import ENGAGEMENT_TYPES, ObjectType, Portal, PropertyDef, Record

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

#: object type id → (pipeline property, stage property, default pipeline id)
PIPELINE_PROPS: dict[str, tuple[str, str, str]] = {
    "0-3": ("pipeline", "dealstage", "default"),
    "0-5": ("hs_pipeline", "hs_pipeline_stage", "0"),
}
#: Properties a create must carry, per built-in type (custom objects use their schema's list).
REQUIRED_ON_CREATE: dict[str, tuple[str, ...]] = {
    **{name: ("hs_timestamp",) for name in ENGAGEMENT_TYPES},
    "deals": ("dealstage",),
    "tickets": ("hs_pipeline_stage",),
}


class PropertyError(Exception):
    """One invalid property value, in HubSpot's ``{isValid, message, error, name}`` form."""

    def __init__(self, name: str, error: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.item: dict[str, Any] = {
            "isValid": False,
            "message": message,
            "error": error,
            "name": name,
            "localizedErrorMessage": message,
            **extra,
        }


def invalid(errors: list[PropertyError]) -> HubSpotError:
    items = json.dumps([e.item for e in errors], separators=(",", ":"))
    return validation(f"Property values were not valid: {items}")


def coerce(name: str, value: Any) -> str:
    """HubSpot takes strings but coerces JSON numbers and booleans; nulls clear the value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise validation(
        f"Invalid input JSON: the value of property {name!r} must be a string, number or boolean, "
        f"got {type(value).__name__}"
    )


def parse_instant(raw: str) -> datetime | None:
    """Epoch milliseconds or ISO 8601 (a bare date means midnight UTC)."""
    text = raw.strip()
    if re.fullmatch(r"-?\d{1,15}", text):
        try:
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        except (ValueError, OverflowError, OSError):  # before year 1 or after 9999
            return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _number(prop: PropertyDef, value: str) -> str:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        code = "INVALID_INTEGER" if prop.name in INTEGER_PROPERTIES else "INVALID_DECIMAL"
        raise PropertyError(prop.name, code, f'"{value}" is not a valid number for property "{prop.name}"')
    if prop.name in INTEGER_PROPERTIES and number != number.to_integral_value():
        raise PropertyError(
            prop.name, "INVALID_INTEGER", f'"{value}" is not a whole number; "{prop.name}" takes integers'
        )
    return value.strip()


def _date(prop: PropertyDef, value: str) -> str:
    when = parse_instant(value)
    if when is None:
        raise PropertyError(
            prop.name,
            "INVALID_DATE",
            f'"{value}" is not a valid date for "{prop.name}": use YYYY-MM-DD or epoch milliseconds at midnight UTC',
        )
    when = when.astimezone(UTC)
    if (when.hour, when.minute, when.second, when.microsecond) != (0, 0, 0, 0):
        raise PropertyError(
            prop.name,
            "INVALID_DATE",
            f"{value} is at {when.hour}:{when.minute}:{when.second}.{when.microsecond // 1000} UTC, not midnight!",
        )
    return when.date().isoformat()


def _datetime(prop: PropertyDef, value: str) -> str:
    when = parse_instant(value)
    if when is None:
        raise PropertyError(
            prop.name,
            "INVALID_DATETIME",
            f'"{value}" is not a valid datetime for "{prop.name}": use ISO 8601 or epoch milliseconds',
        )
    return iso(when.timestamp())


def _options(prop: PropertyDef, value: str) -> str:
    allowed = [o.value for o in prop.options if not o.hidden]
    parts = value.split(";") if prop.field_type == "checkbox" else [value]
    for part in parts:
        if part not in allowed:
            raise PropertyError(
                prop.name,
                "INVALID_OPTION",
                f'"{part}" was not one of the allowed options for "{prop.name}": [{", ".join(allowed)}]',
                allowedOptions=allowed,
            )
    return value


def _bool(prop: PropertyDef, value: str) -> str:
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise PropertyError(
            prop.name, "INVALID_OPTION", f'"{value}" was not one of the allowed options: [true, false]'
        )
    return lowered


def _text(prop: PropertyDef, value: str) -> str:
    return value


_BY_TYPE: dict[str, Callable[[PropertyDef, str], str]] = {
    "number": _number,
    "date": _date,
    "datetime": _datetime,
    "enumeration": _options,
    "bool": _bool,
    "string": _text,
    "phone_number": _text,
}


def _value(portal: Portal, object_type: ObjectType, prop: PropertyDef, value: str) -> str:
    if prop.name == "hubspot_owner_id":
        if value not in {o.id for o in portal.owners if not o.archived}:
            raise PropertyError(prop.name, "INVALID_OWNER_ID", f"{value} is not a valid owner id")
        return value
    if object_type.type_id in PIPELINE_PROPS and prop.name in PIPELINE_PROPS[object_type.type_id][:2]:
        return value  # checked together with its pipeline below
    if object_type.name == "contacts" and prop.name == "email":
        if not _EMAIL.match(value.strip()):
            raise PropertyError(prop.name, "INVALID_EMAIL", f"Email address {value} is invalid")
        return value.strip().lower()
    return _BY_TYPE.get(prop.type, _text)(prop, value)


def _pipeline(
    portal: Portal,
    object_type: ObjectType,
    values: dict[str, str],
    current: Mapping[str, str],
    creating: bool,
) -> None:
    """A stage must belong to the record's pipeline; creates get the default pipeline when none is given."""
    pipe_prop, stage_prop, default = PIPELINE_PROPS[object_type.type_id]
    if not creating and pipe_prop not in values and stage_prop not in values:
        return
    if creating and not values.get(pipe_prop):
        values[pipe_prop] = default
    pipeline_id = values.get(pipe_prop, current.get(pipe_prop, default)) or default
    pipelines = [p for p in portal.pipelines.get(object_type.type_id, []) if not p.archived]
    pipeline = next((p for p in pipelines if p.id == pipeline_id), None)
    if pipeline is None:
        ids = [p.id for p in pipelines]
        raise PropertyError(
            pipe_prop,
            "INVALID_OPTION",
            f'"{pipeline_id}" was not one of the allowed options for "{pipe_prop}": [{", ".join(ids)}]',
            allowedOptions=ids,
        )
    stage = values.get(stage_prop, current.get(stage_prop))
    stages = [s.id for s in pipeline.stages if not s.archived]
    if stage and stage not in stages:
        raise PropertyError(
            stage_prop,
            "INVALID_OPTION",
            f'"{stage}" is not a valid {stage_prop} for pipeline "{pipeline.id}" ({pipeline.label}); '
            f"valid stages: [{', '.join(stages)}]",
            allowedOptions=stages,
        )


def required_on_create(portal: Portal, object_type: ObjectType) -> tuple[str, ...]:
    schema = portal.schemas.get(object_type.type_id)
    if schema is not None:
        return tuple(schema.required_properties)
    return REQUIRED_ON_CREATE.get(object_type.name, ())


def check(
    portal: Portal, object_type: ObjectType, raw: Any, *, record: Record | None = None
) -> dict[str, str]:
    """Validate a create (``record`` None) or an update of ``record``; return the values to store."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise validation("Invalid input JSON: 'properties' must be an object of property names to values")
    defs = portal.properties.get(object_type.type_id, {})
    creating = record is None
    current = {} if record is None else record.properties
    values: dict[str, str] = {}
    errors: list[PropertyError] = []
    for name, given in raw.items():
        text = coerce(name, given)
        prop = defs.get(name)
        try:
            if prop is None or prop.archived:
                raise PropertyError(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
            if prop.read_only:
                raise PropertyError(
                    name, "READ_ONLY_VALUE", f'"{name}" is a read only property; its value cannot be set'
                )
            values[name] = text if text == "" else _value(portal, object_type, prop, text)
        except PropertyError as exc:
            errors.append(exc)
    if object_type.type_id in PIPELINE_PROPS and not errors:
        try:
            _pipeline(portal, object_type, values, current, creating)
        except PropertyError as exc:
            errors.append(exc)
    if creating:
        for name in required_on_create(portal, object_type):
            if not values.get(name) and name not in {e.item["name"] for e in errors}:
                errors.append(PropertyError(name, "REQUIRED_PROPERTY", f'Property "{name}" is required'))
    if errors:
        raise invalid(errors)
    return values
