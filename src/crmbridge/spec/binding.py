"""The binding grammar: ``restSearch`` and ``restWrite``, a user-authored skill over any object and field.

These are the API's contract (issue 14): the keys are kept as written there, ``from`` included (an input of
the compiled skill), next to ``value`` (a constant). Parsing only checks the shape; whether the object, the
properties and the option values exist is checked against one account's schema snapshot by ``bindings``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "OPERATORS",
    "Binding",
    "FieldRule",
    "Filter",
    "IdSource",
    "MatchRule",
    "RestSearch",
    "RestWrite",
    "Sort",
]

Operator = Literal[
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
    "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN",
]  # fmt: skip
OPERATORS: tuple[str, ...] = Operator.__args__  # type: ignore[attr-defined]
#: A skill's name: what a model calls it by.
_NAME = r"^[a-z][a-z0-9_]{0,63}$"
#: An input of the compiled skill.
_INPUT = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Filter(_Part):
    """One condition; the filters of a search are ANDed. ``BETWEEN`` takes ``[low, high]``, ``IN`` a list."""

    property: str
    operator: Operator = "EQ"
    from_: str | None = Field(default=None, alias="from", pattern=_INPUT)
    value: Any = None


class Sort(_Part):
    property: str
    direction: Literal["ASCENDING", "DESCENDING"] = "DESCENDING"


class RestSearch(_Part):
    """Find one record (``result: one``; with ``sort``: the latest) or list many (``result: many``)."""

    kind: Literal["restSearch"]
    name: str = Field(pattern=_NAME)
    description: str = ""
    object: str
    filters: list[Filter] = Field(default_factory=list)
    sort: Sort | None = None
    result: Literal["one", "many"] = "one"
    limit: int | None = Field(default=None, ge=1, le=200)
    properties: list[str] = Field(default_factory=list)


class MatchRule(_Part):
    property: str
    from_: str = Field(alias="from", pattern=_INPUT)


class IdSource(_Part):
    from_: str = Field(alias="from", pattern=_INPUT)


class FieldRule(_Part):
    property: str
    from_: str | None = Field(default=None, alias="from", pattern=_INPUT)
    value: Any = None
    required: bool = False


class RestWrite(_Part):
    """Create a record, update one by id, or find one by ``match`` and create it when there is none."""

    kind: Literal["restWrite"]
    name: str = Field(pattern=_NAME)
    description: str = ""
    object: str
    operation: Literal["create", "update", "find_or_create"]
    match: list[MatchRule] = Field(default_factory=list)
    id: IdSource | None = None
    fields: list[FieldRule] = Field(default_factory=list)


Binding = Annotated[RestSearch | RestWrite, Field(discriminator="kind")]
