"""Variations and note comments survive a state-file restart, and a company restored from an older state
(without their tables) serves them too."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from crmbridge_sandbox import Sandbox, StateFile

from .helpers import CompanyApi

pytestmark = pytest.mark.anyio


async def test_a_restart_keeps_variations_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.state"
    first = Sandbox(state_file=StateFile(path, seed=1))
    async with first.client() as client:
        company = (await client.post("/_sandbox/pipedrive/companies", json={"persons": 1})).json()
        company |= {"headers": {"x-api-token": company["api_token"]},
                    "prefix": f"/pipedrive/{company['company_domain']}"}  # fmt: skip
        api = CompanyApi(client, company)
        product = (await api.post("/api/v2/products", json={"name": "Kept"})).json()["data"]
        base = f"/api/v2/products/{product['id']}/variations"
        variation = (await api.post(base, json={"name": "Kept variation"})).json()["data"]
        deal = (await api.post("/api/v2/deals", json={"title": "Kept"})).json()["data"]
        note = (await api.post("/v1/notes", json={"content": "n", "deal_id": deal["id"]})).json()["data"]
        comment = (await api.post(f"/v1/notes/{note['id']}/comments", json={"content": "kept"})).json()[
            "data"
        ]
    first.save_state()

    again = Sandbox(state_file=StateFile(path, seed=1))
    async with again.client() as client:
        api = CompanyApi(client, company)
        assert await api.data(base) == [variation]
        assert await api.data(f"/v1/notes/{note['id']}/comments/{comment['uuid']}") == comment
        # Ids keep counting from where they were.
        later = (await api.post(base, json={"name": "Next"})).json()["data"]
        assert later["id"] == variation["id"] + 1


async def test_a_company_without_the_new_tables_serves_them(
    client: httpx.AsyncClient, sandbox: Sandbox, company_api: CompanyApi, company: dict[str, object]
) -> None:
    comp = sandbox.pipedrive.companies[int(str(company["company_id"]))]
    for name in ("product_variations", "note_comments"):
        del comp.tables[name]  # as a state file written before these routes existed
    product = (await company_api.post("/api/v2/products", json={"name": "Old"})).json()["data"]
    r = await company_api.post(f"/api/v2/products/{product['id']}/variations", json={"name": "New"})
    assert r.status_code == 201, r.text
    deal = (await company_api.post("/api/v2/deals", json={"title": "Old"})).json()["data"]
    note = (await company_api.post("/v1/notes", json={"content": "n", "deal_id": deal["id"]})).json()["data"]
    assert (await company_api.delete(f"/v1/notes/{note['id']}")).status_code == 200
