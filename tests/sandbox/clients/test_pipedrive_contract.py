"""Pipedrive's wire format as the sandbox serves it, checked with plain httpx against the reference facts.

These are the shapes the official clients and our own code parse: the envelope, both pagination styles,
person contact arrays, lead values, the error bodies, rate-limit headers and the token endpoint's messages.
"""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

pytestmark = pytest.mark.anyio

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
REDIRECT = "https://app.example.com/oauth/pipedrive/callback"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def _new_company(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    r = await client.post("/_sandbox/pipedrive/companies", json={"seed": 3, **body})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    data["headers"] = {"x-api-token": data["api_token"]}
    data["prefix"] = f"/pipedrive/{data['company_domain']}"
    return data


async def _person(client: httpx.AsyncClient, company: dict[str, Any], **body: Any) -> dict[str, Any]:
    r = await client.post(
        f"{company['prefix']}/api/v2/persons", json={"name": "Lead Owner", **body}, headers=company["headers"]
    )
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def _basic(app: dict[str, Any], secret: str | None = None) -> dict[str, str]:
    raw = f"{app['client_id']}:{secret or app['client_secret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def _app(client: httpx.AsyncClient, scopes: list[str]) -> dict[str, Any]:
    r = await client.post("/_sandbox/pipedrive/apps", json={"redirect_uri": REDIRECT, "scopes": scopes})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def _code(client: httpx.AsyncClient, app: dict[str, Any], company_id: int) -> str:
    url = f"/pipedrive/oauth/authorize?client_id={app['client_id']}&redirect_uri={REDIRECT}&state=s1"
    granted = await client.post(url, data={"decision": "grant", "company_id": str(company_id)})
    assert granted.status_code == 302, granted.text
    return parse_qs(urlsplit(granted.headers["location"]).query)["code"][0]


async def _tokens(client: httpx.AsyncClient, app: dict[str, Any], company_id: int) -> dict[str, Any]:
    code = await _code(client, app, company_id)
    r = await client.post(
        "/pipedrive/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        headers=_basic(app),
    )
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


# --- envelope and pagination --------------------------------------------------------------------------


async def test_v2_envelope_and_cursor_pagination(client: httpx.AsyncClient) -> None:
    company = await _new_company(client, persons=5)
    seen: list[int] = []
    cursor: str | None = None
    for _ in range(20):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        r = await client.get(f"{company['prefix']}/api/v2/persons", params=params, headers=company["headers"])
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"success", "data", "additional_data"}
        assert body["success"] is True and isinstance(body["data"], list)
        assert len(body["data"]) <= 2
        seen += [p["id"] for p in body["data"]]
        assert "next_cursor" in body["additional_data"]
        cursor = body["additional_data"]["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor
    else:
        pytest.fail("next_cursor never became null")
    assert len(seen) == len(set(seen)) >= 5
    assert seen == sorted(seen)


async def test_v1_offset_pagination_on_leads(client: httpx.AsyncClient) -> None:
    company = await _new_company(client)
    person = await _person(client, company)
    for i in range(3):
        r = await client.post(
            f"{company['prefix']}/v1/leads",
            json={"title": f"Lead {i}", "person_id": person["id"]},
            headers=company["headers"],
        )
        assert r.status_code == 201, r.text
    everything = await client.get(
        f"{company['prefix']}/v1/leads", params={"limit": 500}, headers=company["headers"]
    )
    total = len(everything.json()["data"])
    assert total >= 3
    first = await client.get(f"{company['prefix']}/v1/leads", params={"limit": 2}, headers=company["headers"])
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["success"] is True and len(page["data"]) == 2
    assert page["additional_data"]["pagination"] == {
        "start": 0,
        "limit": 2,
        "more_items_in_collection": True,
        "next_start": 2,
    }
    last = await client.get(
        f"{company['prefix']}/api/v1/leads",
        params={"start": total - 1, "limit": 2},
        headers=company["headers"],
    )
    tail = last.json()
    assert len(tail["data"]) == 1
    pagination = tail["additional_data"]["pagination"]
    assert pagination["start"] == total - 1 and pagination["limit"] == 2
    assert pagination["more_items_in_collection"] is False
    assert "next_start" not in pagination


# --- entity shapes ------------------------------------------------------------------------------------


async def test_person_emails_and_phones_are_object_arrays(client: httpx.AsyncClient) -> None:
    company = await _new_company(client)
    person = await _person(
        client,
        company,
        emails=[{"value": "a@example.com"}, {"value": "b@example.com", "label": "home"}],
        phones=[{"value": "+3725550000", "primary": True, "label": "mobile"}],
    )
    assert person["emails"] == [
        {"value": "a@example.com", "primary": True, "label": "work"},
        {"value": "b@example.com", "primary": False, "label": "home"},
    ]
    assert person["phones"] == [{"value": "+3725550000", "primary": True, "label": "mobile"}]
    assert "email" not in person and "phone" not in person
    r = await client.get(f"{company['prefix']}/api/v2/persons/{person['id']}", headers=company["headers"])
    assert r.json()["data"]["emails"] == person["emails"]


async def test_v2_person_rejects_bare_string_emails(client: httpx.AsyncClient) -> None:
    company = await _new_company(client)
    r = await client.post(
        f"{company['prefix']}/api/v2/persons",
        json={"name": "Bare", "emails": ["x@example.com"]},
        headers=company["headers"],
    )
    assert r.status_code == 400, r.text
    assert r.json()["success"] is False


async def test_lead_value_object_and_uuid_id(client: httpx.AsyncClient) -> None:
    company = await _new_company(client)
    person = await _person(client, company)
    r = await client.post(
        f"{company['prefix']}/v1/leads",
        json={"title": "Valued", "person_id": person["id"], "value": {"amount": 99.5, "currency": "EUR"}},
        headers=company["headers"],
    )
    assert r.status_code == 201, r.text
    lead = r.json()["data"]
    assert UUID.match(lead["id"]), lead["id"]
    assert lead["value"] == {"amount": 99.5, "currency": "EUR"}
    assert lead["person_id"] == person["id"]
    got = await client.get(f"{company['prefix']}/v1/leads/{lead['id']}", headers=company["headers"])
    assert got.json()["data"]["value"] == {"amount": 99.5, "currency": "EUR"}

    cleared = await client.patch(
        f"{company['prefix']}/v1/leads/{lead['id']}", json={"value": None}, headers=company["headers"]
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["data"]["value"] is None

    orphan = await client.post(
        f"{company['prefix']}/v1/leads", json={"title": "Orphan"}, headers=company["headers"]
    )
    assert orphan.status_code == 400, orphan.text
    assert orphan.json()["success"] is False


async def test_notes_update_with_put(client: httpx.AsyncClient) -> None:
    company = await _new_company(client)
    person = await _person(client, company)
    r = await client.post(
        f"{company['prefix']}/v1/notes",
        json={"content": "<p>first</p>", "person_id": person["id"]},
        headers=company["headers"],
    )
    assert r.status_code in (200, 201), r.text
    note = r.json()["data"]
    put = await client.put(
        f"{company['prefix']}/v1/notes/{note['id']}",
        json={"content": "<p>second</p>"},
        headers=company["headers"],
    )
    assert put.status_code == 200, put.text
    assert put.json()["data"]["content"] == "<p>second</p>"
    got = await client.get(f"{company['prefix']}/v1/notes/{note['id']}", headers=company["headers"])
    assert got.json()["data"]["content"] == "<p>second</p>"
    assert got.json()["data"]["person_id"] == person["id"]


# --- errors -------------------------------------------------------------------------------------------


async def test_not_found_bodies(client: httpx.AsyncClient, company: dict[str, Any]) -> None:
    r = await client.get(f"{company['prefix']}/api/v2/deals/987654321", headers=company["headers"])
    assert r.status_code == 404, r.text
    body = r.json()
    assert body["success"] is False
    assert body["error"] == "Entity was not found"
    assert body["error_info"]
    assert body["data"] is None and body["additional_data"] is None

    lead = await client.get(
        f"{company['prefix']}/v1/leads/00000000-0000-4000-8000-000000000000", headers=company["headers"]
    )
    assert lead.status_code == 404, lead.text
    body = lead.json()
    assert body["success"] is False and body["error"] and body["error_info"]
    assert body["data"] is None and body["additional_data"] is None


async def test_unauthorized_body(client: httpx.AsyncClient, company: dict[str, Any]) -> None:
    for headers in ({"x-api-token": "not-a-token"}, {}):
        r = await client.get(f"{company['prefix']}/api/v2/deals", headers=headers)
        assert r.status_code == 401, r.text
        assert r.json() == {
            "success": False,
            "error": "unauthorized access",
            "errorCode": 401,
            "error_info": "Please check developers.pipedrive.com",
        }


async def test_scope_and_url_mismatch(client: httpx.AsyncClient, company: dict[str, Any]) -> None:
    app = await _app(client, ["deals:read"])
    tokens = await _tokens(client, app, company["company_id"])
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    ok = await client.get(f"{company['prefix']}/api/v2/deals", headers=bearer)
    assert ok.status_code == 200, ok.text
    for method, path, body in (
        ("GET", "/api/v2/persons", None),
        ("POST", "/api/v2/deals", {"title": "nope"}),
    ):
        r = await client.request(method, f"{company['prefix']}{path}", json=body, headers=bearer)
        assert r.status_code == 403, r.text
        assert r.json() == {
            "success": False,
            "error": "Scope and URL mismatch",
            "errorCode": 403,
            "error_info": "Please check developers.pipedrive.com",
        }


async def test_rate_limit_headers(client: httpx.AsyncClient, company: dict[str, Any]) -> None:
    first = await client.get(f"{company['prefix']}/api/v2/deals", headers=company["headers"])
    second = await client.get(f"{company['prefix']}/api/v2/deals", headers=company["headers"])
    for r in (first, second):
        assert r.status_code == 200, r.text
        for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
            assert r.headers.get(name, "").isdigit(), f"{name} missing or not a number: {r.headers.get(name)}"
    assert first.headers["x-ratelimit-limit"] == "40", "Growth plan, API token: 40 requests per 2 s"
    assert int(second.headers["x-ratelimit-remaining"]) < int(first.headers["x-ratelimit-remaining"])


# --- token endpoint -----------------------------------------------------------------------------------


async def test_token_endpoint_error_messages(client: httpx.AsyncClient, company: dict[str, Any]) -> None:
    app = await _app(client, ["deals:read"])
    code = await _code(client, app, company["company_id"])
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"json": {"grant_type": "authorization_code"}, "headers": _basic(app)},
            "Invalid request: content must be application/x-www-form-urlencoded",
        ),
        ({"data": {"code": code}, "headers": _basic(app)}, "Missing parameter: grant_type"),
        (
            {"data": {"grant_type": "password"}, "headers": _basic(app)},
            "Unsupported grant type: grant_type is invalid",
        ),
        (
            {
                "data": {"grant_type": "authorization_code", "code": "bogus", "redirect_uri": REDIRECT},
                "headers": _basic(app),
            },
            "Invalid grant: authorization_code is invalid",
        ),
        (
            {"data": {"grant_type": "authorization_code", "code": code}},
            "Invalid client: cannot retrieve client credentials",
        ),
        (
            {
                "data": {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
                "headers": _basic(app, "wrong-secret"),
            },
            "Invalid client: client is invalid",
        ),
        (
            {
                "data": {"grant_type": "authorization_code", "code": code, "redirect_uri": "not a uri"},
                "headers": _basic(app),
            },
            "Invalid request: redirect_uri is not a valid URI",
        ),
        (
            {
                "data": {
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": REDIRECT + "/other",
                },
                "headers": _basic(app),
            },
            "Invalid request: redirect_uri is invalid",
        ),
        (
            {"data": {"grant_type": "refresh_token", "refresh_token": "nope"}, "headers": _basic(app)},
            "Invalid grant: refresh_token is invalid",
        ),
    ]
    for kwargs, message in cases:
        r = await client.post("/pipedrive/oauth/token", **kwargs)
        assert r.status_code == 400, (message, r.text)
        assert r.json()["message"] == message, r.text
        assert r.json()["success"] is False

    # None of the failed attempts used up the code: it still exchanges once, and only once.
    ok = await client.post(
        "/pipedrive/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        headers=_basic(app),
    )
    assert ok.status_code == 200, ok.text
    token = ok.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0
    assert token["api_domain"].endswith(f"/pipedrive/{company['company_domain']}")
    again = await client.post(
        "/pipedrive/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        headers=_basic(app),
    )
    assert again.status_code == 400
    assert again.json()["message"] == "Invalid grant: authorization_code is invalid"
    assert again.json()["error"] == "invalid_grant"
