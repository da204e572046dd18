"""Hostile input never breaks the sandbox: a bounded, deterministic fuzz over the control API and the main
CRM routes. Every hostile value in every field must get a 4xx in the right shape (the CRM's own error on
CRM routes, ``{"error": …}`` on control routes), never a 5xx or an exception, and the sandbox must keep
answering afterwards (a NaN clock or an endless latency used to break it for good).

The values are a hand-written table rather than generated ones: each names a way real input went wrong
(NaN and Infinity, numbers past float range or past Python's 4,300-digit limit, digits that are not
ASCII, lone surrogates, nesting deeper than the parser's stack, bodies larger than any CRM accepts).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from starlette.routing import Mount, Route

from crmbridge_sandbox import Sandbox

pytestmark = pytest.mark.anyio

#: Raw JSON text put where a field's value goes.
HOSTILE_JSON = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-1e999",
    "1e308",
    "9" * 400,
    "9" * 5000,
    '"NaN"',
    '"Infinity"',
    '"1e999"',
    '"' + "9" * 5000 + '"',
    '"\\u00b2"',
    '"999999999999999"',
    '"-999999999999999"',
    "999999999999999999999",
    '"\\u0661\\u0662"',
    '"\\ud800"',
    '"\\u0000"',
    '"-"',
    '" "',
    "-1",
    "1.5",
    "true",
    "[]",
    "{}",
    "[" * 5000 + "]" * 5000,
    '{"a":' * 3000 + "1" + "}" * 3000,
]

#: Raw query-string values.
HOSTILE_QUERY = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "9" * 5000,
    "9" * 25,
    "\u00b2",
    "\u0661\u0662",
    "-1",
    "0x1f",
    " 1 ",
    "1.5",
    "-",
    "\x00",
]

#: Whole bodies that are hostile before any field is read.
HOSTILE_BODIES = [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"NaN",
    b'{"a": NaN}',
    b'{"a": "\xed\xa0\x80"}',
    b'{"a": "\xff"}',
]

MARK = "__HOSTILE__"


def with_value(template: Any, raw: str) -> bytes:
    """``template`` as JSON with the marker string replaced by the raw JSON text ``raw``."""
    return json.dumps(template).replace(f'"{MARK}"', raw).encode()


def shown(value: str | bytes) -> str:
    text = value if isinstance(value, str) else value.decode("utf-8", "replace")
    return text if len(text) <= 40 else f"{text[:20]}…({len(text)} chars)"


@dataclass
class Fuzz:
    sandbox: Sandbox
    client: httpx.AsyncClient
    hubspot: dict[str, str]
    pipedrive: dict[str, str]
    prefix: str
    failures: list[str] = field(default_factory=list)

    async def send(self, kind: str, method: str, path: str, what: str, **kw: Any) -> httpx.Response | None:
        # Rate-limit windows must not turn the answer into a 429 that would hide a 5xx.
        self.sandbox.clock.advance(11)
        try:
            r = await self.client.request(method, path, **kw)
        except Exception as exc:  # what the fuzz is looking for
            self.failures.append(f"{method} {path} {what}: raised {type(exc).__name__}: {shown(str(exc))}")
            return None
        if r.status_code >= 500:
            self.failures.append(f"{method} {path} {what}: {r.status_code} {shown(r.text)}")
        elif r.status_code == 400 and not _right_shape(kind, r):
            self.failures.append(f"{method} {path} {what}: 400 in the wrong shape: {shown(r.text)}")
        return r

    async def still_works(self, after: str) -> None:
        """Reset faults, then both CRMs must answer a plain read."""
        await self.client.post("/_sandbox/faults", json={})
        for path, headers in (
            ("/hubspot/crm/v3/objects/contacts", self.hubspot),
            (f"{self.prefix}/api/v2/deals", self.pipedrive),
        ):
            self.sandbox.clock.advance(11)
            try:
                r = await self.client.get(path, headers=headers)
                ok = r.status_code == 200
            except Exception:
                ok = False
            if not ok:
                self.failures.append(f"the sandbox stopped answering {path} after {after}")
                return


def _right_shape(kind: str, r: httpx.Response) -> bool:
    if kind == "oauth":
        return True  # OAuth servers answer in OAuth's own shapes, consent pages in HTML
    try:
        body = r.json()
    except ValueError:
        return False
    if kind == "control":
        return isinstance(body.get("error"), str)
    if kind == "hubspot":
        return body.get("status") == "error" and isinstance(body.get("message"), str)
    if kind == "pipedrive":
        return body.get("success") is False and isinstance(body.get("error"), str)
    raise AssertionError(f"unknown kind {kind!r}")


@pytest.fixture
async def fuzz() -> AsyncIterator[Fuzz]:
    sandbox = Sandbox()
    async with sandbox.client() as client:
        portal = (await client.post("/_sandbox/hubspot/portals", json={"seed": 3})).json()
        company = (await client.post("/_sandbox/pipedrive/companies", json={"seed": 3})).json()
        yield Fuzz(
            sandbox,
            client,
            {"Authorization": f"Bearer {portal['private_app_token']}"},
            {"x-api-token": company["api_token"]},
            f"/pipedrive/{company['company_domain']}",
        )


CONTROL_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("/_sandbox/clock", {"advance_seconds": MARK}),
    ("/_sandbox/faults", {"hubspot": {"latency_ms": MARK}}),
    ("/_sandbox/faults", {"pipedrive": {"500": MARK}}),
    ("/_sandbox/faults", {"seed": MARK}),
    ("/_sandbox/faults", {"hubspot": MARK}),
    ("/_sandbox/hubspot/portals", {"seed": MARK, "contacts": 1}),
    ("/_sandbox/hubspot/portals", {"contacts": MARK, "tier": "starter"}),
    ("/_sandbox/hubspot/portals", {"tier": MARK}),
    ("/_sandbox/hubspot/apps", {"redirect_uri": "http://x/cb", "required_scopes": MARK}),
    ("/_sandbox/hubspot/apps", {"redirect_uri": MARK, "required_scopes": ["oauth"]}),
    ("/_sandbox/hubspot/portals/{portal}/uninstall", {"client_id": MARK}),
    ("/_sandbox/pipedrive/companies", {"seed": MARK, "persons": 1}),
    ("/_sandbox/pipedrive/companies", {"deals": MARK}),
    ("/_sandbox/pipedrive/apps", {"redirect_uri": "http://x/cb", "scopes": MARK}),
    ("/_sandbox/pipedrive/companies/{company}/uninstall", {"client_id": MARK}),
]


async def test_control_routes_refuse_hostile_values_and_keep_working(fuzz: Fuzz) -> None:
    ids = {"portal": "1", "company": "1"}
    for path, template in CONTROL_BODIES:
        for raw in HOSTILE_JSON:
            what = f"{json.dumps(template)} with {shown(raw)}"
            await fuzz.send("control", "POST", path.format(**ids), what, content=with_value(template, raw))
        await fuzz.still_works(
            f"hostile values in POST {path} {json.dumps(template)}"
        )  # a broken state stays broken
    for raw in HOSTILE_QUERY:
        await fuzz.send(
            "control", "GET", "/_sandbox/requests", raw, params={"provider": raw, "path_prefix": raw}
        )
    assert not fuzz.failures, "\n".join(fuzz.failures)


HUBSPOT_BODIES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/crm/v3/objects/contacts", {"properties": {"email": MARK}}),
    ("POST", "/crm/v3/objects/contacts", {"properties": MARK}),
    ("POST", "/crm/v3/objects/deals", {"properties": {"dealname": "d", "amount": MARK}}),
    ("POST", "/crm/v3/objects/deals", {"properties": {"dealname": "d", "closedate": MARK}}),
    (
        "POST",
        "/crm/v3/objects/contacts",
        {
            "properties": {"email": "a@b.co"},
            "associations": [
                {
                    "to": {"id": MARK},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}],
                }
            ],
        },
    ),
    ("PATCH", "/crm/v3/objects/contacts/1", {"properties": {"firstname": MARK}}),
    ("POST", "/crm/v3/objects/contacts/search", {"limit": MARK}),
    ("POST", "/crm/v3/objects/contacts/search", {"after": MARK}),
    ("POST", "/crm/v3/objects/contacts/search", {"query": MARK}),
    (
        "POST",
        "/crm/v3/objects/contacts/search",
        {"filterGroups": [{"filters": [{"propertyName": "createdate", "operator": "GT", "value": MARK}]}]},
    ),
    ("POST", "/crm/v3/objects/contacts/search", {"sorts": MARK}),
    ("POST", "/crm/v3/objects/contacts/batch/read", {"inputs": [{"id": MARK}], "properties": ["email"]}),
    ("POST", "/crm/v3/objects/contacts/batch/create", {"inputs": [{"properties": {"email": MARK}}]}),
    (
        "POST",
        "/crm/v3/properties/contacts",
        {
            "name": "n",
            "label": "N",
            "type": "string",
            "fieldType": "text",
            "groupName": "contactinformation",
            "displayOrder": MARK,
        },
    ),
    ("POST", "/crm/v4/associations/contacts/companies/batch/read", {"inputs": [{"id": MARK}]}),
]

HUBSPOT_QUERIES: list[tuple[str, tuple[str, ...]]] = [
    ("/crm/v3/objects/contacts", ("limit", "after", "archived", "properties")),
    ("/crm/v3/owners", ("limit", "after", "email", "archived")),
    ("/crm/v3/objects/contacts/1/associations/companies", ("limit", "after")),
    ("/crm/v4/objects/contacts/1/associations/companies", ("limit", "after")),
    ("/crm/v3/properties/contacts", ("archived",)),
]

HUBSPOT_PATHS = [
    "/crm/v3/objects/contacts/{}",
    "/crm/v3/owners/{}",
    "/crm/v3/pipelines/deals/{}",
    "/crm/v4/objects/contacts/{}/associations/companies",
    "/oauth/{}/authorize",
    "/oauth/v1/access-tokens/{}",
]


async def test_hubspot_routes_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.hubspot, "content-type": "application/json"}
    for method, path, template in HUBSPOT_BODIES:
        for raw in HOSTILE_JSON:
            what = f"{json.dumps(template)[:60]} with {shown(raw)}"
            await fuzz.send(
                "hubspot", method, "/hubspot" + path, what, content=with_value(template, raw), headers=h
            )
    for path, names in HUBSPOT_QUERIES:
        for name in names:
            for raw in HOSTILE_QUERY:
                await fuzz.send(
                    "hubspot", "GET", "/hubspot" + path, f"{name}={shown(raw)}", params={name: raw}, headers=h
                )
    for pattern in HUBSPOT_PATHS:
        for raw in HOSTILE_QUERY:
            path = "/hubspot" + pattern.format(quote(raw, safe=""))
            await fuzz.send("hubspot", "GET", path, shown(raw), headers=h)
    form = {"grant_type": "refresh_token", "client_id": "x", "client_secret": "y"}
    for raw in HOSTILE_QUERY:
        await fuzz.send(
            "oauth", "POST", "/hubspot/oauth/v1/token", shown(raw), data={**form, "refresh_token": raw}
        )
    await fuzz.still_works("the HubSpot fuzz")
    assert not fuzz.failures, "\n".join(fuzz.failures)


PIPEDRIVE_BODIES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/v2/persons", {"name": MARK}),
    ("POST", "/api/v2/persons", {"name": "p", "org_id": MARK}),
    ("POST", "/api/v2/persons", {"name": "p", "emails": MARK}),
    ("POST", "/api/v2/deals", {"title": "d", "value": MARK}),
    ("POST", "/api/v2/deals", {"title": "d", "person_id": MARK, "stage_id": MARK}),
    ("PATCH", "/api/v2/deals/1", {"value": MARK}),
    ("POST", "/api/v2/activities", {"subject": "a", "due_date": MARK}),
    ("POST", "/v1/notes", {"content": "n", "deal_id": MARK}),
    ("POST", "/v1/leads", {"title": "l", "value": {"amount": MARK, "currency": "USD"}, "person_id": 1}),
    ("POST", "/v1/leads", {"title": "l", "person_id": MARK}),
]

PIPEDRIVE_QUERIES: list[tuple[str, tuple[str, ...]]] = [
    ("/api/v2/deals", ("limit", "cursor", "owner_id", "ids", "updated_since", "sort_by")),
    ("/api/v2/persons/search", ("term", "limit", "cursor")),
    ("/api/v2/itemSearch", ("term", "limit")),
    ("/v1/notes", ("start", "limit", "deal_id")),
    ("/v1/leads", ("start", "limit", "person_id")),
    ("/v1/users/find", ("term",)),
]

PIPEDRIVE_PATHS = ["/api/v2/deals/{}", "/v1/users/{}", "/v1/notes/{}", "/v1/leads/{}", "/api/v2/pipelines/{}"]


async def test_pipedrive_routes_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.pipedrive, "content-type": "application/json"}
    for method, path, template in PIPEDRIVE_BODIES:
        for raw in HOSTILE_JSON:
            what = f"{json.dumps(template)[:60]} with {shown(raw)}"
            await fuzz.send(
                "pipedrive", method, fuzz.prefix + path, what, content=with_value(template, raw), headers=h
            )
    for raw in HOSTILE_QUERY:
        await fuzz.send(
            "pipedrive",
            "POST",
            fuzz.prefix + "/v1/notes",
            f"form deal_id={shown(raw)}",
            data={"content": "n", "deal_id": raw, "person_id": raw},
            headers=fuzz.pipedrive,
        )
    for path, names in PIPEDRIVE_QUERIES:
        for name in names:
            for raw in HOSTILE_QUERY:
                params = {
                    name: raw,
                    **({"term": "ab"} if name != "term" and "search" in path.lower() else {}),
                }
                await fuzz.send(
                    "pipedrive", "GET", fuzz.prefix + path, f"{name}={shown(raw)}", params=params, headers=h
                )
    for pattern in PIPEDRIVE_PATHS:
        for raw in HOSTILE_QUERY:
            path = fuzz.prefix + pattern.format(quote(raw, safe=""))
            await fuzz.send("pipedrive", "GET", path, shown(raw), headers=h)
    for raw in HOSTILE_QUERY:
        form = {"grant_type": "refresh_token", "refresh_token": raw}
        await fuzz.send("oauth", "POST", "/pipedrive/oauth/token", shown(raw), data=form, auth=("x", "y"))
    await fuzz.still_works("the Pipedrive fuzz")
    assert not fuzz.failures, "\n".join(fuzz.failures)


# ---- the cases that were reported, one by one ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"advance_seconds": NaN}', "holds NaN"),
        (b'{"advance_seconds": Infinity}', "holds Infinity"),
        (b'{"advance_seconds": 1e999}', "beyond the range"),
        (b'{"advance_seconds": 1e300}', "stops at 2200-01-01"),
        (b'{"advance_seconds": ' + b"9" * 400 + b"}", "more than 100 digits"),
        (b'{"advance_seconds": ' + b"9" * 40 + b"}", "more than 18 digits"),
    ],
)
async def test_a_clock_that_cannot_be_shown_is_refused(fuzz: Fuzz, body: bytes, message: str) -> None:
    before = fuzz.sandbox.clock.now()
    r = await fuzz.client.post("/_sandbox/clock", content=body)
    assert r.status_code == 400 and message in r.json()["error"]
    assert fuzz.sandbox.clock.now() - before < 60
    await fuzz.still_works("a refused clock move")
    assert not fuzz.failures


@pytest.mark.parametrize(
    "body",
    [
        b'{"hubspot": {"latency_ms": NaN}}',
        b'{"hubspot": {"latency_ms": 1e308}}',
        b'{"hubspot": {"500": -Infinity}}',
    ],
)
async def test_a_latency_that_would_hang_is_refused(fuzz: Fuzz, body: bytes) -> None:
    r = await fuzz.client.post("/_sandbox/faults", content=body)
    assert r.status_code == 400, r.text
    assert fuzz.sandbox.ctx.faults.describe() == {}


async def test_owners_after_past_the_digit_limit_is_a_hubspot_400(fuzz: Fuzz) -> None:
    r = await fuzz.client.get("/hubspot/crm/v3/owners", params={"after": "9" * 5000}, headers=fuzz.hubspot)
    assert r.status_code == 400
    assert (
        r.json()["category"] == "VALIDATION_ERROR" and "after has more than 18 digits" in r.json()["message"]
    )
    assert len(r.text) < 400  # the value is not echoed back


async def test_a_body_too_large_is_413_even_without_a_length(fuzz: Fuzz) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b" " * 1_000_000

    r = await fuzz.client.post("/_sandbox/clock", content=chunks())
    assert r.status_code == 413 and "larger than" in r.json()["error"]
    r = await fuzz.client.post(f"{fuzz.prefix}/api/v2/persons", content=chunks(), headers=fuzz.pipedrive)
    assert r.status_code == 413 and r.json()["success"] is False


async def test_a_deep_but_legal_search_body_still_works(fuzz: Fuzz) -> None:
    """The bounds leave every real request alone: a search with filters, sorts and properties."""
    body = {
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "IN", "values": ["a@b.co"]}]}],
        "sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}],
        "properties": ["email"],
        "limit": 5,
    }
    r = await fuzz.client.post("/hubspot/crm/v3/objects/contacts/search", json=body, headers=fuzz.hubspot)
    assert r.status_code == 200, r.text


def _writing_routes(app: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(method, path template) of every route of ``app`` that takes a body, mounts included."""
    found: list[tuple[str, str]] = []
    for route in app.routes:
        if isinstance(route, Mount):
            found.extend(_writing_routes(route, prefix + route.path))
        elif isinstance(route, Route):
            found.extend((m, prefix + route.path) for m in sorted(route.methods or ()) if m in BODY_METHODS)
    return found


BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _filled(template: str, domain: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        return domain if "domain" in name else "contacts" if "type" in name and "id" not in name else "1"

    return re.sub(r"\{([^}:]+)(?::[^}]+)?\}", value, template)


async def test_every_route_that_takes_a_body_refuses_hostile_bodies(fuzz: Fuzz) -> None:
    """Not only the routes listed above: every route with a body, read from the apps' route tables."""
    apps = [
        (
            "hubspot",
            "/hubspot",
            fuzz.sandbox.hubspot.app.app,
            fuzz.hubspot,
        ),  # inside the correlation-id wrapper
        ("pipedrive", "/pipedrive", fuzz.sandbox.pipedrive.starlette, fuzz.pipedrive),
        ("control", "", fuzz.sandbox._control, {}),
    ]
    domain = fuzz.prefix.rsplit("/", 1)[1]
    seen = 0
    for kind, mount, app, headers in apps:
        for method, template in _writing_routes(app):
            path = mount + _filled(template, domain)
            shape = "oauth" if "/oauth/" in path else kind  # OAuth servers answer in OAuth's shapes
            for body in HOSTILE_BODIES:
                kw = {"content": body, "headers": {**headers, "content-type": "application/json"}}
                await fuzz.send(shape, method, path, f"body {shown(body)}", **kw)
            seen += 1
    assert seen > 60  # the route tables were read
    await fuzz.still_works("hostile bodies on every route")
    assert not fuzz.failures, "\n".join(fuzz.failures)
