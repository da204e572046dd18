"""Pipedrive rate limits (being built): the hook every authenticated request passes through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

if TYPE_CHECKING:
    from ..context import SandboxContext
    from .auth import PdAccess


class PipedriveLimiter:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx

    def charge(self, request: Request, access: PdAccess, *, cost: int, search: bool) -> None:
        return None
