"""Property definitions (cached per account) and what they let us fix before HubSpot has to refuse:
option labels or wrong case for enumeration values ("HIGH" → ``high``, "Sales Qualified Lead" →
``salesqualifiedlead``), yes/no booleans, "$75,000" amounts, and misspelt property names.

Definitions are a convenience: when they cannot be read (no schema scope, a hiccup), values go to
HubSpot as given and HubSpot's own validation answers.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...engine import matching
from ...errors import CrmBridgeError, InvalidInput
from .resolve_common import SINGULAR, as_text

if TYPE_CHECKING:
    from ...spec import CallContext

__all__ = ["PropDef", "definitions", "enum_value", "normalize_values", "suggest"]

log = logging.getLogger("crmbridge.hubspot")

_MONEY = re.compile(r"^\s*[$€£]?\s*-?[\d,]+(\.\d+)?\s*$")
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


@dataclass(frozen=True, slots=True)
class PropDef:
    name: str
    label: str
    type: str
    field_type: str
    options: tuple[tuple[str, str], ...]  # (value, label)


def _parse(body: Any) -> dict[str, PropDef]:
    found: dict[str, PropDef] = {}
    for raw in (body or {}).get("results", []) if isinstance(body, dict) else []:
        if not isinstance(raw, dict) or not raw.get("name"):
            continue
        options = tuple(
            (str(o.get("value")), str(o.get("label") or o.get("value")))
            for o in raw.get("options") or []
            if isinstance(o, dict) and o.get("value") is not None and not o.get("hidden")
        )
        found[raw["name"]] = PropDef(
            raw["name"], str(raw.get("label") or raw["name"]), str(raw.get("type") or "string"),
            str(raw.get("fieldType") or "text"), options,
        )  # fmt: skip
    return found


async def definitions(ctx: CallContext, object_type: str) -> dict[str, PropDef]:
    """The object's property definitions; empty when they cannot be read (cached either way)."""

    async def load() -> dict[str, PropDef]:
        try:
            return _parse(await ctx.request("GET", f"/crm/v3/properties/{object_type}"))
        except CrmBridgeError as exc:
            log.info("hubspot: property definitions of %s unavailable (%s)", object_type, exc.code)
            return {}

    found: dict[str, PropDef] = await ctx.cached(f"props:{object_type}", load)
    return found


def suggest(name: str, defs: dict[str, PropDef]) -> list[str]:
    """Close property names, for a misspelt one ("first_name" → firstname)."""
    if not defs:
        return []
    by_key = {matching.match_key(n): n for n in defs}
    if matching.match_key(name) in by_key:
        return [by_key[matching.match_key(name)]]
    return difflib.get_close_matches(name.lower(), list(defs), n=3, cutoff=0.75)


def unknown_property(
    name: str, object_type: str, defs: dict[str, PropDef], field: str
) -> InvalidInput | None:
    """An error for a property HubSpot does not have, when a close spelling exists; else None."""
    if not defs or name in defs or name.startswith("associations."):
        return None
    close = suggest(name, defs)
    if not close:
        return None
    return InvalidInput(
        f"'{name}' is not a {SINGULAR.get(object_type, object_type)} property; did you mean "
        f"{' or '.join(repr(c) for c in close)}?",
        field=field,
        allowed=close,
    )


def enum_value(prop: PropDef, value: str) -> str:
    """The option ``value`` names (by value or label, as any name is matched); unchanged when it names
    none or several, so that HubSpot's own validation answers with the options."""
    found = matching.best_matches(value, [matching.Choice(v, v, label) for v, label in prop.options])
    return found[0].value if len(found) == 1 else value


def _normalize(prop: PropDef | None, text: str) -> str:
    if prop is None or text == "":
        return text
    if prop.type == "enumeration":
        if prop.field_type == "checkbox":
            return ";".join(enum_value(prop, part.strip()) for part in text.split(";"))
        return enum_value(prop, text.strip())
    if prop.type == "bool":
        lowered = text.strip().lower()
        return "true" if lowered in _TRUE else "false" if lowered in _FALSE else text
    if prop.type == "number" and _MONEY.match(text) and not text.strip().lstrip("-").isdecimal():
        return re.sub(r"[^\d.\-]", "", text)
    return text


async def normalize_values(ctx: CallContext, object_type: str, values: dict[str, Any]) -> dict[str, str]:
    """Property values as HubSpot wants them: strings, option values, no misspelt names."""
    defs = await definitions(ctx, object_type)
    out: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        error = unknown_property(name, object_type, defs, name)
        if error is not None:
            raise error
        out[name] = _normalize(defs.get(name), as_text(value))
    return out
