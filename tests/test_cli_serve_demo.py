"""``crmbridge serve --demo`` (what ``make run`` starts) as a real process on free ports: the curl commands
it prints work as printed, the OAuth connect it describes completes, and a restart keeps the sandbox's
data and the connected accounts while the previous key stops working."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = [pytest.mark.network, pytest.mark.slow, pytest.mark.timeout(180)]


@dataclass
class Demo:
    """The banner of one ``serve --demo`` run, parsed."""

    banner: str
    key: str
    url: str
    portal_id: int
    curls: list[list[str]]

    def curl(self, path_part: str) -> list[str]:
        """The printed curl command whose URL contains ``path_part``."""
        found = [c for c in self.curls if path_part in c[-1]]
        assert len(found) == 1, (path_part, self.banner)
        return found[0]


def run_curl(words: list[str], client: httpx.Client) -> httpx.Response:
    """Send what a printed ``curl -s -H … [-d …] URL`` command sends, with httpx."""
    assert words[:2] == ["curl", "-s"], words
    headers: dict[str, str] = {}
    body: str | None = None
    rest = words[2:-1]
    while rest:
        flag, value, *rest = rest
        if flag == "-H":
            name, _, text = value.partition(": ")
            headers[name] = text
        elif flag == "-d":
            body = value
        else:
            raise AssertionError(f"unexpected curl flag {flag}")
    method = "POST" if body is not None else "GET"
    return client.request(method, words[-1], headers=headers, content=body)


@contextmanager
def serve_demo(home: Path) -> Iterator[Demo]:
    env = {**os.environ, "CRMBRIDGE_HOME": str(home)}
    for name in ("CRMBRIDGE_DATABASE_URL", "CRMBRIDGE_PUBLIC_URL", "CRMBRIDGE_SECRET_KEYS"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "crmbridge.cli", "serve", "--demo", "--port", "0", "--sandbox-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not lines or "Press Ctrl+C" not in lines[-1]:
            line = proc.stdout.readline()
            assert line, f"serve --demo exited ({proc.poll()}) after printing:\n{''.join(lines)}"
            lines.append(line)
        banner = "".join(lines)
        url = re.search(r"\(demo\) on (http://127\.0\.0\.1:\d+),", banner)
        key = re.search(r"^  (crmb_\S+)$", banner, re.MULTILINE)
        portal = re.search(r"pick portal\s+(\d+)", banner)
        assert url and key and portal, banner
        curls = [shlex.split(line) for line in lines if line.strip().startswith("curl ")]
        yield Demo(banner, key.group(1), url.group(1), int(portal.group(1)), curls)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.stdout is not None:
                proc.stdout.close()


def grant_in_the_sandbox(browser: httpx.Client, oauth_url: str, portal_id: int) -> httpx.Response:
    """What a person does with the oauthUrl: open it (the service sets its cookie and redirects to the
    sandbox's consent page), grant for the portal, follow the redirect back to the service."""
    begin = browser.get(oauth_url)
    assert begin.status_code == 302, begin.text
    consent_url = begin.headers["location"]
    page = browser.get(consent_url)
    assert page.status_code == 200 and "Grant access" in page.text, page.text
    parts = urlsplit(consent_url)
    granted = browser.post(
        f"{parts.scheme}://{parts.netloc}{parts.path}?{parts.query}",
        data={"decision": "grant", "portal_id": str(portal_id)},
    )
    assert granted.status_code == 302, granted.text
    return browser.get(granted.headers["location"])


def ok_data(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True, body
    return body["data"]


def test_the_printed_commands_work_as_printed(tmp_path: Path) -> None:
    with serve_demo(tmp_path) as demo, httpx.Client(timeout=30) as http:
        assert http.get(f"{demo.url}/healthz").status_code == 200
        tools = run_curl(demo.curl("/tools?provider=pipedrive"), http)
        assert tools.status_code == 200, tools.text
        names = [t["function"]["name"] for t in tools.json()["data"]]
        assert "pipedrive_deals_list" in names and not any(n.startswith("hubspot") for n in names)

        deals = ok_data(run_curl(demo.curl("/tools/pipedrive_deals_list/execute"), http))
        assert len(deals["results"]) == 3

        connect = run_curl(demo.curl("/integrations/hubspot/connect"), http)
        assert connect.status_code == 200, connect.text
        oauth_url = connect.json()["oauthUrl"]
        assert oauth_url.startswith(f"{demo.url}/oauth/begin?h=")
        page = grant_in_the_sandbox(http, oauth_url, demo.portal_id)
        assert page.status_code == 200 and "Connected" in page.text, page.text

        account = run_curl(demo.curl("/integrations/hubspot/accounts/demo"), http)
        assert account.status_code == 200 and account.json()["status"] == "ACTIVE", account.text
        contacts = ok_data(run_curl(demo.curl("/tools/hubspot_contacts_search/execute"), http))
        assert len(contacts["results"]) == 3

        for path in ("/docs", "/openapi.json"):
            assert f"{demo.url}{path}" in demo.banner
            assert http.get(f"{demo.url}{path}").status_code == 200


def test_a_restart_keeps_the_data_and_replaces_the_key(tmp_path: Path) -> None:
    headers = {"Content-Type": "application/json"}
    with serve_demo(tmp_path) as first, httpx.Client(timeout=30) as http:
        assert "Sandbox state saved in" in first.banner
        auth = {**headers, "Authorization": f"Bearer {first.key}"}
        created = http.post(
            f"{first.url}/tools/pipedrive_deal_create/execute",
            headers=auth,
            json={"identifier": "demo", "input": {"title": "Kept across restarts"}},
        )
        deal_id = ok_data(created)["id"]
        connect = http.post(
            f"{first.url}/integrations/hubspot/connect", headers=auth, json={"identifier": "hs"}
        )
        page = grant_in_the_sandbox(http, connect.json()["oauthUrl"], first.portal_id)
        assert page.status_code == 200, page.text

    with serve_demo(tmp_path) as second, httpx.Client(timeout=30) as http:
        assert "Sandbox state restored from" in second.banner
        assert second.key != first.key
        old = http.get(f"{second.url}/integrations", headers={"Authorization": f"Bearer {first.key}"})
        assert old.status_code == 401, old.text
        auth = {**headers, "Authorization": f"Bearer {second.key}"}
        deal = http.post(
            f"{second.url}/tools/pipedrive_deal_get/execute",
            headers=auth,
            json={"identifier": "demo", "input": {"id": deal_id}},
        )
        assert ok_data(deal)["title"] == "Kept across restarts"
        # The OAuth account made in the first run still works: its tokens lived through both restarts.
        contacts = http.post(
            f"{second.url}/tools/hubspot_contacts_search/execute",
            headers=auth,
            json={"identifier": "hs", "input": {"limit": 1}},
        )
        assert len(ok_data(contacts)["results"]) == 1
        listed = http.get(f"{second.url}/integrations", headers=auth).json()["data"]
        assert sorted(i["name"] for i in listed) == ["hubspot", "pipedrive"]
