"""Seeding: deterministic, realistic, consistent references, counts honoured (0 included)."""

from __future__ import annotations

from typing import Any

import pytest

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.clock import SandboxClock
from crmbridge_sandbox.pipedrive.store import Company

T0 = 1_750_000_000.0
DAY = 86_400


def _company(seed: int, at: float = T0, **counts: int) -> Company:
    sandbox = Sandbox(clock=SandboxClock(start=at, frozen=True), templates=None)  # the seeder, not a copy
    company, _token = sandbox.pipedrive.create_company(seed_value=seed, **counts)
    return company


def _snapshot(company: Company) -> dict[str, Any]:
    return {
        "tables": {name: table.rows for name, table in company.tables.items()},
        "fields": {
            e: [(f.field_code, f.field_name, f.field_type, f.options) for f in fs]
            for e, fs in company.fields.items()
        },
        "users": [(u.id, u.name, u.email) for u in company.users.values()],
    }


def test_same_seed_same_data_different_seed_different_data() -> None:
    a, b, c = _company(42), _company(42), _company(43)
    assert _snapshot(a) == _snapshot(b)
    assert _snapshot(a)["tables"]["persons"] != _snapshot(c)["tables"]["persons"]
    assert _snapshot(a)["fields"] != _snapshot(c)["fields"]  # custom field hashes come from the seed


def test_seeds_made_at_any_time_of_one_day_are_identical() -> None:
    morning, evening = _company(42, at=T0 - T0 % DAY + 60), _company(42, at=T0 - T0 % DAY + DAY - 60)
    assert _snapshot(morning) == _snapshot(evening)
    next_day = _company(42, at=T0 - T0 % DAY + DAY + 60)
    deal = next(iter(next_day.tables["deals"].rows.values()))
    assert deal["add_time"] != next(iter(morning.tables["deals"].rows.values()))["add_time"]


def test_default_counts_and_consistent_references() -> None:
    company = _company(7)
    t = company.tables
    counts = {name: len(t[name].rows) for name in ("persons", "organizations", "deals", "products", "leads")}
    assert counts == {"persons": 40, "organizations": 15, "deals": 30, "products": 8, "leads": 8}
    assert len(t["activities"].rows) >= 30 and len(t["notes"].rows) > 10 and len(company.users) == 4
    for deal in t["deals"].rows.values():
        assert deal["person_id"] is None or deal["person_id"] in t["persons"].rows
        assert deal["org_id"] is None or deal["org_id"] in t["organizations"].rows
        assert t["stages"].rows[deal["stage_id"]]["pipeline_id"] == deal["pipeline_id"]
        assert deal["owner_id"] in company.users
        assert (deal["status"] == "lost") == bool(deal["lost_reason"])
    for person in t["persons"].rows.values():
        assert "@" in person["emails"][0]["value"] and person["emails"][0]["primary"] is True
    for act in t["activities"].rows.values():
        primary = [p["person_id"] for p in act["participants"] if p["primary"]]
        assert act["person_id"] == (primary[0] if primary else None)
    for note in t["notes"].rows.values():
        assert any(note[k] is not None for k in ("deal_id", "person_id", "org_id", "lead_id"))


def test_counts_of_zero() -> None:
    company = _company(1, persons=0, organizations=0, deals=0)
    t = company.tables
    assert not t["persons"].rows and not t["organizations"].rows and not t["deals"].rows
    assert not t["leads"].rows and not t["activities"].rows and not t["notes"].rows
    assert len(t["pipelines"].rows) == 2 and len(t["stages"].rows) == 9 and company.custom_fields("deal")


@pytest.mark.anyio
async def test_seeded_data_over_http_is_identical_for_the_same_seed() -> None:
    bodies = []
    for _ in range(2):
        sandbox = Sandbox(clock=SandboxClock(start=T0, frozen=True), templates=None)
        async with sandbox.client() as client:
            r = await client.post(
                "/_sandbox/pipedrive/companies", json={"seed": 99, "persons": 5, "deals": 4}
            )
            info = r.json()
            headers = {"x-api-token": info["api_token"]}
            prefix = f"/pipedrive/{info['company_domain']}"
            got = {}
            for path in ("/api/v2/deals", "/api/v2/persons", "/api/v2/activities", "/v1/leads", "/v1/notes"):
                got[path] = (await client.get(prefix + path, headers=headers)).json()["data"]
            bodies.append(got)
    assert bodies[0] == bodies[1]
    assert len(bodies[0]["/api/v2/deals"]) == 4 and len(bodies[0]["/api/v2/persons"]) == 5
