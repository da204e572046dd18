"""Login CSRF: a callback completes only for the user whose session finished the flow.

The attack: Mallory makes a link for her own identifier and gets Ann to open it; Ann signs in to *her*
CRM and grants; the callback then arrives in Ann's browser with Ann's code and Mallory's state. Without a
check, Mallory's account in the application is now connected to Ann's CRM. The application says whose
session the callback arrived in (``identifier=``) and, for links it binds to a session, the session's
value (``session_binding=``); a mismatch is refused before the code is exchanged, and spends nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest

from crmbridge.core import AccountStatus
from crmbridge.errors import OAuthSessionMismatch

from .oauth_env import OAuthEnv

pytestmark = pytest.mark.anyio


async def _consented_link(env: OAuthEnv, identifier: str, **link: Any) -> dict[str, str]:
    """A link for ``identifier``, opened and granted in somebody's browser: the callback's query."""
    portal = await env.portal()
    url = await env.bridge.aget_authorization_link(connection_name="hubspot", identifier=identifier, **link)
    return await env.consent(url, {"portal_id": str(portal["portal_id"])})


async def test_a_callback_in_another_users_session_is_refused_and_spends_nothing(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.hubspot_connection()
    query = await _consented_link(env, "mallory")  # Mallory's link, granted by Ann in Ann's browser
    tokens_before = len(env.token_requests("hubspot"))
    with pytest.raises(OAuthSessionMismatch) as refused:
        await bridge.acomplete_authorization(code=query["code"], state=query["state"], identifier="ann")
    assert refused.value.code == "oauth_session_mismatch" and refused.value.http_status == 403
    assert "mallory" not in refused.value.message and "ann" not in refused.value.message
    assert len(env.token_requests("hubspot")) == tokens_before  # the code was never exchanged
    mallory = bridge.get_connected_account(connection_name="hubspot", identifier="mallory")
    assert mallory is not None and mallory.status == AccountStatus.PENDING
    assert bridge.get_connected_account(connection_name="hubspot", identifier="ann") is None
    # Nothing was spent: had this been Mallory's own browser, signed in as the wrong user, signing in as
    # herself and reloading the callback would finish her flow.
    account = await bridge.acomplete_authorization(
        code=query["code"], state=query["state"], identifier="mallory"
    )
    assert account.status == AccountStatus.ACTIVE and account.identifier == "mallory"


async def test_the_sync_twin_checks_the_identifier_too(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.hubspot_connection()
    query = await _consented_link(env, "mallory")
    with pytest.raises(OAuthSessionMismatch):
        await asyncio.to_thread(
            lambda: bridge.complete_authorization(code=query["code"], state=query["state"], identifier="ann")
        )


async def test_a_session_bound_link_completes_only_in_that_session(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.hubspot_connection()
    query = await _consented_link(env, "u1", session_binding="session-cookie-of-u1")
    for other in ("session-cookie-of-someone-else", None):
        with pytest.raises(OAuthSessionMismatch):
            await bridge.acomplete_authorization(
                code=query["code"], state=query["state"], session_binding=other
            )
    account = await bridge.acomplete_authorization(
        code=query["code"], state=query["state"], session_binding="session-cookie-of-u1"
    )
    assert account.status == AccountStatus.ACTIVE


async def test_a_binding_cannot_vouch_for_an_unbound_link_but_the_identifier_can(oauth_env: OAuthEnv) -> None:
    """Links in tool errors (re-consent) are made without a session: the identifier check covers them."""
    env, bridge = oauth_env, oauth_env.bridge
    await env.hubspot_connection()
    query = await _consented_link(env, "u1")
    with pytest.raises(OAuthSessionMismatch):
        await bridge.acomplete_authorization(
            code=query["code"], state=query["state"], session_binding="cookie"
        )
    account = await bridge.acomplete_authorization(
        code=query["code"], state=query["state"], session_binding="cookie", identifier="u1"
    )
    assert account.status == AccountStatus.ACTIVE


async def test_a_completion_nobody_vouched_for_still_works_and_is_warned_about_once(
    oauth_env: OAuthEnv, caplog: pytest.LogCaptureFixture
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    caplog.set_level(logging.WARNING, logger="crmbridge.oauth")
    await env.hubspot_connection()
    for user in ("u1", "u2"):
        query = await _consented_link(env, user)
        account = await bridge.acomplete_authorization(code=query["code"], state=query["state"])
        assert account.status == AccountStatus.ACTIVE
    warnings = [r for r in caplog.records if "identifier=" in r.getMessage()]
    assert len(warnings) == 1 and "login CSRF" in warnings[0].getMessage()


def _signed_in_as(scope: dict[str, Any]) -> str | None:
    """The application's own session lookup: here, a cookie naming the user."""
    cookies = dict(scope.get("headers") or [])
    cookie = cookies.get(b"cookie", b"").decode()
    return cookie.removeprefix("user=") or None


async def test_the_callback_app_asks_the_application_whose_session_it_is(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.hubspot_connection()
    query = await _consented_link(env, "mallory")
    app = bridge.oauth_callback_app(session_identifier=_signed_in_as)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as browser:
        as_ann = await browser.get("/callback", params=query, headers={"cookie": "user=ann"})
        signed_out = await browser.get("/callback", params=query)
        as_mallory = await browser.get("/callback", params=query, headers={"cookie": "user=mallory"})
    assert as_ann.status_code == 403 and "another" in as_ann.text
    assert signed_out.status_code == 401 and "Sign in" in signed_out.text
    assert as_mallory.status_code == 200, as_mallory.text
    mallory = bridge.get_connected_account(connection_name="hubspot", identifier="mallory")
    assert mallory is not None and mallory.status == AccountStatus.ACTIVE


async def test_the_callback_app_checks_a_session_binding(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.hubspot_connection()
    query = await _consented_link(env, "u1", session_binding="nonce-1")

    async def binding(scope: dict[str, Any]) -> str | None:  # an async lookup works too
        return _signed_in_as(scope)

    app = bridge.oauth_callback_app(session_binding=binding)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as browser:
        wrong = await browser.get("/callback", params=query, headers={"cookie": "user=nonce-2"})
        right = await browser.get("/callback", params=query, headers={"cookie": "user=nonce-1"})
    assert (wrong.status_code, right.status_code) == (403, 200)
