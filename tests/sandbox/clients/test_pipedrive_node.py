"""The official ``pipedrive`` npm client against the sandbox (driven through tests/sandbox/node).

The Node script runs the whole create/get/list/update/search/delete sequence once per module and records
each call separately; each test below checks one area, so a failure names the call that broke.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ...live import LiveSandbox
from .node import run_node

pytestmark = [pytest.mark.network, pytest.mark.node, pytest.mark.slow, pytest.mark.timeout(120)]  # Node runs

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
REDIRECT = "https://app.example.com/oauth/pipedrive/callback"


@pytest.fixture(scope="module")
def ultimate_company(live_sandbox: LiveSandbox) -> dict[str, Any]:
    """A live company on the Ultimate plan, shared by the module's tests of one recorded client run."""
    # The script makes ~45 calls within a second or two: Ultimate's burst limit (120 per 2 s for an API
    # token) leaves room, where Growth's 40 would rightly answer 429 part-way.
    return live_sandbox.new_company(plan="ultimate", persons=5)


@pytest.fixture(scope="module")
def crud(node: str, ultimate_company: dict[str, Any]) -> dict[str, Any]:
    out = run_node(
        node,
        "pipedrive_client.mjs",
        "crud",
        env={
            "PD_API_DOMAIN": ultimate_company["api_domain"],
            "PD_API_TOKEN": ultimate_company["api_token"],
            "PD_TAG": "zqxtag",
        },
    )
    return out


def _ok(run: dict[str, Any], name: str) -> Any:
    """The response body of a step that must have succeeded with ``success: true``."""
    assert name in run["results"], f"step {name} never ran (an earlier step it depends on failed)"
    result = run["results"][name]
    assert result["ok"], f"{name} failed: {result['error']}"
    body = result["value"]
    assert body["success"] is True, body
    return body


def _id(run: dict[str, Any], name: str) -> Any:
    value = run["summary"]["ids"].get(name)
    assert value is not None, f"the script never got an id for the {name} (its create step failed)"
    return value


def _rows(
    live_sandbox: LiveSandbox, ultimate_company: dict[str, Any], table: str
) -> dict[Any, dict[str, Any]]:
    rows: dict[Any, dict[str, Any]] = (
        live_sandbox.sandbox.pipedrive.companies[ultimate_company["company_id"]].tables[table].rows
    )
    return rows


def test_users(crud: dict[str, Any], live_sandbox: LiveSandbox, ultimate_company: dict[str, Any]) -> None:
    me = _ok(crud, "users.getCurrentUser")["data"]
    admin = live_sandbox.sandbox.pipedrive.companies[ultimate_company["company_id"]].admin()
    assert me["id"] == admin.id and me["email"] == admin.email
    assert me["company_id"] == ultimate_company["company_id"]
    assert me["company_domain"] == ultimate_company["company_domain"]
    users = _ok(crud, "users.getUsers")["data"]
    assert admin.id in [u["id"] for u in users]
    assert _ok(crud, "users.getUser")["data"]["id"] == admin.id


def test_pipelines_and_stages(
    crud: dict[str, Any], live_sandbox: LiveSandbox, ultimate_company: dict[str, Any]
) -> None:
    pipelines = _ok(crud, "pipelines.getPipelines")["data"]
    stored = [
        r for r in _rows(live_sandbox, ultimate_company, "pipelines").values() if not r.get("is_deleted")
    ]
    assert sorted(p["id"] for p in pipelines) == sorted(r["id"] for r in stored)
    first = _ok(crud, "pipelines.getPipeline")["data"]
    assert first["id"] == pipelines[0]["id"] and first["name"] == pipelines[0]["name"]
    stages = _ok(crud, "stages.getStages")["data"]
    assert stages and all(s["pipeline_id"] == first["id"] for s in stages)


def test_organizations(
    crud: dict[str, Any], live_sandbox: LiveSandbox, ultimate_company: dict[str, Any]
) -> None:
    org_id = _id(crud, "org")
    assert _ok(crud, "orgs.add")["data"]["name"] == "zqxtag Industries"
    assert _ok(crud, "orgs.get")["data"]["id"] == org_id
    assert _ok(crud, "orgs.update")["data"]["name"] == "zqxtag Holdings"
    listed = _ok(crud, "orgs.list")
    assert len(listed["data"]) <= 2 and "next_cursor" in listed["additional_data"]
    found = _ok(crud, "orgs.search")["data"]["items"]
    assert org_id in [i["item"]["id"] for i in found]
    assert _ok(crud, "orgs.delete")["data"]["id"] == org_id
    row = _rows(live_sandbox, ultimate_company, "organizations")[org_id]
    assert row["name"] == "zqxtag Holdings" and row["is_deleted"] is True


def test_persons(crud: dict[str, Any], live_sandbox: LiveSandbox, ultimate_company: dict[str, Any]) -> None:
    added = _ok(crud, "persons.add")["data"]
    assert added["org_id"] == _id(crud, "org")
    assert added["emails"] == [{"value": "zqxtag@example.com", "primary": True, "label": "work"}]
    assert added["phones"] == [{"value": "+15550100", "primary": True, "label": "mobile"}]
    assert _ok(crud, "persons.get")["data"]["name"] == "Ada zqxtag"
    assert _ok(crud, "persons.update")["data"]["name"] == "Augusta zqxtag"
    found = _ok(crud, "persons.search")["data"]["items"]
    assert [i["item"]["id"] for i in found] == [_id(crud, "person")]
    assert _ok(crud, "persons.delete")["data"]["id"] == _id(crud, "person")
    assert _rows(live_sandbox, ultimate_company, "persons")[_id(crud, "person")]["is_deleted"] is True


def test_person_cursor_pagination_walks_everything(crud: dict[str, Any]) -> None:
    result = crud["results"]["persons.paginate"]
    assert result["ok"], result["error"]
    walk = result["value"]
    assert walk["last_cursor"] is None
    assert len(walk["ids"]) == len(set(walk["ids"])), "a cursor repeated a person"
    assert walk["pages"] == (len(walk["ids"]) + 1) // 2
    assert _id(crud, "person") in walk["ids"]
    assert walk["ids"] == sorted(walk["ids"]), "the default sort is by id"


def test_deals(crud: dict[str, Any], live_sandbox: LiveSandbox, ultimate_company: dict[str, Any]) -> None:
    added = _ok(crud, "deals.add")["data"]
    assert (added["title"], added["value"], added["currency"]) == ("zqxtag deal", 1500, "EUR")
    assert added["person_id"] == _id(crud, "person") and added["org_id"] == _id(crud, "org")
    assert added["status"] == "open"
    assert isinstance(added["stage_id"], int) and isinstance(added["pipeline_id"], int)
    assert _ok(crud, "deals.get")["data"]["id"] == _id(crud, "deal")
    updated = _ok(crud, "deals.update")["data"]
    assert updated["status"] == "won" and updated["title"] == "zqxtag deal won"
    assert len(_ok(crud, "deals.list")["data"]) <= 3
    for key in ("person_name", "org_name", "owner_name", "weighted_value"):
        assert key not in added, f"v2 deals carry plain ids, not {key}"
    assert isinstance(added["owner_id"], int) and isinstance(added["visible_to"], int)
    found = _ok(crud, "deals.search")["data"]["items"]
    hit = next(i for i in found if i["item"]["id"] == _id(crud, "deal"))
    assert isinstance(hit["result_score"], (int, float))
    item = hit["item"]
    assert (item["type"], item["title"], item["value"], item["currency"]) == (
        "deal",
        "zqxtag deal won",
        1500,
        "EUR",
    )
    assert item["person"] == {"id": _id(crud, "person"), "name": "Augusta zqxtag"}
    assert item["organization"] == {"id": _id(crud, "org"), "name": "zqxtag Holdings"}
    assert item["stage"]["id"] == added["stage_id"] and item["stage"]["name"]
    assert item["owner"]["id"] == added["owner_id"]
    assert _ok(crud, "deals.delete")["data"]["id"] == _id(crud, "deal")
    row = _rows(live_sandbox, ultimate_company, "deals")[_id(crud, "deal")]
    assert row["status"] == "won" and row["is_deleted"] is True


def test_item_search(crud: dict[str, Any]) -> None:
    items = _ok(crud, "itemSearch.search")["data"]["items"]
    found = {(i["item"]["type"], i["item"]["id"]) for i in items}
    assert {("deal", _id(crud, "deal")), ("person", _id(crud, "person"))} <= found


def test_missing_deal_rejects_with_the_404_body(crud: dict[str, Any]) -> None:
    result = crud["results"]["deals.getMissing"]
    assert result["ok"] is False
    assert result["error"]["success"] is False
    assert result["error"]["error"]


def test_activities(
    crud: dict[str, Any], live_sandbox: LiveSandbox, ultimate_company: dict[str, Any]
) -> None:
    added = _ok(crud, "activities.add")["data"]
    assert (added["subject"], added["type"], added["deal_id"]) == ("zqxtag call", "call", _id(crud, "deal"))
    assert (added["due_date"], added["due_time"]) == ("2026-12-01", "10:30")
    assert added["person_id"] == _id(crud, "person"), "v2 derives person_id from the primary participant"
    assert added["done"] is False
    assert _ok(crud, "activities.get")["data"]["id"] == _id(crud, "activity")
    assert _ok(crud, "activities.update")["data"]["done"] is True
    listed = _ok(crud, "activities.list")["data"]
    assert _id(crud, "activity") in [a["id"] for a in listed]
    assert all(a["deal_id"] == _id(crud, "deal") for a in listed), "the deal_id filter applies"
    assert _ok(crud, "activities.delete")["data"]["id"] == _id(crud, "activity")
    assert _rows(live_sandbox, ultimate_company, "activities")[_id(crud, "activity")]["is_deleted"] is True


def test_leads(crud: dict[str, Any], live_sandbox: LiveSandbox, ultimate_company: dict[str, Any]) -> None:
    added = _ok(crud, "leads.add")["data"]
    assert UUID.match(added["id"]), added["id"]
    assert added["value"] == {"amount": 250, "currency": "USD"}
    assert added["person_id"] == _id(crud, "person")
    assert _ok(crud, "leads.get")["data"]["title"] == "zqxtag lead"
    assert _ok(crud, "leads.update")["data"]["title"] == "zqxtag lead warm"
    listed = _ok(crud, "leads.list")
    assert len(listed["data"]) == 1
    assert _ok(crud, "leads.delete")["data"]["id"] == _id(crud, "lead")
    assert _id(crud, "lead") not in {
        k for k, r in _rows(live_sandbox, ultimate_company, "leads").items() if not r.get("is_deleted")
    }


def test_notes(crud: dict[str, Any], live_sandbox: LiveSandbox, ultimate_company: dict[str, Any]) -> None:
    added = _ok(crud, "notes.add")["data"]
    assert added["deal_id"] == _id(crud, "deal") and "zqxtag note" in added["content"]
    assert _ok(crud, "notes.get")["data"]["id"] == _id(crud, "note")
    assert "zqxtag note edited" in _ok(crud, "notes.update")["data"]["content"]
    assert _id(crud, "note") in [n["id"] for n in _ok(crud, "notes.list")["data"]]
    _ok(crud, "notes.delete")
    assert _id(crud, "note") not in {
        k for k, r in _rows(live_sandbox, ultimate_company, "notes").items() if not r.get("is_deleted")
    }


# --- OAuth through the client's OAuth2Configuration ---------------------------------------------------


def test_oauth2_configuration_flow(node: str, live_sandbox: LiveSandbox) -> None:
    company = live_sandbox.new_company()
    r = live_sandbox.control.post(
        "/_sandbox/pipedrive/apps", json={"redirect_uri": REDIRECT, "scopes": ["deals:full"]}
    )
    assert r.status_code == 201, r.text
    app = r.json()
    env = {
        "PD_OAUTH_HOST": f"{live_sandbox.root}/pipedrive",
        "PD_CLIENT_ID": app["client_id"],
        "PD_CLIENT_SECRET": app["client_secret"],
        "PD_REDIRECT_URI": REDIRECT,
    }
    url = run_node(node, "pipedrive_client.mjs", "oauth-url", env=env)["summary"]["authorization_url"]
    assert url.startswith(app["authorize_url"] + "?")
    query = live_sandbox.consent(url, {"company_id": str(company["company_id"])})
    assert "code" in query, query

    run = run_node(node, "pipedrive_client.mjs", "oauth-exchange", env={**env, "PD_CODE": query["code"]})
    token = run["results"]["oauth.authorize"]
    assert token["ok"], token["error"]
    assert token["value"]["api_domain"] == company["api_domain"]
    assert token["value"]["token_type"] == "Bearer"
    assert "deals:full" in token["value"]["scope"].split(",")
    assert run["summary"]["base_path"] == f"{company['api_domain']}/api/v2"
    assert _ok(run, "oauth.deals.list")["data"] is not None
    me = _ok(run, "oauth.users.me")["data"]
    assert me["company_id"] == company["company_id"]

    refreshed = run["results"]["oauth.refresh"]
    assert refreshed["ok"], refreshed["error"]
    assert refreshed["value"]["refresh_token"] == run["summary"]["refresh_token"], (
        "refresh tokens do not rotate"
    )
    assert run["summary"]["refreshed_access_token"] != run["summary"]["access_token"]
    assert _ok(run, "oauth.deals.list.after_refresh")["success"] is True

    assert run["results"]["oauth.revoke"]["ok"], run["results"]["oauth.revoke"]
    after = run["results"]["oauth.refresh.after_revoke"]
    assert after["ok"] is False
    assert after["error"]["error"] == "invalid_grant"
    assert after["error"]["message"] == "Invalid grant: refresh_token is invalid"
