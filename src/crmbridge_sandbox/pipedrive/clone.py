"""A copy of a seeded company made into a new company: the copy's data under the new company's identity.

Seeded data depends on the company's identity in two ways: its users get sandbox-wide ids (rows name
them as owners, creators and authors), and its domain shows in e-mail addresses (users', and the leads'
``cc_email``). Everything else a seed writes is the same in every company with that seed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .store import Company

#: Row fields that hold a user id.
USER_FIELDS = frozenset(
    {
        "owner_id",
        "creator_user_id",
        "creator_id",
        "user_id",
        "last_update_user_id",
        "updater_id",
        "created_by",
        "updated_by",
    }
)


def _relabel(value: Any, user_ids: dict[int, int], domain: re.Pattern[str], new_domain: str) -> Any:
    if isinstance(value, dict):
        return {
            key: user_ids.get(item, item)
            if key in USER_FIELDS and isinstance(item, int)
            else _relabel(item, user_ids, domain, new_domain)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_relabel(item, user_ids, domain, new_domain) for item in value]
    if isinstance(value, str):
        return domain.sub(new_domain, value)
    return value


def as_new_company(copy: Company, new: Company, next_user_id: Callable[[], int], now: float) -> Company:
    """``copy`` (seeded data of another company, owned by nobody) with ``new``'s id, domain, name, plan and
    creation time; its users get fresh ids from ``next_user_id`` (in their order) and are created ``now``.
    The copy has no API token yet."""
    domain = re.compile(rf"{re.escape(copy.domain)}(?!\d)")
    user_ids = {old: next_user_id() for old in copy.users}
    users = {}
    for old, user in copy.users.items():
        user.id, user.created = user_ids[old], now
        user.email = domain.sub(new.domain, user.email)
        users[user.id] = user
    copy.users = users
    for table in copy.tables.values():
        table.rows = {key: _relabel(row, user_ids, domain, new.domain) for key, row in table.rows.items()}
    copy.api_tokens = {}
    copy.id, copy.domain, copy.name, copy.plan, copy.created_at = new.id, new.domain, new.name, new.plan, now
    return copy
