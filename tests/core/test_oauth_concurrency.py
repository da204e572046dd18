"""Single-flight refresh and isolation under concurrency, in one process on SQLite."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from crmbridge.engine import ToolResult

from .oauth_env import OAuthEnv

pytestmark = pytest.mark.anyio


async def _ready(env: OAuthEnv, identifier: str = "u1") -> tuple[dict[str, Any], str]:
    portal = await env.portal()
    if "hubspot" not in env.apps:
        await env.hubspot_connection()
    await env.connect_hubspot(identifier, portal)
    return portal, (await env.contact_ids(portal))[0]


def _call(env: OAuthEnv, identifier: str, contact: str) -> Any:
    return env.bridge.aexecute_tool(
        identifier=identifier, tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )


async def test_fifty_concurrent_calls_on_an_expired_token_make_one_token_request(oauth_env: OAuthEnv) -> None:
    env = oauth_env
    _, contact = await _ready(env)
    warm = await _call(env, "u1", contact)  # the target (and its token) is cached in memory
    assert warm.ok, warm.error
    await env.advance(31 * 60)
    before = len(env.token_requests("hubspot"))
    results: list[ToolResult] = await asyncio.gather(*(_call(env, "u1", contact) for _ in range(50)))
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    assert len(env.token_requests("hubspot")) - before == 1
    assert not [e for e in env.log("hubspot", "/crm/") if e.status == 401]


async def test_calls_from_threads_and_loops_share_one_refresh(oauth_env: OAuthEnv) -> None:
    """The sync facade runs on the Bridge's private loop thread; async callers on theirs."""
    env = oauth_env
    _, contact = await _ready(env)
    await env.advance(31 * 60)
    before = len(env.token_requests("hubspot"))
    sync_results: list[ToolResult] = []
    start = threading.Barrier(5)

    def in_thread() -> None:
        start.wait()
        sync_results.append(
            env.bridge.execute_tool(
                identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
            )
        )

    def own_loop() -> None:
        async def burst() -> list[ToolResult]:
            start.wait()
            return list(await asyncio.gather(*(_call(env, "u1", contact) for _ in range(10))))

        sync_results.extend(asyncio.run(burst()))

    threads = [threading.Thread(target=in_thread) for _ in range(3)] + [threading.Thread(target=own_loop)]
    for t in threads:
        t.start()
    start.wait()
    here = await asyncio.gather(*(_call(env, "u1", contact) for _ in range(10)))
    for t in threads:
        await asyncio.to_thread(t.join, 30)
    assert all(r.ok for r in [*sync_results, *here]), [r.error for r in sync_results + list(here) if not r.ok]
    assert len(sync_results) == 13
    assert len(env.token_requests("hubspot")) - before == 1


async def test_two_identifiers_never_use_each_others_token(oauth_env: OAuthEnv) -> None:
    env = oauth_env
    portal_a, contact_a = await _ready(env, "alice")
    portal_b, contact_b = await _ready(env, "bob")
    await env.advance(31 * 60)  # both refresh concurrently as well
    mark = len(env.log("hubspot"))
    calls = [_call(env, "alice", contact_a) if i % 2 else _call(env, "bob", contact_b) for i in range(60)]
    results = await asyncio.gather(*calls)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    api = [e for e in env.log("hubspot")[mark:] if e.path.startswith("/crm/v3/objects/contacts")]
    by_account = {str(portal_a["portal_id"]): 0, str(portal_b["portal_id"]): 0}
    for entry in api:
        assert entry.status == 200
        by_account[entry.account] += 1
    # Every request carried the token of the portal its identifier authorised, 30 calls each.
    assert by_account == {str(portal_a["portal_id"]): 30, str(portal_b["portal_id"]): 30}
    for result in results:
        assert result.data["id"] in (contact_a, contact_b)
    refreshes = [e.account for e in env.token_requests("hubspot")[-2:]]
    assert sorted(refreshes) == sorted(by_account)


async def test_two_users_of_one_company_each_resolve_me_to_themselves(oauth_env: OAuthEnv) -> None:
    """Resolver answers that depend on who asks ("me") must not leak between users of one company."""
    bridge, client = oauth_env.bridge, oauth_env.client
    company = await oauth_env.company()
    headers = {"x-api-token": company["api_token"]}
    users = (await client.get(f"{company['api_domain']}/api/v1/users", headers=headers)).json()["data"]
    await oauth_env.pipedrive_connection()
    owners = {}
    for identifier, user in (("alice", users[0]), ("bob", users[1])):
        link = await bridge.aget_authorization_link(connection_name="pipedrive", identifier=identifier)
        query = await oauth_env.consent(
            link, {"company_id": str(company["company_id"]), "user_id": str(user["id"])}
        )
        await bridge.acomplete_authorization(code=query["code"], state=query["state"])
        result = await bridge.aexecute_tool(
            identifier=identifier,
            tool_name="pipedrive_deal_create",
            tool_input={"title": identifier, "owner": "me"},
        )
        assert result.ok, result.error
        owners[identifier] = (result.data["owner_id"], user["id"])
    assert owners["alice"][0] == owners["alice"][1]
    assert owners["bob"][0] == owners["bob"][1] != owners["alice"][0]
