"""The dashboard: server-rendered pages at ``/dashboard`` for one tenant at a time.

Pages call the same use cases as the JSON API (``server/actions.py``, the tenant's Bridge, discovery,
webhooks), so the dashboard holds no business logic of its own. It works without JavaScript; htmx (served
from the package, no CDN) only makes the schema search live. See docs/decisions/023.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from ...errors import CrmBridgeError
from ..service import Service
from . import accounts, activity, agents, bindings, integrations, logging, schema, signin, webhooks
from .guard import Forbidden, SignedOut, Viewer, viewer
from .render import SECURITY_HEADERS, page
from .session import clear_session

__all__ = ["dashboard_app"]

_STATIC = Path(__file__).parent / "static"


def dashboard_app(service: Service) -> FastAPI:
    """The dashboard as an ASGI app to mount at ``/dashboard``."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = service

    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, exc: SignedOut) -> Response:
        target = f"/dashboard/signin?reason={exc.reason}"
        response: Response
        if request.headers.get("hx-request"):
            response = Response(status_code=204, headers={"HX-Redirect": target})
        else:
            response = RedirectResponse(target, status_code=303)
        clear_session(response)
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        who = await _maybe_viewer(request)
        return page(request, "error.html", who, status=403, title="Not allowed", error=exc.message)

    @app.exception_handler(CrmBridgeError)
    async def failed(request: Request, exc: CrmBridgeError) -> Response:
        who = await _maybe_viewer(request)
        status = exc.http_status if 400 <= exc.http_status < 600 else 500
        return page(request, "error.html", who, status=status, title="That did not work", error=exc.message)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> Response:
        who = await _maybe_viewer(request)
        fields = ", ".join(str(e.get("loc", ("?",))[-1]) for e in exc.errors()[:5])
        message = f"The request was malformed ({fields}); go back and check what you entered."
        return page(request, "error.html", who, status=400, title="That did not work", error=message)

    @app.get("/", include_in_schema=False)
    async def home() -> Response:
        return RedirectResponse("/dashboard/integrations", status_code=303, headers=SECURITY_HEADERS)

    for module in (signin, integrations, accounts, agents, logging, schema, bindings, activity, webhooks):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    return app


async def _maybe_viewer(request: Request) -> Viewer | None:
    try:
        return await viewer(request)
    except SignedOut:
        return None
