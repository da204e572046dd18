"""``crmbridge tools list|show|call``: browse the catalog and run a tool from a shell.

``list`` and ``show`` read the catalog only (no database, no key file); ``call`` goes through the Bridge
exactly like the library does. ``call`` exits 0 when the tool succeeded and 1 when it returned an
error (printed as JSON on stdout, summarised on stderr), so scripts can branch on it.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import sys
import textwrap
from functools import cache
from typing import Any

from ..adapters.anthropic import anthropic_tool
from ..adapters.examples import tool_example
from ..adapters.openai import openai_tool
from ..engine import Catalog, tool_definition
from ..errors import CrmBridgeError, UnknownTool
from ..providers import default_catalog
from ..spec import Tool
from ..toolsets import select_tools
from .common import (
    OK,
    TOOL_ERROR,
    Subparsers,
    add_database_url,
    cli_words,
    err,
    open_bridge,
    print_json,
    usage_error,
)

__all__ = ["add_parser"]

_FORMATS = ("crmbridge", "openai", "openai-responses", "anthropic")


@cache
def _catalog() -> Catalog:
    """Built-in providers plus installed plug-ins; ``list`` and ``show`` need no database."""
    return default_catalog(entry_points=True)


def _find(name: str) -> Tool:
    try:
        return _catalog().tool(name)
    except UnknownTool as exc:
        raise usage_error(exc.message) from None


def _kind(tool: Tool) -> str:
    a = tool.annotations
    return "delete" if a.destructive else "read" if a.read_only else "write"


_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])")  # not the dot of "e.g. x"


def _summary(description: str, width: int) -> str:
    """The first sentence, cut to ``width`` characters."""
    sentence = _SENTENCE_END.split(" ".join(description.split()), 1)[0].rstrip(".") + "."
    return sentence if len(sentence) <= width else sentence[: max(width, 20) - 1] + "…"


def _definition(tool: Tool, fmt: str, strict: bool) -> dict[str, Any]:
    if fmt == "openai":
        return openai_tool(tool, strict=strict)
    if fmt == "openai-responses":
        return openai_tool(tool, strict=strict, api="responses")
    if fmt == "anthropic":
        return anthropic_tool(tool, strict=strict)
    return tool_definition(tool, strict=strict)


def _list(args: argparse.Namespace) -> int:
    try:
        tools = select_tools(_catalog(), args.provider)
    except CrmBridgeError as exc:
        raise usage_error(exc.message) from None
    if args.json or args.format != "crmbridge" or args.strict:
        print_json([_definition(t, args.format, args.strict) for t in tools])
        return OK
    width = max((len(t.name) for t in tools), default=0)
    columns = shutil.get_terminal_size((120, 24)).columns
    for tool in tools:
        print(f"{tool.name:<{width}}  {_kind(tool):<6}  {_summary(tool.description, columns - width - 10)}")
    return OK


def _flags(tool: Tool) -> str:
    a = tool.annotations
    names = [("read-only", a.read_only), ("destructive", a.destructive), ("idempotent", a.idempotent)]
    return ", ".join(n for n, on in names if on) or ("writes" if not a.read_only else "none")


def _show(args: argparse.Namespace) -> int:
    tool = _find(args.name)
    example = tool_example(tool)
    if args.json:
        print_json({**_definition(tool, args.format, args.strict), "example": example})
        return OK
    compact = json.dumps(example, ensure_ascii=False)
    print(f"{tool.name}  ({tool.provider})\n")
    print(textwrap.fill(tool.description.strip(), 100, replace_whitespace=False) + "\n")
    print(f"annotations:  {_flags(tool)}")
    print(f"scopes:       {', '.join(tool.scopes) or '(none declared; may depend on the input)'}\n")
    print("input schema:")
    print_json(
        _definition(tool, args.format, args.strict) if args.format != "crmbridge" else tool.input_schema
    )
    print("\nexample input:")
    print_json(example)
    print(
        f"\ntry (as `me`, the user the sandbox's banner connects):\n  crmbridge tools call {tool.name} --identifier me --input {shlex.quote(compact)}"
    )
    return OK


def _read_input(text: str) -> dict[str, Any]:
    """``--input``: JSON text, ``@path`` for a file, ``-`` for stdin."""
    source = "--input"
    if text == "-":
        text, source = sys.stdin.read(), "stdin"
    elif text.startswith("@"):
        try:
            with open(text[1:], encoding="utf-8") as fh:
                text, source = fh.read(), text[1:]
        except OSError as exc:
            raise usage_error(f"cannot read {text[1:]}: {exc.strerror}") from None
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise usage_error(f"{source} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise usage_error(f'{source} must be a JSON object, like \'{{"contact_id": "123"}}\'')
    return value


def _call(args: argparse.Namespace) -> int:
    tool = _find(args.name)
    tool_input = _read_input(args.input)
    with open_bridge(args) as bridge:
        result = bridge.execute_tool(
            identifier=args.identifier,
            tool_name=tool.name,
            tool_input=tool_input,
            connection_name=args.connection,
            include_raw=args.raw,
        )
    out = result.to_dict()
    if args.raw and result.raw is not None:
        out["raw"] = result.raw
    print_json(out)
    if result.ok:
        return OK
    assert result.error is not None
    err(f"{tool.name} failed: {result.error.code}: {cli_words(result.error.message)}")
    return TOOL_ERROR


def add_parser(sub: Subparsers[argparse.ArgumentParser]) -> None:
    tools = sub.add_parser("tools", help="list, inspect and call tools")
    verbs = tools.add_subparsers(dest="verb", required=True, metavar="VERB")

    def formats(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--format", choices=_FORMATS, default="crmbridge", help="definition format (implies JSON)"
        )
        p.add_argument(
            "--strict",
            action="store_true",
            help="strict-mode schemas (OpenAI, Anthropic) where a tool allows it",
        )

    ls = verbs.add_parser("list", help="one line per tool: name, kind (read/write/delete), summary")
    ls.add_argument("--provider", metavar="NAME", help="only this provider's tools (hubspot, pipedrive, …)")
    ls.add_argument("--json", action="store_true", help="full definitions as JSON")
    formats(ls)
    ls.set_defaults(func=_list)

    show = verbs.add_parser("show", help="description, annotations, scopes, input schema and an example")
    show.add_argument("name", help="the tool's name, e.g. hubspot_contacts_search")
    show.add_argument("--json", action="store_true", help="the definition and the example as JSON")
    formats(show)
    show.set_defaults(func=_show)

    call = verbs.add_parser("call", help="run a tool for one user and print the result as JSON")
    call.add_argument("name", help="the tool's name (crmbridge tools list shows them)")
    call.add_argument("--identifier", required=True, help="your user's id (the connected account)")
    call.add_argument(
        "--input", default="{}", metavar="JSON", help="JSON object, @file.json, or - for stdin (default: {})"
    )
    call.add_argument(
        "--connection", metavar="NAME", help="connection name, when several connect to the tool's provider"
    )
    call.add_argument("--raw", action="store_true", help="also print the CRM's raw response")
    add_database_url(call)
    call.set_defaults(func=_call)
