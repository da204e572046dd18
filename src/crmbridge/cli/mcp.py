"""``crmbridge mcp``: one connected account's tools as an MCP server over stdio (Claude Desktop, Cursor…).

stdout carries the protocol and nothing else: every log line goes to stderr. The account, the tools and
the database are chosen exactly as for ``crmbridge tools call``.
"""

from __future__ import annotations

import argparse
import logging
import sys

from ..errors import CrmBridgeError
from .common import USAGE, Subparsers, add_database_url, cli_words, err, open_bridge, usage_error

__all__ = ["add_parser"]

_AGENT_LATER = (
    "--agent serves an agent's installed skills and arrives with the Connector Pack work; for now serve "
    "an account with --integration and --identifier"
)


def _tool_names(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give tool names separated by commas, e.g. hubspot_contacts_search")
    return names


def _mcp_command(args: argparse.Namespace) -> int:
    if args.agent:
        raise usage_error(_AGENT_LATER)
    if not args.integration or not args.identifier:
        raise usage_error("crmbridge mcp needs --integration NAME and --identifier USER_ID")
    try:
        import mcp  # noqa: F401
    except ImportError:
        err("crmbridge mcp needs the mcp extra: pip install 'crmbridge[mcp]'")
        return USAGE
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, args.log_level.upper()))

    import anyio

    from ..adapters.mcp import serve_stdio

    with open_bridge(args) as bridge:
        try:
            toolset = bridge.toolset(
                identifier=args.identifier,
                connection_name=args.integration,
                tools=args.tools,
                read_only=args.read_only,
            )
        except CrmBridgeError as exc:
            raise usage_error(cli_words(exc.message)) from None
        if bridge.get_connected_account(connection_name=args.integration, identifier=args.identifier) is None:
            raise usage_error(
                f"there is no account {args.identifier!r} on {args.integration!r}: connect it first "
                "(crmbridge connect-api-key, or your application's OAuth flow)"
            )
        anyio.run(lambda: serve_stdio(toolset, confirm_writes=args.confirm_writes))
    return 0


def add_parser(sub: Subparsers[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "mcp",
        help="serve one account's tools over MCP (stdio) for desktop agents",
        description="Serve one connected account's tools as an MCP server over stdin/stdout. "
        "Logs go to stderr.",
    )
    p.add_argument("--integration", metavar="NAME", help="the connection (integration) name, e.g. hubspot")
    p.add_argument("--identifier", metavar="USER_ID", help="the connected account's identifier")
    p.add_argument("--tools", type=_tool_names, metavar="A,B", help="only these tools (comma-separated)")
    p.add_argument("--read-only", action="store_true", help="only tools that change nothing")
    p.add_argument(
        "--confirm-writes",
        action="store_true",
        help="every write asks the user first (the client's confirmation dialog, or a confirmation token "
        "the model repeats the call with)",
    )
    p.add_argument("--agent", metavar="AGENT_ID", help="not yet: " + _AGENT_LATER)
    p.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="what goes to stderr (default: warning)",
    )
    add_database_url(p)
    p.set_defaults(func=_mcp_command)
