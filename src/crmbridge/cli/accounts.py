"""``crmbridge accounts list|disconnect|delete`` and ``crmbridge connections list|remove``.

Disconnecting revokes the grant at the CRM where it has a revoke endpoint and erases the tokens; the
account stays (``REVOKED``) and can be connected again. Deleting also erases the account and its history.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .common import OK, Subparsers, add_database_url, open_bridge, print_json

if TYPE_CHECKING:
    from ..core import ConnectedAccount

__all__ = ["add_parsers"]


def _account_row(account: ConnectedAccount) -> dict[str, Any]:
    return {
        "connection": account.connection_name,
        "identifier": account.identifier,
        "provider": account.provider,
        "status": account.status.value,
        "status_reason": account.status_reason,
        "updated_at": account.updated_at.isoformat(timespec="seconds") if account.updated_at else None,
    }


def _table(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    widths = {c: max([len(c), *(len(str(r[c] or "")) for r in rows)]) for c in columns[:-1]}
    print("  ".join(f"{c.upper():<{widths[c]}}" for c in columns[:-1]) + "  " + columns[-1].upper())
    for row in rows:
        cells = [f"{row[c] or '':<{widths[c]}}" for c in columns[:-1]]
        print("  ".join(cells) + "  " + str(row[columns[-1]] or ""))


def _accounts_list(args: argparse.Namespace) -> int:
    with open_bridge(args) as bridge:
        if args.connection is not None:
            bridge.accounts.connection(args.connection)  # an unknown name is an error, not an empty list
        rows = [_account_row(a) for a in bridge.list_connected_accounts(args.connection)]
    if args.json:
        print_json(rows)
    elif rows:
        _table(rows, ("connection", "identifier", "provider", "status", "status_reason"))
    else:
        print("no connected accounts")
    return OK


def _accounts_disconnect(args: argparse.Namespace) -> int:
    with open_bridge(args) as bridge:
        account = bridge.disconnect_account(connection_name=args.connection, identifier=args.identifier)
    print(f"{account.identifier} on {account.connection_name}: {account.status_reason}")
    return OK


def _accounts_delete(args: argparse.Namespace) -> int:
    with open_bridge(args) as bridge:
        account = bridge.delete_account(connection_name=args.connection, identifier=args.identifier)
    print(f"{account.identifier} on {account.connection_name}: {account.status_reason}")
    return OK


def _connections_list(args: argparse.Namespace) -> int:
    with open_bridge(args) as bridge:
        connections = bridge.list_connections()
        counts: dict[str, int] = {}
        for account in bridge.list_connected_accounts():
            counts[account.connection_name] = counts.get(account.connection_name, 0) + 1
    rows = [
        {
            "name": c.name,
            "provider": c.provider,
            "auth": c.auth_mode,
            "accounts": counts.get(c.name, 0),
            "base_url": c.base_url,
            "client_id": c.client_id,
            "scopes": list(c.scopes),
        }
        for c in connections
    ]
    if args.json:
        print_json(rows)
    elif rows:
        _table(
            [{**r, "accounts": str(r["accounts"])} for r in rows],
            ("name", "provider", "auth", "accounts", "base_url"),
        )
    else:
        print("no connections")
    return OK


def _connections_remove(args: argparse.Namespace) -> int:
    with open_bridge(args) as bridge:
        deleted = bridge.delete_connection(args.name, delete_accounts=args.delete_accounts)
    print(f"removed connection {args.name}" + (f" and {len(deleted)} account(s)" if deleted else ""))
    for account in deleted:
        print(f"  {account.identifier}: {account.status_reason or ''}")
    return OK


def add_parsers(sub: Subparsers[argparse.ArgumentParser]) -> None:
    accounts = sub.add_parser("accounts", help="list, disconnect or delete connected accounts")
    verbs = accounts.add_subparsers(dest="verb", required=True, metavar="VERB")

    ls = verbs.add_parser("list", help="every connected account: connection, identifier, status and why")
    ls.add_argument("--connection", metavar="NAME", help="only the accounts of this connection")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_database_url(ls)
    ls.set_defaults(func=_accounts_list)

    for verb, func, text in (
        (
            "disconnect",
            _accounts_disconnect,
            "revoke the account's grant at the CRM (where it can) and erase its tokens; the account "
            "stays, REVOKED, and can be connected again",
        ),
        ("delete", _accounts_delete, "disconnect the account, then erase it and its status history"),
    ):
        cmd = verbs.add_parser(verb, help=text, description=text[0].upper() + text[1:] + ".")
        cmd.add_argument("--connection", required=True, metavar="NAME", help="the account's connection")
        cmd.add_argument("--identifier", required=True, help="your user's id (the account to end)")
        add_database_url(cmd)
        cmd.set_defaults(func=func)

    connections = sub.add_parser("connections", help="list or remove connections")
    cverbs = connections.add_subparsers(dest="verb", required=True, metavar="VERB")
    cls = cverbs.add_parser("list", help="every connection: name, provider, auth mode, number of accounts")
    cls.add_argument("--json", action="store_true", help="print JSON (with client ids and scopes)")
    add_database_url(cls)
    cls.set_defaults(func=_connections_list)

    remove = cverbs.add_parser(
        "remove",
        help="remove a connection (refused while it has accounts, unless --delete-accounts)",
    )
    remove.add_argument("name", help="the connection's name")
    remove.add_argument(
        "--delete-accounts",
        action="store_true",
        help="also disconnect and delete its accounts (each grant revoked at the CRM where it can be)",
    )
    add_database_url(remove)
    remove.set_defaults(func=_connections_remove)
