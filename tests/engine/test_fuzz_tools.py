"""Fuzzing every tool of both CRMs through the real engine against the in-process sandbox.

Inputs are drawn from each tool's own schema, then made hostile: wrong types, huge text and numbers,
NaN and Infinity, lone surrogates, deep nesting, dot segments, unknown fields, a whole input that is not
an object. Whatever comes in, a call returns a result (never raises) and that result is never
``internal_error``: bad input is the model's to fix and must be said so. Hypothesis runs with a fixed
seed and a small example count, so the run is deterministic and takes seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmbridge.providers import default_catalog
from crmbridge.spec import Tool
from crmbridge_sandbox import Sandbox

from ..providers.harness import Account, hubspot_account, pipedrive_account

TOOLS = default_catalog().tools()
EXAMPLES_PER_TOOL = 25


def _nested(depth: int, leaf: Any = 1, wrap: str = "list") -> Any:
    value = leaf
    for _ in range(depth):
        value = [value] if wrap == "list" else {"a": value}
    return value


#: Values a model, a broken client or an attacker has sent, and the shapes that broke parsers before.
HOSTILE: list[Any] = [
    None, True, False, 0, -1, 1.5, -0.0, 2**63, -(10**30), 10**5000, float("nan"), float("inf"), float("-inf"),
    "", " ", "\t\n", ".", "..", "../../crm/v3/owners", "a/b?c=d#e", "%2e%2e", "%00", "\x00", "\r\nX-Injected: 1",
    "NaN", "Infinity", "-Infinity", "1e999", "--5", "0x1F", "1_000", "\uff19\uff19", "9" * 5000, "7" * 70_000,
    "x" * 70_000, "y" * 1_100_000, "\ud800", "ok\udfffok", "💥" * 50, "O'Brien\"; DROP TABLE deals;--",
    "<script>alert(1)</script>", "{not json", "[1, 2", '{"a": NaN}', "[" * 3000 + "]" * 3000,
    '{"a": ' + "9" * 5000 + "}", "Deals", "CONTACT", "eur", "me", "1021", "2025-13-45", 1735689600000,
    [], {}, [None], {"a": None}, ["\ud800"], {"\ud800": 1}, {"k" * 5000: 1}, [[[]]], [1.5, "x", None],
    _nested(40), _nested(3000), _nested(40, wrap="dict"), _nested(3000, wrap="dict"), [0] * 200_000,
]  # fmt: skip

hostile = st.sampled_from(HOSTILE)
TEXT = st.sampled_from(
    [
        "Acme",
        "john.smith@chapmanllc.com",
        "1021",
        "2025-01-31",
        "Closed Won",
        "me",
        "deals",
        "contacts",
        "EUR",
    ]
) | st.text(max_size=12)


def plausible(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """A value of the kind ``schema`` asks for (bounds and enums respected, content arbitrary)."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    options = [plausible(o, depth) for o in [*schema.get("anyOf", ()), *schema.get("oneOf", ())]]
    kinds = schema.get("type", [])
    for kind in [kinds] if isinstance(kinds, str) else kinds:
        if kind == "string":
            options.append(TEXT)
        elif kind == "integer":
            options.append(st.integers(schema.get("minimum", -5), schema.get("maximum", 3000)))
        elif kind == "number":
            options.append(st.integers(0, 10**6) | st.floats(allow_nan=False, allow_infinity=False))
        elif kind == "boolean":
            options.append(st.booleans())
        elif kind == "null":
            options.append(st.none())
        elif kind == "array" and depth < 4:
            options.append(st.lists(inner(schema.get("items") or {}, depth + 1), max_size=3))
        elif kind == "object" and depth < 4:
            options.append(record(schema, depth + 1))
    return st.one_of(options) if options else st.none() | TEXT | st.integers() | st.booleans()


def record(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """An object of ``schema``: its required fields and any of its optional ones."""
    props: dict[str, Any] = schema.get("properties", {})
    value = plausible if depth == 0 else inner  # the top level is mutated by tool_input
    required = [k for k in schema.get("required", ()) if k in props]
    optional = {k: value(v, depth) for k, v in props.items() if k not in required}
    free = st.dictionaries(TEXT, st.none() | TEXT | st.integers() | st.booleans() | hostile, max_size=2)
    if not props:
        return free
    return st.fixed_dictionaries({k: value(props[k], depth) for k in required}, optional=optional)


def inner(schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    """A nested value: plausible three times in four, else hostile."""
    sound = plausible(schema, depth)
    return st.one_of(sound, sound, sound, hostile)


@st.composite
def tool_input(draw: st.DrawFn, tool: Tool) -> Any:
    """A plausible input with one to three fields (or the whole input) made hostile: its own fields,
    the other names it accepts (aliases, where a tool declares them) or a field it does not know."""
    schema = tool.input_schema
    args = dict(draw(record(schema)))
    if draw(st.integers(0, 9)) == 0:
        return draw(hostile | st.just(_nested(5000, args)))
    names = [*schema.get("properties", {}), *getattr(tool, "aliases", ()), "unknown_field"]
    for _ in range(draw(st.integers(1, 3))):
        args[draw(st.sampled_from(names))] = draw(hostile | plausible({}))
    return args


@pytest.fixture(scope="module")
def accounts() -> Iterator[tuple[asyncio.Runner, dict[str, Account]]]:
    """One sandbox and one account per CRM for the whole module, on one event loop; rate-limit
    windows shortened alike on both sides, so that 1,600 calls never wait out a real window."""
    runner = asyncio.Runner()
    sandbox = Sandbox(rate_window_scale=0.01)

    async def connect() -> tuple[httpx.AsyncClient, dict[str, Account]]:
        client = sandbox.client()
        hubspot = await hubspot_account(sandbox, client, rate_limit_scale=0.01)
        pipedrive = await pipedrive_account(sandbox, client, rate_limit_scale=0.01)
        return client, {"hubspot": hubspot, "pipedrive": pipedrive}

    client, by_provider = runner.run(connect())
    yield runner, by_provider

    async def close() -> None:
        for account in by_provider.values():
            await account.aclose()
        await client.aclose()

    runner.run(close())
    runner.close()


@pytest.mark.parametrize("tool", TOOLS, ids=[t.name for t in TOOLS])
@settings(
    max_examples=EXAMPLES_PER_TOOL,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_input_makes_a_tool_fail_on_our_side(
    accounts: tuple[asyncio.Runner, dict[str, Account]], tool: Tool, data: st.DataObject
) -> None:
    runner, by_provider = accounts
    raw = data.draw(tool_input(tool), label="input")
    account = by_provider[tool.provider]
    result = runner.run(account.engine.execute(tool, raw, account.target))
    assert result.error is None or result.error.code != "internal_error", result.error
