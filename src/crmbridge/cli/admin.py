"""``crmbridge connect-api-key`` and ``crmbridge keys generate|rotate``: set-up without writing code.

``connect-api-key`` makes ``tools call`` usable end to end; ``keys`` covers the rotation procedure of
:mod:`crmbridge.vault` (generate a key, put it first in ``CRMBRIDGE_SECRET_KEYS``, rotate, drop the old).
"""

from __future__ import annotations

import argparse
import sys

from ..vault import ENV_VAR, Vault
from .common import OK, Subparsers, add_database_url, open_bridge, usage_error

__all__ = ["add_parsers"]


def _api_key(value: str) -> str:
    """``-`` reads the key from stdin, keeping it out of shell history and the process list."""
    key = sys.stdin.readline().strip() if value == "-" else value.strip()
    if not key:
        raise usage_error("--api-key is empty")
    return key


def _connect_api_key(args: argparse.Namespace) -> int:
    api_key = _api_key(args.api_key)
    with open_bridge(args) as bridge:
        existing = bridge.store.connections.get(bridge.tenant_id, args.connection)
        provider = args.provider or (existing.provider if existing else None)
        if provider is None:
            known = bridge.catalog.provider_names
            if args.connection not in known:
                raise usage_error(f"--provider is needed for a new connection ({', '.join(known)})")
            provider = args.connection
        if existing is not None and existing.provider != provider:
            raise usage_error(
                f"connection {args.connection!r} is a {existing.provider} connection, not {provider}"
            )
        config = existing.config if existing is not None else {}
        oauth = config.get("auth_mode") == "oauth"
        if oauth and args.base_url and args.base_url.rstrip("/") != config.get("base_url"):
            raise usage_error(
                f"connection {args.connection!r} uses OAuth; the CLI does not change its settings"
            )
        if existing is None or (args.base_url and not oauth):
            bridge.add_connection(args.connection, provider=provider, base_url=args.base_url)
        account = bridge.connect_api_key(
            connection_name=args.connection,
            identifier=args.identifier,
            api_key=api_key,
            api_domain=args.api_domain,
            check=not args.no_check,
        )
    print(f"{account.identifier} on {account.connection_name} ({account.provider}): {account.status.value}")
    if args.no_check:
        print("the key was saved unchecked; the first tool call will tell whether it works", file=sys.stderr)
    return OK


def _keys_generate(args: argparse.Namespace) -> int:
    print(Vault.generate_key())
    print(
        f"put it first in {ENV_VAR} (newest first, comma-separated), then run `crmbridge keys rotate`",
        file=sys.stderr,
    )
    return OK


def _keys_rotate(args: argparse.Namespace) -> int:
    with open_bridge(args) as bridge:
        vault = bridge.vault
        changed = bridge.store.rotate_keys()
    print(f"re-encrypted {changed} secret(s) under key {vault.current_key_id}")
    if len(vault.key_ids) > 1:
        old = ", ".join(vault.key_ids[1:])
        print(
            f"every secret is now sealed by {vault.current_key_id}; {old} can leave {ENV_VAR}",
            file=sys.stderr,
        )
    return OK


def add_parsers(sub: Subparsers[argparse.ArgumentParser]) -> None:
    connect = sub.add_parser(
        "connect-api-key",
        help="connect a user's account with a HubSpot private-app token or Pipedrive API token",
        description="Connect a user's account with an API key. The key is tried with a cheap read first "
        "(a key the CRM refuses is not saved); --no-check skips that.",
    )
    connect.add_argument("--connection", required=True, help="connection name, e.g. hubspot (created if new)")
    connect.add_argument(
        "--provider", help="hubspot, pipedrive or an installed provider; needed when the connection is new"
    )
    connect.add_argument("--identifier", required=True, help="your user's id")
    connect.add_argument(
        "--api-key",
        required=True,
        metavar="KEY",
        help="the token, or - to read it from stdin (keeps it out of shell history)",
    )
    connect.add_argument(
        "--base-url",
        metavar="URL",
        help="API root of the connection (default: the real CRM), e.g. http://127.0.0.1:8600/hubspot",
    )
    connect.add_argument(
        "--api-domain",
        metavar="URL",
        help="Pipedrive: the company's API domain, e.g. https://acme.pipedrive.com",
    )
    connect.add_argument(
        "--no-check",
        action="store_true",
        help="save the key without first trying it with a cheap read (offline set-up)",
    )
    add_database_url(connect)
    connect.set_defaults(func=_connect_api_key)

    keys = sub.add_parser("keys", help="secret-encryption keys: generate one, re-encrypt under the newest")
    verbs = keys.add_subparsers(dest="verb", required=True, metavar="VERB")
    gen = verbs.add_parser("generate", help="print a new keyid:key line for " + ENV_VAR)
    gen.set_defaults(func=_keys_generate)
    rotate = verbs.add_parser("rotate", help="re-encrypt every stored secret under the newest key")
    add_database_url(rotate)
    rotate.set_defaults(func=_keys_rotate)
