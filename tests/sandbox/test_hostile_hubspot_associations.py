"""The hostile-value fuzz of test_hostile_input.py over association limits (v4 definition configurations)
and the v3 associations API. Never a 5xx; every refusal in HubSpot's error body."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from .test_hostile_input import HOSTILE_JSON, HOSTILE_QUERY, MARK, Fuzz, fuzz, shown, with_value

pytestmark = pytest.mark.anyio
__all__ = ["fuzz"]  # the fixture, shared with test_hostile_input.py

CONF = "/hubspot/crm/v4/associations/definitions/configurations/contacts/companies/batch"
V3 = "/hubspot/crm/v3/associations/contacts/companies"
LIMIT = {"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 7}
PAIR = {"from": {"id": "1"}, "to": {"id": "2"}, "type": "contact_to_company"}
BODIES: list[tuple[str, Any]] = [
    (CONF + "/create", {"inputs": MARK}),
    (CONF + "/create", {"inputs": [MARK]}),
    (CONF + "/create", {"inputs": [{**LIMIT, "category": MARK}]}),
    (CONF + "/create", {"inputs": [{**LIMIT, "typeId": MARK}]}),
    (CONF + "/create", {"inputs": [{**LIMIT, "maxToObjectIds": MARK}]}),
    (CONF + "/update", {"inputs": [{**LIMIT, "maxToObjectIds": MARK}]}),
    (CONF + "/update", {"inputs": [{**LIMIT, "typeId": MARK, "category": MARK}]}),
    (CONF + "/purge", {"inputs": [{"category": MARK, "typeId": 1}]}),
    (CONF + "/purge", {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": MARK}]}),
    (V3 + "/batch/read", {"inputs": [{"id": MARK}]}),
    (V3 + "/batch/read", {"inputs": [{"id": "1", "after": MARK}]}),
    (V3 + "/batch/read", MARK),
    (V3 + "/batch/create", {"inputs": [{**PAIR, "type": MARK}]}),
    (V3 + "/batch/create", {"inputs": [{**PAIR, "from": MARK}]}),
    (V3 + "/batch/create", {"inputs": [{**PAIR, "to": {"id": MARK}}]}),
    (V3 + "/batch/archive", {"inputs": [{**PAIR, "type": MARK}]}),
    (V3 + "/batch/archive", {"inputs": [{**PAIR, "from": {"id": MARK}}]}),
]
PATHS = [
    ("GET", "/hubspot/crm/v4/associations/definitions/configurations/{}/companies"),
    ("GET", "/hubspot/crm/associations/v4/definitions/configurations/contacts/{}"),
    ("POST", "/hubspot/crm/v4/associations/definitions/configurations/{}/companies/batch/purge"),
    ("GET", "/hubspot/crm/v3/associations/{}/companies/types"),
    ("POST", "/hubspot/crm/v3/associations/contacts/{}/batch/read"),
]


async def test_association_limits_and_v3_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.hubspot, "content-type": "application/json"}
    for path, template in BODIES:
        for raw in HOSTILE_JSON:
            what = f"{json.dumps(template)[:60]} with {shown(raw)}"
            await fuzz.send("hubspot", "POST", path, what, content=with_value(template, raw), headers=h)
    for method, pattern in PATHS:
        for raw in HOSTILE_QUERY:
            path = pattern.format(quote(raw, safe=""))
            await fuzz.send("hubspot", method, path, shown(raw), json={"inputs": []}, headers=h)
    await fuzz.still_works("the fuzz of association limits and v3 associations")
    r = await fuzz.client.get(
        "/hubspot/crm/v4/associations/definitions/configurations/all", headers=fuzz.hubspot
    )
    assert r.status_code == 200
    # no hostile value became a limit below 1 or a limit on an unknown type
    assert all(c["userEnforcedMaxToObjectIds"] >= 1 for c in r.json()["results"])
    assert not fuzz.failures, "\n".join(fuzz.failures)
