"""A provider written outside crmbridge runs on the same engine as the built-in CRMs: a catalog of all
three, an engine, an API-key target, and its tools against a fake of its API — in process and over a
real socket. It can also arrive through the ``crmbridge.providers`` entry-point group."""

from __future__ import annotations

import importlib.metadata
import logging
import os
import pathlib
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from crmbridge.auth import ApiKeyAuth
from crmbridge.engine import CallTarget, Catalog, Engine, HttpCore, RetryPolicy, ToolResult
from crmbridge.providers import builtin_providers, default_catalog, entry_point_providers

from .notes_api import KEY, NotesApi, serve_on_loopback
from .notes_crm import PROVIDER as NOTES

pytestmark = pytest.mark.anyio

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, max_retry_after=1.0)


def new_engine(transport: httpx.AsyncBaseTransport | None = None) -> Engine:
    catalog = Catalog([*builtin_providers(), NOTES])
    return Engine(catalog, http=HttpCore(transport=transport, retry=FAST), index_lag=0.0)


def target(base_url: str = "http://notes.test", key: str = KEY) -> CallTarget:
    auth = ApiKeyAuth(key, header=NOTES.auth.api_key_header, prefix=NOTES.auth.api_key_prefix)
    return CallTarget(account_key="notes:acme", base_url=base_url, auth=auth)


def error_of(result: ToolResult) -> dict[str, Any]:
    """The error as a model reads it."""
    assert not result.ok
    error: dict[str, Any] = result.to_dict()["error"]
    return error


@pytest.fixture
def api() -> NotesApi:
    return NotesApi()


@pytest.fixture
async def engine(api: NotesApi) -> AsyncIterator[Engine]:
    engine = new_engine(httpx.ASGITransport(app=api))
    yield engine
    await engine.aclose()


def test_the_catalog_holds_it_next_to_the_built_in_crms() -> None:
    catalog = Catalog([*builtin_providers(), NOTES])
    assert catalog.provider_names == ["hubspot", "pipedrive", "notes"]
    assert [t.name for t in catalog.tools("notes")] == ["notes_search", "notes_create"]
    assert catalog.tool("notes_create").provider == "notes"


async def test_create_then_search(engine: Engine, api: NotesApi) -> None:
    created = await engine.execute_named(
        "notes_create", {"title": "Call Ann back", "body": "Renewal price."}, target()
    )
    assert created.ok, created.error
    assert created.data == {
        "id": 1,
        "title": "Call Ann back",
        "body": "Renewal price.",
        "created_at": "2027-01-01T00:00:00Z",
    }
    await engine.execute_named("notes_create", {"title": "Renewal signed"}, target())

    first = await engine.execute_named("notes_search", {"query": "renewal", "limit": 1}, target())
    assert first.ok, first.error
    newest = {"id": 2, "title": "Renewal signed", "created_at": "2027-01-01T00:00:01Z"}
    assert first.data == {"results": [newest], "count": 1, "next_cursor": "1"}
    second = await engine.execute_named(
        "notes_search", {"query": "renewal", "limit": 1, "cursor": "1"}, target()
    )
    assert [note["id"] for note in second.data["results"]] == [1] and "next_cursor" not in second.data

    # Each create first looks for notes with its title (the re-check snapshot), then posts, with the key.
    assert [(method, key) for method, _, key in api.seen[:2]] == [("GET", KEY), ("POST", KEY)]


async def test_errors_reach_the_model_sorted_by_who_must_act(engine: Engine) -> None:
    blank = error_of(await engine.execute_named("notes_create", {"title": " "}, target()))
    assert (blank["code"], blank["field"]) == ("invalid_input", "title")
    assert "needs a title" in blank["message"]

    typo = error_of(await engine.execute_named("notes_search", {"query": "x", "limt": 3}, target()))
    assert typo["code"] == "invalid_input"

    wrong = "notes_sk_" + "f" * 32
    refused = error_of(await engine.execute_named("notes_search", {"query": "x"}, target(key=wrong)))
    assert refused["code"] == "auth_failed" and wrong not in str(refused)


class LoseFirstCreateAnswer(httpx.AsyncBaseTransport):
    """Hands every request to the API, but loses the answer of the first create after it was applied."""

    def __init__(self, api: NotesApi) -> None:
        self.inner = httpx.ASGITransport(app=api)
        self.lost = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and not self.lost:
            self.lost = True
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


async def test_a_create_whose_answer_was_lost_is_found_by_its_hook_not_written_twice(api: NotesApi) -> None:
    engine = new_engine(LoseFirstCreateAnswer(api))
    try:
        result = await engine.execute_named("notes_create", {"title": "Once only"}, target())
    finally:
        await engine.aclose()
    assert result.ok, result.error
    assert result.data["id"] == 1 and [note["title"] for note in api.notes] == ["Once only"]


@pytest.mark.network
async def test_over_a_real_socket(api: NotesApi) -> None:
    with serve_on_loopback(api) as root:
        engine = new_engine()
        try:
            created = await engine.execute_named("notes_create", {"title": "Over TCP"}, target(root))
            found = await engine.execute_named("notes_search", {"query": "tcp"}, target(root))
        finally:
            await engine.aclose()
    assert created.ok, created.error
    assert found.ok and [note["title"] for note in found.data["results"]] == ["Over TCP"]


def test_its_key_shape_is_masked_once_it_joins_a_catalog() -> None:
    """In a fresh interpreter: the registry is process-wide, and this one has seen the provider already."""
    script = (
        "from crmbridge.engine import Catalog\n"
        "from crmbridge.errors import scrub\n"
        "from tests.external_provider.notes_api import KEY\n"
        "from tests.external_provider.notes_crm import PROVIDER\n"
        "print(scrub(KEY) == KEY)\n"
        "Catalog([PROVIDER])\n"
        "print(scrub('key ' + KEY))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ["True", "key [redacted]"]


def test_an_installed_package_brings_it_through_an_entry_point(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    group = "crmbridge.providers"
    points = [
        importlib.metadata.EntryPoint("notes", "tests.external_provider.notes_crm:PROVIDER", group),
        importlib.metadata.EntryPoint("broken", "tests.external_provider.not_there:PROVIDER", group),
        importlib.metadata.EntryPoint("not-a-provider", "tests.external_provider.notes_api:KEY", group),
        importlib.metadata.EntryPoint("other-group", "tests.external_provider.notes_crm:PROVIDER", "x"),
    ]

    def entry_points(**selection: str) -> list[importlib.metadata.EntryPoint]:
        return [point for point in points if point.group == selection.get("group")]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    with caplog.at_level(logging.WARNING, logger="crmbridge.providers"):
        found = entry_point_providers()
    assert len(found) == 1 and found[0] is NOTES
    assert {"broken", "not-a-provider"} <= {word for r in caplog.records for word in r.getMessage().split()}
    assert default_catalog(entry_points=True).provider_names == ["hubspot", "pipedrive", "notes"]
    assert default_catalog().provider_names == ["hubspot", "pipedrive"]


def test_the_guide_shows_this_very_provider() -> None:
    guide = (REPO / "docs" / "providers.md").read_text()
    for name in ("__init__.py", "tools.py", "hooks.py", "limits.py"):
        code = (HERE / "notes_crm" / name).read_text()
        assert f"### `notes_crm/{name}`\n\n```python\n{code}```" in guide, (
            f"docs/providers.md shows an old {name}"
        )
