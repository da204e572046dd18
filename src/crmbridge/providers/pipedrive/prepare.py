"""Preparers: the tool input, after name resolution, reshaped into what the Pipedrive endpoint expects.

Each entity has one preparer for all its tools; it renames the plain-language reference fields to the
API's keys (which differ between endpoints: ``org_id`` on v2 records, ``organization_id`` on v1 leads and
the search filters), builds the nested shapes (person ``emails``, activity ``participants``, lead
``value``), and applies the list defaults (``limit``; v1 lists page with ``start``, exposed as ``cursor``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...errors import InvalidInput
from ...spec import Prepared, Preparer
from .common import DEFAULT_LIMIT, V1
from .resolve import current_user

if TYPE_CHECKING:
    from ...spec import CallContext, Tool

__all__ = ["PREPARERS"]

Args = dict[str, Any]


def _rename(args: Args, mapping: Mapping[str, str]) -> None:
    for source, target in mapping.items():
        if source in args:
            args[target] = args.pop(source)


def _finish(tool: Tool, args: Args) -> Prepared:
    """List defaults and the v1 cursor; updates must change something."""
    properties = tool.input_schema.get("properties", {})
    if tool.method == "GET" and "limit" in properties:
        args.setdefault("limit", DEFAULT_LIMIT)
        if tool.path.startswith(V1) and "cursor" in args:
            raw = str(args.pop("cursor")).strip()
            if not raw.isdecimal():
                raise InvalidInput("'cursor' must be the next_cursor of the previous page.", field="cursor")
            args["start"] = int(raw)
    if tool.method in ("PATCH", "PUT") and not set(args) - {"id"}:
        changeable = ", ".join(k for k in properties if k != "id")
        raise InvalidInput(f"Nothing to update: give at least one of {changeable}.", field="(input)")
    return Prepared(args)


async def deal(ctx: CallContext, tool: Tool, args: Args) -> Prepared:
    _rename(
        args,
        {"person": "person_id", "organization": "org_id", "owner": "owner_id",
         "pipeline": "pipeline_id", "stage": "stage_id"},
    )  # fmt: skip
    return _finish(tool, args)


async def search(ctx: CallContext, tool: Tool, args: Args) -> Prepared:
    """The search endpoints filter by ``person_id`` and ``organization_id``."""
    _rename(args, {"person": "person_id", "organization": "organization_id"})
    return _finish(tool, args)


def _contacts(values: Any, field: str) -> list[dict[str, Any]]:
    """Addresses or numbers as the API's ``[{value, primary, label}]``: plain text, or those objects as
    reads return them (their label and primary kept); one primary, the first unless one is marked."""
    items: list[dict[str, Any]] = []
    for i, raw in enumerate(values if isinstance(values, list) else [values]):
        given = raw if isinstance(raw, dict) else {"value": raw}
        value = given.get("value")
        if isinstance(raw, dict) and (not isinstance(value, str | int) or not str(value).strip()):
            raise InvalidInput(
                f"'{field}[{i}]' needs a 'value' (the address or number itself), e.g. "
                '{"value": "ann@acme.com", "label": "work"}.',
                field=f"{field}[{i}].value",
            )
        if str(value or "").strip():
            label = given.get("label")
            items.append(
                {
                    "value": str(value).strip(),
                    "primary": given.get("primary") is True,
                    "label": str(label) if label else "work",
                }
            )
    primary = next((i for i, item in enumerate(items) if item["primary"]), 0)
    for i, item in enumerate(items):
        item["primary"] = i == primary
    return items


async def person(ctx: CallContext, tool: Tool, args: Args) -> Prepared:
    _rename(args, {"organization": "org_id", "owner": "owner_id"})
    if "email" in args:
        args["emails"] = _contacts(args.pop("email"), "email")
    if "phone" in args:
        args["phones"] = _contacts(args.pop("phone"), "phone")
    return _finish(tool, args)


async def organization(ctx: CallContext, tool: Tool, args: Args) -> Prepared:
    _rename(args, {"owner": "owner_id"})
    if isinstance(args.get("address"), str):
        args["address"] = {"value": args["address"]}
    return _finish(tool, args)


def _amount(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


async def lead(ctx: CallContext, tool: Tool, args: Args) -> Prepared:
    """v1 leads: ``organization_id``, and ``value`` as ``{amount, currency}`` (currency defaults to the
    company's default currency)."""
    _rename(args, {"person": "person_id", "organization": "organization_id", "owner": "owner_id"})
    value, currency = args.pop("value", None), args.pop("currency", None)
    if isinstance(value, dict):
        currency = value.get("currency") or currency
        value = value.get("amount")
    if value is not None:
        if not currency:
            currency = (await current_user(ctx)).get("default_currency") or "USD"
        args["value"] = {"amount": _amount(value), "currency": str(currency).strip().upper()}
    elif currency is not None:
        raise InvalidInput("'currency' was given without 'value'; give the amount in 'value'.", field="value")
    if tool.method == "POST" and not (args.get("person_id") or args.get("organization_id")):
        raise InvalidInput(
            "A lead must be linked to a person or an organization: give 'person' or 'organization'.",
            field="person",
        )
    return _finish(tool, args)


async def activity(ctx: CallContext, tool: Tool, args: Args) -> Prepared:
    """v2 activities take the person as the primary participant (``person_id`` is read-only), but
    their list filters by ``person_id``."""
    _rename(args, {"organization": "org_id", "owner": "owner_id"})
    if "person" in args:
        person_id = args.pop("person")
        if tool.method == "GET":
            args["person_id"] = person_id
        else:
            args["participants"] = [{"person_id": person_id, "primary": True}]
    return _finish(tool, args)


async def note(ctx: CallContext, tool: Tool, args: Args) -> Prepared:
    _rename(args, {"person": "person_id", "organization": "org_id"})
    targets = ("deal_id", "person_id", "org_id", "lead_id")
    if tool.method == "POST" and not any(args.get(k) for k in targets):
        raise InvalidInput(
            "A note must be attached to something: give deal_id, person, organization or lead_id.",
            field="deal_id",
        )
    return _finish(tool, args)


async def stages(ctx: CallContext, tool: Tool, args: Args) -> Prepared:
    _rename(args, {"pipeline": "pipeline_id"})
    args["sort_by"] = "order_nr"  # funnel order; the API's default is creation order (id)
    return _finish(tool, args)


async def plain(ctx: CallContext, tool: Tool, args: Args) -> Prepared:
    return _finish(tool, args)


PREPARERS: Mapping[str, Preparer] = {
    "deal": deal,
    "search": search,
    "person": person,
    "organization": organization,
    "lead": lead,
    "activity": activity,
    "note": note,
    "stages": stages,
    "plain": plain,
}
