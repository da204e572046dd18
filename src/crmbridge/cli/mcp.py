"""``crmbridge mcp``: one connected account's tools, or one agent's skills (``--agent``), as an MCP server
over stdio (Claude Desktop, Cursor…).

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


def _tool_names(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give tool names separated by commas, e.g. hubspot_contacts_search")
    return names


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError("give a number of seconds, 0 or more (0: never)")
    return seconds


def _agent_command(args: argparse.Namespace) -> int:
    """Serve an agent's skills (pack skills and bindings) with their policies: gated writes answer
    ``confirmation_required`` and run on the repeat call with ``confirmation`` (the skills' own gate;
    ``--confirm-writes`` would add a second confirmation, so it is refused here)."""
    if args.integration or args.identifier or args.tools or args.read_only or args.confirm_writes:
        raise usage_error(
            "--agent serves the agent's skills with their own policies: drop --integration, --identifier, "
            "--tools, --read-only and --confirm-writes"
        )
    import anyio

    from ..adapters.mcp import LiveTarget, McpTarget, serve_stdio
    from ..core.agent_skills import agent_toolset

    with open_bridge(args) as opened:
        bridge = opened if args.tenant is None else opened.runtime.tenant(args.tenant)
        try:
            bridge.agents.agent(args.agent)
            if args.conversation is not None:
                bridge.agents.conversation(args.conversation)
        except CrmBridgeError as exc:
            raise usage_error(cli_words(exc.message)) from None

        scope = f"{bridge.tenant_id}/agent/{args.agent}/{args.conversation or '-'}"

        async def current() -> McpTarget:
            toolset = await agent_toolset(bridge, args.agent, conversation_id=args.conversation)
            return McpTarget(toolset, scope)

        async def watch(live: LiveTarget) -> None:
            """Skills installed, removed or rebound by anyone (the service, another CLI) reach the
            client as tools/list_changed within ``--skills-poll`` seconds."""
            while True:
                await anyio.sleep(args.skills_poll)
                try:
                    await live.replace(await current())
                except CrmBridgeError as exc:  # e.g. the agent was deleted: keep serving what we had
                    logging.getLogger(__name__).warning("skills not reloaded: %s", exc.message)

        async def serve() -> None:
            live = LiveTarget(await current())
            async with anyio.create_task_group() as tasks:
                if args.skills_poll > 0:
                    tasks.start_soon(watch, live)
                await serve_stdio(live)
                tasks.cancel_scope.cancel()

        anyio.run(serve)
    return 0


def _mcp_command(args: argparse.Namespace) -> int:
    try:
        import mcp  # noqa: F401
    except ImportError:
        err("crmbridge mcp needs the mcp extra: pip install 'crmbridge[mcp]'")
        return USAGE
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, args.log_level.upper()))
    if args.agent:
        return _agent_command(args)
    if args.tenant or args.conversation:
        raise usage_error("--tenant and --conversation go with --agent")
    if not args.integration or not args.identifier:
        raise usage_error(
            "crmbridge mcp needs --integration NAME and --identifier USER_ID, or --agent AGENT_ID"
        )

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
        help="serve one account's tools, or an agent's skills, over MCP (stdio) for desktop agents",
        description="Serve one connected account's tools (--integration, --identifier) or one agent's "
        "skills (--agent) as an MCP server over stdin/stdout. "
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
    p.add_argument("--agent", metavar="AGENT_ID", help="serve this agent's skills (pack skills and bindings)")
    p.add_argument("--tenant", metavar="TENANT", help="with --agent: the agent's tenant (default: default)")
    p.add_argument(
        "--conversation",
        metavar="ID",
        help="with --agent: the conversation the calls belong to (verified caller)",
    )
    p.add_argument(
        "--skills-poll",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help="with --agent: how often to look for changed skills and tell the client (0: never; default 5)",
    )
    p.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="what goes to stderr (default: warning)",
    )
    add_database_url(p)
    p.set_defaults(func=_mcp_command)
