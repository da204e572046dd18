"""TokenManager and OAuthAuth against a scripted token server: proactive refresh, what each failure does
to the account, refresh-token rotation, and the 401 fallback (one refresh-and-retry, never a loop)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crmbridge.auth import AccountRef, OAuthAuth, OAuthClient, TokenManager
from crmbridge.errors import ConfigurationError, ProviderUnavailable, ReauthorizationRequired
from crmbridge.providers import builtin
from crmbridge.store import AccountRecord, AccountStatus, Store
from crmbridge.vault import Vault

pytestmark = pytest.mark.anyio
TENANT = "t1"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class CRM:
    """A token endpoint answering from a script, and an API that accepts only ``valid`` tokens."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, Any]]] = []
        self.token_calls = 0
        self.api_calls = 0
        self.valid: set[str] = set()
        self.minted = 0
        self.refuse_all = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            self.token_calls += 1
            status, body = self.script.pop(0) if self.script else (200, {})
            if status == 200 and not body:
                self.minted += 1
                body = {
                    "access_token": f"at-{self.minted}",
                    "refresh_token": f"rt-{self.minted}",
                    "expires_in": 1800,
                }
                self.valid.add(body["access_token"])
            return httpx.Response(status, json=body)
        self.api_calls += 1
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        return httpx.Response(200 if token in self.valid and not self.refuse_all else 401, json={})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}", Vault.from_string(Vault.generate_key())) as s:
        yield s


@pytest.fixture
def crm() -> CRM:
    return CRM()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def statuses(store: Store) -> list[str]:
    return []


@pytest.fixture
def manager(store: Store, crm: CRM, clock: Clock, statuses: list[str]) -> TokenManager:
    def sink(ref: AccountRef, status: AccountStatus, reason: str) -> None:
        statuses.append(status.value)
        store.accounts.update(TENANT, ref.account_id, status=status, status_reason=reason)

    return TokenManager(store, on_status=sink, clock=clock, transport=httpx.MockTransport(crm.handle))


def _account(
    store: Store, clock: Clock, expires_in: float, status: str = "ACTIVE"
) -> tuple[AccountRef, AccountRecord]:
    config = {
        "auth_mode": "oauth",
        "client_id": "cid",
        "redirect_uri": "https://a/cb",
        "token_url": "https://crm/oauth/token",
    }
    store.connections.save(TENANT, "hubspot", "hubspot", config, "secret")
    record, _ = store.accounts.get_or_create(TENANT, "hubspot", "u1")
    creds = {
        "type": "oauth",
        "access_token": "at-0",
        "refresh_token": "rt-0",
        "expires_at": clock.now + expires_in,
        "obtained_at": clock.now - 1800 + expires_in,
    }
    record = store.accounts.update(TENANT, record.id, status=status, credentials=creds)
    client = OAuthClient.from_config(builtin("hubspot"), config, "secret")
    return AccountRef(TENANT, record.id, "hubspot", "u1", client), record


async def test_a_fresh_token_is_used_as_is(
    store: Store, crm: CRM, clock: Clock, manager: TokenManager
) -> None:
    ref, record = _account(store, clock, expires_in=1000)
    manager.prime(record)
    assert await manager.access_token(ref) == "at-0"
    assert crm.token_calls == 0


async def test_inside_the_margin_it_refreshes_and_stores_the_returned_refresh_token(
    store: Store, crm: CRM, clock: Clock, manager: TokenManager
) -> None:
    ref, record = _account(store, clock, expires_in=200)  # margin is 300 s
    manager.prime(record)
    assert await manager.access_token(ref) == "at-1"
    assert await manager.access_token(ref) == "at-1"
    assert crm.token_calls == 1
    stored = store.accounts.get_by_id(TENANT, ref.account_id)
    assert stored is not None and stored.credentials["refresh_token"] == "rt-1"
    assert stored.credentials["expires_at"] == clock.now + 1800


async def test_a_passing_failure_keeps_a_still_valid_token(
    store: Store, crm: CRM, clock: Clock, manager: TokenManager, statuses: list[str]
) -> None:
    ref, _ = _account(store, clock, expires_in=200)
    crm.script = [(503, {})]
    assert await manager.access_token(ref) == "at-0"
    assert statuses == []


async def test_a_passing_failure_with_an_expired_token_marks_expired_then_recovers(
    store: Store, crm: CRM, clock: Clock, manager: TokenManager, statuses: list[str]
) -> None:
    ref, _ = _account(store, clock, expires_in=-5)
    crm.script = [(502, {})]
    with pytest.raises(ProviderUnavailable):
        await manager.access_token(ref)
    assert await manager.access_token(ref) == "at-1"
    assert statuses == ["EXPIRED", "ACTIVE"]


async def test_a_dead_refresh_token_revokes_and_later_calls_fail_without_a_request(
    store: Store, crm: CRM, clock: Clock, manager: TokenManager, statuses: list[str]
) -> None:
    ref, _ = _account(store, clock, expires_in=-5)
    crm.script = [(400, {"status": "BAD_REFRESH_TOKEN", "message": "missing or invalid refresh token"})]
    with pytest.raises(ReauthorizationRequired) as info:
        await manager.access_token(ref)
    assert info.value.details["status"] == "REVOKED" and statuses == ["REVOKED"]
    with pytest.raises(ReauthorizationRequired):
        await manager.access_token(ref)
    assert crm.token_calls == 1


async def test_a_rejected_client_is_an_error_for_the_developer(
    store: Store, crm: CRM, clock: Clock, manager: TokenManager, statuses: list[str]
) -> None:
    ref, _ = _account(store, clock, expires_in=-5)
    crm.script = [(400, {"error": "invalid_client", "status": "BAD_CLIENT_SECRET"})]
    with pytest.raises(ConfigurationError):
        await manager.access_token(ref)
    assert statuses == ["ERROR"]


async def test_a_401_refreshes_once_and_retries_once(
    store: Store, crm: CRM, clock: Clock, manager: TokenManager
) -> None:
    ref, record = _account(store, clock, expires_in=1000)  # fresh by our clock, but the CRM dropped it
    manager.prime(record)
    async with httpx.AsyncClient(transport=httpx.MockTransport(crm.handle)) as http:
        ok = await http.get("https://crm/api/thing", auth=OAuthAuth(manager, ref))
        assert ok.status_code == 200 and (crm.api_calls, crm.token_calls) == (2, 1)
        crm.refuse_all = (
            True  # now every token is refused: exactly one more refresh and retry, then the 401 stands
        )
        denied = await http.get("https://crm/api/thing", auth=OAuthAuth(manager, ref))
    assert denied.status_code == 401 and (crm.api_calls, crm.token_calls) == (4, 2)


def test_oauth_auth_refuses_sync_clients(store: Store, clock: Clock, manager: TokenManager) -> None:
    ref, _ = _account(store, clock, expires_in=1000)
    auth = OAuthAuth(manager, ref)
    with (
        httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as http,
        pytest.raises(RuntimeError),
    ):
        http.get("https://crm/x", auth=auth)
    assert "at-0" not in repr(auth) and ref.account_id in repr(auth)


async def test_an_older_record_never_replaces_a_newer_cached_token(
    store: Store, crm: CRM, clock: Clock, manager: TokenManager
) -> None:
    ref, old = _account(store, clock, expires_in=200)
    assert await manager.access_token(ref) == "at-1"
    manager.prime(old)  # a target built from a stale read
    assert await manager.access_token(ref) == "at-1" and crm.token_calls == 1
