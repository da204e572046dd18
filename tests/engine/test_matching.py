"""One matcher for every provider: normalisation, ranking (exact > unique partial), ambiguity, not found."""

from __future__ import annotations

from typing import Any

import pytest

from crmbridge.engine.matching import Choice, match_key, pick, words
from crmbridge.errors import AmbiguousReference, InvalidInput


@pytest.mark.parametrize(
    ("text", "expected_words"),
    [
        ("Closed-Won", ("closed", "won")),
        ("  closed_won ", ("closed", "won")),
        ("\uff23\uff2c\uff2f\uff33\uff25\uff24 \uff37\uff4f\uff4e", ("closed", "won")),  # full-width (NFKC)
        ("Straße", ("strasse",)),  # case folding, not just lower case
        ("Назначена встреча", ("назначена", "встреча")),
        ("成交 (阶段)", ("成交", "阶段")),
        ("José García", ("josé", "garcía")),  # accents are kept: letters of any script count
        ("Ann Lee <Ann.Lee@Corp.test>", ("ann", "lee", "ann.lee@corp.test")),  # an e-mail is one word
        ("  -- ", ()),
    ],
)
def test_normalisation(text: str, expected_words: tuple[str, ...]) -> None:
    assert words(text) == expected_words
    assert match_key(text) == "".join(expected_words)


STAGES = [
    Choice("won", "closedwon", "Closed Won"),
    Choice("lost", "closedlost", "Closed Lost"),
    Choice("ru", "12", "Выиграна"),
    Choice("cn", "13", "成交"),
    Choice("numeric-label", "14", "12"),
]
PEOPLE = [
    Choice(1, 1, "John Smith", ("John Smith", "john@acme.test")),
    Choice(2, 2, "Anna Smith-Jones"),
    Choice(3, 3, "Anna Smithson"),
]
JOHN_DOE = Choice(4, 4, "John Doe")


def outcome(query: str, choices: list[Choice[Any]], **options: Any) -> Any:
    """The value picked, or ``("ambiguous", [ids])`` / ``("not found", allowed)`` / ``"empty"``."""
    try:
        return pick(query, choices, field="f", kind="thing", **options).value
    except AmbiguousReference as exc:
        return "ambiguous", [c["id"] for c in exc.details["candidates"]]
    except InvalidInput as exc:
        return ("empty" if "empty" in exc.message else "not found"), exc.details.get("allowed")


@pytest.mark.parametrize(
    ("query", "choices", "options", "expected"),
    [
        # exact: the id as given, else a name equal once normalised
        ("Closed Won", STAGES, {}, "won"),
        ("closed-won", STAGES, {}, "won"),
        ("CLOSEDLOST", STAGES, {}, "lost"),
        ("closedwon", STAGES, {}, "won"),
        ("12", STAGES, {}, "ru"),  # the id "12" wins over the label "12"
        ("выиграна", STAGES, {}, "ru"),
        ("成交", STAGES, {}, "cn"),
        ("john smith", PEOPLE, {}, 1),
        ("JOHN@ACME.TEST", PEOPLE, {}, 1),
        # partial: every word given is a whole word of one name, and only one choice has it
        ("won", STAGES, {}, "won"),
        ("John", PEOPLE, {}, 1),
        ("jones", PEOPLE, {}, 2),
        ("smithson", PEOPLE, {}, 3),
        # an exact match beats partial ones
        ("won", [*STAGES, Choice("plain", "9", "Won")], {}, "plain"),
        # several matches of the best kind are ambiguous
        ("closed", STAGES, {}, ("ambiguous", ["closedwon", "closedlost"])),
        ("anna", PEOPLE, {}, ("ambiguous", [2, 3])),
        ("John", [*PEOPLE, JOHN_DOE], {}, ("ambiguous", [1, 4])),
        # nothing: part of a word is not a word; a small set lists the ids it allows
        ("Smit", PEOPLE, {}, ("not found", [1, 2, 3])),
        ("Won Big", STAGES, {}, ("not found", ["closedwon", "closedlost", "12", "13", "14"])),
        ("Этап 1", STAGES, {}, ("not found", ["closedwon", "closedlost", "12", "13", "14"])),
        # a search's hits: none matching is offered as the closest; an incomplete search proves no uniqueness
        ("Smit", PEOPLE, {"searched": True}, ("ambiguous", [1, 2, 3])),
        ("Smit", [], {"searched": True}, ("not found", None)),
        ("John", PEOPLE, {"searched": True, "complete": False}, ("ambiguous", [1])),
        ("John Smith", PEOPLE, {"searched": True, "complete": False}, 1),
        # an empty value is refused, not matched to everything
        ("  ", PEOPLE, {}, ("empty", None)),
        ("?!", PEOPLE, {}, ("empty", None)),
    ],
)
def test_pick(query: str, choices: list[Choice[Any]], options: dict[str, Any], expected: Any) -> None:
    assert outcome(query, choices, **options) == expected


def test_errors_name_the_field_and_show_labels_with_ids() -> None:
    with pytest.raises(AmbiguousReference) as ambiguous:
        pick("Anna", PEOPLE, field="person", kind="person")
    assert ambiguous.value.details == {
        "field": "person",
        "candidates": [{"id": 2, "label": "Anna Smith-Jones"}, {"id": 3, "label": "Anna Smithson"}],
    }
    assert "'Anna Smith-Jones' (2), 'Anna Smithson' (3)" in ambiguous.value.message
    with pytest.raises(InvalidInput) as missing:
        pick("Renewed", STAGES[:2], field="dealstage", kind="stage", hint="Try another pipeline.")
    assert missing.value.message == (
        "'dealstage': no stage matches 'Renewed'. Try another pipeline. "
        "Use one of: 'Closed Won' (closedwon), 'Closed Lost' (closedlost)."
    )
