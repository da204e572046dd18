"""How a plain-language value picks one record among options."""

from __future__ import annotations

import pytest

from crmbridge.errors import AmbiguousReference, InvalidInput
from crmbridge.providers.pipedrive.resolve import Option, pick

PEOPLE = [
    Option(1, "John Smith", ("John Smith", "john@acme.test")),
    Option(2, "Anna Smithson", ("Anna Smithson",)),
]


def choose(value: str) -> object:
    return pick(value, PEOPLE, field="person", kind="person", allowed=False)


def test_a_whole_name_or_whole_words_pick_one() -> None:
    assert choose("john smith") == 1
    assert choose("John") == 1
    assert choose("JOHN@ACME.TEST") == 1
    assert choose("smithson") == 2


def test_part_of_a_word_picks_nothing() -> None:
    with pytest.raises(InvalidInput) as caught:
        choose("Smit")
    assert caught.value.details["field"] == "person"


def test_an_empty_value_is_refused_not_matched_to_everyone() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        choose("  ")


def test_several_whole_word_matches_are_ambiguous() -> None:
    people = [*PEOPLE, Option(3, "John Doe", ("John Doe",))]
    with pytest.raises(AmbiguousReference) as caught:
        pick("John", people, field="person", kind="person", allowed=False)
    assert [c["id"] for c in caught.value.details["candidates"]] == [1, 3]
