"""``include_fields`` on v2 deals/persons/organizations and the fields APIs (issue 15: once ignored)."""

from __future__ import annotations

import pytest

from .helpers import CompanyApi

pytestmark = pytest.mark.anyio

#: A few of the spec's include_fields names per entity, with the JSON type the answer must carry.
ENTITY_INCLUDES = {
    "/api/v2/deals": {"notes_count": int, "activities_count": int, "smart_bcc_email": str},
    "/api/v2/persons": {"open_deals_count": int, "notes_count": int, "followers_count": int},
    "/api/v2/organizations": {"people_count": int, "won_deals_count": int, "undone_activities_count": int},
}


@pytest.mark.parametrize("path", list(ENTITY_INCLUDES))
async def test_include_fields_appear_only_when_asked(company_api: CompanyApi, path: str) -> None:
    wanted = ENTITY_INCLUDES[path]
    listed = await company_api.get(path, params={"include_fields": ",".join(wanted), "limit": 2})
    assert listed.status_code == 200, listed.text
    rows = listed.json()["data"]
    assert rows and all(isinstance(r[k], t) for r in rows for k, t in wanted.items())
    one = await company_api.data(f"{path}/{rows[0]['id']}", params={"include_fields": ",".join(wanted)})
    assert {k: one[k] for k in wanted} == {k: rows[0][k] for k in wanted}
    plain = await company_api.data(f"{path}/{rows[0]['id']}")
    assert not set(wanted) & set(plain)
    bad = await company_api.get(path, params={"include_fields": "notes_count,shoe_size"})
    assert bad.status_code == 400 and "shoe_size" in bad.json()["error"], bad.text


async def test_counts_follow_the_data(company_api: CompanyApi) -> None:
    org = (await company_api.post("/api/v2/organizations", json={"name": "Counted"})).json()["data"]
    person = (await company_api.post("/api/v2/persons", json={"name": "P", "org_id": org["id"]})).json()[
        "data"
    ]
    deal = (
        await company_api.post(
            "/api/v2/deals", json={"title": "D", "person_id": person["id"], "org_id": org["id"]}
        )
    ).json()["data"]
    await company_api.post("/v1/notes", json={"content": "n1", "deal_id": deal["id"]})
    first = (
        await company_api.post(
            "/api/v2/activities", json={"deal_id": deal["id"], "due_date": "2030-01-02", "done": False}
        )
    ).json()["data"]
    await company_api.post(
        "/api/v2/activities", json={"deal_id": deal["id"], "due_date": "2030-01-01", "done": True}
    )
    names = "notes_count,activities_count,done_activities_count,next_activity_id,participants_count"
    got = await company_api.data(f"/api/v2/deals/{deal['id']}", params={"include_fields": names})
    assert (got["notes_count"], got["activities_count"], got["done_activities_count"]) == (1, 2, 1)
    assert got["next_activity_id"] == first["id"] and got["participants_count"] == 1
    o = await company_api.data(
        f"/api/v2/organizations/{org['id']}", params={"include_fields": "people_count,open_deals_count"}
    )
    assert (o["people_count"], o["open_deals_count"]) == (1, 1)


@pytest.mark.parametrize(
    ("path", "namespaces"),
    [
        ("/api/v2/dealFields", "ui_visibility,important_fields,required_fields"),
        ("/api/v2/personFields", "ui_visibility,required_fields"),
        ("/api/v2/productFields", "ui_visibility"),
    ],
)
async def test_field_namespaces(company_api: CompanyApi, path: str, namespaces: str) -> None:
    fields = (await company_api.get(path, params={"include_fields": namespaces})).json()["data"]
    assert fields and all(isinstance(f[n], dict) for f in fields for n in namespaces.split(","))
    one = await company_api.data(f"{path}/{fields[0]['field_code']}", params={"include_fields": namespaces})
    assert all(n in one for n in namespaces.split(","))
    assert "ui_visibility" not in (await company_api.get(path)).json()["data"][0]


async def test_field_namespace_not_offered_is_refused(company_api: CompanyApi) -> None:
    r = await company_api.get("/api/v2/productFields", params={"include_fields": "required_fields"})
    assert r.status_code == 400 and "required_fields" in r.json()["error"], r.text
