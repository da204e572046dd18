"""``crmbridge serve``, ``crmbridge tenants`` and ``crmbridge api-keys``: run the service and manage who may
call it, on the same database the library and the rest of the CLI use."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from .common import OK, Subparsers, add_database_url, open_bridge, print_json, usage_error

if TYPE_CHECKING:
    from ..core import Bridge
    from ..core.tenants import Tenants

__all__ = ["add_parsers"]


def _tenants(args: argparse.Namespace) -> tuple[Bridge, Tenants]:
    from ..core.tenants import Tenants

    bridge = open_bridge(args)
    return bridge, Tenants(bridge.store)


def _tenants_create(args: argparse.Namespace) -> int:
    bridge, tenants = _tenants(args)
    with bridge:
        tenant = tenants.create(args.name)
    print(f"tenant {tenant.id} created")
    return OK


def _tenants_list(args: argparse.Namespace) -> int:
    bridge, tenants = _tenants(args)
    with bridge:
        found = tenants.all()
    print_json([{"id": t.id, "created_at": t.created_at.isoformat()} for t in found])
    return OK


def _keys_create(args: argparse.Namespace) -> int:
    bridge, tenants = _tenants(args)
    with bridge:
        record, key = tenants.create_key(args.tenant, args.scopes, name=args.name, identifier=args.identifier)
    print(key)
    print(
        f"API key {record.id} for tenant {record.tenant_id} ({', '.join(record.scopes)}): shown once, "
        "store it now",
        file=sys.stderr,
    )
    return OK


def _keys_list(args: argparse.Namespace) -> int:
    bridge, tenants = _tenants(args)
    with bridge:
        keys = tenants.list_keys(args.tenant)
    print_json(
        [
            {
                "id": k.id,
                "tenant": k.tenant_id,
                "name": k.name,
                "scopes": list(k.scopes),
                "identifier": k.identifier,
                "created_at": k.created_at.isoformat(),
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            }
            for k in keys
        ]
    )
    return OK


def _keys_revoke(args: argparse.Namespace) -> int:
    bridge, tenants = _tenants(args)
    with bridge:
        record = tenants.revoke_key(args.key_id)
    print(f"API key {record.id} of tenant {record.tenant_id} revoked")
    return OK


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError:
        raise usage_error("the service needs the server extra: pip install 'crmbridge[server]'") from None
    if args.database_url:
        os.environ["CRMBRIDGE_DATABASE_URL"] = args.database_url
    os.environ.setdefault("CRMBRIDGE_PUBLIC_URL", f"http://{args.host}:{args.port}")
    from ..server.entry import configure_logging

    configure_logging()
    uvicorn.run(
        "crmbridge.server.entry:build_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers if args.workers > 1 else None,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )
    return OK


def _workers(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise argparse.ArgumentTypeError(f"{value!r} is not a worker count (1-64)")
    return int(value)


def add_parsers(sub: Subparsers[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the multi-tenant HTTP API (OpenAPI at /openapi.json, docs at /docs)",
        description="Run the crmbridge service. Settings come from the environment: CRMBRIDGE_DATABASE_URL, "
        "CRMBRIDGE_REDIS_URL, CRMBRIDGE_SECRET_KEYS, CRMBRIDGE_PUBLIC_URL (see docs/deploy.md).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8700, help="port to listen on (default 8700)")
    serve.add_argument("--workers", type=_workers, default=1, help="worker processes (default 1)")
    add_database_url(serve)
    serve.set_defaults(func=_serve)

    tenants = sub.add_parser("tenants", help="the service's tenants: create, list")
    verbs = tenants.add_subparsers(dest="verb", required=True, metavar="VERB")
    create = verbs.add_parser("create", help="create a tenant")
    create.add_argument("name", help="lower-case letters, digits, '-' or '_'")
    add_database_url(create)
    create.set_defaults(func=_tenants_create)
    listing = verbs.add_parser("list", help="list tenants")
    add_database_url(listing)
    listing.set_defaults(func=_tenants_list)

    keys = sub.add_parser("api-keys", help="the service's API keys: create (printed once), list, revoke")
    kverbs = keys.add_subparsers(dest="verb", required=True, metavar="VERB")
    kcreate = kverbs.add_parser("create", help="create an API key and print it once")
    kcreate.add_argument("--tenant", required=True, help="the tenant the key belongs to")
    kcreate.add_argument("--scopes", required=True, help="comma-separated, e.g. tools:execute,accounts:read")
    kcreate.add_argument("--name", help="a label for the key")
    kcreate.add_argument("--identifier", help="bind the key to one account identifier (e.g. for MCP)")
    add_database_url(kcreate)
    kcreate.set_defaults(func=_keys_create)
    klist = kverbs.add_parser("list", help="list API keys (never the keys themselves)")
    klist.add_argument("--tenant", help="only this tenant's keys")
    add_database_url(klist)
    klist.set_defaults(func=_keys_list)
    krevoke = kverbs.add_parser("revoke", help="revoke an API key by its id")
    krevoke.add_argument("key_id", help="the key's id (`api-keys list` shows it)")
    add_database_url(krevoke)
    krevoke.set_defaults(func=_keys_revoke)
