"""Database URLs for tests: a SQLite file, or a throw-away Postgres database on the local server.

Reusable by any test package::

    from tests.dbutil import database_url

    @pytest.fixture(params=["sqlite", "postgres"])
    def db_url(request, tmp_path):
        with database_url(request.param, tmp_path) as url:
            yield url

Postgres comes from ``CRMBRIDGE_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``),
used only as an entry point: each call creates ``crmbridge_test_<random>`` and drops it afterwards. When
the server is unreachable the test is skipped with the reason, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ADMIN_URL_ENV = "CRMBRIDGE_TEST_POSTGRES_URL"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgres")

_unreachable: str | None = None  # remembered so a suite without Postgres does not retry per test


def postgres_admin_url() -> str:
    return os.environ.get(ADMIN_URL_ENV, DEFAULT_ADMIN_URL)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def sqlite_url(directory: Path, name: str = "crmbridge.db") -> str:
    return f"sqlite:///{directory / name}"


def require_postgres() -> str:
    """The admin URL if the server answers; otherwise skip (or fail under CI) with the reason."""
    global _unreachable
    admin = postgres_admin_url()
    if _unreachable is None:
        try:
            import psycopg

            with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
                conn.execute("SELECT 1")
            _unreachable = ""
        except Exception as exc:  # ImportError, OperationalError: either way there is no Postgres to use
            detail = " ".join(str(exc).split())
            _unreachable = f"Postgres unreachable at {_redact(admin)} ({type(exc).__name__}: {detail})"
    if _unreachable:
        message = f"{_unreachable}; set {ADMIN_URL_ENV} or start the server"
        if in_ci():
            pytest.fail(f"CI=true requires Postgres: {message}", pytrace=False)
        pytest.skip(message)
    return admin


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """Create ``crmbridge_test_<random>``, yield its URL, then drop it (with any open sessions)."""
    import psycopg
    from psycopg import sql

    admin = require_postgres()
    name = f"crmbridge_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_database(admin, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of the given backend (``"sqlite"`` or ``"postgres"``)."""
    if backend == "sqlite":
        yield sqlite_url(tmp_path)
    elif backend == "postgres":
        with temporary_postgres_database() as url:
            yield url
    else:
        raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")


def _with_database(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=database).render_as_string(hide_password=False)


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
