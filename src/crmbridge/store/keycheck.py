"""Which keys sealed the secrets already in a database, read before a key ring is trusted or generated.

A process that starts on a key ring that did not seal the stored secrets fails later, on some call, with
"cannot decrypt"; one that generates a key beside such a database strands them for good. Both are
refused at start-up instead (see ``crmbridge.core.keys``), which only needs the key ids: the token
format names its key in clear, so no key is needed to look.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, select
from sqlalchemy.engine import make_url

from ..vault import Vault, VaultError
from .availability import StorageLabel, translated
from .db import create_store_engine, normalise_url
from .models import AccountRow, ConnectionRow
from .webhook_rows import WebhookEndpointRow

__all__ = ["foreign_key_ids", "foreign_key_ids_at"]

#: Every sealed column; a new one is added here as well as to ``Store.rotate_keys``.
_SEALED: tuple[tuple[type[Any], str], ...] = (
    (ConnectionRow, "client_secret_enc"),
    (AccountRow, "credentials_enc"),
    (WebhookEndpointRow, "secret_enc"),
)


def foreign_key_ids(engine: Engine, known: Iterable[str] = (), *, sample: int = 20) -> set[str]:
    """Ids of keys, other than ``known``, that sealed secrets in the database (empty for a new one).

    Looks at up to ``sample`` such secrets per table: enough to name the missing keys, cheap on a large
    database whose secrets are all sealed by known keys (one scan per table, stopping early).
    """
    known = tuple(known)
    tables = set(inspect(engine).get_table_names())
    found: set[str] = set()
    with engine.connect() as conn:
        for model, column in _SEALED:
            if model.__tablename__ not in tables:
                continue
            col = getattr(model, column)
            others = [~col.startswith(Vault.token_prefix(key_id), autoescape=True) for key_id in known]
            query = select(col).where(col.is_not(None), *others).limit(sample)
            for token in conn.scalars(query):
                try:
                    found.add(Vault.key_id_of(token))
                except VaultError:
                    found.add("(unreadable token)")
    return found


def foreign_key_ids_at(database_url: str, known: Iterable[str] = ()) -> set[str]:
    """:func:`foreign_key_ids` of the database at ``database_url``, without creating or migrating it."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return set()
    engine = create_store_engine(database_url)
    label = StorageLabel(url.get_backend_name(), url.render_as_string(hide_password=True), 0)
    try:
        with translated(label, opening=True):
            return foreign_key_ids(engine, known)
    finally:
        engine.dispose()
