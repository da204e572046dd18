"""``GET /api/v2/itemSearch/field``: case-sensitive exact/beginning/middle matches on one field (system or
custom, by its key), ``{id, <field>: value}`` results, cursor paging, 400/403 bodies, cost and window."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.pipedrive.fields import custom_field

from .helpers import CompanyApi, advance, oauth_headers

pytestmark = pytest.mark.anyio
PATH = "/api/v2/itemSearch/field"


class World:
    """An empty company holding hand-made rows, so expectations are exact."""

    def __init__(self, api: CompanyApi, ids: dict[str, Any]) -> None:
        self.api, self.ids = api, ids

    async def get(self, **params: Any) -> httpx.Response:
        """One search call; the sandbox clock moves on so the 10-per-2-s search window never trips."""
        await advance(self.api.client, 0.25)
        return await self.api.get(PATH, params=params)

    async def data(self, **params: Any) -> list[dict[str, Any]]:
        r = await self.get(**params)
        assert r.status_code == 200, r.text
        rows: list[dict[str, Any]] = r.json()["data"]
        return rows

    async def values(self, entity: str, field: str, term: str, match: str | None = None) -> list[Any]:
        params = {"entity_type": entity, "field": field, "term": term, **({"match": match} if match else {})}
        return [row[field] for row in await self.data(**params)]


@pytest.fixture
async def world(client: httpx.AsyncClient, sandbox: Sandbox) -> World:
    r = await client.post(
        "/_sandbox/pipedrive/companies", json={"seed": 6, "persons": 0, "organizations": 0, "deals": 0}
    )
    company: dict[str, Any] = r.json()
    company["headers"] = {"x-api-token": company["api_token"]}
    company["prefix"] = f"/pipedrive/{company['company_domain']}"
    api = CompanyApi(client, company)
    store = sandbox.pipedrive.companies[company["company_id"]]
    ids: dict[str, Any] = {
        "competitor": custom_field(store, "deal", "Competitor").field_code,
        "months": custom_field(store, "deal", "Contract length (months)").field_code,
        "job": custom_field(store, "person", "Job title").field_code,
    }

    async def post(key: str, path: str, body: dict[str, Any]) -> None:
        r = await api.post(path, json=body)
        assert r.status_code in (200, 201), r.text
        ids[key] = r.json()["data"]["id"]

    await post(
        "org", "/api/v2/organizations", {"name": "Monkey Island Ltd", "address": {"value": "1 Main St"}}
    )
    await post("jane", "/api/v2/persons", {
        "name": "Jane Doe", "emails": [{"value": "jane@doe.example"}, {"value": "jd@work.example"}],
        "phones": [{"value": "+1 555 0100"}], "custom_fields": {ids["job"]: "Head of Sales"},
    })  # fmt: skip
    await post("john", "/api/v2/persons", {"name": "John Doe", "custom_fields": {ids["job"]: "Sales rep"}})
    await post("lower", "/api/v2/persons", {"name": "jane doe"})
    await post("monkey", "/api/v2/deals", {"title": "monkey", "custom_fields": {ids["competitor"]: "Globex"}})
    await post(
        "business", "/api/v2/deals", {"title": "Monkey business", "custom_fields": {ids["months"]: 12}}
    )
    await post(
        "keys", "/api/v2/deals", {"title": "monkeys", "custom_fields": {ids["competitor"]: "Globex Inc"}}
    )
    await post("wrench", "/api/v2/products", {"name": "Monkey wrench", "code": "MW-1"})
    await post(
        "lead",
        "/v1/leads",
        {"title": "monkey lead", "organization_id": ids["org"], ids["competitor"]: "Globex"},
    )
    return World(api, ids)


async def test_response_shape(world: World) -> None:
    r = await world.get(entity_type="person", field="name", term="Jane Doe")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "success": True,
        "data": [{"id": world.ids["jane"], "name": "Jane Doe"}],
        "additional_data": {"next_cursor": None},
    }


async def test_match_kinds_follow_the_spec_example(world: World) -> None:
    # The spec's example: the value `monkey` is found by exact `monkey`, beginning `monk`, middle `onk`/`ke`.
    assert await world.values("deal", "title", "monkey") == ["monkey"]
    assert await world.values("deal", "title", "monkey", "exact") == ["monkey"]
    assert await world.values("deal", "title", "monk", "beginning") == ["monkey", "monkeys"]
    assert await world.values("deal", "title", "monkey", "beginning") == ["monkey", "monkeys"]
    assert await world.values("deal", "title", "onk", "middle") == ["monkey", "Monkey business", "monkeys"]
    assert await world.values("deal", "title", "ke", "middle") == ["monkey", "Monkey business", "monkeys"]
    assert await world.values("deal", "title", "onk", "beginning") == []
    assert await world.values("deal", "title", "monk") == []  # exact is the default


async def test_matching_is_case_sensitive(world: World) -> None:
    assert await world.values("person", "name", "Jane Doe") == ["Jane Doe"]
    assert await world.values("person", "name", "jane doe") == ["jane doe"]
    assert await world.values("person", "name", "JANE DOE") == []
    assert await world.values("person", "name", "Doe", "middle") == ["Jane Doe", "John Doe"]
    assert await world.values("person", "name", "doe", "middle") == ["jane doe"]
    assert await world.values("deal", "title", "Monk", "beginning") == ["Monkey business"]


async def test_custom_fields_by_their_key(world: World) -> None:
    code = world.ids["competitor"]
    rows = await world.data(entity_type="deal", field=code, term="Globex", match="beginning")
    assert rows == [
        {"id": world.ids["monkey"], code: "Globex"},
        {"id": world.ids["keys"], code: "Globex Inc"},
    ]
    leads = await world.data(entity_type="lead", field=code, term="Globex")
    assert leads == [{"id": world.ids["lead"], code: "Globex"}]
    job = world.ids["job"]
    assert await world.values("person", job, "Sales", "middle") == ["Head of Sales", "Sales rep"]


async def test_other_entities_and_multi_valued_fields(world: World) -> None:
    assert await world.data(entity_type="lead", field="title", term="monkey", match="beginning") == [
        {"id": world.ids["lead"], "title": "monkey lead"}
    ]
    assert await world.values("person", "emails", "jd@", "beginning") == ["jd@work.example"]
    assert await world.values("person", "email", "doe.example", "middle") == ["jane@doe.example"]
    assert await world.values("person", "phones", "555", "middle") == ["+1 555 0100"]
    assert await world.values("organization", "address", "Main", "middle") == ["1 Main St"]
    assert await world.values("organization", "name", "Monkey", "beginning") == ["Monkey Island Ltd"]
    assert await world.data(entity_type="product", field="code", term="MW-1") == [
        {"id": world.ids["wrench"], "code": "MW-1"}
    ]
    assert await world.data(entity_type="project", field="title", term="anything") == []


async def test_deleted_rows_are_not_found(world: World) -> None:
    await world.api.delete(f"/api/v2/deals/{world.ids['monkey']}")
    assert await world.values("deal", "title", "monk", "beginning") == ["monkeys"]


async def test_cursor_paging(world: World) -> None:
    seen: list[Any] = []
    cursor = None
    for _ in range(4):
        params = {"entity_type": "deal", "field": "title", "term": "onk", "match": "middle", "limit": 1}
        r = await world.get(**params, **({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.text
        assert len(r.json()["data"]) == 1
        seen.append(r.json()["data"][0]["id"])
        cursor = r.json()["additional_data"]["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str)
    assert seen == [world.ids["monkey"], world.ids["business"], world.ids["keys"]]


GOOD = {"entity_type": "deal", "field": "title", "term": "monkey"}


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"entity_type": "deal", "field": "title"}, "'term' is required"),
        ({"field": "title", "term": "monkey"}, "'entity_type' is required"),
        ({"entity_type": "deal", "term": "monkey"}, "'field' is required"),
        ({**GOOD, "entity_type": "file"}, "'entity_type' must be one of"),
        ({**GOOD, "match": "fuzzy"}, "'match' must be one of"),
        ({**GOOD, "field": "nope"}, "Field 'nope' does not exist"),
        ({**GOOD, "field": "name"}, "Field 'name' does not exist"),
        ({**GOOD, "field": "owner_id"}, "not searchable"),
        ({**GOOD, "field": "__months__"}, "not searchable"),
        ({**GOOD, "term": "m", "match": "beginning"}, "at least 2 characters"),
        ({**GOOD, "term": "m", "match": "middle"}, "at least 2 characters"),
        ({**GOOD, "limit": "501"}, "'limit'"),
        ({**GOOD, "limit": "0"}, "'limit'"),
        ({**GOOD, "cursor": "not-a-cursor"}, "Invalid cursor"),
    ],
)
async def test_invalid_requests(world: World, params: dict[str, str], needle: str) -> None:
    params = {k: world.ids["months"] if v == "__months__" else v for k, v in params.items()}
    r = await world.get(**params)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["success"] is False and needle in body["error"], body
    assert (body["errorCode"], body["data"], body["additional_data"]) == (400, None, None)
    assert isinstance(body["error_info"], str)


async def test_one_character_exact_term_is_allowed(world: World) -> None:
    assert await world.data(entity_type="deal", field="title", term="m") == []


async def test_scopes_cost_and_search_window(
    client: httpx.AsyncClient, sandbox: Sandbox, world: World
) -> None:
    company = world.api.company
    for scopes, status in ((["search:read"], 200), (["deals:full"], 403), (["leads:read"], 403)):
        scoped = CompanyApi(client, company, oauth_headers(sandbox, company, scopes))
        r = await scoped.get(PATH, params=GOOD)
        assert r.status_code == status, scopes
    assert r.json() == {
        "success": False, "error": "Scope and URL mismatch", "errorCode": 403,
        "error_info": "Please check developers.pipedrive.com",
    }  # fmt: skip
    first, second = await world.get(**GOOD), await world.get(**GOOD)
    spent = int(first.headers["x-daily-ratelimit-token-remaining"]) - int(
        second.headers["x-daily-ratelimit-token-remaining"]
    )
    assert spent == 20 and second.headers["x-ratelimit-limit"] == "10"
    await advance(client, 5)
    burst = [await world.api.get(PATH, params=GOOD) for _ in range(11)]
    assert [r.status_code for r in burst] == [200] * 10 + [429]
