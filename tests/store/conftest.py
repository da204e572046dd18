"""Store fixtures: every store test runs on SQLite (a file in tmp_path) and on a throw-away Postgres DB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crmbridge.store import Store
from crmbridge.vault import Vault
from tests.dbutil import BACKENDS, database_url


class FakeClock:
    """A clock tests can move, so expiry is tested without sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with database_url(backend, tmp_path) as url:
        yield url


@pytest.fixture
def key_line() -> str:
    return Vault.generate_key()


@pytest.fixture
def vault(key_line: str) -> Vault:
    return Vault.from_string(key_line)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url: str, vault: Vault, clock: FakeClock) -> Iterator[Store]:
    with Store.open(db_url, vault, clock=clock) as s:
        yield s
