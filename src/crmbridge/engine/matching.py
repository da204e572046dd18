"""Plain-language names → ids, the same way for every provider.

A model names things as people do: "closed won", "Ann", "Выиграна", "ann.lee@corp.test". Every resolver
compares names through one normalisation and one ranking, and fails with one ambiguity error and one
not-found style, so a model learns a single set of rules whichever CRM it talks to.

Normalisation: NFKC, case-folded; letters and digits of any script count, punctuation, spaces and ``_``
separate words ("Closed-Won" == "closed won" == "closedwon"); an e-mail address is one word.
Ranking: the exact id, then an exact name (compared without separators), then a unique partial match,
where every word given is a whole word of one name ("John" finds "John Smith", "Smith" not "Smithson").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..errors import AmbiguousReference, InvalidInput

__all__ = [
    "Choice",
    "ambiguous",
    "best_matches",
    "exact_matches",
    "match_key",
    "not_found",
    "partial_matches",
    "pick",
    "require_text",
    "words",
]

T = TypeVar("T")

#: Candidates an ambiguity error carries; options a not-found message shows; ids ``allowed`` lists.
MAX_CANDIDATES = 10
MAX_SHOWN = 20
MAX_ALLOWED = 50

# An e-mail address first (it stays one word), else a run of letters and digits of any script.
_WORD = re.compile(r"[\w.+-]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+|[^\W_]+")


def words(text: Any) -> tuple[str, ...]:
    """The words of ``text``, case-folded: ``"Anna Smith-Jones <a@x.io>"`` → anna, smith, jones, a@x.io."""
    return tuple(_WORD.findall(unicodedata.normalize("NFKC", str(text)).casefold()))


def match_key(text: Any) -> str:
    """What two names must share to be the same name: their words, without separators."""
    return "".join(words(text))


@dataclass(frozen=True, slots=True)
class Choice(Generic[T]):
    """One thing a name may refer to: ``value`` is handed back, ``id`` and ``label`` are shown to the
    model, and the id, the label and ``names`` are what a name is compared with."""

    value: T
    id: Any
    label: str
    names: tuple[str, ...] = ()

    @property
    def all_names(self) -> tuple[str, ...]:
        return (str(self.id), self.label, *self.names)

    def describe(self) -> str:
        return f"'{self.label}'" if self.label == str(self.id) else f"'{self.label}' ({self.id})"

    def candidate(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label}


def require_text(value: Any, field: str) -> str:
    """``value`` stripped; an empty value is refused rather than matched to everything."""
    text = " ".join(str(value if value is not None else "").split())
    if not match_key(text):
        raise InvalidInput(f"'{field}' is empty: give a name or an id.", field=field)
    return text


def exact_matches(query: Any, choices: Sequence[Choice[T]]) -> list[Choice[T]]:
    """Choices whose id is ``query`` as given; else those with a name equal to it once normalised."""
    text = str(query).strip()
    by_id = [c for c in choices if str(c.id) == text]
    if by_id:
        return by_id
    wanted = match_key(text)
    return [c for c in choices if wanted and any(match_key(n) == wanted for n in c.all_names)]


def partial_matches(query: Any, choices: Sequence[Choice[T]]) -> list[Choice[T]]:
    """Choices with a name of which every word of ``query`` is a whole word."""
    wanted = set(words(query))
    return [c for c in choices if wanted and any(wanted <= set(words(n)) for n in c.all_names)]


def best_matches(query: Any, choices: Sequence[Choice[T]]) -> list[Choice[T]]:
    """The exact matches, or when there are none the partial ones."""
    return exact_matches(query, choices) or partial_matches(query, choices)


def _shown(choices: Sequence[Choice[Any]], limit: int) -> str:
    more = f" and {len(choices) - limit} more" if len(choices) > limit else ""
    return ", ".join(c.describe() for c in choices[:limit]) + more


def ambiguous(
    query: str, found: Sequence[Choice[Any]], *, field: str, closest_of: str | None = None
) -> AmbiguousReference:
    """The error for a name that could mean several things (``closest_of``: a kind of record none of
    which is called ``query``; ``found`` are the nearest ones a search returned)."""
    shown = _shown(found, MAX_CANDIDATES)
    if closest_of is None:
        opening = f"'{field}': {query!r} is ambiguous; it could mean {shown}."
    else:
        opening = f"'{field}': no {closest_of} is called {query!r}; the closest are {shown}."
    return AmbiguousReference(
        f"{opening} Give the id of the one you mean.",
        field=field,
        candidates=[c.candidate() for c in found[:MAX_CANDIDATES]],
    )


def not_found(
    query: str, *, field: str, kind: str, options: Sequence[Choice[Any]] | None = None, hint: str = ""
) -> InvalidInput:
    """The error for a name that means nothing; ``options`` (the whole set, when it is small) are listed
    and their ids are what ``allowed`` says the field accepts."""
    message = f"'{field}': no {kind} matches {query!r}." + (f" {hint}" if hint else "")
    if options is None:
        return InvalidInput(message, field=field)
    listed = f" Use one of: {_shown(options, MAX_SHOWN)}." if options else f" There is no {kind} yet."
    return InvalidInput(message + listed, field=field, allowed=[c.id for c in options[:MAX_ALLOWED]])


def pick(
    query: Any,
    choices: Sequence[Choice[T]],
    *,
    field: str,
    kind: str,
    hint: str = "",
    searched: bool = False,
    complete: bool = True,
) -> Choice[T]:
    """The one choice ``query`` names; raises :class:`AmbiguousReference` or :class:`InvalidInput`.

    ``choices`` are every option of a small set (pipelines, stages, users), listed when nothing matches;
    with ``searched`` they are the hits of a search instead, offered as the closest candidates. Set
    ``complete=False`` when the search had more hits than it returned: a partial match among them is
    then not known to be unique, so it is offered, never taken.
    """
    text = require_text(query, field)
    exact = exact_matches(text, choices)
    found = exact or partial_matches(text, choices)
    if len(found) == 1 and (exact or complete):
        return found[0]
    if found:
        raise ambiguous(text, found, field=field)
    if searched and choices:
        raise ambiguous(text, choices, field=field, closest_of=kind)
    raise not_found(text, field=field, kind=kind, options=None if searched else choices, hint=hint)
