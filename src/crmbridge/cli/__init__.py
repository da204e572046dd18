"""The ``crmbridge`` command line: sandbox, tools, accounts, connections, connect-api-key, keys and mcp.

Exit codes: 0 success, 1 a tool returned an error, 2 the command line or set-up is wrong, 130 interrupted,
141 the reader of the output went away (``crmbridge tools list | head -1``), as for Unix tools.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import CrmBridgeError
from . import accounts, admin, mcp, sandbox, service, tools
from .common import USAGE, UsageError, cli_words, err

__all__ = ["build_parser", "main"]

INTERRUPTED, BROKEN_PIPE = 130, 141


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmbridge", description="CRM tools for AI agents.")
    parser.add_argument("--version", action="version", version=f"crmbridge {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sandbox.add_parser(sub)
    tools.add_parser(sub)
    accounts.add_parsers(sub)
    admin.add_parsers(sub)
    service.add_parsers(sub)
    mcp.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (also for argparse's own errors and ``--help``)."""
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else USAGE
        try:
            code: int = args.func(args)
        except UsageError as exc:
            err(f"error: {exc}")
            return USAGE
        except CrmBridgeError as exc:
            err(f"error: {cli_words(exc.message)}")
            return USAGE
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE
    except KeyboardInterrupt:
        return INTERRUPTED


def _silence_stdout() -> None:
    """The reader went away: send what is still buffered nowhere, so exiting does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass


if __name__ == "__main__":
    sys.exit(main())
