"""What the commands share: exit codes, opening the Bridge, printing JSON, reporting usage errors."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import TYPE_CHECKING, Any

from ..errors import CrmBridgeError, scrub

if TYPE_CHECKING:
    from ..core import Bridge

__all__ = [
    "OK",
    "TOOL_ERROR",
    "USAGE",
    "Subparsers",
    "UsageError",
    "add_database_url",
    "err",
    "open_bridge",
    "print_json",
    "usage_error",
]

OK, TOOL_ERROR, USAGE = 0, 1, 2
DATABASE_URL_ENV = "CRMBRIDGE_DATABASE_URL"
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")

Subparsers = argparse._SubParsersAction  # the type ``add_subparsers`` returns


class UsageError(Exception):
    """The command line is wrong (bad JSON, unknown tool…): message to stderr, exit code 2."""


def usage_error(message: str) -> UsageError:
    return UsageError(message)


def add_database_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        help=f"SQLAlchemy URL of the crmbridge database (default: ${DATABASE_URL_ENV}, else the default data dir)",
    )


def open_bridge(args: argparse.Namespace) -> Bridge:
    """A Bridge on ``--database-url``, else ``$CRMBRIDGE_DATABASE_URL``, else the Bridge default."""
    from ..core import Bridge

    url = getattr(args, "database_url", None) or os.environ.get(DATABASE_URL_ENV) or None
    try:
        return Bridge(url)
    except CrmBridgeError:
        raise
    except Exception as exc:  # a bad URL or an unreachable database is the caller's to fix
        text = scrub(_URL_PASSWORD.sub(r"\1***@", str(exc).splitlines()[0] if str(exc) else ""))
        raise usage_error(f"cannot open the database: {type(exc).__name__}: {text}") from exc


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def err(message: str) -> None:
    print(f"crmbridge: {message}", file=sys.stderr)
