"""A binding's problems, each at its JSON path with a suggestion, and the one error that lists them all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput

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
    def of(cls, problems: Sequence[Problem]) -> BindingInvalid:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return cls(
            f"The binding is not valid for this account: {first.path}: {first.message}{more}",
            problems=[p.to_dict() for p in problems],
        )

    @property
    def problems(self) -> list[dict[str, Any]]:
        return list(self.details.get("problems") or [])
