"""The agent-platform pages over the in-process sandbox: agents (create, install the pack showing created
vs already present, skills with their policies, delete a skill, auto-install), the bindings builder and
"describe it" on Schema, and interaction logging (mode, counters, recent interactions, retry)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.durable.dbosutil import shared_runner
from tests.server.agent_env import PACK, skill_names
from tests.server.service_env import ServiceEnv, build_env, close_env

from .dash_env import csrf_of, post_form, sign_in

pytestmark = pytest.mark.anyio


async def create_agent(env: ServiceEnv, name: str = "Front desk", auto: bool = False) -> str:
    data = {"name": name, **({"auto_install": "on"} if auto else {})}
    r = await post_form(env, "/dashboard/agents", "/dashboard/agents", data)
    assert r.status_code == 303, r.text
    found = re.fullmatch(r"/dashboard/agents/([^?]+)\?done=created", r.headers["location"])
    assert found, r.headers["location"]
    return found.group(1)


async def test_agents_create_install_pack_list_and_delete_skills(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="default")
    await sign_in(env, env.key)
    agent = await create_agent(env)
    page = await env.api.get(f"/dashboard/agents/{agent}?done=created")
    assert (
        "Agent created." in page.text
        and "No skill yet" in page.text
        and "Install on connect: <strong>off" in page.text
    )
    url = f"/dashboard/agents/{agent}"
    first = await post_form(env, url, f"{url}/pack", {"integration": "pipedrive", "identifier": "default"})
    assert first.status_code == 200 and 'id="installed"' in first.text
    for name in PACK:
        assert f"<code>{name}</code>: created" in first.text
    again = await post_form(env, url, f"{url}/pack", {"integration": "pipedrive", "identifier": "default"})
    assert "created</li>" not in again.text and "already present" in again.text
    assert await skill_names(env, agent) == PACK
    table = again.text.split('id="skills"')[1]
    row = table.split("<code>create_contact</code>")[1].split("</tr>")[0]
    assert "<td>write</td>" in row and "<td>yes</td>" in row  # a gated write
    confirm = await env.api.get(f"{url}/skills/log_note/delete")
    assert confirm.status_code == 200 and "Delete the skill <strong>log_note</strong>" in confirm.text
    r = await env.api.post(f"{url}/skills/log_note/delete", data={"csrf": csrf_of(confirm.text)})
    assert r.status_code == 303 and r.headers["location"] == f"{url}?done=deleted"
    assert await skill_names(env, agent) == PACK - {"log_note"}
    gone = await env.api.post(f"{url}/skills/log_note/delete", data={"csrf": csrf_of(confirm.text)})
    assert gone.status_code == 404 and "no skill" in gone.text
    r = await post_form(env, url, f"{url}/auto-install", {"auto_install": "on"})
    assert r.headers["location"] == f"{url}?done=auto_on"
    api = await env.api.get(f"/agents/{agent}", headers=env.headers())
    assert api.json()["autoInstall"] is True
    bad = await post_form(env, url, f"{url}/auto-install", {"auto_install": "maybe"})
    assert bad.status_code == 422
    listing = await env.api.get("/dashboard/agents")
    assert "Front desk" in listing.text and agent in listing.text
    missing = await env.api.get("/dashboard/agents/nobody")
    assert missing.status_code == 404 and "There is no agent" in missing.text
    blank = await post_form(env, "/dashboard/agents", "/dashboard/agents", {"name": " "})
    assert blank.status_code == 422 and "name must be" in blank.text


async def test_build_preview_and_install_a_binding_then_describe_one(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    await sign_in(env, env.key)
    agent = await create_agent(env)
    await post_form(env, "/dashboard/schema", "/dashboard/schema/discover", {"account": "pipedrive:u1"})
    schema = await env.api.get("/dashboard/schema?account=pipedrive:u1")
    assert (
        "/dashboard/schema/builder?account=pipedrive%3Au1" in schema.text and 'id="describe"' in schema.text
    )
    builder = await env.api.get("/dashboard/schema/builder?account=pipedrive:u1&object=organizations")
    assert builder.status_code == 200 and 'name="filter_property_0"' in builder.text
    form = {
        "account": "pipedrive:u1", "object": "organizations", "name": "organization_by_name",
        "filter_property_0": "name", "filter_operator_0": "EQ", "filter_from_0": "name",
        "result": "many", "properties": "name",
    }  # fmt: skip
    preview = await env.api.post(
        "/dashboard/schema/builder/preview", data={"csrf": csrf_of(builder.text), **form}
    )
    assert preview.status_code == 200, preview.text
    assert "No sample value for name" in preview.text and 'id="samples"' in preview.text
    shown = re.search(r'<textarea id="binding" name="binding" rows="14">(.*?)</textarea>', preview.text, re.S)
    assert shown
    binding = json.loads(shown.group(1).replace("&#34;", '"').replace("&quot;", '"'))
    assert binding["filters"] == [{"property": "name", "operator": "EQ", "from": "name"}]
    csrf = csrf_of(preview.text)
    broken = await env.api.post(
        "/dashboard/schema/builder/preview",
        data={"csrf": csrf, "account": "pipedrive:u1", "binding": json.dumps({**binding, "object": "orgz"})},
    )
    assert broken.status_code == 422 and 'id="problems"' in broken.text
    not_json = await env.api.post(
        "/dashboard/schema/bindings/install",
        data={"csrf": csrf, "account": "pipedrive:u1", "binding": "{", "agent_id": agent},
    )
    assert not_json.status_code == 422 and "not valid JSON" in not_json.text
    r = await env.api.post(
        "/dashboard/schema/bindings/install",
        data={"csrf": csrf, "account": "pipedrive:u1", "binding": json.dumps(binding), "agent_id": agent},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/dashboard/agents/{agent}?done=installed"
    assert "organization_by_name" in await skill_names(env, agent)
    proposal = await post_form(
        env, "/dashboard/schema?account=pipedrive:u1", "/dashboard/schema/describe",
        {"account": "pipedrive:u1", "goal": "find a person by email", "name": "person_by_email"},
    )  # fmt: skip
    assert (
        proposal.status_code == 200 and 'id="proposal"' in proposal.text and 'id="install"' in proposal.text
    )
    proposed = re.search(r'name="binding" value="([^"]*)"', proposal.text)
    assert proposed
    r = await env.api.post(
        "/dashboard/schema/bindings/install",
        data={"csrf": csrf, "account": "pipedrive:u1", "agent_id": agent,
              "binding": proposed.group(1).replace("&#34;", '"')},
    )  # fmt: skip
    assert r.status_code == 303, r.text
    page = await env.api.get(f"/dashboard/agents/{agent}?done=installed")
    assert "Binding installed as a skill." in page.text and "<code>person_by_email</code>" in page.text


@pytest.fixture
async def durable_env(tmp_path: Path) -> AsyncIterator[ServiceEnv]:
    built = await build_env(tmp_path, durable=shared_runner())
    yield built
    await close_env(built)


async def _end(env: ServiceEnv, agent: str, phone: str) -> str:
    r = await env.api.post(
        f"/agents/{agent}/conversations", headers=env.headers(),
        json={"channel": "voice", "caller": {"phone": phone}},
    )  # fmt: skip
    cid = str(r.json()["id"])
    r = await env.api.post(f"/conversations/{cid}/end", headers=env.headers(), json={"summary": "Hours?"})
    assert r.status_code == 202, r.text
    for _ in range(500):
        got = (await env.api.get(f"/conversations/{cid}", headers=env.headers())).json()
        if got["interaction"]["status"] != "queued":
            return cid
        await asyncio.sleep(0.02)
    raise AssertionError("still queued")


def skip_reason_link_free(html: str, conversation: str) -> bool:
    """A skipped interaction's row has no CRM link (nothing was written)."""
    row = html.split(f"<code>{conversation}</code>")[1].split("</tr>")[0]
    return "Open in the CRM" not in row


async def test_logging_mode_counters_recent_and_retry(durable_env: ServiceEnv) -> None:
    env = durable_env
    company = await env.pipedrive_api_key(identifier="default")
    await sign_in(env, env.key)
    agent = await create_agent(env, "Bot")
    page = await env.api.get("/dashboard/logging")
    assert "Mode <strong>off</strong>" in page.text and "<code>summary_transcript</code>:" in page.text
    assert "<code>create</code>: When no contact matches" in page.text and "None yet." in page.text
    r = await post_form(
        env, "/dashboard/logging", "/dashboard/logging/pipedrive", {"mode": "summary", "on_no_match": "skip"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/logging?done=saved%3Apipedrive"
    api = await env.api.get("/integrations/pipedrive/writeback", headers=env.headers())
    assert api.json()["mode"] == "summary"
    crm = {"x-api-token": company["api_token"]}
    made = await env.crm.post(
        "/pipedrive/api/v2/persons", headers=crm, json={"name": "Ann", "phones": [{"value": "14155552671"}]}
    )
    assert made.status_code in (200, 201), made.text
    logged = await _end(env, agent, "+1 415 555 2671")
    skipped = await _end(env, agent, "+1 212 555 0100")
    page = await env.api.get(r.headers["location"])
    assert "Interaction logging saved for pipedrive." in page.text
    assert "Logged <strong>1</strong>" in page.text and "Skipped <strong>1</strong>" in page.text
    record = (await env.api.get(f"/conversations/{logged}", headers=env.headers())).json()["interaction"]
    assert f"<code>{record['crmRecordId']}</code>" in page.text and f"<code>{skipped}</code>" in page.text
    # The record link: the matched person's page in Pipedrive's web app (the company's domain was kept
    # from the API key's check), in the API's answer and on the page.
    link = f"https://{company['company_domain']}.pipedrive.com/person/{record['contactId']}"
    assert record["crmUrl"] == link and f'href="{link}"' in page.text
    assert skip_reason_link_free(page.text, skipped)
    skip_reason = (await env.api.get(f"/conversations/{skipped}", headers=env.headers())).json()
    assert skip_reason["interaction"]["reason"] in page.text.replace("&#39;", "'")
    # A failed interaction (e.g. while the account needed re-authorisation) is retried from the page.
    store = env.runtime.store.interactions
    store.update("acme", record["interactionId"], status="failed", reason="The CRM refused the write.")
    page = await env.api.get("/dashboard/logging")
    assert "Failed <strong>1</strong>" in page.text and "The CRM refused the write." in page.text
    r = await post_form(env, "/dashboard/logging", "/dashboard/logging/pipedrive/retry", {})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/logging?done=retried%3A1"
    assert "1 failed interaction(s) queued again." in (await env.api.get(r.headers["location"])).text
    bad = await post_form(env, "/dashboard/logging", "/dashboard/logging/pipedrive", {"mode": "all"})
    assert bad.status_code == 422 and "off, summary, summary_transcript" in bad.text
    unknown = await post_form(env, "/dashboard/logging", "/dashboard/logging/nothere/retry", {})
    assert unknown.status_code == 404
