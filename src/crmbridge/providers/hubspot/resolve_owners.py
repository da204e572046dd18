"""Record owners (``hubspot_owner_id``) by owner id, user id, e-mail or name; the list is cached per account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import AmbiguousReference, CrmBridgeError, InvalidInput
from .resolve_common import key, words

if TYPE_CHECKING:
    from ...spec import CallContext

__all__ = ["Owner", "find_owner", "owners", "resolve_owner"]

_PAGE = 500
_MAX_PAGES = 20


@dataclass(frozen=True, slots=True)
class Owner:
    id: str
    email: str
    first: str
    last: str
    user_id: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}".strip() or self.email or self.id

    def candidate(self) -> dict[str, str]:
        return {"id": self.id, "label": f"{self.name} <{self.email}>" if self.email else self.name}


async def _load(ctx: CallContext) -> list[Owner]:
    found: list[Owner] = []
    params: dict[str, Any] = {"limit": _PAGE}
    for _ in range(_MAX_PAGES):
        body = await ctx.request("GET", "/crm/v3/owners", params=params)
        for raw in body.get("results", []) if isinstance(body, dict) else []:
            found.append(
                Owner(
                    str(raw.get("id")), str(raw.get("email") or ""), str(raw.get("firstName") or ""),
                    str(raw.get("lastName") or ""), str(raw.get("userId") or ""),
                )
            )  # fmt: skip
        after = (
            ((body.get("paging") or {}).get("next") or {}).get("after") if isinstance(body, dict) else None
        )
        if not after:
            break
        params = {"limit": _PAGE, "after": after}
    return found


async def owners(ctx: CallContext) -> list[Owner]:
    """The account's owners, cached per account (``crm.objects.owners.read``)."""

    async def load() -> list[Owner]:
        return await _load(ctx)

    found: list[Owner] = await ctx.cached("owners", load)
    return found


def _matches(people: list[Owner], ref: str) -> list[Owner]:
    text = ref.strip()
    if text.isdecimal():
        return [o for o in people if o.id == text] or [o for o in people if o.user_id == text]
    if "@" in text:
        return [o for o in people if o.email.lower() == text.lower()]
    wanted = key(text)
    exact = [o for o in people if wanted and key(o.name) == wanted]
    if exact:
        return exact
    terms = words(text)
    return [
        o
        for o in people
        if terms and all(t in {*words(o.first), *words(o.last), *words(o.email.split("@")[0])} for t in terms)
    ]


async def resolve_owner(ctx: CallContext, value: Any, args: dict[str, Any]) -> str:
    """Resolver ``owner``: an owner id, user id, e-mail or name → the owner id HubSpot stores."""
    return await find_owner(ctx, value, "hubspot_owner_id")


async def find_owner(ctx: CallContext, value: Any, field: str) -> str:
    text = str(value).strip()
    try:
        people = await owners(ctx)
    except CrmBridgeError:
        if text.isdecimal():
            return text  # cannot check; HubSpot will
        raise
    found = _matches(people, text)
    if len(found) == 1:
        return found[0].id
    if found:
        raise AmbiguousReference(
            f"Owner {text!r} matches {len(found)} users; pick one by id or e-mail.",
            field=field,
            candidates=[o.candidate() for o in found[:10]],
        )
    shown = ", ".join(f"{o.name} <{o.email}>" for o in people[:20])
    raise InvalidInput(
        f"No HubSpot user matches owner {text!r}; give an owner id, e-mail or full name. Users: {shown}.",
        field=field,
        allowed=[o.id for o in people[:50]],
    )
