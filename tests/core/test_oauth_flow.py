"""The whole OAuth dance against the sandbox, for HubSpot and Pipedrive: link → consent → callback →
ACTIVE → tool call → clock jump → proactive refresh → uninstall → REVOKED, failing fast with a link →
re-authorise → ACTIVE again with the same account id."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge.core import AccountStatus
from crmbridge.store import OAuthStateError

from .oauth_env import CONTACTS, HS_REDIRECT, ROOT, OAuthEnv, add_app_connection, query_of

pytestmark = pytest.mark.anyio


def _transitions(env: OAuthEnv) -> list[tuple[str | None, str]]:
    seen: list[tuple[str | None, str]] = []
    env.bridge.on_account_status(lambda a, old, new, why: seen.append((old and old.value, new.value)))
    return seen


async def test_hubspot_full_dance(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    transitions = _transitions(env)
    portal = await env.portal()
    app = await env.hubspot_connection()
    contact = (await env.contact_ids(portal))[0]

    pending = bridge.get_or_create_connected_account(connection_name="hubspot", identifier="u1")
    assert pending.status == "PENDING"
    link = bridge.get_authorization_link(connection_name="hubspot", identifier="u1")
    params = query_of(link)
    assert link.startswith(app["authorize_url"])
    assert params["scope"] == " ".join(["crm.objects.contacts.read", "crm.objects.contacts.write"])
    assert "%20" in link and params["client_id"] == app["client_id"]
    query = await env.consent(link, {"portal_id": str(portal["portal_id"])})
    account = await bridge.acomplete_authorization(code=query["code"], state=query["state"])
    assert account.status == AccountStatus.ACTIVE and account.id == pending.id
    assert account.metadata["portal_id"] == portal["portal_id"] and account.metadata["user"]
    assert set(account.granted_scopes) == {"crm.objects.contacts.read", "crm.objects.contacts.write"}

    first = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert first.ok, first.error
    assert first.data["id"] == contact

    # 31 minutes later the 30-minute token is dead at HubSpot: the call refreshes first, never meets a 401.
    await env.advance(31 * 60)
    mark = len(env.log("hubspot"))
    later = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert later.ok, later.error
    since = env.log("hubspot")[mark:]
    assert [(e.path, e.status) for e in since if e.path == "/oauth/v1/token"] == [("/oauth/v1/token", 200)]
    assert not [e for e in since if e.status == 401]

    # Uninstall: HubSpot only tells at the next refresh (the refresh token dies) → REVOKED, with a link.
    await env.control(
        f"/_sandbox/hubspot/portals/{portal['portal_id']}/uninstall", {"client_id": app["client_id"]}
    )
    gone = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert not gone.ok and gone.error is not None
    assert gone.error.code == "reauthorization_required"
    assert gone.error.details["authorization_link"].startswith(app["authorize_url"])
    revoked = bridge.get_connected_account(connection_name="hubspot", identifier="u1")
    assert revoked is not None and revoked.status == AccountStatus.REVOKED

    # From now on: fail fast, without touching the CRM.
    mark = len(env.log("hubspot"))
    fast = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert fast.error is not None and fast.error.code == "reauthorization_required"
    assert fast.error.details["status"] == "REVOKED"
    relink = fast.error.details["authorization_link"]
    assert len(env.log("hubspot")) == mark

    # Re-authorise with the link from the error: same account, history kept.
    query = await env.consent(relink, {"portal_id": str(portal["portal_id"])})
    again = await bridge.acomplete_authorization(code=query["code"], state=query["state"])
    assert again.status == AccountStatus.ACTIVE and again.id == pending.id
    back = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert back.ok, back.error
    assert transitions == [
        (None, "PENDING"),
        ("PENDING", "ACTIVE"),
        ("ACTIVE", "REVOKED"),
        ("REVOKED", "ACTIVE"),
    ]
    history = [e.new_status.value for e in bridge.store.events.list(bridge.tenant_id, pending.id)]
    assert history == ["PENDING", "ACTIVE", "REVOKED", "ACTIVE"]


async def test_pipedrive_full_dance(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    callback = bridge.oauth_callback_app()
    env.sandbox.ctx.outbound_transport = httpx.ASGITransport(app=callback)
    company = await env.company()
    app = await env.pipedrive_connection()

    link = await bridge.aget_authorization_link(connection_name="pipedrive", identifier="u1")
    assert link.startswith(app["authorize_url"]) and "scope" not in query_of(link)
    account = await env.connect_pipedrive("u1", company)
    assert account.status == AccountStatus.ACTIVE
    assert account.metadata["api_domain"] == company["api_domain"]
    assert str(account.metadata["company_id"]) == str(company["company_id"])
    assert {"deals:full", "deals:read", "contacts:read", "base"} <= set(account.granted_scopes)

    first = await bridge.aexecute_tool(identifier="u1", tool_name="pipedrive_deals_list", tool_input={})
    assert first.ok, first.error
    me = await bridge.aexecute_tool(identifier="u1", tool_name="pipedrive_current_user_get", tool_input={})
    assert me.ok, me.error

    # Pipedrive tokens live an hour: 56 minutes later the call is inside the 5-minute margin.
    await env.advance(56 * 60)
    mark = len(env.log("pipedrive"))
    later = await bridge.aexecute_tool(identifier="u1", tool_name="pipedrive_deals_list", tool_input={})
    assert later.ok, later.error
    since = env.log("pipedrive")[mark:]
    assert [(e.path, e.status) for e in since if e.path == "/oauth/token"] == [("/oauth/token", 200)]
    assert not [e for e in since if e.status == 401]

    # Uninstall: Pipedrive sends DELETE to the callback URL with our client credentials → REVOKED at once.
    result = await env.control(
        f"/_sandbox/pipedrive/companies/{company['company_id']}/uninstall", {"client_id": app["client_id"]}
    )
    assert [c["status"] for c in result["callbacks"]] == [200], result
    revoked = bridge.get_connected_account(connection_name="pipedrive", identifier="u1")
    assert revoked is not None and revoked.status == AccountStatus.REVOKED
    mark = len(env.log("pipedrive"))
    fast = await bridge.aexecute_tool(identifier="u1", tool_name="pipedrive_deals_list", tool_input={})
    assert fast.error is not None and fast.error.code == "reauthorization_required"
    assert fast.error.details["authorization_link"].startswith(app["authorize_url"])
    assert len(env.log("pipedrive")) == mark  # zero CRM requests

    again = await env.connect_pipedrive("u1", company)
    assert again.status == AccountStatus.ACTIVE and again.id == account.id
    back = await bridge.aexecute_tool(identifier="u1", tool_name="pipedrive_deals_list", tool_input={})
    assert back.ok, back.error


async def test_pipedrive_uninstall_with_wrong_credentials_changes_nothing(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    company = await env.company()
    app = await env.pipedrive_connection()
    account = await env.connect_pipedrive("u1", company)
    body = {
        "client_id": app["client_id"],
        "company_id": company["company_id"],
        "user_id": account.metadata["user_id"],
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bridge.oauth_callback_app())) as cb:
        wrong = await cb.request(
            "DELETE", "http://app/cb", json=body, auth=(app["client_id"], "not-the-secret")
        )
        missing = await cb.request("DELETE", "http://app/cb", json=body)
        other = await cb.request(
            "DELETE",
            "http://app/cb",
            json={**body, "user_id": 1},
            auth=(app["client_id"], app["client_secret"]),
        )
    assert (wrong.status_code, missing.status_code, other.status_code) == (401, 401, 200)
    still = bridge.get_connected_account(connection_name="pipedrive", identifier="u1")
    assert still is not None and still.status == AccountStatus.ACTIVE
    status = await bridge.ahandle_uninstall(
        authorization=httpx.BasicAuth(app["client_id"], app["client_secret"])._auth_header, body=body
    )
    assert status == 200
    gone = bridge.get_connected_account(connection_name="pipedrive", identifier="u1")
    assert gone is not None and gone.status == AccountStatus.REVOKED


async def test_a_malformed_uninstall_notice_with_our_credentials_is_400_and_changes_nothing(
    oauth_env: OAuthEnv,
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    company = await env.company()
    app = await env.pipedrive_connection()
    await env.connect_pipedrive("u1", company)
    ours = (app["client_id"], app["client_secret"])
    deep = b"[" * 20_000 + b"]" * 20_000  # 40 KB: under the size limit, far past any parser's depth
    nested_field = (
        b'{"client_id": "%s", "company_id": ' % app["client_id"].encode() + deep + b', "user_id": 1}'
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bridge.oauth_callback_app())) as cb:
        answers = [
            (await cb.request("DELETE", "http://app/cb", content=body, auth=ours)).status_code
            for body in (deep, nested_field, b'{"client_id": ' + b"1" * 5000 + b"}")
        ]
        huge = await cb.request("DELETE", "http://app/cb", content=b" " * 2_000_000, auth=ours)
    assert answers == [400, 400, 400]
    assert huge.status_code == 413
    still = bridge.get_connected_account(connection_name="pipedrive", identifier="u1")
    assert still is not None and still.status == AccountStatus.ACTIVE
    assert await bridge.ahandle_uninstall(authorization=None, body=deep) == 401


async def test_callback_app_completes_the_consent(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    await env.hubspot_connection()
    link = bridge.get_authorization_link(connection_name="hubspot", identifier="u9")
    query = await env.consent(link, {"portal_id": str(portal["portal_id"])})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bridge.oauth_callback_app())) as cb:
        ok = await cb.get("http://app/callback", params=query)
        replay = await cb.get("http://app/callback", params=query)
    assert ok.status_code == 200 and "connected" in ok.text
    assert replay.status_code == 400 and "already used" in replay.text
    account: Any = bridge.get_connected_account(connection_name="hubspot", identifier="u9")
    assert account.status == AccountStatus.ACTIVE


async def test_a_forged_callback_does_not_burn_the_users_real_link(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    await env.hubspot_connection()
    link = bridge.get_authorization_link(connection_name="hubspot", identifier="u1")
    query = await env.consent(link, {"portal_id": str(portal["portal_id"])})
    state_id, mac = query["state"].split(".")
    forged = f"{state_id}.{'A' * len(mac)}"
    with pytest.raises(OAuthStateError):
        await bridge.acomplete_authorization(code=query["code"], state=forged)
    account = await bridge.acomplete_authorization(code=query["code"], state=query["state"])
    assert account.status == AccountStatus.ACTIVE


async def test_hubspot_on_the_dated_token_endpoint(oauth_env: OAuthEnv) -> None:
    """``/oauth/2026-03/token`` (v1's replacement, the provider default) exchanges, refreshes and revokes."""
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    app = await env.control(
        "/_sandbox/hubspot/apps", {"redirect_uri": HS_REDIRECT, "required_scopes": CONTACTS}
    )
    app["token_url"] = app["token_url"].replace("/oauth/v1/token", "/oauth/2026-03/token")
    add_app_connection(bridge, "hubspot", "hubspot", app, ROOT, HS_REDIRECT, scopes=CONTACTS)
    contact = (await env.contact_ids(portal))[0]
    link = bridge.get_authorization_link(connection_name="hubspot", identifier="u1")
    query = await env.consent(link, {"portal_id": str(portal["portal_id"])})
    account = await bridge.acomplete_authorization(code=query["code"], state=query["state"])
    assert account.status == AccountStatus.ACTIVE
    await env.advance(31 * 60)
    later = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert later.ok, later.error
    assert [e.status for e in env.log("hubspot", "/oauth/2026-03/token")] == [200, 200]
    await env.control(
        f"/_sandbox/hubspot/portals/{portal['portal_id']}/uninstall", {"client_id": app["client_id"]}
    )
    await env.advance(31 * 60)
    gone = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert gone.error is not None and gone.error.code == "reauthorization_required"
    refreshed = bridge.get_connected_account(connection_name="hubspot", identifier="u1")
    assert refreshed is not None and refreshed.status == AccountStatus.REVOKED
