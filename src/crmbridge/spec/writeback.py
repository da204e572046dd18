"""How a provider writes a finished conversation back to its CRM: plain data plus small functions.

Interaction logging (``crmbridge.conversations``) knows nothing of any CRM: it asks the provider's
:class:`WritebackMapping` which tool call finds a caller, which one creates a contact, which one records
the interaction (a HubSpot Call engagement, a Pipedrive call log, a note) and which one finds a record
an earlier attempt already created, then runs them through the engine like any other tool call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from .tool import Tool

__all__ = ["CallerForms", "Candidate", "Interaction", "ToolCall", "WritebackMapping"]

Channel = Literal["voice", "chat"]


@dataclass(frozen=True)
class ToolCall:
    """One tool and its input, ready for the engine."""

    tool: Tool
    input: Mapping[str, Any]


@dataclass(frozen=True)
class CallerForms:
    """A caller's phone number in every form a CRM may have stored it (E.164 first), and e-mail."""

    e164: str | None = None
    forms: tuple[str, ...] = ()
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A contact a search returned: its id, its stored numbers and e-mails (re-verified by the caller
    of the mapping, since CRM searches are over-inclusive), and when it was last active (for ties)."""

    id: str
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    last_active: str = ""


@dataclass(frozen=True)
class Interaction:
    """What is written: already scrubbed, summarised and formatted; ``marker`` travels with the write so
    that a re-check finds a record an interrupted attempt created."""

    id: str
    marker: str
    channel: Channel
    direction: Literal["inbound", "outbound"]
    contact_id: str
    title: str
    body_html: str
    body_text: str
    started_at: datetime
    ended_at: datetime
    duration_ms: int
    caller_phone: str | None = None
    agent_phone: str | None = None
    outcome: str | None = None
    recording_url: str | None = None


@dataclass(frozen=True)
class WritebackMapping:
    """A provider's writeback: tool calls built from plain values, and readers of their results.

    ``setup`` runs once per account before the first write (HubSpot: the unique interaction-id
    property). ``find_existing`` re-checks for a record carrying the interaction's marker; ``record_id``
    reads the created or found record's id. ``body_limit``: the longest body the CRM field accepts.
    """

    find_by_phone: Callable[[CallerForms], list[ToolCall]]
    find_by_email: Callable[[str], list[ToolCall]]
    candidates: Callable[[Any], list[Candidate]]
    create_contact: Callable[[CallerForms], ToolCall]
    write: Callable[[Interaction], ToolCall]
    find_existing: Callable[[Interaction], ToolCall]
    existing_id: Callable[[Interaction, Any], str | None]
    record_id: Callable[[Any], str | None]
    #: The extra input that fetches the next page of a ``find_existing`` listing (``None``: no more).
    find_next: Callable[[Any], Mapping[str, Any] | None] = lambda body: None
    setup: tuple[ToolCall, ...] = ()
    #: Error codes of a setup call that mean "already done" (a property that already exists).
    setup_done_codes: frozenset[str] = frozenset()
    #: Error codes of ``write`` that mean "a record with this marker already exists" (a unique value).
    duplicate_codes: frozenset[str] = frozenset()
    body_limit: int = 65_000
    outcomes: Mapping[str, str] = field(default_factory=dict)
    #: The page of the contact a logged interaction sits on, in the CRM's web app, from the account's
    #: metadata and the contact's id (``None`` when the metadata lacks what the URL needs).
    contact_url: Callable[[Mapping[str, Any], str], str | None] = lambda metadata, contact_id: None
