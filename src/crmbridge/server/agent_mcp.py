"""``/agents/{agentId}/mcp``: one agent's skills (pack skills and bindings) over MCP's streamable HTTP.

The API key authenticates every request (scope ``skills:execute``); the agent is the path's, looked up
in the key's tenant (another tenant's agent: 404). ``X-Crmbridge-Conversation`` names the conversation
the calls belong to (verified caller, confirmations bound to it).

One confirmation mechanism: the skills' own gate. A gated skill answers ``confirmation_required`` with a
token stored in the database (any worker redeems it) and the model repeats the call with
``confirmation``; the MCP adapter's in-memory confirmation is not switched on here (no
``confirm_writes``, and the agent's toolset marks nothing ``requires_confirmation``), so a gated write
needs exactly one confirmation (docs/decisions/022).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from ..adapters.mcp import McpTarget
from ..adapters.mcp.http import McpHttpApp, streamable_http_app
from ..core.agent_skills import agent_toolset
from ..errors import NotFound, PermissionDenied
from .mcp_endpoint import _hosts
from .service import Service

__all__ = ["CONVERSATION_HEADER", "agent_mcp_app"]

CONVERSATION_HEADER = "X-Crmbridge-Conversation"


def agent_mcp_app(service: Service) -> McpHttpApp:
    async def resolve(request: Request) -> McpTarget:
        header = request.headers.get("authorization")
        principal = service.tenants.cached(header)
        if principal is None:
            principal = await asyncio.to_thread(service.tenants.authenticate, header)
        if not (principal.allows("skills:execute") or principal.allows("admin")):
            raise PermissionDenied(
                "This API key lacks the 'skills:execute' scope needed for an agent's MCP.",
                required_scope="skills:execute",
            )
        agent_id = str(request.path_params.get("agentId") or "")
        conversation_id = request.headers.get(CONVERSATION_HEADER) or None
        bridge = service.bridge(principal.tenant_id)
        agents = bridge.agents
        await asyncio.to_thread(agents.agent, agent_id)
        if conversation_id is not None:
            conversation = await asyncio.to_thread(agents.conversation, conversation_id)
            if conversation["agent_id"] != agent_id:
                raise NotFound(f"Agent {agent_id!r} has no conversation {conversation_id!r}.")
        toolset = await agent_toolset(bridge, agent_id, conversation_id=conversation_id)
        return McpTarget(toolset, f"{principal.tenant_id}/agent/{agent_id}/{conversation_id or '-'}")

    hosts = _hosts(service)
    origins = [f"{scheme}://{host}" for host in hosts for scheme in ("http", "https")]
    return streamable_http_app(resolve, allowed_hosts=hosts, allowed_origins=origins, stateless=True)
