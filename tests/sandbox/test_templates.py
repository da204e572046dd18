"""Seed templates: asking again for a seeded portal or company copies the first seeding, and the copy is
exactly what a fresh seed would have made for that account (ids, tokens and what derives from them
aside), while no account's writes reach another."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from crmbridge_sandbox import Sandbox, SandboxClock, SeedTemplates
from crmbridge_sandbox.hubspot.store import AssociationStore

pytestmark = pytest.mark.anyio

START = 1_760_000_000.25  # a frozen clock, so that fresh and copied seeds share their instant
DAY = 86_400


def plain(value: Any) -> Any:
    """Sandbox state as plain, comparable data (dataclasses as dicts, association edges as a dict)."""
    if isinstance(value, AssociationStore):
        return plain(dict(value._edges))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return [(plain(k), plain(v)) for k, v in value.items()]  # a list: the order is data too
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(map(repr, value))
    return value


def sandbox(templates: SeedTemplates | None) -> Sandbox:
    return Sandbox(clock=SandboxClock(START, frozen=True), templates=templates)


def test_a_portal_asked_again_is_a_copy_identical_to_a_fresh_seed() -> None:
    templates = SeedTemplates()
    copying, seeding = sandbox(templates), sandbox(None)
    first, copied = (copying.hubspot.create_portal(seed_value=7) for _ in range(2))
    seeding.hubspot.create_portal(seed_value=7)
    fresh = seeding.hubspot.create_portal(seed_value=7)
    assert (templates.misses, templates.hits) == (1, 1)
    assert copied.id == fresh.id == first.id + 1
    assert copied.private_app_token not in (first.private_app_token, fresh.private_app_token)
    assert plain(dataclasses.replace(copied, private_app_token="")) == plain(
        dataclasses.replace(fresh, private_app_token="")
    )
    # The one thing seeded from the portal id: the custom object is numbered for the copy, not the first.
    (cars,) = copied.schemas.values()
    assert cars.object_type.fully_qualified_name == f"p{copied.id}_cars"
    assert cars.object_type.type_id not in first.tables and cars.object_type.type_id in copied.tables


def test_a_company_asked_again_is_a_copy_identical_to_a_fresh_seed() -> None:
    templates = SeedTemplates()
    copying, seeding = sandbox(templates), sandbox(None)
    (first, first_token), (copied, token) = (copying.pipedrive.create_company(seed_value=7) for _ in range(2))
    seeding.pipedrive.create_company(seed_value=7)
    fresh, fresh_token = seeding.pipedrive.create_company(seed_value=7)
    assert (templates.misses, templates.hits) == (1, 1)
    assert token not in (first_token, fresh_token) and copied.api_tokens == {token: copied.admin().id}
    assert plain(dataclasses.replace(copied, api_tokens={})) == plain(
        dataclasses.replace(fresh, api_tokens={})
    )
    # Users are sandbox-wide, as in Pipedrive: the copy's are new, and its rows name them.
    assert set(copied.users).isdisjoint(first.users)
    owners = {row["owner_id"] for row in copied.tables["deals"].rows.values()}
    assert owners and owners <= set(copied.users)
    assert all(u.email.endswith(f"@{copied.domain}.example") for u in copied.users.values())


async def test_writes_to_one_copy_reach_neither_the_template_nor_another_copy() -> None:
    running = sandbox(SeedTemplates())
    async with running.client() as client:

        async def new_portal() -> dict[str, str]:
            r = await client.post("/_sandbox/hubspot/portals", json={"seed": 7})
            return {"Authorization": f"Bearer {r.json()['private_app_token']}"}

        async def add_contact(headers: dict[str, str], email: str) -> str:
            r = await client.post(
                "/hubspot/crm/v3/objects/contacts", json={"properties": {"email": email}}, headers=headers
            )
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

        async def contacts(headers: dict[str, str]) -> list[str]:
            r = await client.get("/hubspot/crm/v3/objects/contacts", params={"limit": 100}, headers=headers)
            return [c["properties"]["email"] for c in r.json()["results"]]

        seeded = await new_portal()  # the template is taken from this one
        seeded_contacts = await contacts(seeded)
        await add_contact(seeded, "after-seeding@x.example")
        copy = await new_portal()
        await add_contact(copy, "in-the-copy@x.example")
        later_copy = await new_portal()
        assert len(seeded_contacts) == 50
        assert await contacts(copy) == [*seeded_contacts, "in-the-copy@x.example"]
        assert await contacts(seeded) == [*seeded_contacts, "after-seeding@x.example"]
        assert await contacts(later_copy) == seeded_contacts


async def test_copied_companies_answer_only_to_their_own_token() -> None:
    running = sandbox(SeedTemplates())
    async with running.client() as client:
        a, b = [
            (await client.post("/_sandbox/pipedrive/companies", json={"seed": 7})).json() for _ in range(2)
        ]
        for company, token, status in ((a, a, 200), (b, b, 200), (b, a, 401)):
            r = await client.get(
                f"/pipedrive/{company['company_domain']}/api/v2/deals",
                headers={"x-api-token": token["api_token"]},
            )
            assert r.status_code == status, r.text
        deals = [
            (
                await client.get(
                    f"/pipedrive/{c['company_domain']}/api/v2/deals", headers={"x-api-token": c["api_token"]}
                )
            ).json()["data"]
            for c in (a, b)
        ]
        assert [d["title"] for d in deals[0]] == [d["title"] for d in deals[1]]


def test_other_seed_parameters_and_another_day_are_seeded_afresh() -> None:
    templates = SeedTemplates()
    running = sandbox(templates)
    running.hubspot.create_portal(seed_value=7)
    running.hubspot.create_portal(seed_value=7, contacts=5)
    running.hubspot.create_portal(seed_value=8)
    running.hubspot.create_portal(seed_value=7, contacts=50)  # the default size, spelt out: a copy
    running.clock.advance(DAY)
    running.hubspot.create_portal(seed_value=7)
    running.pipedrive.create_company(seed_value=7)
    running.pipedrive.create_company(seed_value=7, persons=3)
    assert (templates.misses, templates.hits) == (6, 1)


def test_without_templates_every_account_is_seeded() -> None:
    running = sandbox(None)
    a, b = running.hubspot.create_portal(seed_value=7), running.hubspot.create_portal(seed_value=7)
    assert running.ctx.templates is None and a.tables["0-1"].records.keys() == b.tables["0-1"].records.keys()


def test_large_seeds_are_not_kept_and_the_least_recently_used_go_first() -> None:
    small = SeedTemplates(max_bytes=10_000)
    sandbox(small).hubspot.create_portal(seed_value=7)
    assert len(small) == 0
    two = SeedTemplates(max_entries=2)
    running = sandbox(two)
    for seed in (1, 2, 1, 3):  # 1 is used again, so 2 is the one to go
        running.pipedrive.create_company(seed_value=seed, persons=2, organizations=1, deals=1)
    assert len(two) == 2 and (two.misses, two.hits) == (3, 1)
    running.pipedrive.create_company(seed_value=1, persons=2, organizations=1, deals=1)
    running.pipedrive.create_company(seed_value=2, persons=2, organizations=1, deals=1)
    assert (two.misses, two.hits) == (4, 2)


def test_templates_are_shared_by_every_sandbox_of_the_process_by_default() -> None:
    from crmbridge_sandbox import PROCESS_TEMPLATES

    assert Sandbox().ctx.templates is PROCESS_TEMPLATES
