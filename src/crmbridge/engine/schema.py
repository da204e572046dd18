"""Tool input schemas: validation compiled once, forgiving coercion of what LLMs send, strict variants.

Models often send a JSON *string* where the schema wants a list or an object (seed examples pass
``filterGroups`` as ``json.dumps(...)``), a comma-separated string for a list of property names, or
``null`` for an optional field (OpenAI strict mode requires every field, so absent ones arrive as null).
Coercion accepts those shapes, and the single values :mod:`.coercion` forgives, before validation;
anything else fails with a message that names the field and says what would be accepted. Before
either, :mod:`.inputguard` refuses input out of bounds (size, depth, digits, NaN, invalid Unicode).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput
from .coercion import as_bounded_number, coerce_scalar
from .inputguard import bounded, field_path, load_json

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


_SCALARS = frozenset({"string", "integer", "number"})


def _option(schema: Mapping[str, Any], keyword: str) -> Mapping[str, Any]:
    """The schema itself, or its ``anyOf`` / ``oneOf`` option that has ``keyword`` (``properties`` for an
    object value, ``items`` for a list), e.g. a value given as a number or as ``{amount, currency}``."""
    if keyword in schema:
        return schema
    options = [*schema.get("anyOf", ()), *schema.get("oneOf", ())]
    return next((o for o in options if isinstance(o, Mapping) and keyword in o), schema)


class _Coercer:
    """One schema node compiled for coercion, once per tool: what its types are, the nodes of its
    properties and items, and whether a string there can be left as it is (the common case)."""

    __slots__ = ("extra", "items", "props", "required", "schema", "text_as_is", "types")

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.types = _types(schema)
        fields = _option(schema, "properties")
        props = fields.get("properties")
        self.props = {k: _Coercer(v) for k, v in props.items() if isinstance(v, Mapping)} if props else {}
        extra, items = fields.get("additionalProperties"), _option(schema, "items").get("items")
        self.extra = _Coercer(extra) if isinstance(extra, Mapping) else None
        self.items = _Coercer(items) if isinstance(items, Mapping) else None
        self.required = frozenset(fields.get("required", ()))
        self.text_as_is = "string" in self.types and not {"format", "enum", "pattern"} & set(schema)

    def __call__(self, value: Any, path: str, warnings: list[str]) -> Any:
        types = self.types
        if type(value) is str:
            if self.text_as_is:
                return value
            if types and "string" not in types:
                decoded = self._from_text(value, path or "(input)")
                if decoded is not value:
                    return self(decoded, path, warnings)
        if isinstance(value, dict):
            if "object" not in types:
                return value
            out = {}
            for key, item in value.items():
                if item is None and key not in self.required:
                    continue
                sub = self.props.get(key) or self.extra
                if sub is None or (sub.text_as_is and type(item) is str):
                    out[key] = item
                else:
                    out[key] = sub(item, field_path(path, key), warnings)
            return out
        if isinstance(value, list):
            if "array" not in types or self.items is None:
                return value
            return [self.items(item, field_path(path, i), warnings) for i, item in enumerate(value)]
        return coerce_scalar(value, self.schema, types, path or "(input)", warnings)

    def _from_text(self, text: str, field: str) -> Any:
        """What a string means where the schema wants no string: JSON, a comma-separated list, a
        boolean or a number; ``text`` itself when it means none of these."""
        types = self.types
        stripped = text.strip()
        if ("array" in types and stripped.startswith("[")) or (
            "object" in types and stripped.startswith("{")
        ):
            try:
                return load_json(stripped, field)
            except ValueError:
                return text
        scalar_items = self.items is None or not self.items.schema or self.items.types & _SCALARS
        if "array" in types and scalar_items:
            return [part.strip() for part in stripped.split(",") if part.strip()]
        if "boolean" in types and stripped.lower() in ("true", "false"):
            return stripped.lower() == "true"
        if types & {"integer", "number"}:
            number = as_bounded_number(stripped, "number" not in types, field)
            if number is not None:
                return number
        return text


_FORMATS = {
    "date": "a date as YYYY-MM-DD (epoch seconds or milliseconds are read as UTC)",
    "date-time": "an ISO 8601 date and time, e.g. 2025-01-31T14:00:00Z (or epoch milliseconds)",
}


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
    if validator == "format":
        wanted = _FORMATS.get(str(schema.get("format")), f"in the format {schema.get('format')}")
        return f"'{field}' must be {wanted}.", details
    if validator == "pattern":
        return f"'{field}' must match {schema.get('pattern')}.", details
    if validator in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"):
        return (
            f"'{field}' {error.message.split(' is ', 1)[-1] if ' is ' in error.message else error.message}.",
            details,
        )
    return f"'{field}': {_shorten(error.message)}", details


def _shorten(text: str, limit: int = 200) -> str:
    """A validator message quotes the offending value, which may be megabytes long."""
    return text if len(text) <= limit else f"{text[:limit]}…"


class CompiledSchema:
    """A tool's input schema with its validators built once.

    Valid input, the common case, is checked by code that ``fastjsonschema`` generates for this schema
    (a few microseconds); only invalid input pays for ``jsonschema``'s error search, whose findings
    name the field and the allowed values.
    """

    __slots__ = ("_coercer", "_fast", "_validator", "schema")

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._validator: Draft202012Validator | None = None
        self._fast: Callable[[Any], Any] | None = None
        self._coercer = _Coercer(schema)

    @property
    def validator(self) -> Draft202012Validator:
        """The thorough validator, built on the first invalid input (imports cost start-up time)."""
        if self._validator is None:
            from jsonschema import Draft202012Validator

            Draft202012Validator.check_schema(self.schema)
            checker = Draft202012Validator.FORMAT_CHECKER
            self._validator = Draft202012Validator(self.schema, format_checker=checker)
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

    def parse(self, raw: Any, warnings: list[str] | None = None) -> dict[str, Any]:
        """Bound (:func:`.inputguard.bounded`: JSON text decoded, size and depth checked), then
        :meth:`validate`."""
        return self.validate(bounded(raw), warnings)

    def validate(self, data: Any, warnings: list[str] | None = None) -> dict[str, Any]:
        """Coerce then validate input already bounded; the first error becomes an ``InvalidInput``
        naming the field. What coercion changed in meaning (a clamped limit, an epoch read as a date)
        is appended to ``warnings``, for the result to tell the model."""
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise InvalidInput("The tool input must be a JSON object.", field="(input)")
        args = self._coercer(dict(data), "", [] if warnings is None else warnings)
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
