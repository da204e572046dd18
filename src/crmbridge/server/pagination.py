"""Cursor pagination with one shape for every list: ``{"data": [...], "nextCursor": "…" | null}``.

A cursor is the opaque (base64url JSON) sort key of the last item given, so a page stays correct while
items are added or removed before it — unlike an offset.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ..errors import InvalidInput

__all__ = ["Page", "PageParams", "paginate"]

T = TypeVar("T")
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    data: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null at the end."
    )


class PageParams:
    def __init__(
        self,
        limit: int = Query(50, ge=1, le=MAX_LIMIT, description="Items per page (1-200)."),
        cursor: str | None = Query(None, max_length=512, description="`nextCursor` of the previous page."),
    ) -> None:
        self.limit = limit
        self.cursor = cursor


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "cursor is not one this API gave out; pass the nextCursor of the previous page.", field="cursor"
        ) from None


def paginate(items: Sequence[T], params: PageParams, key: Callable[[T], Any]) -> tuple[list[T], str | None]:
    """The page after ``params.cursor`` of ``items`` sorted by ``key`` (ascending)."""
    ordered = sorted(items, key=key)
    if params.cursor is not None:
        after = decode_cursor(params.cursor)
        try:
            ordered = [
                item for item in ordered if key(item) > (tuple(after) if isinstance(after, list) else after)
            ]
        except TypeError:
            raise InvalidInput("cursor does not belong to this list.", field="cursor") from None
    page = ordered[: params.limit]
    more = len(ordered) > params.limit
    last = key(page[-1]) if page else None
    return page, encode_cursor(list(last) if isinstance(last, tuple) else last) if more else None
