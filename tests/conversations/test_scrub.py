"""A labelled corpus: what must be masked (cards written, grouped, spoken, split across turns; CVV;
expiry; national IDs) and what must survive (phone numbers, order numbers, dates)."""

from __future__ import annotations

import pytest

from crmbridge.conversations import scrub_text, scrub_turns
from crmbridge.conversations.content import scrub_end_payload

MASKED = [
    ("my card is 4111111111111111", "[card number]"),
    ("it's 4111 1111 1111 1111", "[card number]"),
    ("5500-0000-0000-0004 please", "[card number]"),
    ("card 3782.822463.10005", "[card number]"),
    ("four one one one one one one one one one one one one one one one", "[card number]"),
    ("four oh one two eight eight eight eight eight eight eight eight one eight eight one", "[card number]"),
    ("the cvv is 737", "[security code]"),
    ("security code is seven three seven", "[security code]"),
    ("it expires 09/28", "[expiry date]"),
    ("my social security number is 536-90-4399", "[US SSN]"),
    ("IBAN GB82 WEST 1234 5698 7654 32", "[IBAN]"),
    ("my CPF is 390.533.447-05", "[BR CPF]"),
    ("Aadhaar 2345 6789 0124", "[IN Aadhaar]"),
    ("DNI 54362315K", "[ES DNI]"),
    ("codice fiscale RCCMNL83S18D969H", "[IT codice fiscale]"),
    ("NIR 2 95 10 99 126 111 93", "[FR NIR]"),
    ("my PESEL is 44051401458", "[PL PESEL]"),
    ("BSN 111222333", "[NL BSN]"),
]
KEPT = [
    "call me back on +1 415 555 2671",
    "my order number is 4111111111111111",
    "the meeting is on 2026-07-01 at 10:30",
    "tracking 1Z999AA10123456784",
    "I have 3 kids and 2 dogs",
    "my zip is 94107",
]


@pytest.mark.parametrize(("text", "mask"), MASKED)
def test_masks(text: str, mask: str) -> None:
    assert mask in scrub_text(text)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(text: str) -> None:
    assert scrub_text(text) == text


def test_a_card_split_across_turns_is_masked_in_each() -> None:
    turns = ["my card is four one one one", "one one one one one one one one", "one one one one"]
    out, findings = scrub_turns(turns)
    assert out == ["my card is [card number]", "[card number]", "[card number]"]
    assert {f.label for f in findings} == {"card number"}


def test_the_caller_channel_is_scrubbed_as_one_around_agent_turns() -> None:
    transcript = [
        {"role": "caller", "text": "my card is four one one one"},
        {"role": "agent", "text": "ok, go on"},
        {"role": "caller", "text": "one one one one one one one one"},
        {"role": "caller", "text": "one one one one"},
    ]
    content = scrub_end_payload(transcript, None, None)
    assert [t["text"] for t in content["transcript"]] == [
        "my card is [card number]", "ok, go on", "[card number]", "[card number]",
    ]  # fmt: skip
    assert content["redactions"] == ["card number"] and "one one" not in content["summary"]


def test_precision_and_recall_on_the_corpus() -> None:
    hits = sum(mask in scrub_text(text) for text, mask in MASKED)
    false = sum(scrub_text(text) != text for text in KEPT)
    recall, precision = hits / len(MASKED), hits / (hits + false)
    print(f"scrubbing corpus: recall {recall:.0%}, precision {precision:.0%}")
    assert recall == 1.0 and precision == 1.0
