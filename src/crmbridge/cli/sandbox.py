"""``crmbridge sandbox``: the fake CRMs on a local port, with a seeded account of each printed.

The socket is bound before anything is printed, so ``--port 0`` prints the port the system picked and a
busy port fails before any token is shown.
"""

from __future__ import annotations

import argparse
import errno
import math
import socket
import sys

from .common import USAGE, usage_error


def port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port: use 0-65535 (0 picks a free one)")
    return port


def _scale(value: str) -> float:
    try:
        scale = float(value)
    except ValueError:
        scale = math.nan
    if not (math.isfinite(scale) and scale > 0):
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number (e.g. 0.01)")
    return scale


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; a bad host or a busy port is a usage error."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise usage_error(f"--host {host!r} is not an address to listen on ({reason})") from None
    # IPPROTO_TCP spelled out, as in crmbridge_sandbox.server: accepted sockets then get TCP_NODELAY.
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise usage_error(
                f"port {port} on {host} is already in use: pick another --port, or --port 0 for a free one"
            ) from None
        raise usage_error(f"cannot listen on {host} port {port} ({exc.strerror or exc})") from None
    return sock


def _sandbox_command(args: argparse.Namespace) -> int:
    try:  # checked before a port is taken
        import uvicorn  # noqa: F401

        import crmbridge_sandbox  # noqa: F401
    except ImportError:
        print("crmbridge sandbox needs the sandbox extra: pip install 'crmbridge[sandbox]'", file=sys.stderr)
        return USAGE

    sock = listen(args.host, args.port)
    try:
        return _serve(args, sock)
    finally:
        sock.close()


def _serve(args: argparse.Namespace, sock: socket.socket) -> int:
    """Seed (or restore) an account of each CRM, print them with the real address, then serve until
    Ctrl+C."""
    import uvicorn

    from crmbridge_sandbox import NetworkFaults, Sandbox, StateFile, StateFileError

    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    root = f"http://{host}:{port}"
    state_file = StateFile(args.state, seed=args.seed) if args.state else None
    try:
        sandbox = Sandbox(rate_window_scale=args.rate_window_scale, state_file=state_file)
        portal, company, token = sandbox.starter_accounts(seed=args.seed)
        sandbox.save_state()
    except StateFileError as exc:
        print(f"crmbridge sandbox: {exc}", file=sys.stderr)
        return USAGE
    print(
        f"""crmbridge sandbox: fake HubSpot and Pipedrive on {root}

HubSpot portal {portal.id} ({portal.tier} tier, seeded)
  base URL           {root}/hubspot
  private-app token  {portal.private_app_token}
  try: curl -H "Authorization: Bearer {portal.private_app_token}" {root}/hubspot/crm/v3/objects/contacts?limit=3

Pipedrive company {company.id} ({company.plan} plan, seeded)
  api_domain         {root}/pipedrive/{company.domain}
  API token          {token}
  try: curl -H "x-api-token: {token}" {root}/pipedrive/{company.domain}/api/v2/deals?limit=3

Call the tools on it, from another terminal:
  crmbridge connect-api-key --connection hubspot --provider hubspot --identifier me \\
      --base-url {root}/hubspot --api-key {portal.private_app_token}
  crmbridge tools call hubspot_contacts_search --identifier me --input '{{"query": "John Smith"}}'

Control API: {root}/_sandbox/... (new portals, companies and OAuth apps, clock, faults, request log;
see the README). Press Ctrl+C to stop.
{_state_line(args.state, sandbox.restored)}""",
        flush=True,
    )
    config = uvicorn.Config(NetworkFaults(sandbox), log_level=args.log_level)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _state_line(path: str | None, restored: bool) -> str:
    if path is None:
        return (
            "State: in memory only, gone when the sandbox stops (keep it across restarts with --state PATH)."
        )
    return f"State: {'restored from' if restored else 'saved in'} {path} (accounts, apps, tokens, records)."


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sb = sub.add_parser(
        "sandbox", help="serve the fake HubSpot and Pipedrive APIs (with a seeded portal and company)"
    )
    sb.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    sb.add_argument(
        "--port", type=port_number, default=8600, help="port to listen on (default: 8600; 0 picks a free one)"
    )
    sb.add_argument("--seed", type=int, default=1, help="seed of the generated data (same seed, same data)")
    sb.add_argument(
        "--rate-window-scale",
        type=_scale,
        default=1.0,
        help="multiply rate-limit windows by this factor (e.g. 0.01 for fast tests)",
    )
    sb.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="how much the web server logs (default: warning)",
    )
    sb.add_argument(
        "--state",
        metavar="PATH",
        help="keep portals, companies, apps, tokens and records in this file across restarts "
        "(created if missing; use the same --seed)",
    )
    sb.set_defaults(func=_sandbox_command)
