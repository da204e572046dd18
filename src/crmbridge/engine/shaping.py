"""Compact results: the records a model asked for, a cursor and a total, no provider envelope."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..spec import Prepared, ProviderHooks, Tool

__all__ = ["dig", "shape_output"]


def dig(body: Any, dotted: str) -> Any:
    """Follow a dotted path (``results.0``: numbers index lists); ``None`` where it leads nowhere."""
    for part in filter(None, dotted.split(".")):
        if isinstance(body, dict):
            body = body.get(part)
        elif isinstance(body, list) and part.isdecimal():
            body = body[int(part)] if int(part) < len(body) else None
        else:
            return None
    return body


@lru_cache(maxsize=256)
def _tree(paths: tuple[str, ...]) -> dict[str, Any]:
    """``("id", "stages.id", "stages.label")`` → ``{"id": None, "stages": {"id": None, "label": None}}``."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            child = node.get(part, {})
            if child is None:  # the whole field is kept already
                break
            node = node.setdefault(part, child)
        else:
            node[leaf] = None
    return tree


def project(value: Any, tree: dict[str, Any]) -> Any:
    """Keep the fields ``tree`` names (``None``: the whole value; a dict: recurse); lists map over."""
    if isinstance(value, list):
        return [project(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    return {k: value[k] if sub is None else project(value[k], sub) for k, sub in tree.items() if k in value}


def shape_output(tool: Tool, hooks: ProviderHooks, body: Any, prepared: Prepared) -> Any:
    kind = tool.output.kind
    if kind == "raw":
        return hooks.unwrap(body)
    if kind == "deleted":
        args = prepared.args
        ident = next((args[k] for k in ("id", "entityId", "objectId") if k in args), None)
        return {"id": ident, "deleted": True}
    cursor, total = hooks.page_info(body)
    found = dig(hooks.unwrap(body), tool.output.items)
    if tool.output.keep:
        found = project(found, _tree(tool.output.keep))
    if kind == "record":
        return hooks.shape_record(found, tool, prepared)
    records = [hooks.shape_record(r, tool, prepared) for r in (found or [])]
    out: dict[str, Any] = {"results": records, "count": len(records)}
    if total is not None:
        out["total"] = total
    if cursor is not None:
        out["next_cursor"] = cursor
    return out
