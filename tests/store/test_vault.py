"""The vault: AEAD round trips, binding to associated data, key rotation, key file fallback, no leaks."""

from __future__ import annotations

import logging
import pickle
import stat
from pathlib import Path

import pytest

from crmbridge import vault as vault_module
from crmbridge.errors import ConfigurationError
from crmbridge.vault import ENV_VAR, KEY_FILE_NAME, Vault, VaultError


def _material(key_line: str) -> str:
    return key_line.partition(":")[2]


def test_round_trip_and_token_shape(vault: Vault) -> None:
    token = vault.encrypt("refresh-me-please", aad="t1:connected_accounts:a1")
    version, key_id, _ = token.split(".")
    assert (version, key_id) == ("v1", vault.current_key_id)
    assert "refresh-me-please" not in token
    assert vault.decrypt(token, aad="t1:connected_accounts:a1") == "refresh-me-please"
    # A fresh nonce every time: equal plaintexts do not give equal ciphertexts.
    assert token != vault.encrypt("refresh-me-please", aad="t1:connected_accounts:a1")


def test_wrong_aad_fails(vault: Vault) -> None:
    token = vault.encrypt("s3cret", aad="t1:connections:c1")
    with pytest.raises(VaultError, match=vault.current_key_id) as info:
        vault.decrypt(token, aad="t2:connections:c1")
    assert "s3cret" not in str(info.value)
    assert isinstance(info.value, ConfigurationError)


def test_tampering_fails(vault: Vault) -> None:
    token = vault.encrypt("s3cret", aad="a")
    head, body = token.rsplit(".", 1)
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(VaultError):
        vault.decrypt(f"{head}.{flipped}", aad="a")
    with pytest.raises(VaultError, match="not a vault token"):
        vault.decrypt("plaintext-token", aad="a")
    with pytest.raises(VaultError, match="truncated"):
        vault.decrypt(f"{head}.AAAA", aad="a")


def test_rotation_encrypts_with_newest_and_decrypts_with_any() -> None:
    old_line, new_line = Vault.generate_key(), Vault.generate_key()
    old = Vault.from_string(old_line)
    ring = Vault.from_string(f"{new_line},{old_line}")
    legacy = old.encrypt("tok", aad="x")
    assert ring.decrypt(legacy, aad="x") == "tok"
    assert ring.needs_rotation(legacy)
    fresh = ring.encrypt("tok", aad="x")
    assert not ring.needs_rotation(fresh)
    assert fresh.split(".")[1] == ring.current_key_id == new_line.split(":")[0]
    # Once the old key is dropped, only its tokens stop working, and the message says which key is missing.
    new_only = Vault.from_string(new_line)
    assert new_only.decrypt(fresh, aad="x") == "tok"
    with pytest.raises(VaultError) as info:
        new_only.decrypt(legacy, aad="x")
    assert old.current_key_id in str(info.value)
    assert _material(old_line) not in str(info.value)


def test_same_key_id_with_other_material_fails(key_line: str) -> None:
    key_id = key_line.split(":")[0]
    impostor = Vault.from_string(f"{key_id}:{_material(Vault.generate_key())}")
    token = Vault.from_string(key_line).encrypt("tok", aad="x")
    with pytest.raises(VaultError, match=key_id):
        impostor.decrypt(token, aad="x")


def test_repr_and_errors_never_show_key_material(key_line: str) -> None:
    vault = Vault.from_string(key_line)
    assert _material(key_line) not in repr(vault)
    assert key_line.split(":")[0] in repr(vault)
    with pytest.raises(TypeError):
        pickle.dumps(vault)
    short = "k1:" + "A" * 20
    with pytest.raises(VaultError, match="32 bytes") as info:
        Vault.from_string(short)
    assert "A" * 20 not in str(info.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("no-colon-here", "keyid:base64urlkey"),
        ("k1:!!!notbase64!!!", "base64url"),
        ("bad.id:" + "A" * 43, "invalid key id"),
    ],
)
def test_malformed_key_ring(spec: str, message: str) -> None:
    with pytest.raises(VaultError, match=message):
        Vault.from_string(spec)


def test_duplicate_key_id_rejected(key_line: str) -> None:
    with pytest.raises(VaultError, match="twice"):
        Vault.from_string(f"{key_line},{key_line}")


def test_generate_key_line() -> None:
    key_id, _, material = Vault.generate_key().partition(":")
    assert key_id.startswith("k")
    assert Vault.from_string(f"{key_id}:{material}").key_ids == (key_id,)
    assert Vault.generate_key() != Vault.generate_key()


def test_from_env_prefers_environment(tmp_path: Path) -> None:
    first, second = Vault.generate_key(), Vault.generate_key()
    vault = Vault.from_env(tmp_path / "data", environ={ENV_VAR: f" {first} , {second} "})
    assert vault.key_ids == (first.split(":")[0], second.split(":")[0])
    assert not (tmp_path / "data").exists()


def test_from_env_creates_private_key_file_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data_dir = tmp_path / "data"
    with caplog.at_level(logging.WARNING, logger="crmbridge.vault"):
        first = Vault.from_env(data_dir, environ={})
        second = Vault.from_env(data_dir, environ={})
    key_file = data_dir / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert first.key_ids == second.key_ids
    token = first.encrypt("tok", aad="x")
    assert second.decrypt(token, aad="x") == "tok"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(key_file) in warnings[0].getMessage()
    assert _material(key_file.read_text().strip()) not in caplog.text


def test_empty_key_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vault_module, "_KEY_FILE_WAIT", 0.05)
    (tmp_path / KEY_FILE_NAME).write_text("")
    (tmp_path / KEY_FILE_NAME).chmod(0o600)
    with pytest.raises(VaultError, match="empty"):
        Vault.from_env(tmp_path, environ={})
