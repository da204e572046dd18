"""The OpenAPI document tells the truth about errors: every operation declares the problem+json answers
it can give, and each protected operation names the scope it needs.

Done once over the generated document rather than per route, so a route added later is described the
same way without remembering a ``responses=`` argument: an operation with a bearer requirement may answer
401/403 and the errors of the work behind it; one with inputs may answer 422; one with a body, 413.
FastAPI's own ``HTTPValidationError`` is replaced, since our 422 is a problem too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from .problems import MEDIA_TYPE, TITLES
from .security import RequiredScope, bearer

__all__ = ["PROBLEM_SCHEMA", "install_openapi"]

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details, with our stable `code`.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code", "retryable"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "retryable": {"type": "boolean"},
        "details": {"type": "object"},
        "errors": {
            "type": "array",
            "description": "Validation: every invalid field, with where it is and its path.",
            "items": {
                "type": "object",
                "required": ["in", "path", "message"],
                "properties": {
                    "in": {"type": "string"},
                    "path": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": ["string", "null"]},
                },
            },
        },
    },
}
_REF = {"$ref": "#/components/schemas/Problem"}
# What the work behind a protected route may answer besides success (see errors.py for each class).
_PROTECTED = (400, 401, 403, 404, 409, 422, 429, 502, 503, 504)
_METHODS = ("get", "put", "post", "delete", "patch")


def _problem(status: int) -> dict[str, Any]:
    return {"description": TITLES.get(status, "Error"), "content": {MEDIA_TYPE: {"schema": _REF}}}


def _scopes(app: FastAPI) -> dict[tuple[str, str], str]:
    """(method, path) → the scope its ``require()`` dependency checks."""
    found: dict[tuple[str, str], str] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        stack = list((getattr(context, "dependant", None) or route.dependant).dependencies)
        while stack:
            dep = stack.pop()
            if isinstance(dep.call, RequiredScope):
                for method in context.methods or route.methods or ():
                    found[(method.lower(), context.path or route.path)] = dep.call.scope
            stack.extend(dep.dependencies)
    return found


def describe_errors(document: dict[str, Any], scopes: dict[tuple[str, str], str]) -> None:
    """Add the problem answers (and the required scope) to every operation of ``document``, in place."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            statuses: set[int] = set()
            scope = scopes.get((method, path))
            if scope is not None:
                operation["security"] = [{bearer.scheme_name: []}]
                schemes = document["components"].setdefault("securitySchemes", {})
                schemes[bearer.scheme_name] = bearer.model.model_dump(
                    mode="json", by_alias=True, exclude_none=True
                )
            if operation.get("security"):
                statuses.update(_PROTECTED)
            if operation.get("parameters") or operation.get("requestBody"):
                statuses.add(422)
            if operation.get("requestBody"):
                statuses.add(413)
            for status in sorted(statuses):
                responses[str(status)] = _problem(status)
            if scope is not None:
                operation["x-required-scope"] = scope
                note = f"Requires the `{scope}` scope (or `admin`)."
                operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and so ``/openapi.json`` and ``/docs``) return the described document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            describe_errors(document, _scopes(app))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
