"""The ``crmbridge`` command line: sandbox, tools, connect-api-key and keys.

Exit codes: 0 success, 1 a tool returned an error, 2 the command line or set-up is wrong.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..errors import CrmBridgeError
from . import admin, sandbox, tools
from .common import USAGE, UsageError, err

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmbridge", description="CRM tools for AI agents.")
    sub = parser.add_subparsers(dest="command", required=True)
    sandbox.add_parser(sub)
    tools.add_parser(sub)
    admin.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (also for argparse's own errors and ``--help``)."""
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
        err(f"error: {exc.message}")
        return USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
