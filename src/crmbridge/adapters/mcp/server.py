"""The MCP server over a toolset, on the official SDK's low-level ``Server``.

One ``Server`` serves any number of accounts: each request asks ``source`` for its toolset (a fixed one
for stdio; the HTTP front end's resolver per request), so two sessions on different accounts share
nothing but code. Tool failures are results with ``isError: true`` and our error object, never protocol
errors; the protocol's own errors are kept for what is not a tool call (an unknown resource).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from ... import __version__
from ...engine import ToolError, ToolResult
from ...errors import CrmBridgeError, InternalError
from ...toolsets import Toolset
from .confirm import ConfirmationPolicy, ConfirmationStore, arguments_hash
from .convert import CONFIRMATION_FIELD, error_result, mcp_tool, plain_result, result_content_of, tool_result
from .prompts import PROMPTS, render_prompt
from .reference import SCHEMA_TEMPLATE, SCHEME, read_reference, read_schema_of, references_in

__all__ = ["McpTarget", "TargetSource", "build_server"]

logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "CRM tools for one connected account. Search before creating, read the crmbridge://reference/ "
    "resources for pipeline, stage, owner and field ids, and follow an error's next_step. A write that "
    "answers confirmation_required has not run: show the user what it would write and repeat the call with "
    "the confirmation_token only after they agree."
)
_RESOURCE_NOT_FOUND = -32002


@dataclass(frozen=True, slots=True)
class McpTarget:
    """The toolset one request works on, and ``scope``: who it belongs to (tenant and account), the
    part of every confirmation binding that keeps one account's token from confirming another's write."""

    toolset: Toolset
    scope: str

    @classmethod
    def of(cls, value: Toolset | McpTarget) -> McpTarget:
        return value if isinstance(value, McpTarget) else cls(value, repr(value))


#: How a request finds its target: from the request context (the HTTP request rides on ``ctx.request``).
TargetSource = Callable[[ServerRequestContext[Any, Any]], Awaitable[McpTarget]]

_ElicitConfirm: types.ElicitRequestedSchema = {
    "type": "object",
    "properties": {"confirm": {"type": "boolean", "title": "Run this change?", "default": False}},
    "required": ["confirm"],
}


def _fixed(target: McpTarget) -> TargetSource:
    async def source(ctx: ServerRequestContext[Any, Any]) -> McpTarget:
        return target

    return source


def _can_elicit(ctx: ServerRequestContext[Any, Any]) -> bool:
    wanted = types.ClientCapabilities(elicitation=types.ElicitationCapability())
    try:
        return ctx.session.check_client_capability(wanted)
    except Exception:  # a transport without a connection record cannot ask
        return False


class _Handlers:
    def __init__(
        self, source: TargetSource, policy: ConfirmationPolicy, store: ConfirmationStore, elicit: bool
    ):
        self.source, self.policy, self.store, self.elicit = source, policy, store, elicit

    async def list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        toolset = (await self.source(ctx)).toolset
        tools = [mcp_tool(t, confirmed=self.policy.requires(toolset, t)) for t in toolset.list_tools()]
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        try:
            return await self._call(ctx, params.name, dict(params.arguments or {}))
        except CrmBridgeError as exc:
            return tool_result(ToolResult(params.name, False, error=ToolError.from_exception(exc)))
        except Exception:
            logger.exception("tools/call %s failed", params.name)
            error = InternalError("The tool call failed inside crmbridge; nothing more is known here.")
            return tool_result(ToolResult(params.name, False, error=ToolError.from_exception(error)))

    async def _call(
        self, ctx: ServerRequestContext[Any, Any], name: str, arguments: dict[str, Any]
    ) -> types.CallToolResult:
        target = await self.source(ctx)
        toolset = target.toolset
        token = arguments.pop(CONFIRMATION_FIELD, None)
        tool = next((t for t in toolset.list_tools() if t.name == name), None)
        if tool is not None and self.policy.requires(toolset, tool):
            digest = arguments_hash(target.scope, name, arguments)
            if token is None:
                asked = await self._ask(ctx, name, arguments, digest)
                if asked is not None:
                    return asked
            else:
                refused = self._check_token(token, digest, name)
                if refused is not None:
                    return refused
        return tool_result(await toolset.call_tool(name, arguments))

    async def _ask(
        self, ctx: ServerRequestContext[Any, Any], name: str, arguments: dict[str, Any], digest: str
    ) -> types.CallToolResult | None:
        """Ask the user through the client (elicitation) when it can; otherwise hand the model a token.
        ``None``: the user said yes, run the call now."""
        if self.elicit and _can_elicit(ctx):
            try:
                answer = await ctx.session.elicit_form(
                    f"Allow {name} with these arguments?\n{result_content_of(arguments)}", _ElicitConfirm
                )
            except Exception as exc:  # no back-channel on this connection: fall back to the token
                logger.debug("elicitation unavailable (%s); using a confirmation token", type(exc).__name__)
            else:
                if answer.action == "accept" and (answer.content or {}).get("confirm") is True:
                    return None
                return error_result(
                    "confirmation_declined",
                    f"The user did not confirm {name}; nothing was written.",
                    then="Do not retry this change unless the user asks again.",
                )
        token = self.store.issue(digest)
        return plain_result(
            {
                "ok": False,
                "confirmation_required": True,
                "message": f"Nothing was written yet. Show the user what {name} would write and ask them to "
                "confirm. If they agree, call the tool again with exactly the same arguments plus "
                f"{CONFIRMATION_FIELD}; the token works once and expires in {int(self.store.ttl)} seconds.",
                "tool": name,
                "arguments": arguments,
                CONFIRMATION_FIELD: token,
            }
        )

    def _check_token(self, token: Any, digest: str, name: str) -> types.CallToolResult | None:
        outcome = self.store.redeem(token, digest) if isinstance(token, str) else "unknown"
        if outcome == "ok":
            return None
        why = {
            "unknown": "is not one this server issued, or was already used",
            "expired": "has expired",
            "mismatch": "was issued for other arguments (or another tool or account)",
        }[outcome]
        return error_result(
            "confirmation_invalid",
            f"The confirmation token {why}; {name} did not run and the token is spent.",
            then=f"Call {name} again without {CONFIRMATION_FIELD} to get a new one, and ask the user again.",
        )

    async def list_resources(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        toolset = (await self.source(ctx)).toolset
        resources = [
            types.Resource(
                name=r.name, title=r.title, uri=r.uri, description=r.description, mime_type="application/json"
            )
            for r in references_in(toolset)
        ]
        return types.ListResourcesResult(resources=resources)

    async def list_templates(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        toolset = (await self.source(ctx)).toolset
        has_schema = any(r.name == "schema" for r in references_in(toolset))
        templates = [
            types.ResourceTemplate(
                name="schema_of_object",
                title="Fields of one object",
                uri_template=SCHEMA_TEMPLATE,
                description="The fields of one object type (contacts, deal, a custom object…): key, label, "
                "type, options.",
                mime_type="application/json",
            )
        ]
        return types.ListResourceTemplatesResult(resource_templates=templates if has_schema else [])

    async def read_resource(
        self, ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        toolset = (await self.source(ctx)).toolset
        uri = str(params.uri)
        prefix = SCHEMA_TEMPLATE.removesuffix("{object}")
        data: dict[str, Any] | None = None
        if uri.startswith(prefix) and len(uri) > len(prefix):
            data = await read_schema_of(toolset, uri[len(prefix) :])
        elif uri.startswith(SCHEME):
            data = await read_reference(toolset, uri.removeprefix(SCHEME))
        if data is None:
            raise MCPError(
                _RESOURCE_NOT_FOUND, f"No resource {uri!r} here; resources/list shows those there are."
            )
        text = result_content_of(data)
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=uri, mime_type="application/json", text=text)]
        )

    async def list_prompts(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=list(PROMPTS))

    async def get_prompt(
        self, ctx: ServerRequestContext[Any, Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        toolset = (await self.source(ctx)).toolset
        prompt = render_prompt(toolset, params.name, params.arguments or {})
        if prompt is None:
            raise MCPError(types.INVALID_PARAMS, f"No prompt named {params.name!r}; prompts/list shows them.")
        return prompt


def build_server(
    source: Toolset | McpTarget | TargetSource,
    *,
    confirm_writes: bool = False,
    confirmations: ConfirmationStore | None = None,
    elicit: bool = True,
    name: str = "crmbridge",
) -> Server[Any]:
    """An MCP server over a toolset (stdio, in-memory), or over whatever ``source`` resolves per request.

    ``confirm_writes``: every tool that writes asks the user first (tools the toolset marks gated always
    do). ``elicit``: ask through the client's form elicitation where it declares support and the
    connection can carry the question; otherwise the confirmation-token path.
    """
    if isinstance(source, McpTarget | Toolset):
        source = _fixed(McpTarget.of(source))
    handlers = _Handlers(
        source, ConfirmationPolicy(confirm_writes), confirmations or ConfirmationStore(), elicit
    )
    return Server(
        name,
        version=__version__,
        title="crmbridge",
        instructions=INSTRUCTIONS,
        on_list_tools=handlers.list_tools,
        on_call_tool=handlers.call_tool,
        on_list_resources=handlers.list_resources,
        on_list_resource_templates=handlers.list_templates,
        on_read_resource=handlers.read_resource,
        on_list_prompts=handlers.list_prompts,
        on_get_prompt=handlers.get_prompt,
    )
