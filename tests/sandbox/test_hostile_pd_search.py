"""The hostile-value fuzz of test_hostile_input.py over the Pipedrive search routes added for issue 15:
``/v1/leads/search``, ``/api/v2/itemSearch/field`` and ``/v1/leads/{id}/permittedUsers``. Every query
parameter gets every hostile value (the others stay valid, so validation reaches it). Never a 5xx."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .test_hostile_input import HOSTILE_QUERY, Fuzz, fuzz, shown

pytestmark = pytest.mark.anyio
__all__ = ["fuzz"]  # the fixture, shared with test_hostile_input.py

#: Terms a naive matcher (regex, LIKE, format strings) would trip on, on top of HOSTILE_QUERY.
HOSTILE_TERMS = [
    *HOSTILE_QUERY,
    ".*",
    "(",
    "[a-",
    "%",
    "%%",
    "_",
    "\\",
    "{0}",
    "%s",
    "a" * 10_000,
    "\u202e\u0301",
]

#: (path, valid params, params to fuzz)
QUERIES: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "/v1/leads/search",
        {"term": "ab"},
        ["term", "fields", "exact_match", "person_id", "organization_id", "include_fields", "start", "limit"],
    ),
    (
        "/api/v2/itemSearch/field",
        {"term": "ab", "entity_type": "deal", "field": "title", "match": "middle"},
        ["term", "entity_type", "field", "match", "limit", "cursor"],
    ),
    (
        "/api/v2/itemSearch/field",
        {"term": "ab", "entity_type": "person", "field": "emails", "match": "beginning"},
        ["term", "field"],
    ),
]


async def test_search_routes_refuse_hostile_query_values(fuzz: Fuzz) -> None:
    h = fuzz.pipedrive
    for path, valid, names in QUERIES:
        for name in names:
            for raw in HOSTILE_TERMS if name in ("term", "field") else HOSTILE_QUERY:
                params = {**valid, name: raw}
                await fuzz.send(
                    "pipedrive", "GET", fuzz.prefix + path, f"{name}={shown(raw)}", params=params, headers=h
                )
    for raw in HOSTILE_QUERY:
        path = fuzz.prefix + f"/v1/leads/{quote(raw, safe='')}/permittedUsers"
        r = await fuzz.send("pipedrive", "GET", path, shown(raw), headers=h)
        assert r is None or r.status_code in (400, 404), (raw, r.status_code)
    await fuzz.still_works("the fuzz of the Pipedrive search routes")
    assert not fuzz.failures, "\n".join(fuzz.failures)


@pytest.mark.parametrize("term", [".*", "(", "[a-", "%", "_", "\\", "{0}"])
async def test_pattern_characters_are_plain_text(fuzz: Fuzz, term: str) -> None:
    """No route reads the term as a pattern: such terms find nothing in the seeded data, without error."""
    h = fuzz.pipedrive
    params = {"term": term, "exact_match": "true"}
    r = await fuzz.send("pipedrive", "GET", fuzz.prefix + "/v1/leads/search", term, params=params, headers=h)
    assert r is not None and r.status_code == 200 and r.json()["data"]["items"] == []
    params = {"term": term, "entity_type": "deal", "field": "title"}
    r = await fuzz.send(
        "pipedrive", "GET", fuzz.prefix + "/api/v2/itemSearch/field", term, params=params, headers=h
    )
    assert r is not None and r.status_code == 200 and r.json()["data"] == []
    assert not fuzz.failures, "\n".join(fuzz.failures)
