"""The callback URL: Basic credentials of an uninstall notice and the ASGI app's answers."""

from __future__ import annotations

import base64

import httpx
import pytest

from crmbridge.auth import CallbackApp
from crmbridge.errors import ReauthorizationRequired
from crmbridge.spec import basic_credentials, client_matches

pytestmark = pytest.mark.anyio


def _basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


def test_basic_credentials() -> None:
    assert basic_credentials(_basic("id:se:cret")) == ("id", "se:cret")
    for bad in (None, "", "Bearer x", "Basic", "Basic !!!", _basic("no-colon")):
        assert basic_credentials(bad) is None
    assert client_matches(("id", "s"), "id", "s")
    assert not client_matches(("id", "t"), "id", "s") and not client_matches(None, "id", "s")
    assert not client_matches(("other", "s"), "id", "s")


async def test_callback_app_answers() -> None:
    calls: list[tuple[str | None, str, str | None]] = []

    async def complete(
        code: str | None,
        state: str,
        error: str | None,
        *,
        identifier: str | None,
        session_binding: str | None,
    ) -> None:
        assert identifier is None and session_binding is None  # the app was given no session lookups
        calls.append((code, state, error))
        if error:
            raise ReauthorizationRequired("The user did not grant access (access_denied).")

    async def uninstall(authorization: str | None, body: bytes) -> int:
        return 200 if authorization else 401

    app = CallbackApp(complete=complete, uninstall=uninstall)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as http:
        assert (await http.get("/cb", params={"code": "c", "state": "s"})).status_code == 200
        denied = await http.get("/cb", params={"error": "access_denied", "state": "s"})
        assert denied.status_code == 400 and "did not grant" in denied.text
        assert (await http.get("/cb")).status_code == 400
        assert (await http.post("/cb")).status_code == 405
        assert (await http.delete("/cb")).status_code == 401
        assert (await http.delete("/cb", headers={"authorization": "Basic x"})).status_code == 200
    assert calls == [("c", "s", None), (None, "s", "access_denied")]
