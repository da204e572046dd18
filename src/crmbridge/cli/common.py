"""What the commands share: exit codes, opening the Bridge, printing JSON, reporting errors in CLI words."""

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
    "cli_words",
    "err",
    "open_bridge",
    "print_json",
    "usage_error",
]

OK, TOOL_ERROR, USAGE = 0, 1, 2
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")

Subparsers = argparse._SubParsersAction  # the type ``add_subparsers`` returns

#: Library messages name Python calls and arguments; on the command line they read as commands and flags.
_CLI_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"connect_api_key\([^)]*\) or (?=`crmbridge)", ""),
        (r"connect_api_key\([^)]*\)", "`crmbridge connect-api-key`"),
        (r"add_connection\([^)]*\)", "`crmbridge connect-api-key --provider PROVIDER`"),
        (r"get_authorization_link\([^)]*\)", "an OAuth authorisation link from your application"),
        (r"\bdelete_accounts=True\b", "--delete-accounts"),
        (r"\bcheck=False\b", "--no-check"),
        (r"\bconnection_name=(?:…|\.\.\.)", "--connection NAME"),
        (r"\bconnection_name\b", "--connection"),
        (r"\bapi_key\b", "--api-key"),
        (r"\bapi_domain\b", "--api-domain"),
        (r"\bbase_url\b", "--base-url"),
        (r"^identifier\b", "--identifier"),
    )
)


class UsageError(Exception):
    """The command line is wrong (bad JSON, unknown tool…): message to stderr, exit code 2."""


def usage_error(message: str) -> UsageError:
    return UsageError(message)


def cli_words(message: str) -> str:
    """A library message with its Python calls and arguments spelled as the CLI's commands and flags."""
    for pattern, replacement in _CLI_WORDS:
        message = pattern.sub(replacement, message)
    return message


def add_database_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL of the crmbridge database, e.g. postgresql://host/db (default: "
        "$CRMBRIDGE_DATABASE_URL, else crmbridge.db in $CRMBRIDGE_HOME or ~/.local/share/crmbridge)",
    )


def open_bridge(args: argparse.Namespace) -> Bridge:
    """A Bridge on ``--database-url``, else what ``Bridge()`` picks (``$CRMBRIDGE_DATABASE_URL``, then the
    data directory): the command line and the library always agree on the database."""
    from ..core import Bridge
    from ..core.runtime import DATABASE_URL_ENV

    given = getattr(args, "database_url", None) or None
    try:
        return Bridge(given)
    except CrmBridgeError:
        raise
    except Exception as exc:  # a bad URL or an unreachable database is the caller's to fix
        source = (
            "--database-url" if given else f"${DATABASE_URL_ENV}" if os.environ.get(DATABASE_URL_ENV) else ""
        )
        text = scrub(_URL_PASSWORD.sub(r"\1***@", str(exc).splitlines()[0] if str(exc) else ""))
        where = f" ({source})" if source else ""
        raise usage_error(f"cannot open the database{where}: {type(exc).__name__}: {text}") from exc


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def err(message: str) -> None:
    print(f"crmbridge: {message}", file=sys.stderr)
