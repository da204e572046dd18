"""Authenticated encryption for secrets at rest (OAuth tokens, API keys, client secrets).

AES-256-GCM with a key ring: the first key encrypts, every key decrypts, so keys can be rotated without
downtime (add a new key in front, run ``Store.rotate_keys()``, then drop the old one). Each ciphertext
names the key that sealed it and is bound to its place by associated data (``aad``): a token copied into
another row, tenant or column fails to decrypt instead of leaking someone else's secret.

Token format: ``v1.<key id>.<base64url(nonce || ciphertext || tag)>``.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import ConfigurationError

__all__ = ["ENV_VAR", "KEY_FILE_NAME", "Vault", "VaultError"]

logger = logging.getLogger(__name__)

ENV_VAR = "CRMBRIDGE_SECRET_KEYS"
KEY_FILE_NAME = "secret.key"
_VERSION = "v1"
_NONCE_BYTES = 12
_KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_warned_paths: set[Path] = set()
_KEY_FILE_WAIT = 2.0  # seconds to wait for a concurrent first start to finish writing the key file


class VaultError(ConfigurationError):
    """A secret cannot be sealed or opened: wrong or missing key, tampered token, or a malformed key ring.

    Messages name key ids only, never key material or plaintext.
    """

    http_status = 500  # the server's keys are wrong: nothing the HTTP caller sent can fix it

    code = "vault_error"


def _b64decode(text: str) -> bytes:
    """Decode base64url with or without padding (keys are often pasted without it)."""
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Vault:
    """A key ring of AES-256-GCM keys, newest first; encrypts with the newest, decrypts with any."""

    __slots__ = ("_aead", "_key_ids", "_raw")

    def __init__(self, keys: Iterable[tuple[str, bytes]]) -> None:
        self._aead: dict[str, AESGCM] = {}
        self._raw: dict[str, bytes] = {}
        self._key_ids: list[str] = []
        for key_id, key in keys:
            if not _KEY_ID.match(key_id):
                raise VaultError(f"invalid key id {key_id!r}: use 1-40 of A-Z a-z 0-9 _ -")
            if key_id in self._aead:
                raise VaultError(f"key id {key_id!r} appears twice in the key ring")
            if len(key) != _KEY_BYTES:
                raise VaultError(f"key {key_id!r} must be {_KEY_BYTES} bytes, got {len(key)}")
            self._aead[key_id] = AESGCM(key)
            self._raw[key_id] = key
            self._key_ids.append(key_id)
        if not self._key_ids:
            raise VaultError("the key ring is empty: at least one key is needed")

    # -- construction ------------------------------------------------------------------------------

    @classmethod
    def from_string(cls, spec: str) -> Vault:
        """Parse ``keyid:base64urlkey[,keyid:base64urlkey...]`` (newest first); commas or newlines."""
        keys: list[tuple[str, bytes]] = []
        for position, item in enumerate(re.split(r"[,\n]", spec), start=1):
            item = item.strip()
            if not item or item.startswith("#"):
                continue
            key_id, sep, encoded = item.partition(":")
            if not sep:
                raise VaultError(f"key ring entry {position} is not of the form keyid:base64urlkey")
            try:
                key = _b64decode(encoded)
            except (binascii.Error, ValueError):
                raise VaultError(f"key {key_id.strip()!r} is not valid base64url") from None
            keys.append((key_id.strip(), key))
        return cls(keys)

    @classmethod
    def from_env(cls, data_dir: Path, *, environ: Mapping[str, str] | None = None) -> Vault:
        """Keys from ``CRMBRIDGE_SECRET_KEYS``; without it, a key file in ``data_dir`` (created on first use).

        The file fallback keeps the embedded mode zero-set-up; it warns because a key stored beside the
        database protects far less than one kept in the environment or a secret manager. A runtime
        generates no key for a database other processes may share (``crmbridge.core.keys``).
        """
        env = os.environ if environ is None else environ
        spec = env.get(ENV_VAR, "").strip()
        if spec:
            return cls.from_string(spec)
        return cls.from_string(_load_or_create_key_file(Path(data_dir) / KEY_FILE_NAME))

    @staticmethod
    def generate_key() -> str:
        """A fresh ``keyid:base64urlkey`` line; the id carries the date so rings read oldest-to-newest."""
        key_id = f"k{datetime.now(UTC):%Y%m%d}{secrets.token_hex(3)}"
        return f"{key_id}:{_b64encode(secrets.token_bytes(_KEY_BYTES))}"

    # -- use ---------------------------------------------------------------------------------------

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Key ids, newest (the encrypting one) first."""
        return tuple(self._key_ids)

    @property
    def current_key_id(self) -> str:
        return self._key_ids[0]

    def encrypt(self, plaintext: str, *, aad: str) -> str:
        """Seal ``plaintext`` under the newest key, bound to ``aad`` (e.g. ``"tenant:table:row id"``)."""
        key_id = self._key_ids[0]
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead[key_id].encrypt(nonce, plaintext.encode("utf-8"), _aad(key_id, aad))
        return f"{_VERSION}.{key_id}.{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str, *, aad: str) -> str:
        """Open a token sealed by :meth:`encrypt` with the same ``aad``; :class:`VaultError` otherwise."""
        key_id, blob = _parse(token)
        aead = self._aead.get(key_id)
        if aead is None:
            raise VaultError(
                f"cannot decrypt: sealed with key {key_id!r}, which is not in the key ring "
                f"({', '.join(self._key_ids)}); was an old key dropped before rotation finished?"
            )
        try:
            plaintext = aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _aad(key_id, aad))
        except InvalidTag:
            raise VaultError(
                f"cannot decrypt with key {key_id!r}: the ciphertext was altered, belongs to another "
                "record (associated data differs), or the key under that id changed"
            ) from None
        return plaintext.decode("utf-8")

    def derive_key(self, key_id: str, label: str) -> bytes:
        """A 32-byte key for another purpose (e.g. signing OAuth state), derived with HKDF-SHA256 from
        vault key ``key_id`` and bound to ``label``; it rotates with the key ring."""
        raw = self._raw.get(key_id)
        if raw is None:
            raise VaultError(f"no key {key_id!r} in the key ring")
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode()).derive(raw)

    @staticmethod
    def key_id_of(token: str) -> str:
        """The id of the key that sealed ``token`` (no key needed to tell)."""
        return _parse(token)[0]

    @staticmethod
    def token_prefix(key_id: str) -> str:
        """How every token sealed by ``key_id`` starts, for finding them with a query."""
        return f"{_VERSION}.{key_id}."

    def needs_rotation(self, token: str) -> bool:
        """True when the token was not sealed by the newest key (so ``rotate_keys`` should rewrite it)."""
        key_id, _ = _parse(token)
        return key_id != self._key_ids[0]

    def __repr__(self) -> str:
        return f"Vault(key_ids={self._key_ids!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # Never let a key ring travel by pickle (e.g. into a log of task arguments) by accident.
        raise TypeError("Vault objects cannot be pickled; build one in each process (Vault.from_env)")


def _aad(key_id: str, aad: str) -> bytes:
    # The header is authenticated too, so a key id cannot be swapped in a token.
    return f"{_VERSION}.{key_id}|{aad}".encode()


def _parse(token: str) -> tuple[str, bytes]:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _VERSION:
        raise VaultError(f"not a vault token (expected {_VERSION}.<key id>.<data>)")
    try:
        blob = _b64decode(parts[2])
    except (binascii.Error, ValueError):
        raise VaultError(f"vault token sealed with key {parts[1]!r} is corrupt (bad base64)") from None
    if len(blob) < _NONCE_BYTES + 16:
        raise VaultError(f"vault token sealed with key {parts[1]!r} is truncated")
    return parts[1], blob


def _load_or_create_key_file(path: Path) -> str:
    """Read the key file, or create it atomically (O_EXCL) so concurrent first starts agree on one key."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path)
    line = Vault.generate_key()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    if path not in _warned_paths:
        _warned_paths.add(path)
        logger.warning(
            "%s is not set: generated a new secret key in %s (mode 0600). Back it up with the database, "
            "or set %s to keep keys out of the data directory.",
            ENV_VAR,
            path,
            ENV_VAR,
        )
    return line


def _read_key_file(path: Path) -> str:
    # Another process may have created the file a moment ago and not written it yet.
    deadline = time.monotonic() + _KEY_FILE_WAIT
    while True:
        text = path.read_text(encoding="ascii").strip()
        if text or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    if not text:
        raise VaultError(f"key file {path} is empty: delete it to generate a new key, or set {ENV_VAR}")
    if path.stat().st_mode & 0o077 and path not in _warned_paths:
        _warned_paths.add(path)
        logger.warning("key file %s is readable by other users: chmod 600 it", path)
    return text
