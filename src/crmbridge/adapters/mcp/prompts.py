"""Prompts that show good use of a CRM toolset: look before you write, use the reference resources,
let the user confirm changes. Written from the toolset's own tools, so they name what exists."""

from __future__ import annotations

from collections.abc import Mapping

import mcp_types as types

from ...toolsets import Toolset
from .reference import references_in

__all__ = ["PROMPTS", "render_prompt"]

PROMPTS: tuple[types.Prompt, ...] = (
    types.Prompt(
        name="update_a_record_safely",
        title="Find, check, then change a CRM record",
        description="Make one change the user asks for without duplicates or guessed ids.",
        arguments=[
            types.PromptArgument(name="request", description="What the user wants changed", required=True)
        ],
    ),
    types.Prompt(
        name="review_pipeline",
        title="Review a sales pipeline",
        description="Summarise open deals by stage, reading stage names from the pipelines resource.",
        arguments=[types.PromptArgument(name="focus", description="Optional: an owner, a stage or a period")],
    ),
)


def _tools_ending(toolset: Toolset, *endings: str) -> str:
    names = [t.name for t in toolset.list_tools() if t.name.endswith(endings)]
    return ", ".join(names[:8]) or "(none in this toolset)"


def _resources(toolset: Toolset) -> str:
    return ", ".join(r.uri for r in references_in(toolset)) or "(none for this toolset)"


def render_prompt(toolset: Toolset, name: str, arguments: Mapping[str, str]) -> types.GetPromptResult | None:
    """The prompt called ``name`` filled in for this toolset, or ``None`` when there is none."""
    if name == "update_a_record_safely":
        text = (
            f"The user asks: {arguments.get('request', '').strip() or '(say what to change)'}\n\n"
            "Work in this order:\n"
            f"1. Find the record first with a search tool ({_tools_ending(toolset, '_search')}); never "
            "guess an id, and never create a record that a search could have found.\n"
            f"2. Read the reference resources ({_resources(toolset)}) for stage, pipeline and owner ids "
            "instead of calling list tools again.\n"
            "3. Say in one sentence which record you will change and how, then call the write tool. If it "
            "answers confirmation_required, show the user what would be written and repeat the call with "
            "the confirmation_token only after they agree; never change the arguments in between.\n"
            "4. If a tool returns an error, follow its next_step; an invalid_input error names the field."
        )
        description = "Find, check, then change a CRM record"
    elif name == "review_pipeline":
        focus = arguments.get("focus", "").strip()
        text = (
            "Review the open deals of the sales pipeline"
            + (f", focusing on {focus}" if focus else "")
            + ".\n"
            f"Read the pipelines resource first ({_resources(toolset)}) so stages are named, not numbered. "
            f"Then list or search deals ({_tools_ending(toolset, '_deals_search', '_deals_list')}), page "
            "with next_cursor until done, and summarise: count and total value per stage, deals with no "
            "recent activity, and the three that most need attention. Change nothing."
        )
        description = "Review a sales pipeline"
    else:
        return None
    return types.GetPromptResult(
        description=description,
        messages=[types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))],
    )
