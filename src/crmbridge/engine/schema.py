"""Tool input schemas: validation compiled once, forgiving coercion of what LLMs send, strict variants.

Models often send a JSON *string* where the schema wants a list or an object (seed examples pass
``filterGroups`` as ``json.dumps(...)``), a comma-separated string for a list of property names, or
``null`` for an optional field (OpenAI strict mode requires every field, so absent ones arrive as null).
Coercion accepts exactly those shapes before validation; anything else fails with a message that names
the field and says what would be accepted.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

__all__ = ["CompiledSchema", "strict_schema"]


def _types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return set(kind)
    found: set[str] = set()
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key, ()):
            found |= _types(option)
    return found


def _object_option(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema an object value follows: itself, or the ``anyOf`` / ``oneOf`` option that declares an
    object's fields (e.g. links given by kind, next to a list in the API's own shape)."""
    if "properties" in schema:
        return schema
    options = [*schema.get("anyOf", ()), *schema.get("oneOf", ())]
    return next((o for o in options if isinstance(o, Mapping) and "properties" in o), schema)


def _coerce(value: Any, schema: Mapping[str, Any]) -> Any:
    types = _types(schema)
    if isinstance(value, str) and "string" not in types:
        text = value.strip()
        if ("array" in types and text.startswith("[")) or ("object" in types and text.startswith("{")):
            try:
                return _coerce(json.loads(text), schema)
            except ValueError:
                return value
        if "array" in types:
            items = schema.get("items", {})
            if "string" in _types(items) or not items:
                return [part.strip() for part in text.split(",") if part.strip()]
        if "boolean" in types and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if "integer" in types and text.lstrip("-").isdecimal():
            return int(text)
        if "number" in types:
            try:
                return float(text)
            except ValueError:
                return value
    if isinstance(value, dict) and "object" in types:
        schema = _object_option(schema)
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        out = {}
        for key, item in value.items():
            if item is None and key not in schema.get("required", ()):
                continue
            sub = props.get(key) or (extra if isinstance(extra, dict) else None)
            out[key] = _coerce(item, sub) if sub else item
        return out
    if isinstance(value, list) and "array" in types and isinstance(schema.get("items"), dict):
        return [_coerce(item, schema["items"]) for item in value]
    return value


def _field_path(error: ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.message, str):
        missing = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(missing)
    if error.validator == "additionalProperties" and "'" in error.message:
        parts.append(error.message.split("'")[1])
    return ".".join(p for p in parts if p) or "(input)"


def _explain(error: ValidationError) -> tuple[str, dict[str, Any]]:
    field = _field_path(error)
    details: dict[str, Any] = {"field": field}
    schema = error.schema if isinstance(error.schema, dict) else {}
    validator = error.validator
    if validator == "required":
        return f"'{field}' is required.", details
    if validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        details["allowed"] = allowed
        return f"'{field}' is not a known field; use one of: {', '.join(allowed)}.", details
    if validator == "enum":
        details["allowed"] = list(schema.get("enum", ()))
        shown = ", ".join(map(str, details["allowed"][:25]))
        return f"'{field}' must be one of: {shown}.", details
    if validator == "type":
        wanted = schema.get("type")
        return f"'{field}' must be of type {wanted}, got {type(error.instance).__name__}.", details
    if validator in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern"):
        return (
            f"'{field}' {error.message.split(' is ', 1)[-1] if ' is ' in error.message else error.message}.",
            details,
        )
    return f"'{field}': {error.message}", details


class CompiledSchema:
    """A tool's input schema with its validators built once.

    Valid input, the common case, is checked by code that ``fastjsonschema`` generates for this schema
    (a few microseconds); only invalid input pays for ``jsonschema``'s error search, whose findings
    name the field and the allowed values.
    """

    __slots__ = ("_fast", "_validator", "schema")

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._validator: Draft202012Validator | None = None
        self._fast: Callable[[Any], Any] | None = None

    @property
    def validator(self) -> Draft202012Validator:
        """The thorough validator, built on the first invalid input (imports cost start-up time)."""
        if self._validator is None:
            from jsonschema import Draft202012Validator

            Draft202012Validator.check_schema(self.schema)
            self._validator = Draft202012Validator(self.schema)
        return self._validator

    def _is_valid(self, args: dict[str, Any]) -> bool:
        import fastjsonschema  # loaded with the first call, not with the catalog

        if self._fast is None:
            self._fast = fastjsonschema.compile(dict(self.schema), use_default=False)
        try:
            self._fast(args)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    def parse(self, raw: Any) -> dict[str, Any]:
        """Coerce then validate; the first error becomes an ``InvalidInput`` naming the field."""
        if isinstance(raw, str):
            try:
                raw = json.loads(raw) if raw.strip() else {}
            except ValueError:
                raise InvalidInput("The tool input must be a JSON object.", field="(input)") from None
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise InvalidInput("The tool input must be a JSON object.", field="(input)")
        args = _coerce(dict(raw), self.schema)
        if self._is_valid(args):
            return args
        from jsonschema.exceptions import best_match

        error = best_match(self.validator.iter_errors(args))
        if error is not None:
            message, details = _explain(error)
            raise InvalidInput(message, **details)
        return dict(args)


def _own_types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    return {kind} if isinstance(kind, str) else set(kind or ())


def _nullable(sub: dict[str, Any]) -> None:
    kind = sub.get("type")
    if isinstance(kind, str):
        sub["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        sub["type"] = [*kind, "null"]
    elif "anyOf" in sub and {"type": "null"} not in sub["anyOf"]:
        sub["anyOf"] = [*sub["anyOf"], {"type": "null"}]
    if "enum" in sub and None not in sub["enum"]:
        sub["enum"] = [*sub["enum"], None]


def _strictify(schema: dict[str, Any]) -> bool:
    """Rewrite in place for OpenAI strict mode; False when a free-form map makes strict impossible."""
    ok = True
    if "object" in _own_types(schema) or "properties" in schema:
        props = schema.get("properties")
        if props is None or schema.get("additionalProperties") not in (None, False):
            return False  # a map of arbitrary keys: strict mode has no way to say it
        required = set(schema.get("required", ()))
        for name, sub in props.items():
            ok = _strictify(sub) and ok
            if name not in required:
                _nullable(sub)
        schema["required"] = list(props)
        schema["additionalProperties"] = False
    if isinstance(schema.get("items"), dict):
        ok = _strictify(schema["items"]) and ok
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key, ()):
            ok = _strictify(option) and ok
    for unsupported in (
        "default",
        "examples",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "pattern",
        "format",
        "minProperties",
        "maxProperties",
    ):
        schema.pop(unsupported, None)
    return ok


def strict_schema(schema: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The OpenAI strict-mode variant: every field required (optional ones nullable), no extra fields.

    Returns ``(schema, strict)``; ``strict`` is False when the tool takes a free-form map (e.g. any
    CRM property), which strict mode cannot express — use the plain schema with ``strict: false``.
    """
    out = copy.deepcopy(dict(schema))
    ok = _strictify(out)
    return (out, True) if ok else (copy.deepcopy(dict(schema)), False)
