"""The key ring a runtime seals secrets with when none is passed, chosen so that no secret is stranded.

``CRMBRIDGE_SECRET_KEYS`` wins. Without it the embedded default keeps working with no set-up (a key file
beside a SQLite database, generated on first use), but a key is never generated for a database other
processes may share (each would seal with its own key, and every other one would fail to decrypt), nor
for a database that already holds secrets a new key could not open; and a key file that sealed none of
the stored secrets is refused. Each case fails at start-up saying what to set.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import make_url

from ..store import Store
from ..store.db import normalise_url
from ..store.keycheck import foreign_key_ids_at
from ..vault import ENV_VAR, KEY_FILE_NAME, Vault, VaultError

__all__ = ["open_store"]

_HOW = (
    f"Run `crmbridge keys generate` once and set {ENV_VAR} to the line it prints in every process that "
    "uses this database (or pass vault=Vault.from_string(...))."
)


def open_store(database_url: str, data_dir: Path, vault: Vault | None) -> tuple[Store, Vault]:
    """Open the store with ``vault``, or with the key ring the environment and data directory give."""
    if vault is not None or os.environ.get(ENV_VAR, "").strip():
        chosen = vault or Vault.from_env(data_dir)
        return Store.open(database_url, chosen), chosen
    key_file = Path(data_dir) / KEY_FILE_NAME
    if not key_file.exists():
        _refuse_to_generate(database_url, key_file)
    chosen = Vault.from_env(data_dir)
    store = Store.open(database_url, chosen)
    try:
        foreign = store.foreign_key_ids()
    except BaseException:
        store.close()
        raise
    if foreign:
        store.close()
        raise VaultError(
            f"This database holds secrets sealed with key(s) {_ids(foreign)}, which the key file "
            f"{key_file} does not hold (it has {_ids(chosen.key_ids)}). Set {ENV_VAR} to the key ring "
            f"that sealed them, newest first (e.g. the key file of the process that created them). "
            f"For a new key: {_HOW}"
        )
    return store, chosen


def _refuse_to_generate(database_url: str, key_file: Path) -> None:
    """Raise unless generating a key beside this database is safe (a SQLite file with no secrets yet)."""
    backend = make_url(normalise_url(database_url)).get_backend_name()
    if backend != "sqlite":
        raise VaultError(
            f"No secret key: {ENV_VAR} is not set. A {backend} database can be shared by several "
            f"processes, so crmbridge will not generate a key of its own for it (each process would seal "
            f"secrets the others cannot open). {_HOW}"
        )
    sealed = foreign_key_ids_at(database_url)
    if sealed:
        raise VaultError(
            f"No secret key: {ENV_VAR} is not set and {key_file} does not exist, but this database "
            f"already holds secrets sealed with key(s) {_ids(sealed)}, which a new key could not open. "
            f"Set {ENV_VAR} to the key ring that sealed them or restore {key_file}; to start over, "
            f"delete the database. For a new key: {_HOW}"
        )


def _ids(key_ids: Iterable[str]) -> str:
    return ", ".join(sorted(key_ids))
