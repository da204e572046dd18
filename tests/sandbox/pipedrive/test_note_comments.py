"""Comments on notes (v1): the Comment model's fields and types, offset pages, PUT/DELETE, the note's
delete taking its comments, and v1 error envelopes and scope refusals."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, advance, oauth_headers

pytestmark = pytest.mark.anyio

COMMENT_KEYS = {"uuid", "active_flag", "add_time", "update_time", "content", "object_id", "object_type",
                "user_id", "updater_id", "company_id"}  # fmt: skip
V1_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


async def _note(company_api: CompanyApi) -> dict[str, Any]:
    deal = (await company_api.post("/api/v2/deals", json={"title": "Commented"})).json()["data"]
    r = await company_api.post("/v1/notes", json={"content": "<p>Note</p>", "deal_id": deal["id"]})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def _check_shape(row: dict[str, Any], note: dict[str, Any], company: dict[str, Any]) -> None:
    assert set(row) == COMMENT_KEYS
    assert str(uuid.UUID(row["uuid"])) == row["uuid"]
    assert row["active_flag"] is True and row["object_type"] == "note"
    assert row["object_id"] == str(note["id"])
    assert V1_TIME.match(row["add_time"]) and V1_TIME.match(row["update_time"])
    assert isinstance(row["content"], str)
    for key in ("user_id", "updater_id", "company_id"):
        assert isinstance(row[key], int) and not isinstance(row[key], bool)
    assert row["company_id"] == company["company_id"]


async def test_add_get_list_update_delete(
    client: httpx.AsyncClient, company_api: CompanyApi, company: dict[str, Any]
) -> None:
    note = await _note(company_api)
    me = (await company_api.data("/v1/users/me"))["id"]
    base = f"/v1/notes/{note['id']}/comments"
    r = await company_api.post(base, json={"content": "<b>First</b><script>alert(1)</script>"})
    assert r.status_code == 200, r.text
    assert r.json()["success"] is True
    first = r.json()["data"]
    _check_shape(first, note, company)
    assert first["content"] == "<b>First</b>"  # sanitised like a note
    assert (first["user_id"], first["updater_id"]) == (me, me)
    assert first["add_time"] == first["update_time"]
    # v1 also takes form bodies.
    second = (await company_api.post(base, data={"content": "Second"})).json()["data"]
    _check_shape(second, note, company)

    got = await company_api.get(f"{base}/{first['uuid']}")
    assert got.status_code == 200 and got.json()["data"] == first, got.text
    listed = await company_api.get(base)
    assert listed.status_code == 200, listed.text
    assert [c["uuid"] for c in listed.json()["data"]] == [first["uuid"], second["uuid"]]
    assert listed.json()["additional_data"] == {
        "pagination": {"start": 0, "limit": 100, "more_items_in_collection": False}
    }
    page = (await company_api.get(base, params={"start": 0, "limit": 1})).json()
    assert [c["uuid"] for c in page["data"]] == [first["uuid"]]
    assert page["additional_data"]["pagination"] == {
        "start": 0, "limit": 1, "more_items_in_collection": True, "next_start": 1
    }  # fmt: skip

    await advance(client, 60)
    put = await company_api.put(f"{base}/{first['uuid']}", json={"content": "Edited"})
    assert put.status_code == 200, put.text
    edited = put.json()["data"]
    _check_shape(edited, note, company)
    assert edited["content"] == "Edited" and edited["add_time"] == first["add_time"]
    assert edited["update_time"] > first["update_time"]

    gone = await company_api.delete(f"{base}/{first['uuid']}")
    assert gone.status_code == 200 and gone.json() == {"success": True, "data": True}, gone.text
    assert (await company_api.get(f"{base}/{first['uuid']}")).json() == NOT_FOUND
    assert [c["uuid"] for c in (await company_api.get(base)).json()["data"]] == [second["uuid"]]


async def test_deleting_the_note_takes_its_comments(
    company_api: CompanyApi, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    note, other = await _note(company_api), await _note(company_api)
    c = (await company_api.post(f"/v1/notes/{note['id']}/comments", json={"content": "x"})).json()["data"]
    kept = (await company_api.post(f"/v1/notes/{other['id']}/comments", json={"content": "y"})).json()["data"]
    table = sandbox.pipedrive.companies[company["company_id"]].tables["note_comments"]
    assert set(table.rows) == {c["uuid"], kept["uuid"]}
    assert (await company_api.delete(f"/v1/notes/{note['id']}")).status_code == 200
    assert set(table.rows) == {kept["uuid"]}
    assert (await company_api.get(f"/v1/notes/{note['id']}/comments")).json() == NOT_FOUND


async def test_unknown_note_or_comment_is_404(company_api: CompanyApi) -> None:
    note = await _note(company_api)
    other = await _note(company_api)
    c = (await company_api.post(f"/v1/notes/{other['id']}/comments", json={"content": "x"})).json()["data"]
    unknown = str(uuid.uuid4())
    for r in (
        await company_api.get("/v1/notes/987654/comments"),
        await company_api.post("/v1/notes/987654/comments", json={"content": "x"}),
        await company_api.get(f"/v1/notes/987654/comments/{c['uuid']}"),
        await company_api.get(f"/v1/notes/{note['id']}/comments/{unknown}"),
        await company_api.get(f"/v1/notes/{note['id']}/comments/{c['uuid']}"),  # another note's comment
        await company_api.put(f"/v1/notes/{note['id']}/comments/{unknown}", json={"content": "x"}),
        await company_api.delete(f"/v1/notes/{note['id']}/comments/{unknown}"),
        await company_api.get(f"/api/v1/notes/{note['id']}/comments/not-a-uuid"),
    ):
        assert r.status_code == 404 and r.json() == NOT_FOUND, r.text


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({}, "Field 'content' is required"),
        ({"content": None}, "Field 'content' is required"),
        ({"content": 5}, "expected a string"),
        ({"content": ["a"]}, "expected a string"),
        ({"content": "   "}, "must not be empty"),
        ({"content": "<script>x</script>"}, "must not be empty"),
        ({"content": "x", "uuid": "y"}, "read-only"),
        ({"content": "x", "colour": "red"}, "Unknown field"),
    ],
)
async def test_invalid_bodies(company_api: CompanyApi, body: dict[str, Any], needle: str) -> None:
    note = await _note(company_api)
    base = f"/v1/notes/{note['id']}/comments"
    c = (await company_api.post(base, json={"content": "kept"})).json()["data"]
    for r in (
        await company_api.post(base, json=body),
        await company_api.put(f"{base}/{c['uuid']}", json=body),
    ):
        assert r.status_code == 400, r.text
        error = r.json()
        assert needle in error["error"], error
        assert {k: error[k] for k in ("success", "data", "additional_data")} == {
            "success": False, "data": None, "additional_data": None
        }  # fmt: skip
    assert [x["content"] for x in (await company_api.get(base)).json()["data"]] == ["kept"]
    not_json = await company_api.post(base, content=b"{")
    assert not_json.status_code == 400 and not_json.json()["success"] is False


async def test_scopes(client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]) -> None:
    admin = CompanyApi(client, company)
    note = await _note(admin)
    base = f"/v1/notes/{note['id']}/comments"
    c = (await admin.post(base, json={"content": "x"})).json()["data"]
    for scopes in (["deals:read"], ["contacts:read"]):
        reader = CompanyApi(client, company, oauth_headers(sandbox, company, scopes))
        assert (await reader.get(base)).status_code == 200
        assert (await reader.get(f"{base}/{c['uuid']}")).status_code == 200
        for r in (
            await reader.post(base, json={"content": "y"}),
            await reader.put(f"{base}/{c['uuid']}", json={"content": "y"}),
            await reader.delete(f"{base}/{c['uuid']}"),
        ):
            assert r.status_code == 403 and r.json()["success"] is False, r.text
    stranger = CompanyApi(client, company, oauth_headers(sandbox, company, ["products:full"]))
    assert (await stranger.get(base)).status_code == 403
    writer = CompanyApi(client, company, oauth_headers(sandbox, company, ["contacts:full"]))
    assert (await writer.post(base, json={"content": "y"})).status_code == 200


async def test_only_the_author_or_an_admin_changes_a_comment(
    client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    admin = CompanyApi(client, company)
    note = await _note(admin)
    base = f"/v1/notes/{note['id']}/comments"
    c = (await admin.post(base, json={"content": "x"})).json()["data"]
    comp = sandbox.pipedrive.companies[company["company_id"]]
    user = sandbox.pipedrive.new_user(comp, name="Rep", email="rep@example.com", is_admin=False)
    token = "rep-token-" + uuid.uuid4().hex
    comp.api_tokens[token] = user.id
    rep = CompanyApi(client, company, {"x-api-token": token})
    assert (await rep.put(f"{base}/{c['uuid']}", json={"content": "y"})).status_code == 403
    assert (await rep.delete(f"{base}/{c['uuid']}")).status_code == 403
    own = (await rep.post(base, json={"content": "mine"})).json()["data"]
    assert own["user_id"] == user.id
    edited = (await admin.put(f"{base}/{own['uuid']}", json={"content": "fixed"})).json()["data"]
    assert (edited["user_id"], edited["updater_id"]) == (user.id, comp.admin().id)
