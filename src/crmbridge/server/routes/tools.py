"""``/tools``: the catalog in each model vendor's format, and running one tool for one account.

Status codes: a call that reached the tool answers **200** whatever the tool said — ``{"ok": true,
"data"}`` or ``{"ok": false, "error": {code, message, retryable, details}}`` — because a tool error is
information for the model, not a failed HTTP request. A request the API itself refuses (no or bad key,
missing scope, malformed body, unknown tool) answers 4xx problem+json.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Literal, cast

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from ...adapters.formats import tools_for
from ...core.tenants import Principal
from ...errors import InvalidInput
from ..idempotency import idempotent
from ..models import ExecuteIn, ToolResultOut
from ..security import require
from ..service import service_of

if TYPE_CHECKING:
    from ...engine import ToolResult

__all__ = ["router"]

router = APIRouter(tags=["tools"])


@router.get("/tools")
async def list_tools(
    request: Request,
    provider: str | None = Query(None, max_length=64),
    format: Literal["openai", "openai-responses", "anthropic", "mcp"] = Query(
        "mcp", description="The shape of each definition."
    ),
    principal: Principal = Depends(require("tools:execute")),
) -> dict[str, Any]:
    bridge = service_of(request).bridge(principal.tenant_id)
    if provider is not None and provider not in bridge.catalog.provider_names:
        raise InvalidInput(
            f"Unknown provider {provider!r}; choose one of {', '.join(bridge.catalog.provider_names)}.",
            field="provider",
            allowed=list(bridge.catalog.provider_names),
        )
    if format == "mcp":
        definitions = [
            {
                "name": d["name"],
                "description": d["description"],
                "inputSchema": d["input_schema"],
                "annotations": d.get("annotations", {}),
            }
            for d in bridge.list_tools(provider)
        ]
    else:
        source = bridge.catalog.tools(provider)
        definitions = tools_for(source, format)
    return {"data": definitions, "nextCursor": None}


@router.post(
    "/tools/{tool_name}/execute",
    response_model=ToolResultOut,
    response_model_by_alias=True,
    responses={200: {"model": ToolResultOut}},
)
async def execute_tool(
    body: ExecuteIn,
    request: Request,
    tool_name: str = Path(min_length=1, max_length=128),
    principal: Principal = Depends(require("tools:execute")),
) -> Response:
    service = service_of(request)
    bridge = service.bridge(principal.tenant_id)
    bridge.catalog.tool(tool_name)  # an unknown tool is the request's fault: 404 problem+json

    async def run() -> tuple[int, Any]:
        identifier = body.identifier or principal.identifier
        if identifier is None:
            raise InvalidInput("Say whose account to use: set identifier.", field="identifier")
        if principal.identifier is not None and identifier != principal.identifier:
            raise InvalidInput(
                f"This API key is bound to identifier {principal.identifier!r}.", field="identifier"
            )
        started, result = time.perf_counter(), cast("ToolResult | None", None)
        try:
            result = await bridge.aexecute_tool(
                identifier=identifier,
                tool_name=tool_name,
                tool_input=body.input,
                connection_name=body.integration,
                deadline=None if body.deadline_ms is None else body.deadline_ms / 1000,
            )
        finally:
            account = f"{body.integration or '*'}/{identifier}"
            service.activity.record(
                principal.tenant_id, tool_name, account, "http", result, time.perf_counter() - started
            )
        assert result is not None
        return 200, result.to_dict()

    return await idempotent(request, principal, run)
