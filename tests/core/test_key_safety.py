"""A database shared by several processes never runs on a key one of them generated, and no key is
generated for a database that already holds secrets sealed under keys nobody configured: each case is
refused at start-up with what to set, instead of a ``vault_error`` on some later call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crmbridge import Bridge
from crmbridge.vault import ENV_VAR, KEY_FILE_NAME, Vault, VaultError
from tests.dbutil import temporary_postgres_database


@pytest.fixture(autouse=True)
def no_keys_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture
def pg_url() -> Iterator[str]:
    with temporary_postgres_database() as url:
        yield url


def store_a_secret(bridge: Bridge) -> None:
    bridge.add_connection("hubspot", provider="hubspot")
    bridge.connect_api_key(
        connection_name="hubspot", identifier="u1", api_key="pat-na1-secret-value", check=False
    )


def assert_says_what_to_set(error: VaultError) -> None:
    assert ENV_VAR in error.message and "crmbridge keys generate" in error.message


def test_postgres_without_keys_refuses_to_generate_one(pg_url: str, tmp_path: Path) -> None:
    with pytest.raises(VaultError) as raised:
        Bridge(database_url=pg_url, data_dir=tmp_path)
    assert_says_what_to_set(raised.value)
    assert "postgresql" in raised.value.message
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_a_second_process_on_postgres_with_another_key_file_is_refused_at_start(
    pg_url: str, tmp_path: Path
) -> None:
    """Two hosts, each with a key file of its own (left by an older version): the second must not start
    and then fail on every call with "cannot decrypt"."""
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    for directory in (first_dir, second_dir):
        directory.mkdir()
        (directory / KEY_FILE_NAME).write_text(Vault.generate_key() + "\n")
        (directory / KEY_FILE_NAME).chmod(0o600)
    first_key = Vault.from_env(first_dir, environ={}).current_key_id
    with Bridge(database_url=pg_url, data_dir=first_dir) as first:
        store_a_secret(first)
    with pytest.raises(VaultError) as raised:
        Bridge(database_url=pg_url, data_dir=second_dir)
    assert first_key in raised.value.message
    assert_says_what_to_set(raised.value)
    # The same key ring in the environment is what makes the second process work.
    with Bridge(
        database_url=pg_url, data_dir=second_dir, vault=Vault.from_env(first_dir, environ={})
    ) as second:
        assert second.get_connected_account(connection_name="hubspot", identifier="u1") is not None


def test_sqlite_holding_secrets_gets_no_new_key_when_its_key_is_gone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crmbridge.db'}"
    with Bridge(database_url=url, data_dir=tmp_path) as bridge:  # the embedded default: a key file
        store_a_secret(bridge)
    old_key = Vault.from_env(tmp_path, environ={}).current_key_id
    (tmp_path / KEY_FILE_NAME).unlink()
    with pytest.raises(VaultError) as raised:
        Bridge(database_url=url, data_dir=tmp_path)
    assert old_key in raised.value.message and str(tmp_path / KEY_FILE_NAME) in raised.value.message
    assert_says_what_to_set(raised.value)
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_sqlite_with_a_key_file_that_sealed_none_of_its_secrets_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crmbridge.db'}"
    with Bridge(database_url=url, data_dir=tmp_path) as bridge:
        store_a_secret(bridge)
    (tmp_path / KEY_FILE_NAME).write_text(Vault.generate_key() + "\n")
    with pytest.raises(VaultError) as raised:
        Bridge(database_url=url, data_dir=tmp_path)
    assert_says_what_to_set(raised.value)


def test_a_fresh_sqlite_database_still_needs_no_set_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crmbridge.db'}"
    with Bridge(database_url=url, data_dir=tmp_path) as bridge:
        store_a_secret(bridge)
    with Bridge(database_url=url, data_dir=tmp_path) as again:  # same key file, same secrets
        account = again.get_connected_account(connection_name="hubspot", identifier="u1")
        assert account is not None and account.status == "ACTIVE"
