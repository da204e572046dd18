"""What a provider and a tool *are*: plain data the engine interprets.

A tool says which HTTP call it makes and how its input maps onto that call; the engine does the rest
(validation, name resolution, rate limits, retries, error mapping, output shaping) the same way for
every tool. A provider adds a few named hooks (:class:`~crmbridge.spec.ProviderHooks`) for the quirks
of its API. Nothing here imports the engine: a tool is a value, and whoever holds one can run it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = ["NON_BLANK", "Annotations", "Output", "Recheck", "Tool"]

BodyMode = Literal["none", "rest", "properties"]
OutputKind = Literal["record", "list", "deleted", "raw"]

#: Schema keywords of a text field that names or identifies a record (an upsert key, a title, a note's
#: text, an id in the path): an empty or blank value would match, overwrite or create the wrong thing.
#: Spread it into the field's schema (``{"type": "string", **NON_BLANK}``); the engine reports such
#: values by name before validation.
NON_BLANK: Mapping[str, Any] = MappingProxyType({"pattern": r"\S"})


@dataclass(frozen=True, slots=True)
class Annotations:
    """MCP-style hints: an agent runtime may gate destructive tools or retry idempotent ones."""

    read_only: bool = False
    destructive: bool = False
    idempotent: bool = False

    def to_dict(self) -> dict[str, bool]:
        return {
            "readOnlyHint": self.read_only,
            "destructiveHint": self.destructive,
            "idempotentHint": self.idempotent,
        }


@dataclass(frozen=True, slots=True)
class Output:
    """How a response becomes a compact result.

    ``kind``: ``record`` (one object), ``list`` (records plus ``next_cursor`` / ``total``), ``deleted``
    (``{"id", "deleted": true}``) or ``raw`` (the body as the CRM sent it). ``items`` is the dotted path
    of the record or list inside the body (``results``, ``data``); empty means the body itself.
    Definitions (properties, pipelines, owners) carry far more fields than a model needs: ``keep``
    names the ones worth their tokens.
    """

    kind: OutputKind = "record"
    items: str = ""
    #: Only these fields of each record reach the model (dotted paths reach into nested objects and
    #: into each element of nested lists, e.g. ``stages.label``); empty keeps every field.
    keep: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recheck:
    """How to settle a create whose answer was lost (timeout after sending, or a 5xx).

    The provider hook ``created_listing`` lists the created type newest first; the engine looks at every
    record created since just before the first attempt that matches the input on ``keys``. One is the
    record we created; none, once the listing was followed all the way back, means nothing was written
    and the create is sent again; several, or a listing too long to follow back, leave the outcome
    unknown (``outcome_unknown``), never a second create.
    """

    keys: tuple[str, ...]


@dataclass(frozen=True)
class Tool:
    """One named operation with a JSON-Schema input.

    ``path`` holds ``{placeholders}`` filled from input fields (URL-quoted). ``query`` lists the input
    fields sent as query parameters (lists are comma-joined). ``body`` says what becomes the JSON body:
    ``rest`` — every input field not used in the path or query; ``properties`` — the same, wrapped as
    ``{"properties": {...}}`` except for ``body_extra`` fields kept at the top level; ``none``.
    ``resolve`` maps input fields to resolver names (plain-language values → ids), run before the
    request is built. ``prepare`` names a provider hook that rewrites the input for one quirk.
    ``aliases`` maps other names a model may use for an input field (the CRM's own, as its reads return
    them: ``org_id``, ``hs_task_subject``) to that field; the engine renames them before validation.
    ``ignored`` names what reads return but only the CRM sets (creation and update times, the creator):
    a record echoed back into a write keeps them, and the engine drops them instead of refusing it.
    """

    name: str
    description: str
    input_schema: Mapping[str, Any]
    method: str
    path: str
    scopes: tuple[str, ...] = ()
    annotations: Annotations = Annotations()
    query: tuple[str, ...] = ()
    body: BodyMode = "none"
    body_extra: tuple[str, ...] = ()
    resolve: Mapping[str, str] = field(default_factory=dict)
    prepare: str | None = None
    output: Output = Output()
    recheck: Recheck | None = None
    example: Mapping[str, Any] | None = None
    provider: str = ""
    aliases: Mapping[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()

    @property
    def writes(self) -> bool:
        return not self.annotations.read_only
