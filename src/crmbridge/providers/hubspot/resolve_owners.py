"""Record owners (``hubspot_owner_id``) by owner id, user id, e-mail or name; the list is cached per account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...engine import matching
from ...errors import CrmBridgeError

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

    def choice(self) -> matching.Choice[Owner]:
        """Named by full name or e-mail; a user without a name also by the words of the e-mail's user part."""
        label = f"{self.name} <{self.email}>" if self.email and self.name != self.email else self.name
        return matching.Choice(self, self.id, label, (self.name, self.email, self.email.split("@")[0]))


def _owner(raw: dict[str, Any]) -> Owner:
    return Owner(
        str(raw.get("id")), str(raw.get("email") or ""), str(raw.get("firstName") or ""),
        str(raw.get("lastName") or ""), str(raw.get("userId") or ""),
    )  # fmt: skip


async def owners(ctx: CallContext) -> list[Owner]:
    """The account's owners, cached per account (``crm.objects.owners.read``)."""

    async def load() -> list[Owner]:
        pages = ctx.paginate("/crm/v3/owners", params={"limit": _PAGE}, items="results", max_pages=_MAX_PAGES)
        return [_owner(raw) async for raw in pages if isinstance(raw, dict)]

    found: list[Owner] = await ctx.cached("owners", load)
    return found


def _matches(people: list[Owner], ref: str) -> list[Owner]:
    """A number is an owner id, else a user id; anything else is a name or an e-mail."""
    text = ref.strip()
    if text.isdecimal():
        return [o for o in people if o.id == text] or [o for o in people if o.user_id == text]
    return [c.value for c in matching.best_matches(text, [o.choice() for o in people])]


async def resolve_owner(ctx: CallContext, value: Any, args: dict[str, Any]) -> str:
    """Resolver ``owner``: an owner id, user id, e-mail or name → the owner id HubSpot stores."""
    return await find_owner(ctx, value, "hubspot_owner_id")


async def find_owner(ctx: CallContext, value: Any, field: str) -> str:
    text = matching.require_text(value, field)
    try:
        people = await owners(ctx)
    except CrmBridgeError:
        if text.isdecimal():
            return text  # cannot check; HubSpot will
        raise
    choices = [o.choice() for o in people]
    if text.isdecimal():
        found = _matches(people, text)
        if len(found) == 1:
            return found[0].id
        raise matching.not_found(text, field=field, kind="HubSpot user", options=choices)
    hint = "Give an owner id, an e-mail or a full name."
    return matching.pick(text, choices, field=field, kind="HubSpot user", hint=hint).value.id
