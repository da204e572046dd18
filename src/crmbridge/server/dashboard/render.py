"""Templates and the headers every dashboard page carries.

Jinja2 with autoescaping on, so anything a CRM or a user typed is text, never markup. Pages are
``no-store`` (they show account state), framed by nobody, and scripts load only from the package's own
static files (the CSP forbids inline script, so no value can become code).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .guard import Viewer

__all__ = ["NAV", "SECURITY_HEADERS", "NavItem", "page"]

HERE = Path(__file__).parent
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True)
class NavItem:
    """A page in the navigation, shown only to keys holding ``scope``."""

    path: str
    label: str
    scope: str


NAV: list[NavItem] = [
    NavItem("integrations", "Integrations", "integrations:read"),
    NavItem("accounts", "Accounts", "accounts:read"),
    NavItem("agents", "Agents", "integrations:read"),
    NavItem("logging", "Logging", "integrations:read"),
    NavItem("schema", "Schema", "integrations:read"),
    NavItem("activity", "Activity", "accounts:read"),
    NavItem("webhooks", "Webhooks", "webhooks:write"),
]


def page(
    request: Request, template: str, who: Viewer | None, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``template`` with the viewer, the navigation it may see and the CSRF token."""
    nav = [item for item in NAV if who is not None and who.can(item.scope)]
    body = _env.get_template(template).render(
        who=who,
        nav=nav,
        csrf=who.csrf if who is not None else context.pop("csrf", ""),
        current=context.pop("current", ""),
        **context,
    )
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)
