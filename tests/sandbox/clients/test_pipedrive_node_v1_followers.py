"""The official Pipedrive Node client on the v1 followers of deals, persons, organizations and products,
their permitted users, the v1 deal duplicate and the followers of a user (v1 and v2): each call through
the client's own request models, and one follower store shared by v1 and v2."""

from __future__ import annotations

from typing import Any

import pytest

from ...live import LiveSandbox
from .node import run_for_company, step_data

pytestmark = [pytest.mark.network, pytest.mark.node, pytest.mark.slow, pytest.mark.timeout(120)]

RECORD_KEY = {"deals": "deal_id", "persons": "person_id", "organizations": "org_id", "products": "product_id"}


@pytest.fixture(scope="module")
def run(node: str, live_sandbox: LiveSandbox) -> dict[str, Any]:
    return run_for_company(node, live_sandbox, "pipedrive_v1_followers.mjs", plan="ultimate", persons=2)


_ok = step_data


@pytest.mark.parametrize("segment", list(RECORD_KEY))
def test_v1_followers_through_the_client(run: dict[str, Any], segment: str) -> None:
    ids = run["summary"]["ids"]
    me, record = ids["me"], ids[segment]
    added = _ok(run, f"{segment}.addFollower")
    assert set(added) == {"id", "user_id", RECORD_KEY[segment], "add_time"}
    assert added["user_id"] == me and added[RECORD_KEY[segment]] == record and isinstance(added["id"], int)
    listed = _ok(run, f"{segment}.getFollowers")
    assert [(f["id"], f["user_id"]) for f in listed] == [(added["id"], me)]
    assert run["results"][f"{segment}.getFollowers"]["value"]["additional_data"]["pagination"]["start"] == 0
    assert [f["user_id"] for f in _ok(run, f"{segment}.v2.getFollowers")] == [me]  # the same follower in v2
    assert _ok(run, f"{segment}.deleteFollower") == {"id": added["id"]}
    assert _ok(run, f"{segment}.getFollowers.afterDelete") == []
    assert me in _ok(run, f"{segment}.getUsers")


def test_deal_duplicate_through_the_client(run: dict[str, Any]) -> None:
    ids = run["summary"]["ids"]
    copy = _ok(run, "deals.duplicate")
    assert copy["id"] == ids["copy"] != ids["deals"]
    assert copy["title"] == "Followed" and copy["user_id"] == ids["me"] and copy["visible_to"] == "3"


def test_user_followers_through_the_client(run: dict[str, Any]) -> None:
    assert _ok(run, "users.getUserFollowers") == []
    assert _ok(run, "users.v2.getUserFollowers") == []
    assert run["results"]["users.v2.getUserFollowers"]["value"]["additional_data"] == {"next_cursor": None}
