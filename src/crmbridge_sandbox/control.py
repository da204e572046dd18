"""The control API under ``/_sandbox``: create portals, companies and apps; move the clock; inject faults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import numbers
from .badinput import BadInput, quoted
from .bodies import read_json
from .state import autosave

if TYPE_CHECKING:
    from .app import Sandbox


class ControlError(Exception):
    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def root_url(request: Request) -> str:
    """The public root of this sandbox as the caller reached it, without a trailing slash."""
    return str(request.base_url).rstrip("/").removesuffix("/_sandbox")


async def _body(request: Request) -> dict[str, Any]:
    data = await read_json(request)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ControlError("request body must be a JSON object")
    return data


def _int(body: dict[str, Any], key: str, *, minimum: int = 0, maximum: int = 200_000) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, str):  # a JSON integer only, not "10"
        raise ControlError(f"{key!r} must be an integer, got {quoted(value)}")
    return numbers.whole(value, repr(key), low=minimum, high=maximum)


def _str(body: dict[str, Any], key: str, *, required: bool = False, default: str | None = None) -> str | None:
    value = body.get(key, default)
    if value is None:
        if required:
            raise ControlError(f"{key!r} is required")
        return None
    if not isinstance(value, str):
        raise ControlError(f"{key!r} must be a string, got {quoted(value)}")
    return value


def _str_list(body: dict[str, Any], key: str, *, required: bool = False) -> list[str]:
    value = body.get(key)
    if value is None:
        if required:
            raise ControlError(f"{key!r} is required: a list of scope names")
        return []
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ControlError(f"{key!r} must be a list of non-empty strings, got {quoted(value)}")
    return list(value)


def _path_id(request: Request, name: str, what: str) -> int:
    raw = request.path_params[name]
    found = numbers.id_or_none(raw)
    if found is None:
        raise ControlError(f"no {what} {quoted(raw)}", 404)
    return found


async def hubspot_portal(request: Request) -> Response:
    body = await _body(request)
    try:
        portal = _sandbox(request).hubspot.create_portal(
            seed_value=_int(body, "seed", maximum=2**31),
            contacts=_int(body, "contacts"),
            companies=_int(body, "companies"),
            deals=_int(body, "deals"),
            tier=_str(body, "tier", default="starter") or "starter",
        )
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return JSONResponse(
        {
            "portal_id": portal.id,
            "private_app_token": portal.private_app_token,
            "base_url": f"{root_url(request)}/hubspot",
            "tier": portal.tier,
        },
        status_code=201,
    )


async def hubspot_app(request: Request) -> Response:
    body = await _body(request)
    try:
        app = _sandbox(request).hubspot.register_app(
            redirect_uri=_str(body, "redirect_uri", required=True) or "",
            required_scopes=_str_list(body, "required_scopes", required=True),
            optional_scopes=_str_list(body, "optional_scopes"),
        )
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    root = root_url(request)
    return JSONResponse(
        {
            "app_id": app.app_id,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "authorize_url": f"{root}/hubspot/oauth/authorize",
            "token_url": f"{root}/hubspot/oauth/v1/token",
        },
        status_code=201,
    )


async def hubspot_uninstall(request: Request) -> Response:
    body = await _body(request)
    client_id = _str(body, "client_id", required=True) or ""
    portal_id = _path_id(request, "portal_id", "HubSpot portal")
    try:
        killed = _sandbox(request).hubspot.uninstall(portal_id, client_id)
    except (KeyError, ValueError) as exc:
        raise ControlError(str(exc).strip("'"), 404) from None
    return JSONResponse({"portal_id": portal_id, "client_id": client_id, "revoked_refresh_tokens": killed})


async def pipedrive_company(request: Request) -> Response:
    body = await _body(request)
    try:
        company, token = _sandbox(request).pipedrive.create_company(
            seed_value=_int(body, "seed", maximum=2**31),
            persons=_int(body, "persons"),
            organizations=_int(body, "organizations"),
            deals=_int(body, "deals"),
            plan=_str(body, "plan", default="growth") or "growth",
        )
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return JSONResponse(
        {
            "company_id": company.id,
            "company_domain": company.domain,
            "api_domain": f"{root_url(request)}/pipedrive/{company.domain}",
            "api_token": token,
            "plan": company.plan,
        },
        status_code=201,
    )


async def pipedrive_app(request: Request) -> Response:
    body = await _body(request)
    try:
        app = _sandbox(request).pipedrive.register_app(
            redirect_uri=_str(body, "redirect_uri", required=True) or "",
            scopes=_str_list(body, "scopes", required=True),
        )
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    root = root_url(request)
    return JSONResponse(
        {
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "authorize_url": f"{root}/pipedrive/oauth/authorize",
            "token_url": f"{root}/pipedrive/oauth/token",
        },
        status_code=201,
    )


async def pipedrive_uninstall(request: Request) -> Response:
    body = await _body(request)
    client_id = _str(body, "client_id", required=True) or ""
    company_id = _path_id(request, "company_id", "Pipedrive company")
    try:
        result = await _sandbox(request).pipedrive.uninstall(company_id, client_id)
    except (KeyError, ValueError) as exc:
        raise ControlError(str(exc).strip("'"), 404) from None
    return JSONResponse({"company_id": company_id, "client_id": client_id, **result})


async def clock(request: Request) -> Response:
    body = await _body(request)
    seconds = numbers.finite(body.get("advance_seconds", 0), "'advance_seconds' (a number of seconds)")
    try:
        now = _sandbox(request).ctx.clock.advance(seconds)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return JSONResponse({"now": now, "advanced_seconds": body.get("advance_seconds", 0)})


async def faults(request: Request) -> Response:
    body = await _body(request)
    try:
        plans = _sandbox(request).ctx.faults.configure(body, ("hubspot", "pipedrive"))
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return JSONResponse({"faults": plans})


#: A lag past a minute would test nothing a shorter one does not, and could hide records for good.
MAX_SEARCH_LAG_SECONDS = 60.0


async def search_lag(request: Request) -> Response:
    """``{"seconds": 5}``: HubSpot's search sees writes that many seconds late (0 turns the lag off)."""
    body = await _body(request)
    seconds = numbers.finite(body.get("seconds", 0), "'seconds' (the search-index lag)")
    if not 0 <= seconds <= MAX_SEARCH_LAG_SECONDS:
        raise ControlError(f"'seconds' must be between 0 and {MAX_SEARCH_LAG_SECONDS:g}, got {seconds:g}")
    _sandbox(request).hubspot.search_lag_seconds = seconds
    return JSONResponse({"search_lag_seconds": seconds})


async def requests_log(request: Request) -> Response:
    provider = request.query_params.get("provider")
    if provider is not None and provider not in ("hubspot", "pipedrive"):
        raise ControlError("provider must be 'hubspot' or 'pipedrive'")
    entries = _sandbox(request).ctx.log.query(
        provider=provider, path_prefix=request.query_params.get("path_prefix")
    )
    return JSONResponse({"count": len(entries), "requests": [e.as_dict() for e in entries]})


async def clear_requests(request: Request) -> Response:
    _sandbox(request).ctx.log.clear()
    return Response(status_code=204)


def _error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ControlError | BadInput):
        return JSONResponse({"error": exc.message}, status_code=exc.status_code)
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)


def build_control_app(sandbox: Sandbox) -> Starlette:
    app = Starlette(
        routes=[
            Route("/_sandbox/hubspot/portals", hubspot_portal, methods=["POST"]),
            Route("/_sandbox/hubspot/apps", hubspot_app, methods=["POST"]),
            Route("/_sandbox/hubspot/portals/{portal_id}/uninstall", hubspot_uninstall, methods=["POST"]),
            Route("/_sandbox/pipedrive/companies", pipedrive_company, methods=["POST"]),
            Route("/_sandbox/pipedrive/apps", pipedrive_app, methods=["POST"]),
            Route(
                "/_sandbox/pipedrive/companies/{company_id}/uninstall", pipedrive_uninstall, methods=["POST"]
            ),
            Route("/_sandbox/clock", clock, methods=["POST"]),
            Route("/_sandbox/faults", faults, methods=["POST"]),
            Route("/_sandbox/hubspot/search-lag", search_lag, methods=["POST"]),
            Route("/_sandbox/requests", requests_log, methods=["GET"]),
            Route("/_sandbox/requests", clear_requests, methods=["DELETE"]),
        ],
        exception_handlers={ControlError: _error, BadInput: _error, HTTPException: _error},
        lifespan=lambda app: autosave(sandbox),
    )
    app.state.sandbox = sandbox
    return app
