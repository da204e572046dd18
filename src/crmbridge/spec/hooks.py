"""The hooks contract: the named points where one CRM's quirks plug into the engine.

The engine calls these at fixed points of every tool call. ``crmbridge.engine.DefaultHooks`` implements
them for a plain JSON REST API; a provider subclasses it and overrides only what its API does
differently. ``CallContext`` is what resolvers and preparers may use while a call is being prepared;
a preparer hands back a ``Prepared``: the input the request is planned from, and what shaping should know.
``NewestFirst`` says where the records a create makes are listed, newest first, so that the engine can
prove whether a create whose answer was lost was applied.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import httpx

    from ..errors import CrmBridgeError
    from .oauth import Identity, OAuthClient, TokenSet, UninstallNotice
    from .provider import Provider
    from .tool import Tool

__all__ = ["CallContext", "NewestFirst", "PageInfo", "Prepared", "Preparer", "ProviderHooks", "Resolver"]

#: ``(next_cursor, total)`` of a list response.
PageInfo = tuple[str | None, int | None]


class CallContext(Protocol):
    """Read calls on the account a tool call is for, through its rate limits and retries, plus a cache."""

    @property
    def provider(self) -> Provider: ...

    @property
    def cache_key(self) -> str: ...

    @property
    def granted_scopes(self) -> frozenset[str] | None:
        """The account's granted scopes; ``None`` when unknown (API keys)."""

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        unwrap: bool = True,
    ) -> Any:
        """Send a side request; the body (unwrapped of the provider's envelope unless ``unwrap=False``),
        or a taxonomy error raised."""

    def paginate(
        self,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        method: str = "GET",
        items: str = "",
        max_pages: int = 10,
    ) -> AsyncIterator[Any]:
        """The records of a list endpoint, page after page (asked for through the provider's
        ``next_page``), each page a side request; ``items`` is the dotted path of the records in the
        unwrapped body (empty: the body is the list). Stops after ``max_pages`` pages."""

    async def cached(self, key: str, load: Callable[[], Awaitable[Any]], *, fresh: bool = False) -> Any:
        """``load()`` once per account and ``key`` while the cache keeps it (``fresh``: load again)."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A tool input reshaped for its endpoint, and what the result's shaping should know about it.

    ``args`` is what the request is planned from (every key is meant for the CRM). ``labels``
    (``{property: {id: label}}``) names ids the output carries that a model cannot read, such as
    numeric stage ids; ``linked`` (``{object type: [ids]}``) records what a create linked, for
    responses that do not echo it.
    """

    args: dict[str, Any]
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    linked: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewestFirst:
    """A list request that returns a created type's records newest first, narrowed by the create's
    recheck keys as far as the CRM can filter on them (paged with the provider's ``page_info`` and
    ``next_page``).

    Before a create is sent the engine remembers where the newest record stands (the *mark*); after a
    lost answer it pages back from the newest record to the mark, so it sees every record created in
    between however many there are, and resends only when none of them is the create's.
    ``position(record)`` orders records, larger being newer: an id, or a creation time; ``None`` when a
    record does not say. ``unique``: no two records share a position (ids); a coarse time (whole
    seconds) is not, and then the records sharing the mark's position are remembered one by one.
    ``matches(record)`` says whether a record carries the create's key values; ``None`` when the
    request's own filters already ensure it. ``items`` is the dotted path of the records in the
    unwrapped body (empty: the body is the list).
    """

    path: str
    position: Callable[[Any], Any]
    method: str = "GET"
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    items: str = ""
    unique: bool = True
    matches: Callable[[Any], bool] | None = None


#: ``async def resolver(ctx, value, args) -> value``: a plain-language value becomes a CRM id.
Resolver = Callable[[CallContext, Any, dict[str, Any]], Awaitable[Any]]
#: ``async def prepare(ctx, tool, args) -> Prepared``: reshape the input for one quirk of the API.
Preparer = Callable[[CallContext, "Tool", dict[str, Any]], Awaitable[Prepared]]


class ProviderHooks(Protocol):
    """What the engine asks a provider; see ``crmbridge.engine.DefaultHooks`` for the defaults."""

    @property
    def index_lag(self) -> float:
        """Seconds a new record may take to show up in ``created_listing`` (a search index)."""

    @property
    def resolvers(self) -> Mapping[str, Resolver]:
        """Plain-language value → id, by the name a tool's ``resolve`` refers to."""

    @property
    def preparers(self) -> Mapping[str, Preparer]:
        """Input reshapers, by the name a tool's ``prepare`` refers to."""

    def scopes_for(self, tool: Tool, args: Mapping[str, Any]) -> tuple[str, ...]:
        """The scopes this call needs (generic tools depend on the object type in the input)."""

    def unwrap(self, body: Any) -> Any:
        """Strip the provider's response envelope, if it has one."""

    def page_info(self, body: Any) -> PageInfo:
        """``(next_cursor, total)`` of a list response."""

    def next_page(
        self, path: str, params: dict[str, Any], json: Any, cursor: str
    ) -> tuple[dict[str, Any], Any]:
        """``(params, json)`` asking ``path`` for the page after ``cursor`` (from :meth:`page_info`)."""

    def shape_record(self, record: Any, tool: Tool, prepared: Prepared) -> Any:
        """A compact record for an LLM: no nulls, no envelope noise."""

    def record_id(self, record: Any) -> str | None:
        """The id of a record as the CRM returns it."""

    def created_listing(self, tool: Tool, args: Mapping[str, Any]) -> NewestFirst | None:
        """Where the records a create with ``recheck`` makes are listed newest first, for its input
        ``args``; ``None`` when this provider cannot tell (a lost answer is then ``outcome_unknown``)."""

    def parse_error(self, response: httpx.Response, tool: Tool | None) -> CrmBridgeError:
        """Map an error response onto the taxonomy, with the typed context the answer gives (``status``,
        ``request_id``, ``retry_after``, ``provider``); a spent daily budget is ``RateLimited(daily=True)``,
        which the engine hands back at once instead of waiting."""

    async def identify(self, http: httpx.AsyncClient, client: OAuthClient, tokens: TokenSet) -> Identity:
        """Whose grant a freshly exchanged token is: the CRM account, its API origin, the granted scopes and
        what the connected account shows; raise ``UnsafeGrant`` to refuse the answer."""

    def read_uninstall(
        self, client: OAuthClient, authorization: str | None, body: bytes | Mapping[str, Any]
    ) -> UninstallNotice | None:
        """An uninstall notice the CRM sent to the callback URL, verified as meant for ``client``;
        ``None`` when it is not (or this CRM sends none), ``InvalidInput`` when it is but is malformed."""
