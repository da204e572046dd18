"""HubSpot's error body, raised from anywhere in the HubSpot sandbox and rendered in one place."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


def correlation_id() -> str:
    return str(uuid.uuid4())


class HubSpotError(Exception):
    """An error HubSpot would answer with: ``{status, message, correlationId, category, ...}``."""

    def __init__(
        self,
        status_code: int,
        category: str,
        message: str,
        *,
        sub_category: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        context: dict[str, list[str]] | None = None,
        links: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.category = category
        self.message = message
        self.sub_category = sub_category
        self.errors = errors
        self.context = context
        self.links = links
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self, cid: str) -> dict[str, Any]:
        body: dict[str, Any] = {"status": "error", "message": self.message, "correlationId": cid}
        if self.errors is not None:
            body["errors"] = self.errors
        if self.context is not None:
            body["context"] = self.context
        if self.links is not None:
            body["links"] = self.links
        body["category"] = self.category
        if self.sub_category:
            body["subCategory"] = self.sub_category
        body.update(self.extra)
        return body


def not_found(message: str = "resource not found") -> HubSpotError:
    return HubSpotError(404, "OBJECT_NOT_FOUND", message)


def validation(message: str, **kwargs: Any) -> HubSpotError:
    return HubSpotError(400, "VALIDATION_ERROR", message, **kwargs)


def missing_scopes(required_any: list[str]) -> HubSpotError:
    return HubSpotError(
        403,
        "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call. "
        "Read more about required scopes here: https://developers.hubspot.com/scopes.",
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": list(required_any)},
            }
        ],
        links={"scopes": "https://developers.hubspot.com/scopes"},
    )


def render(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HubSpotError)
    cid = request.scope.get("sandbox", {}).get("correlation_id") or correlation_id()
    return JSONResponse(exc.body(cid), status_code=exc.status_code, headers=exc.headers)


def require(value: Any, keys: tuple[str, ...], schema: str) -> None:
    """A JSON object lacking attributes its schema requires is refused whole, as HubSpot's deserialiser does.

    HubSpot answers such bodies with a 400 naming the schema and the missing attributes, before any
    input of a batch is written; absent and ``null`` count alike.
    """
    missing = [k for k in keys if not isinstance(value, dict) or value.get(k) is None]
    if missing:
        raise validation(
            f"Invalid input JSON: Cannot build {schema}, some of required attributes are not set "
            f"[{', '.join(missing)}]"
        )
