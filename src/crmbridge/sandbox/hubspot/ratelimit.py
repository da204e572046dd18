"""HubSpot rate limits (being built): the hook every authenticated request passes through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

if TYPE_CHECKING:
    from ..context import SandboxContext
    from .auth import Access


class HubSpotLimiter:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx

    def charge(self, request: Request, access: Access, *, search: bool) -> None:
        return None
