"""A binding's problems, each at its JSON path with a suggestion, and the one error that lists them all."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput, scrub

__all__ = ["BindingInvalid", "Problem"]


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # JSON path into the binding, e.g. ``$.filters[0].property``
    message: str
    suggestions: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "message": self.message}
        if self.suggestions:
            out["suggestions"] = list(self.suggestions)
        return out


class BindingInvalid(InvalidInput):
    """The binding does not fit this account's schema: ``problems`` lists every one (422)."""

    code = "invalid_binding"

    @classmethod
    def of(cls, problems: Sequence[Problem], keys: Collection[str] = ()) -> BindingInvalid:
        """``keys``: the schema's own property keys, shown as they are. Pipedrive's custom-field keys are
        40 hex characters, the shape of its API tokens, which the error taxonomy masks by shape."""
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        error = cls(f"The binding is not valid for this account: {first.path}: {first.message}{more}")
        error._details["problems"] = [_keeping(p.to_dict(), keys) for p in problems]
        return error

    @property
    def problems(self) -> list[dict[str, Any]]:
        return list(self.details.get("problems") or [])


def _keeping(value: Any, keys: Collection[str]) -> Any:
    """``value`` scrubbed of secrets by shape, except for the schema keys in it."""
    if isinstance(value, dict):
        return {k: _keeping(v, keys) for k, v in value.items()}
    if isinstance(value, list):
        return [_keeping(v, keys) for v in value]
    if not isinstance(value, str):
        return value
    known = sorted((k for k in keys if k in value), key=len, reverse=True)
    if not known:
        return scrub(value)
    parts = re.split("(" + "|".join(map(re.escape, known)) + ")", value)
    return "".join(part if part in known else scrub(part) for part in parts)
