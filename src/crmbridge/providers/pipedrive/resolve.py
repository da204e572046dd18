"""Plain-language values → Pipedrive ids: pipelines, stages, users (owners), persons, organizations.

Pipelines, stages and users change rarely: they are loaded once per account and kept in the engine's TTL
cache (a name that is not in the cached copy triggers one fresh load before it is called unknown).
Persons and organizations are looked up with the search API on every call and never cached: they are
created all the time, and a stale hit would silently link a record to the wrong person.

Names are matched by :mod:`crmbridge.engine.matching`, as for every provider: an exact name wins, else a
unique whole-word match; several raise :class:`AmbiguousReference` with the candidates; none raises
:class:`InvalidInput` naming the field and, for the small sets (stages, pipelines, users), what is allowed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from ...engine import matching
from ...errors import AmbiguousReference, InsufficientScope, InvalidInput
from ...spec import Resolver

if TYPE_CHECKING:
    from ...spec import CallContext

__all__ = ["RESOLVERS", "current_user"]

#: Hits a person or organization search returns; fewer means the search found them all.
_SEARCH_LIMIT = 50
Options = Callable[[list[Any]], list[matching.Choice[Any]]]


def is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdecimal())


async def _all(ctx: CallContext, path: str) -> list[Any]:
    """Every row of a small list endpoint (pipelines, stages, users)."""
    return [row async for row in ctx.paginate(path, params={"limit": 500}) if isinstance(row, dict)]


async def _rows(
    ctx: CallContext, key: str, load: Callable[[], Awaitable[list[Any]]], fresh: bool
) -> list[Any]:
    cached: list[Any] = await ctx.cached(key, load, fresh=fresh)
    return cached


async def _pick_cached(
    ctx: CallContext,
    key: str,
    load: Callable[[], Awaitable[list[Any]]],
    options: Options,
    value: Any,
    *,
    field: str,
    kind: str,
) -> Any:
    """Match against the cached rows; on a miss, reload once (the name may be new) and match again."""
    try:
        return matching.pick(value, options(await _rows(ctx, key, load, False)), field=field, kind=kind).id
    except AmbiguousReference:
        raise
    except InvalidInput:
        return matching.pick(value, options(await _rows(ctx, key, load, True)), field=field, kind=kind).id


# ---- pipelines and stages ------------------------------------------------------------------------------


async def _load_pipelines(ctx: CallContext) -> list[Any]:
    return await _all(ctx, "/api/v2/pipelines")


async def _load_stages(ctx: CallContext) -> list[Any]:
    return await _all(ctx, "/api/v2/stages")


async def pipeline(ctx: CallContext, value: Any, args: dict[str, Any]) -> Any:
    if is_id(value):
        return int(value)

    def options(rows: list[Any]) -> list[matching.Choice[Any]]:
        return [matching.Choice(p, p["id"], str(p["name"])) for p in rows]

    return await _pick_cached(
        ctx,
        "pipedrive:pipelines",
        lambda: _load_pipelines(ctx),
        options,
        value,
        field="pipeline",
        kind="pipeline",
    )


async def stage(ctx: CallContext, value: Any, args: dict[str, Any]) -> Any:
    """A stage by name: within ``pipeline`` when the call names one, else unique across pipelines."""
    if is_id(value):
        return int(value)
    within = args.get("pipeline")
    pipelines = await ctx.cached("pipedrive:pipelines", lambda: _load_pipelines(ctx))
    names = {p["id"]: str(p["name"]) for p in pipelines}

    def options(rows: list[Any]) -> list[matching.Choice[Any]]:
        out: list[matching.Choice[Any]] = []
        for s in rows:
            if isinstance(within, int) and s.get("pipeline_id") != within:
                continue
            label = (
                f"{s['name']} ({names.get(s.get('pipeline_id'), 'pipeline ' + str(s.get('pipeline_id')))})"
            )
            out.append(matching.Choice(s, s["id"], label, (str(s["name"]),)))
        return out

    return await _pick_cached(
        ctx, "pipedrive:stages", lambda: _load_stages(ctx), options, value, field="stage", kind="stage"
    )


# ---- users ---------------------------------------------------------------------------------------------


async def current_user(ctx: CallContext) -> dict[str, Any]:
    """``/v1/users/me`` (scope ``base``, always granted), cached per account."""

    async def load() -> dict[str, Any]:
        data = await ctx.request("GET", "/api/v1/users/me")
        return data if isinstance(data, dict) else {}

    me: dict[str, Any] = await ctx.cached("pipedrive:me", load)
    return me


async def _load_users(ctx: CallContext) -> list[Any]:
    try:
        return await _all(ctx, "/api/v1/users")
    except InsufficientScope:
        # An OAuth app without users:read can still name its own user.
        return [await current_user(ctx)]


async def owner(ctx: CallContext, value: Any, args: dict[str, Any]) -> Any:
    if is_id(value):
        return int(value)
    if matching.match_key(value) in ("me", "myself", "currentuser"):
        return (await current_user(ctx))["id"]

    def options(rows: list[Any]) -> list[matching.Choice[Any]]:
        out: list[matching.Choice[Any]] = []
        for u in rows:
            if u.get("active_flag", True):
                label = f"{u.get('name')} <{u.get('email')}>"
                out.append(matching.Choice(u, u["id"], label, (str(u.get("name")), str(u.get("email")))))
        return out

    return await _pick_cached(
        ctx, "pipedrive:users", lambda: _load_users(ctx), options, value, field="owner", kind="user"
    )


# ---- persons and organizations (searched, not cached) --------------------------------------------------


async def _search(ctx: CallContext, entity: str, term: str, field: str) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"term": term, "fields": field, "limit": _SEARCH_LIMIT}
    if len(term) < 2:
        params["exact_match"] = "true"
    data = await ctx.request("GET", f"/api/v2/{entity}/search", params=params)
    items = data.get("items") if isinstance(data, dict) else None
    return [i["item"] for i in items or [] if isinstance(i, dict) and isinstance(i.get("item"), dict)]


def _pick_hit(term: str, hits: list[dict[str, Any]], options: Options, *, field: str, tool: str) -> Any:
    """The hit ``term`` names; a search may return hits that match it neither way (offered instead)."""
    return matching.pick(
        term, options(hits), field=field, kind=field, searched=True, complete=len(hits) < _SEARCH_LIMIT,
        hint=f"Find it with {tool}, or give the {field}'s id.",
    ).id  # fmt: skip


def _person_label(item: Mapping[str, Any]) -> str:
    label = str(item.get("name"))
    emails = item.get("emails") or []
    if emails:
        label += f" <{emails[0]}>"
    org = item.get("organization")
    if isinstance(org, dict) and org.get("name"):
        label += f", {org['name']}"
    return label


def _persons(hits: list[dict[str, Any]]) -> list[matching.Choice[Any]]:
    return [
        matching.Choice(
            i, i["id"], _person_label(i), (str(i.get("name")), *(str(e) for e in i.get("emails") or []))
        )
        for i in hits
    ]


def _organizations(hits: list[dict[str, Any]]) -> list[matching.Choice[Any]]:
    return [matching.Choice(i, i["id"], str(i.get("name"))) for i in hits]


async def person(ctx: CallContext, value: Any, args: dict[str, Any]) -> Any:
    if is_id(value):
        return int(value)
    term = matching.require_text(value, "person")
    hits = await _search(ctx, "persons", term, "email" if "@" in term else "name")
    return _pick_hit(term, hits, _persons, field="person", tool="pipedrive_persons_search")


async def organization(ctx: CallContext, value: Any, args: dict[str, Any]) -> Any:
    """By id or name; an email means the organization of the person with that email."""
    if is_id(value):
        return int(value)
    term = matching.require_text(value, "organization")
    if "@" in term:
        person_id = await person(ctx, term, args)
        found = await ctx.request("GET", f"/api/v2/persons/{person_id}")
        org_id = found.get("org_id") if isinstance(found, dict) else None
        if not org_id:
            raise InvalidInput(
                f"'organization': the person with email {term!r} belongs to no organization; give its name or id.",
                field="organization",
            )
        return org_id
    hits = await _search(ctx, "organizations", term, "name")
    return _pick_hit(term, hits, _organizations, field="organization", tool="pipedrive_organizations_search")


RESOLVERS: Mapping[str, Resolver] = {
    "pipeline": pipeline,
    "stage": stage,
    "owner": owner,
    "person": person,
    "organization": organization,
}
