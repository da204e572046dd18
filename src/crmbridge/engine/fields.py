"""Before validation: a tool's aliases become its field names, what only the CRM sets is dropped, and what a
validator reports one at a time (an unknown field, a blank identifying value) is reported all at once.

Models echo records back as the CRM returned them (``org_id``, ``hs_task_subject``) and guess names; one
error that names every unknown field with its closest known name lets them fix the whole input in one
turn. The walk follows the tool's schema, never the input's own depth, so hostile nesting costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput
from ..spec import NON_BLANK

if TYPE_CHECKING:
    from ..spec import Tool

__all__ = ["precheck"]

_BLANK_PATTERN = NON_BLANK["pattern"]
#: Names and values quoted in a message are cut to this many characters (inputs can be huge).
_QUOTE_MAX = 80


def _short(text: str) -> str:
    return text if len(text) <= _QUOTE_MAX else f"{text[: _QUOTE_MAX - 1]}…"


@dataclass(frozen=True, slots=True)
class _Problem:
    path: str
    known: tuple[str, ...] = ()  # the field names where an unknown one was found
    closest: str | None = None

    @property
    def unknown(self) -> bool:
        return bool(self.known)


def precheck(tool: Tool, raw: Any) -> Any:
    """``raw`` as an object whose aliases are renamed and ``tool.ignored`` fields dropped; ``InvalidInput``
    naming every unknown field and every blank identifying value. Input that is not a JSON object goes on
    unchanged, for validation to refuse."""
    args = _as_object(raw)
    if args is None:
        return raw
    if tool.ignored:
        args = {k: v for k, v in args.items() if k not in tool.ignored}
    if tool.aliases:
        args = _renamed(args, tool.aliases)
    problems = _problems(args, tool.input_schema, "")
    if problems:
        raise _error(problems)
    return args


def _as_object(raw: Any) -> dict[str, Any] | None:
    if isinstance(raw, Mapping):
        return dict(raw)
    if not isinstance(raw, str) or not raw.strip():
        return None
    import json

    try:  # anything unusual (NaN, huge numbers, deep nesting) is left for validation to explain
        value = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None
    return dict(value) if isinstance(value, Mapping) else None


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def _renamed(args: dict[str, Any], aliases: Mapping[str, str]) -> dict[str, Any]:
    """Aliases renamed; a null is an absent field (OpenAI strict mode sends one for every field left out)."""
    out = dict(args)
    for alias, name in aliases.items():
        if alias not in out:
            continue
        value = out.pop(alias)
        if value is None:
            continue
        current = out.get(name)
        if current is not None and current != value:
            raise InvalidInput(
                f"'{alias}' is another name for '{name}' and they differ ({alias}={_short(repr(value))}, "
                f"{name}={_short(repr(current))}); give only '{name}'.",
                field=name,
            )
        out[name] = value
    return out


def _option(schema: Mapping[str, Any], keyword: str) -> Mapping[str, Any]:
    """The schema itself, or its ``anyOf`` / ``oneOf`` option that has ``keyword`` (``properties`` for an
    object value, ``items`` for a list)."""
    if keyword in schema:
        return schema
    options = [*schema.get("anyOf", ()), *schema.get("oneOf", ())]
    return next((o for o in options if isinstance(o, Mapping) and keyword in o), schema)


def _problems(value: Any, schema: Mapping[str, Any], where: str) -> list[_Problem]:
    if isinstance(value, str):
        blank = schema.get("pattern") == _BLANK_PATTERN and not value.strip()
        return [_Problem(where)] if blank else []
    found: list[_Problem] = []
    if isinstance(value, Mapping):
        schema = _option(schema, "properties")
        props = schema.get("properties")
        if not isinstance(props, Mapping):
            return found
        closed = schema.get("additionalProperties") is False
        for key, item in value.items():
            path = _short(f"{where}.{key}" if where else str(key))
            sub = props.get(key)
            if isinstance(sub, Mapping):
                found += _problems(item, sub, path)
            elif sub is None and closed and item is not None:  # a null stands for an absent field
                found.append(_Problem(path, tuple(props), _closest(str(key), props)))
    elif isinstance(value, list):
        items = _option(schema, "items").get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                found += _problems(item, items, f"{where}[{i}]")
    return found


def _squashed(name: str) -> str:
    """``dealName``, ``deal_name`` and ``Deal Name`` alike."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def _closest(name: str, known: Mapping[str, Any]) -> str | None:
    by_squashed = {_squashed(k): k for k in known}
    exact = by_squashed.get(_squashed(name))
    if exact is not None:
        return exact
    import difflib  # only when a name is unknown (start-up cost)

    close = difflib.get_close_matches(_squashed(name), list(by_squashed), n=1, cutoff=0.6)
    return by_squashed[close[0]] if close else None


def _quoted(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def _error(problems: list[_Problem]) -> InvalidInput:
    unknown = [p for p in problems if p.unknown]
    blank = [p.path for p in problems if not p.unknown]
    sentences: list[str] = []
    details: dict[str, Any] = {"field": problems[0].path}
    if unknown:
        named = ", ".join(
            f"'{p.path}'" + (f" (did you mean '{p.closest}'?)" if p.closest else "") for p in unknown
        )
        known = unknown[0].known
        sentences.append(
            f"Unknown field{'s' if len(unknown) > 1 else ''}: {named}. Known fields: {', '.join(known)}."
        )
        details["allowed"] = list(known)
        details["unknown"] = [
            {"field": p.path, **({"closest": p.closest} if p.closest else {})} for p in unknown
        ]
    if blank:
        says = "it identifies" if len(blank) == 1 else "they identify"
        sentences.append(
            f"{_quoted(blank)} must not be empty or blank: {says} the record; give a real value."
        )
        details["blank"] = blank
    return InvalidInput(" ".join(sentences), **details)
