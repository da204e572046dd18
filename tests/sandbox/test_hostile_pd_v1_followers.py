"""The hostile-value fuzz of test_hostile_input.py over the Pipedrive v1 followers (add, delete, paging),
user followers, permittedUsers and the v1 deal duplicate. Never a 5xx; 400s in Pipedrive's error shape."""

from __future__ import annotations

from typing import Any

import pytest

from .test_hostile_input import MARK, Fuzz, fuzz
from .test_hostile_new_routes import _bodies, _queries_and_paths

pytestmark = pytest.mark.anyio
__all__ = ["fuzz"]  # the fixture, shared with test_hostile_input.py

SEGMENTS = ("deals", "persons", "organizations", "products")


async def _first_ids(fuzz: Fuzz, headers: dict[str, str]) -> dict[str, int]:
    ids = {}
    for segment in SEGMENTS:
        r = await fuzz.client.post(
            f"{fuzz.prefix}/api/v2/{segment}",
            json={"title" if segment == "deals" else "name": "f"},
            headers=headers,
        )
        assert r.status_code in (200, 201), r.text
        ids[segment] = r.json()["data"]["id"]
    return ids


async def test_v1_follower_routes_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.pipedrive, "content-type": "application/json"}
    ids = await _first_ids(fuzz, h)
    bodies: list[tuple[str, str, Any]] = [
        ("POST", f"/v1/{s}/{ids[s]}/followers", {"user_id": MARK}) for s in SEGMENTS
    ]
    bodies.append(("POST", f"/v1/deals/{ids['deals']}/duplicate", {"title": MARK}))
    queries = [(f"/v1/{s}/{ids[s]}/followers", ("start", "limit")) for s in SEGMENTS]
    queries.append(("/api/v2/users/1/followers", ("cursor", "limit")))
    paths = [
        *(f"/v1/{s}/{{}}/followers" for s in SEGMENTS),
        *(f"/v1/{s}/{{}}/permittedUsers" for s in SEGMENTS),
        "/v1/users/{}/followers",
        "/api/v2/users/{}/followers",
    ]
    await _bodies(fuzz, "pipedrive", fuzz.prefix, h, bodies)
    await _queries_and_paths(fuzz, "pipedrive", fuzz.prefix, h, queries, paths)
    for segment in SEGMENTS:
        for raw in ("NaN", "-1", "9" * 40, "1.5", "", MARK):
            path = f"{fuzz.prefix}/v1/{segment}/{ids[segment]}/followers/{raw}"
            await fuzz.send("pipedrive", "DELETE", path, f"follower_id={raw!r}", headers=h)
    for raw in ("NaN", "-1", "9" * 40, MARK):
        await fuzz.send("pipedrive", "POST", f"{fuzz.prefix}/v1/deals/{raw}/duplicate", raw, headers=h)
    # Form-encoded v1 bodies too.
    form = {**fuzz.pipedrive, "content-type": "application/x-www-form-urlencoded"}
    for raw in ("x", "-1", "9" * 40, "1e3", ""):
        await fuzz.send(
            "pipedrive", "POST", f"{fuzz.prefix}/v1/deals/{ids['deals']}/followers", raw,
            content=f"user_id={raw}", headers=form,
        )  # fmt: skip
    await fuzz.still_works("the fuzz of the v1 follower routes")
    assert not fuzz.failures, "\n".join(fuzz.failures)
