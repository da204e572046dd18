"""Notes CRM as a crmbridge provider: data (tools, auth, limits) plus hooks for its API's quirks."""

from __future__ import annotations

from crmbridge.spec import AuthSpec, Provider

from .hooks import NotesHooks
from .limits import NOTES_LIMITS
from .tools import TOOLS

__all__ = ["PROVIDER"]

PROVIDER = Provider(
    name="notes",
    display_name="Notes CRM",
    base_url="https://api.notes.example",
    auth=AuthSpec(
        api_key_header="X-Notes-Key",
        # Keys look like notes_sk_<32 hex>: error messages mask them once the provider is in a catalog.
        secret_patterns=(r"\bnotes_sk_[0-9a-f]{32}\b",),
    ),
    tools=TOOLS,
    hooks=NotesHooks(),
    rate_limits=NOTES_LIMITS,
    docs_url="https://notes.example/docs/api",
)
