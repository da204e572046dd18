"""The Notes API's quirks: an envelope, a cursor, errors that name a field, and finding a lost create."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from crmbridge.engine import DefaultHooks, body_json, default_error, retry_after_seconds
from crmbridge.errors import CrmBridgeError
from crmbridge.spec import NewestFirst, PageInfo, Tool


class NotesHooks(DefaultHooks):
    def unwrap(self, body: Any) -> Any:
        """Every answer is ``{"data": ...}``."""
        return body.get("data") if isinstance(body, dict) else body

    def page_info(self, body: Any) -> PageInfo:
        return (body.get("next_cursor") if isinstance(body, dict) else None), None

    def parse_error(self, response: httpx.Response, tool: Tool | None) -> CrmBridgeError:
        """``{"error": {"message", "field"}}``: the model learns which field to fix."""
        body = body_json(response)
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return super().parse_error(response, tool)
        message = str(error.get("message") or response.reason_phrase)
        retry_after = retry_after_seconds(response)
        return default_error(response.status_code, message, field=error.get("field"), retry_after=retry_after)

    def created_listing(self, tool: Tool, args: Mapping[str, Any]) -> NewestFirst | None:
        """Notes with the title a create sends, newest (highest id) first: the engine remembers the newest
        before sending and, after a lost answer, reads back to it, so a create is never written twice."""
        title = args["title"]
        return NewestFirst(
            "/v1/notes",
            position=lambda note: note.get("id"),
            params={"query": title, "limit": 50},
            matches=lambda note: note.get("title") == title,
        )
