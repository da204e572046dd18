"""The rule that settles a lost create, as tables: where the mark lands, and what a look-back from the
newest record to the mark proves (``engine.recheck``). Records are ``(id, position, matches the create)``;
positions are ids (unique) or creation times in whole seconds (shared)."""

from __future__ import annotations

from typing import Any

import pytest

from crmbridge.engine.recheck import Absent, Found, LookBack, Mark, Marker, Unknown, verdict

Row = tuple[str, Any, bool]


def marked(unique: bool, records: list[tuple[str, Any]]) -> tuple[Mark, bool]:
    """The mark, and whether it settled before the listing ended."""
    marker = Marker(unique)
    settled = any(marker.see(rid, position) for rid, position in records)
    return marker.mark, settled


@pytest.mark.parametrize(
    ("unique", "records", "mark", "settled"),
    [
        (True, [("9", 9), ("8", 8)], Mark(9, frozenset({"9"})), True),
        (True, [], Mark(None), False),
        (True, [("x", None), ("5", 5)], Mark(5, frozenset({"5"})), True),  # unplaceable: skipped
        (False, [("a", 100), ("b", 100), ("c", 99)], Mark(100, frozenset({"a", "b"})), True),
        (False, [("a", 100), ("b", 100)], Mark(100, frozenset({"a", "b"})), False),  # the listing's end
        (False, [("a", 100)], Mark(100, frozenset({"a"})), False),
    ],
)
def test_the_mark(unique: bool, records: list[tuple[str, Any]], mark: Mark, settled: bool) -> None:
    assert marked(unique, records) == (mark, settled)


IDS = Mark(7, frozenset({"7"}))
SECOND = Mark(100, frozenset({"a", "b"}))


@pytest.mark.parametrize(
    ("mark", "unique", "records", "ended", "expected"),
    [
        # ids: the mark record (or anything older) ends the look-back
        (IDS, True, [("10", 10, True), ("9", 9, False), ("7", 7, False)], False, "found 10"),
        (IDS, True, [("9", 9, False), ("8", 8, False), ("7", 7, False)], False, "absent"),
        (IDS, True, [("10", 10, True), ("9", 9, True), ("7", 7, False)], False, "unknown 10 9"),
        (IDS, True, [("10", 10, True), ("10", 10, True), ("7", 7, False)], False, "found 10"),  # shifted page
        (IDS, True, [("9", 9, False), ("6", 6, False)], False, "absent"),  # the mark record was deleted
        (IDS, True, [("7", 7, True)], False, "absent"),  # an older look-alike is not ours
        (IDS, True, [("10", 10, False), ("9", 9, False)], False, "unknown"),  # mark out of reach
        (IDS, True, [("10", 10, True), ("9", 9, False)], False, "unknown 10"),  # one found, not proven alone
        (IDS, True, [("10", 10, False), ("9", 9, False)], True, "absent"),  # the listing ended
        # the listing was empty at the mark: all is new, proof only at its end
        (Mark(None), True, [("1", 1, True)], True, "found 1"),
        (Mark(None), True, [("1", 1, True)], False, "unknown 1"),
        (Mark(None), True, [], True, "absent"),
        # whole seconds: records of the mark's second are told apart by id; only an older second ends it
        (SECOND, False, [("a", 100, False), ("m", 100, True), ("b", 100, False), ("c", 99, False)], False,
         "found m"),
        (SECOND, False, [("n", 101, True), ("a", 100, False), ("m", 100, True), ("c", 99, False)], False,
         "unknown n m"),
        (SECOND, False, [("a", 100, True), ("b", 100, False), ("c", 99, True)], False, "absent"),
        (SECOND, False, [("b", 100, False), ("a", 100, False)], False, "unknown"),  # more may share it
        (SECOND, False, [("b", 100, False), ("a", 100, False)], True, "absent"),
        # a record without a position counts as new and never ends the look-back
        (IDS, True, [("?", None, True), ("7", 7, False)], False, "found ?"),
        (IDS, True, [("?", None, False), ("7", 7, False)], False, "absent"),
    ],
)  # fmt: skip
def test_what_the_look_back_proves(
    mark: Mark, unique: bool, records: list[Row], ended: bool, expected: str
) -> None:
    scan = LookBack(mark, unique)
    stopped = any(scan.see({"id": rid}, rid, position, match) for rid, position, match in records)
    if not stopped and ended:
        scan.end()
    found = verdict(scan.candidates, scan.reached, max_pages=3)
    kind, *ids = expected.split()
    if kind == "found":
        assert found == Found({"id": ids[0]})
    elif kind == "absent":
        assert found == Absent()
    else:
        assert isinstance(found, Unknown) and list(found.candidates) == ids, found


def test_unknown_says_why() -> None:
    several = verdict({"1": {}, "2": {}}, reached=True, max_pages=3)
    assert isinstance(several, Unknown) and "2 records matching it" in several.message
    far = verdict({}, reached=False, max_pages=3)
    assert isinstance(far, Unknown) and "3 pages" in far.message and "check the CRM" in far.message
