"""Custom field values: validated per field type against the company's field definitions (v2: nested
under ``custom_fields`` keyed by the 40-char hash; v1 leads: flat at the root)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import numbers
from .errors import bad_request
from .store import FieldDef
from .validate import WriteCtx, boolean, date, fail, integer, number, ref, string, user_ref

#: Field types whose values full-text search looks at (Pipedrive's searchable custom field types).
SEARCHABLE_TYPES = frozenset({"address", "varchar", "text", "varchar_auto", "double", "monetary", "phone"})


def _option_ids(field: FieldDef) -> set[int]:
    return {int(o["id"]) for o in field.options or []}


def _enum(ctx: WriteCtx, name: str, value: Any, field: FieldDef) -> int:
    option = integer(ctx, name, value)
    if option not in _option_ids(field):
        valid = ", ".join(str(i) for i in sorted(_option_ids(field)))
        raise bad_request(
            f"Invalid value {option} for custom field '{field.field_name}' ({name}): valid option ids are {valid}"
        )
    return option


def _set(ctx: WriteCtx, name: str, value: Any, field: FieldDef) -> list[int]:
    if not isinstance(value, list) or not value:
        raise bad_request(
            f"Invalid value for custom field '{field.field_name}' ({name}): expected a non-empty array of "
            "option ids (use null to clear)"
        )
    return [_enum(ctx, name, v, field) for v in value]


def _monetary(ctx: WriteCtx, name: str, value: Any, field: FieldDef) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"value", "currency"} or "value" not in value:
        raise fail(name, "an object {value, currency}", value)
    cur = value.get("currency")
    if cur is not None and not isinstance(cur, str):
        raise fail(f"{name}.currency", "a currency code", cur)
    return {"value": number(ctx, f"{name}.value", value["value"]), "currency": cur or ctx.company.currency}


def _plain(check: Callable[[WriteCtx, str, Any], Any]) -> Callable[[WriteCtx, str, Any, FieldDef], Any]:
    return lambda ctx, name, value, field: check(ctx, name, value)


CHECKS: dict[str, Callable[[WriteCtx, str, Any, FieldDef], Any]] = {
    "varchar": _plain(string),
    "varchar_auto": _plain(string),
    "text": _plain(string),
    "phone": _plain(string),
    "int": _plain(integer),
    "double": _plain(number),
    "boolean": _plain(boolean),
    "date": _plain(date),
    "enum": _enum,
    "set": _set,
    "monetary": _monetary,
    "user": _plain(user_ref),
    "people": _plain(ref("persons", "Person")),
    "org": _plain(ref("organizations", "Organization")),
    "deal": _plain(ref("deals", "Deal")),
}


def empty(fields: list[FieldDef]) -> dict[str, Any]:
    return {f.field_code: None for f in fields if f.is_custom_field}


def validate(ctx: WriteCtx, entity: str, value: Any) -> dict[str, Any]:
    """Clean a v2 ``custom_fields`` object; unknown codes and wrong types are 400s; null clears."""
    if not isinstance(value, dict):
        raise fail("custom_fields", "an object keyed by custom field code", value)
    fields = {f.field_code: f for f in ctx.company.custom_fields(entity)}
    clean: dict[str, Any] = {}
    for code, raw in value.items():
        field = fields.get(code)
        if field is None:
            raise bad_request(f"Unknown custom field '{code}' for {entity}")
        if raw is None:
            clean[code] = None
            continue
        check = CHECKS.get(field.field_type, _plain(string))
        clean[code] = check(ctx, f"custom_fields.{code}", raw, field)
    return clean


def search_texts(fields: list[FieldDef], values: dict[str, Any]) -> list[str]:
    """The custom values full-text search matches, as strings."""
    texts: list[str] = []
    for field in fields:
        raw = values.get(field.field_code)
        if raw is None or field.field_type not in SEARCHABLE_TYPES:
            continue
        texts.append(str(raw["value"] if isinstance(raw, dict) else raw))
    return texts


def _option_id(text: str) -> int | str:
    """An option id written as a string; anything else stays as it is for validation to refuse."""
    found = numbers.id_or_none(text)
    return text if found is None else found


def _v1_to_v2(field: FieldDef, raw: Any, currency_code: Any) -> Any:
    """v1 flat values → the v2 shape: option ids may come as strings, sets as "1,2", money split."""
    if field.field_type == "enum" and isinstance(raw, str):
        return _option_id(raw)
    if field.field_type == "set" and isinstance(raw, str):
        return [_option_id(p.strip()) for p in raw.split(",") if p.strip()]
    if field.field_type == "monetary" and not isinstance(raw, dict):
        return {"value": raw, "currency": currency_code}
    return raw


def take_v1(ctx: WriteCtx, entity: str, body: dict[str, Any]) -> dict[str, Any]:
    """Pop and validate flat v1 custom field keys (``<hash>``, ``<hash>_currency``) from ``body``."""
    values: dict[str, Any] = {}
    for field in ctx.company.custom_fields(entity):
        code = field.field_code
        if code not in body:
            body.pop(f"{code}_currency", None)
            continue
        raw = body.pop(code)
        values[code] = None if raw is None else _v1_to_v2(field, raw, body.pop(f"{code}_currency", None))
    return validate(ctx, entity, values)


def render_v1(fields: list[FieldDef], values: dict[str, Any]) -> dict[str, Any]:
    """v2 values → flat v1 keys: single option as a string id, multi-option as "1,2", money split."""
    out: dict[str, Any] = {}
    for field in fields:
        raw = values.get(field.field_code)
        code = field.field_code
        if raw is None:
            out[code] = None
        elif field.field_type == "enum":
            out[code] = str(raw)
        elif field.field_type == "set":
            out[code] = ",".join(str(v) for v in raw)
        elif field.field_type == "monetary":
            out[code], out[f"{code}_currency"] = raw["value"], raw["currency"]
        else:
            out[code] = raw
    return out
