"""Small helpers shared by the Pipedrive sandbox tests."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.pipedrive.tokens import PdAccessToken


class CompanyApi:
    """Calls one company's API with its API token: ``await company_api.get("/api/v2/deals")``."""

    def __init__(
        self, client: httpx.AsyncClient, company: dict[str, Any], headers: dict[str, str] | None = None
    ):
        self.client, self.company = client, company
        self.headers = headers or company["headers"]

    async def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return await self.client.request(method, self.company["prefix"] + path, headers=self.headers, **kw)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", path, **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kw)

    async def put(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("PUT", path, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kw)

    async def data(self, path: str, **kw: Any) -> Any:
        r = await self.get(path, **kw)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    async def all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every row of a v2 list, following next_cursor."""
        rows: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {**params, **({"cursor": cursor} if cursor else {})}
            r = await self.get(path, params=query)
            assert r.status_code == 200, r.text
            rows.extend(r.json()["data"])
            cursor = r.json()["additional_data"]["next_cursor"]
            if cursor is None:
                return rows


def oauth_headers(sandbox: Sandbox, company: dict[str, Any], scopes: list[str]) -> dict[str, str]:
    """Mint an OAuth access token with exactly ``scopes`` straight into the token book."""
    pipedrive = sandbox.pipedrive
    token = secrets.token_hex(16)
    comp = pipedrive.companies[company["company_id"]]
    pipedrive.tokens.access_tokens[token] = PdAccessToken(
        token=token,
        client_id="test",
        company_id=comp.id,
        user_id=comp.admin().id,
        scopes=["base", *scopes],
        expires_at=sandbox.clock.now() + 3600,
        refresh_token="unused",
    )
    return {"Authorization": f"Bearer {token}"}


async def advance(client: httpx.AsyncClient, seconds: float) -> None:
    r = await client.post("/_sandbox/clock", json={"advance_seconds": seconds})
    assert r.status_code == 200, r.text


NOT_FOUND = {
    "success": False,
    "error": "Entity was not found",
    "error_info": "Object was not found.",
    "data": None,
    "additional_data": None,
}
