"""``DefaultHooks``: the hooks of a plain JSON REST API, which a provider subclasses for its quirks.

The contract lives in :class:`crmbridge.spec.ProviderHooks`; this is its everyday implementation plus the
response helpers providers share (``body_json``, ``default_error``, ``missing_record``,
``retry_after_seconds``) and ``Deferred``, a mapping of resolvers or preparers that loads them on first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import (
    AuthFailed,
    Conflict,
    CrmBridgeError,
    InsufficientScope,
    InvalidInput,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)

if TYPE_CHECKING:
    import httpx

    from ..spec import (
        Identity,
        NewestFirst,
        OAuthClient,
        PageInfo,
        Prepared,
        Preparer,
        Resolver,
        TokenSet,
        Tool,
        UninstallNotice,
    )

__all__ = ["DefaultHooks", "Deferred", "body_json", "default_error", "missing_record", "retry_after_seconds"]

V = TypeVar("V")


def body_json(response: httpx.Response) -> Any:
    """The JSON body, or ``None`` when there is none (or it is not JSON)."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


class Deferred(Mapping[str, V]):
    """A mapping built by ``load()`` on first use (a lookup, ``in``, iteration), then kept.

    A provider's resolvers and preparers run only inside tool calls, so their modules (and what those
    import) load with the first call that needs one instead of with the catalog (start-up cost)::

        def _resolvers() -> Mapping[str, Resolver]:
            from . import resolve

            return resolve.RESOLVERS

        class MyHooks(DefaultHooks):
            resolvers = Deferred(_resolvers)
    """

    __slots__ = ("_load", "_loaded")

    def __init__(self, load: Callable[[], Mapping[str, V]]) -> None:
        self._load = load
        self._loaded: Mapping[str, V] | None = None

    def _mapping(self) -> Mapping[str, V]:
        if self._loaded is None:  # two threads may both load: imports are locked, the results equal
            self._loaded = self._load()
        return self._loaded

    def __getitem__(self, name: str) -> V:
        return self._mapping()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())

    def __repr__(self) -> str:
        return f"Deferred({self._load.__qualname__})" if self._loaded is None else repr(self._loaded)


class DefaultHooks:
    """Defaults that suit a plain JSON REST API; each provider overrides what differs."""

    #: Seconds a new record may take to show up in ``created_listing`` (a search index): a re-check
    #: that finds nothing keeps looking this long before the create is sent again.
    index_lag: float = 0.0
    resolvers: Mapping[str, Resolver] = {}
    preparers: Mapping[str, Preparer] = {}

    def scopes_for(self, tool: Tool, args: Mapping[str, Any]) -> tuple[str, ...]:
        """The scopes this call needs (generic tools depend on the object type in the input)."""
        return tool.scopes

    def unwrap(self, body: Any) -> Any:
        """Strip the provider's response envelope, if it has one."""
        return body

    def page_info(self, body: Any) -> PageInfo:
        """``(next_cursor, total)`` of a list response."""
        return None, None

    def next_page(
        self, path: str, params: dict[str, Any], json: Any, cursor: str
    ) -> tuple[dict[str, Any], Any]:
        """``(params, json)`` asking ``path`` for the page after ``cursor``: here a ``cursor`` parameter."""
        return {**params, "cursor": cursor}, json

    def shape_record(self, record: Any, tool: Tool, prepared: Prepared) -> Any:
        """A compact record for an LLM: no nulls, no envelope noise."""
        if isinstance(record, dict):
            return {k: v for k, v in record.items() if v not in (None, "", [], {})}
        return record

    def record_id(self, record: Any) -> str | None:
        if isinstance(record, dict) and record.get("id") is not None:
            return str(record["id"])
        return None

    def created_listing(self, tool: Tool, args: Mapping[str, Any]) -> NewestFirst | None:
        """Where a create's records are listed newest first (each must give an id through
        :meth:`record_id`); ``None`` when this provider cannot tell, which leaves a lost answer unknown."""
        return None

    def parse_error(self, response: httpx.Response, tool: Tool | None) -> CrmBridgeError:
        """Map an error response onto the taxonomy; providers refine the message and details."""
        body = body_json(response)
        message = _first_text(body) or response.reason_phrase or "error"
        return default_error(response.status_code, message, retry_after=retry_after_seconds(response))

    async def identify(self, http: httpx.AsyncClient, client: OAuthClient, tokens: TokenSet) -> Identity:
        """Whose grant a fresh token is. Knowing nothing more than the token answer, each connected account
        counts as its own CRM account, on the provider's (or connection's) base URL."""
        # The OAuth contract loads when an account authorises, not with the catalog (start-up cost).
        from ..spec.oauth import Identity

        return Identity()

    def read_uninstall(
        self, client: OAuthClient, authorization: str | None, body: bytes | Mapping[str, Any]
    ) -> UninstallNotice | None:
        """Uninstall notices sent to the callback URL; a CRM that sends none never has one."""
        return None


def _first_text(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return None


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def default_error(status: int, message: str, /, **context: Any) -> CrmBridgeError:
    """The taxonomy class a bare HTTP status implies; provider hooks add what the body says.
    ``context`` is the typed context (``request_id``, ``retry_after``, ``provider``) and any details."""
    context["status"] = status
    if status == 400 or status == 422:
        return InvalidInput(message, **context)
    if status == 401:
        return AuthFailed(message, **context)
    if status == 403:
        return InsufficientScope(message, **context)
    if status in (404, 410):
        return NotFound(message, **context)
    if status == 409:
        return Conflict(message, **context)
    if status == 429:
        return RateLimited(message, **context)
    if status >= 500 or status == 423:
        return ProviderUnavailable(message, **context)
    return ProviderError(message, **context)


def missing_record(
    crm: str, noun: str, ident: str, tool: Tool | None = None, path: str = "", /, *, key: str = "id",
    finder: str | None = None, by: str = "", note: str = "", **context: Any,
) -> NotFound:  # fmt: skip
    """The one wording of a record that is not there, whatever the CRM (``crm``: its display name): which
    object, which id (or e-mail), and which tool finds it by name. ``field`` is the input field that held the
    id (``path``, the request's, says which placeholder of the tool's path it filled); ``find_with`` names
    the finder for a program to follow; ``context`` is the error's typed context and details, as for
    :func:`default_error`."""
    message = f"No {crm} {noun} with {key} {ident}{f' ({note})' if note else ''}."
    if finder:
        message += f" Use {finder} to find it{f' by {by}' if by else ''}."
    return NotFound(message, field=_id_field(tool, path, ident), find_with=finder, **context)


def _id_field(tool: Tool | None, path: str, ident: str) -> str | None:
    """The placeholder of ``tool.path`` that ``ident`` filled in ``path`` (aligned from the end, since a
    base URL may prefix it); else the last placeholder, which holds the record's id by convention."""
    if tool is None:
        return None
    from urllib.parse import unquote

    template = tool.path.rstrip("/").split("/")
    for part, value in zip(reversed(template), reversed(path.rstrip("/").split("/")), strict=False):
        if part.startswith("{") and unquote(value) == ident:
            return part[1:-1]
    placeholders = re.findall(r"{(\w+)}", tool.path)
    return placeholders[-1] if placeholders else None
