"""Pipedrive's error envelope, raised anywhere in the Pipedrive sandbox and rendered in one place."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

ERROR_INFO = "Please check developers.pipedrive.com"


class PipedriveError(Exception):
    """``{"success": false, "error": …, "error_info": …, "data": null, "additional_data": null}``."""

    def __init__(
        self,
        status_code: int,
        error: str,
        *,
        error_info: str = ERROR_INFO,
        code: str | None = None,
        with_error_code: bool = True,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.status_code = status_code
        self.error = error
        self.error_info = error_info
        self.code = code
        self.with_error_code = with_error_code
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "success": False,
            "error": self.error,
            "error_info": self.error_info,
            "data": None,
            "additional_data": None,
        }
        if self.with_error_code:
            body["errorCode"] = self.status_code
        if self.code:
            body["code"] = self.code
        body.update(self.extra)
        return body


def not_found(what: str = "Entity") -> PipedriveError:
    return PipedriveError(404, f"{what} was not found", error_info="Object was not found.")


def bad_request(message: str) -> PipedriveError:
    return PipedriveError(400, message)


def render(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PipedriveError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)
