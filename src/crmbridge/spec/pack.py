"""A Connector Pack: a provider's curated skill templates, as data, plus the few steps that differ per CRM.

A template says what a skill is (name, description, input schema, policy, the generic ``kind`` of flow
it follows). The flows themselves (find-or-nothing by phone, find-or-create, a verified update, a linked
record) are the same for every CRM and live in ``crmbridge.skills``; a provider's :class:`PackSteps` only
says which catalog tool each step calls with which input, and what its account's configuration is
(``compile``). Every step therefore runs a catalog tool through the engine, like any other call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = [
    "CallCatalogTool",
    "CompanySteps",
    "ConnectorPack",
    "PackSteps",
    "PhoneQuery",
    "SkillKind",
    "SkillPolicy",
    "SkillTemplate",
    "TicketSteps",
    "ToolCall",
]

#: The generic flows ``crmbridge.skills`` knows how to run.
SkillKind = Literal[
    "find_contact", "find_company", "find_ticket", "create_contact", "update_contact", "create_linked"
]

#: ``(catalog tool name, input)``: one step of a skill.
ToolCall = tuple[str, dict[str, Any]]

#: Runs a catalog tool for the skill's account and returns its ``data``; raises the taxonomy error on failure.
CallCatalogTool = Callable[[str, Mapping[str, Any]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class SkillPolicy:
    """``gated``: a write confirmed first (single-use token) and run in the account's serial lane;
    ``verified_identity``: runs only on the conversation's verified contact."""

    gated: bool = False
    verified_identity: bool = False

    def to_dict(self) -> dict[str, bool]:
        return {"gated": self.gated, "verified_identity": self.verified_identity}


@dataclass(frozen=True, slots=True)
class SkillTemplate:
    """One skill of a pack before it is compiled for an account.

    ``record`` names what a ``create_linked`` skill creates (``note``, ``task``, ``deal``, ``ticket``);
    the provider's steps build its input. ``allowed`` lists the input fields an update may change.
    """

    name: str
    description: str
    input_schema: Mapping[str, Any]
    kind: SkillKind
    writes: bool
    policy: SkillPolicy = SkillPolicy()
    record: str = ""
    allowed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": dict(self.input_schema),
            "access": "write" if self.writes else "read",
            "policy": self.policy.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class PhoneQuery:
    """A caller's number in the forms CRMs store it: ``e164`` (``+14155550100``), ``digits`` (the same
    without ``+``), ``national`` (``4155550100``) and ``tail`` (its last digits, for over-inclusive
    searches whose candidates are re-checked locally)."""

    e164: str
    digits: str
    national: str
    tail: str


class PackSteps(Protocol):
    """The CRM-specific steps of a pack's flows: which catalog tool, which input. No I/O except through
    ``call`` (the engine, for the skill's account)."""

    async def compile(self, call: CallCatalogTool) -> dict[str, Any]:
        """What the account's configuration resolves to (phone properties, pipeline and stage, owner):
        stored with each compiled skill, so a call needs no look-ups."""
        ...

    def phone_searches(self, phone: PhoneQuery, compiled: Mapping[str, Any]) -> Sequence[ToolCall]:
        """Searches whose results include every contact that may have this number (over-inclusive)."""
        ...

    def email_search(self, email: str, compiled: Mapping[str, Any]) -> ToolCall:
        """A search for contacts with this e-mail."""
        ...

    def contact_view(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A found record as ``{"id", "name", "email", "phones": [...]}``."""
        ...

    def create_contact(self, fields: Mapping[str, Any], compiled: Mapping[str, Any]) -> ToolCall:
        """Create a contact from ``{"phone"?, "email"?, "first_name"?, "last_name"?}``."""
        ...

    def update_contact(
        self, contact_id: str, fields: Mapping[str, Any], compiled: Mapping[str, Any]
    ) -> ToolCall: ...

    def create_linked(
        self, record: str, contact_id: str, fields: Mapping[str, Any], compiled: Mapping[str, Any]
    ) -> ToolCall:
        """Create a ``record`` (note, task, deal, ticket) associated with the contact."""
        ...


@runtime_checkable
class CompanySteps(Protocol):
    """The steps of ``find_company``, for a CRM with companies (organizations)."""

    def company_searches(
        self, name: str | None, domain: str | None, compiled: Mapping[str, Any]
    ) -> Sequence[ToolCall]:
        """Searches whose results include every company with this name or (bare) domain."""
        ...

    def company_view(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A found record as ``{"id", "name", "domain"}`` (``domain`` as stored, or ``None``)."""
        ...

    def company_get(self, company_id: str) -> ToolCall | None:
        """Reading one company, for a CRM whose search answers lack the website (else ``None``)."""
        ...


@runtime_checkable
class TicketSteps(Protocol):
    """The steps of ``find_ticket``, for a CRM whose support requests can be searched by text."""

    def ticket_search(self, text: str, limit: int, compiled: Mapping[str, Any]) -> ToolCall:
        """A search for tickets mentioning ``text``, newest first."""
        ...

    def ticket_view(self, record: Mapping[str, Any], compiled: Mapping[str, Any]) -> dict[str, Any]:
        """A found record as ``{"id", "subject", "description", "status", "priority", "created_at"}``."""
        ...


#: The optional step sets a template kind needs besides :class:`PackSteps`.
_KIND_STEPS: dict[str, type] = {"find_company": CompanySteps, "find_ticket": TicketSteps}


@dataclass(frozen=True)
class ConnectorPack:
    """A provider's Connector Pack: its templates, the steps its flows need, and the phone region assumed
    for numbers written without a country code."""

    templates: tuple[SkillTemplate, ...]
    steps: PackSteps
    default_region: str = "US"
    notes: str = ""
    _by_name: dict[str, SkillTemplate] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {t.name: t for t in self.templates}
        if len(by_name) != len(self.templates):
            raise ValueError("a pack's skill names must be unique")
        for template in self.templates:
            needed = _KIND_STEPS.get(template.kind)
            if needed is not None and not isinstance(self.steps, needed):
                raise ValueError(f"{template.name} needs steps implementing {needed.__name__}")
        object.__setattr__(self, "_by_name", by_name)

    def template(self, name: str) -> SkillTemplate | None:
        return self._by_name.get(name)
