"""``crmbridge serve``, ``crmbridge tenants`` and ``crmbridge api-keys``: run the service and manage who may
call it, on the same database the library and the rest of the CLI use."""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import CrmBridgeError
from .common import OK, Subparsers, add_database_url, open_bridge, print_json, usage_error
from .sandbox import listen, port_number

if TYPE_CHECKING:
    from ..core import Bridge
    from ..core.tenants import Tenants

__all__ = ["add_parsers"]

#: uvicorn's exit code when the app could not start.
_STARTUP_FAILURE = 3


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
    """Bind first (a busy port fails before anything is set up or printed; ``--port 0`` picks one), then
    hand the socket to uvicorn: one server in this process, or ``--workers`` processes sharing it."""
    try:
        import uvicorn
        from uvicorn.supervisors import Multiprocess
    except ImportError:
        raise usage_error("the service needs the server extra: pip install 'crmbridge[server]'") from None
    if args.sandbox_port is not None and not args.demo:
        raise usage_error("--sandbox-port is for --demo")
    if args.demo:
        try:
            import crmbridge_sandbox  # noqa: F401
        except ImportError:
            raise usage_error("--demo needs the sandbox extra: pip install 'crmbridge[sandbox]'") from None
    if args.database_url:
        os.environ["CRMBRIDGE_DATABASE_URL"] = args.database_url
    with contextlib.ExitStack() as stack:
        sock = stack.enter_context(_listen(args.host, args.port))
        sandbox_port = 8600 if args.sandbox_port is None else args.sandbox_port
        sandbox_sock = stack.enter_context(_listen(args.host, sandbox_port)) if args.demo else None
        host = f"[{args.host}]" if ":" in args.host else args.host
        os.environ.setdefault("CRMBRIDGE_PUBLIC_URL", f"http://{host}:{sock.getsockname()[1]}")
        from ..server.entry import configure_logging
        from ..server.settings import ServiceSettings

        configure_logging()
        if sandbox_sock is not None:
            _start_demo(args, stack, ServiceSettings.from_env().public_url, sandbox_sock)
        config = uvicorn.Config(
            "crmbridge.server.entry:build_app",
            factory=True,
            host=args.host,
            port=sock.getsockname()[1],
            workers=args.workers,
            log_config=None,
            access_log=False,
            proxy_headers=True,
        )
        server = uvicorn.Server(config)
        if args.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
            return OK
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
        return OK if server.started else _STARTUP_FAILURE


def _start_demo(
    args: argparse.Namespace, stack: contextlib.ExitStack, public_url: str, sandbox_socket: socket.socket
) -> None:
    """The sandbox beside the service and the demo tenant wired (``demo.py``); prints what to curl."""
    from ..core.runtime import Runtime
    from .demo import demo_running, instructions

    try:
        runtime = Runtime(args.database_url or None)
    except CrmBridgeError:
        raise
    except Exception as exc:  # a bad URL or an unreachable database is the caller's to fix
        raise usage_error(f"cannot open the database: {type(exc).__name__}") from exc
    try:
        setup = stack.enter_context(demo_running(runtime, public_url, sandbox_socket))
    finally:
        runtime.close()  # the set-up's own; the service's workers open theirs
    print(instructions(setup), flush=True)


@contextlib.contextmanager
def _listen(host: str, port: int) -> Iterator[socket.socket]:
    sock = listen(host, port)
    try:
        yield sock
    finally:
        sock.close()


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
    serve.add_argument(
        "--port", type=port_number, default=8700, help="port to listen on (default 8700; 0 picks a free one)"
    )
    serve.add_argument("--workers", type=_workers, default=1, help="worker processes (default 1)")
    serve.add_argument(
        "--demo",
        action="store_true",
        help="also serve the sandbox CRMs and wire a 'demo' tenant, key and integrations to them; "
        "prints what to curl (what `make run` does)",
    )
    serve.add_argument(
        "--sandbox-port",
        type=port_number,
        help="with --demo: the sandbox's port (default 8600; 0 picks a free one)",
    )
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
