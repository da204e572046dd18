"""Compile a binding for the test account and run it through the engine."""

from __future__ import annotations

from typing import Any

from crmbridge.bindings import CompiledBinding
from crmbridge.engine import ToolResult
from tests.discovery.env import USER, Env

CARS = "2-1000101"


def compiled(env: Env, connection: str, binding: dict[str, Any]) -> CompiledBinding:
    result: CompiledBinding = env.run(env.bridge.bindings.acompile(connection, USER, binding))
    return result


def run(env: Env, connection: str, binding: dict[str, Any], args: dict[str, Any]) -> ToolResult:
    skill = compiled(env, connection, binding)
    result: ToolResult = env.run(skill.execute(env.bridge.discovery.runner_for(connection, USER), args))
    return result


def data(result: ToolResult) -> Any:
    assert result.ok, result.error
    return result.data


def search(name: str, obj: str, filters: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"kind": "restSearch", "name": name, "object": obj, "filters": filters, **more}


def write(name: str, obj: str, operation: str, fields: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {
        "kind": "restWrite",
        "name": name,
        "object": obj,
        "operation": operation,
        "fields": fields,
        **more,
    }
