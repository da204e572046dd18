"""Type checks for the optional attributes of property create and update bodies.

HubSpot's deserialiser refuses a body whose attributes have the wrong JSON type or an enum value it does
not know (a 400 ``VALIDATION_ERROR``) instead of storing a coerced value; the attribute names, types and
enums below are the ones the ``PropertyCreate``/``PropertyUpdate`` models list.
"""

from __future__ import annotations

from typing import Any

from .errors import validation

#: attribute -> the JSON type it must have when present (``null`` counts as absent)
_BOOLS = ("hidden", "formField", "hasUniqueValue", "externalOptions", "showCurrencySymbol")
_STRINGS = ("description", "calculationFormula", "currencyPropertyName", "referencedObjectType")
_ENUMS: dict[str, tuple[str, ...]] = {
    "dataSensitivity": ("highly_sensitive", "non_sensitive", "sensitive"),
    "numberDisplayHint": ("currency", "duration", "formatted", "percentage", "probability", "unformatted"),
    "textDisplayHint": (
        "domain_name", "email", "ip_address", "multi_line", "phone_number", "physical_address",
        "postal_code", "unformatted_single_line",
    ),
}  # fmt: skip


def check_optional(body: dict[str, Any]) -> None:
    """Refuse a present optional attribute of the wrong type or outside its enum."""
    for key in _BOOLS:
        if body.get(key) is not None and not isinstance(body[key], bool):
            raise validation(f"Invalid input JSON: '{key}' must be a boolean, got {body[key]!r}")
    for key in _STRINGS:
        if body.get(key) is not None and not isinstance(body[key], str):
            raise validation(f"Invalid input JSON: '{key}' must be a string, got {body[key]!r}")
    for key, allowed in _ENUMS.items():
        value = body.get(key)
        if value is not None and value not in allowed:
            raise validation(
                f"Invalid input JSON: '{key}' must be one of {', '.join(allowed)}, got {value!r}"
            )


def check_option(item: dict[str, Any], index: int) -> None:
    """An ``OptionInput``: ``hidden`` a boolean, ``description`` a string, when given."""
    if item.get("hidden") is not None and not isinstance(item["hidden"], bool):
        raise validation(f"options[{index}].hidden must be a boolean")
    if item.get("description") is not None and not isinstance(item["description"], str):
        raise validation(f"options[{index}].description must be a string")
