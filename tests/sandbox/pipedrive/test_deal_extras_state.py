"""Discounts, installments and conversion jobs live in the company's tables, so a state file keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmbridge_sandbox import Sandbox, StateFile

pytestmark = pytest.mark.anyio


async def test_discounts_installments_and_conversions_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.state"
    sandbox = Sandbox(state_file=StateFile(path))
    async with sandbox.client() as client:
        company = (await client.post("/_sandbox/pipedrive/companies", json={"persons": 1})).json()
        base = f"/pipedrive/{company['company_domain']}"
        h = {"x-api-token": company["api_token"]}
        person = (await client.post(f"{base}/api/v2/persons", json={"name": "P"}, headers=h)).json()["data"]
        deal = (await client.post(f"{base}/api/v2/deals", json={"title": "D"}, headers=h)).json()["data"]
        product = (await client.post(f"{base}/api/v2/products", json={"name": "W"}, headers=h)).json()["data"]
        line = {"product_id": product["id"], "item_price": 100, "quantity": 1}
        await client.post(f"{base}/api/v2/deals/{deal['id']}/products", json=line, headers=h)
        discount = {"description": "D", "amount": 10, "type": "amount"}
        made = await client.post(f"{base}/api/v2/deals/{deal['id']}/discounts", json=discount, headers=h)
        part = {"description": "I", "amount": 90, "billing_date": "2025-01-01"}
        inst = await client.post(f"{base}/api/v2/deals/{deal['id']}/installments", json=part, headers=h)
        lead = await client.post(
            f"{base}/v1/leads", json={"title": "L", "person_id": person["id"]}, headers=h
        )
        lead_id = lead.json()["data"]["id"]
        job = await client.post(f"{base}/api/v2/leads/{lead_id}/convert/deal", headers=h)
    sandbox.save_state()

    restored = Sandbox(state_file=StateFile(path))
    async with restored.client() as client:
        discounts = await client.get(f"{base}/api/v2/deals/{deal['id']}/discounts", headers=h)
        assert discounts.json()["data"] == [made.json()["data"]]
        listed = await client.get(
            f"{base}/api/v2/deals/installments", params={"deal_ids": deal["id"]}, headers=h
        )
        assert listed.json()["data"] == [inst.json()["data"]]
        assert (await client.get(f"{base}/api/v2/deals/{deal['id']}", headers=h)).json()["data"][
            "value"
        ] == 90
        cid = job.json()["data"]["conversion_id"]
        status = await client.get(f"{base}/api/v2/leads/{lead_id}/convert/status/{cid}", headers=h)
        assert status.json()["data"]["status"] == "completed"
