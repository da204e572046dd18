"""The engine's pre-flight scope check with Pipedrive grants (``:full`` implies ``:read``)."""

from __future__ import annotations

import pytest

from crmbridge.auth import effective_scopes
from crmbridge.engine import CallTarget
from crmbridge.providers.pipedrive import PROVIDER

from ..harness import Account
from ._crm import error_of, first

pytestmark = pytest.mark.anyio


def granted(account: Account, *scopes: str) -> CallTarget:
    return CallTarget(
        account_key=account.target.account_key,
        base_url=account.target.base_url,
        auth=account.target.auth,
        granted_scopes=frozenset(effective_scopes(PROVIDER.auth, ["base", *scopes])),
    )


async def test_full_scope_also_reads(pipedrive: Account) -> None:
    target = granted(pipedrive, "deals:full")
    assert (await pipedrive.engine.execute_named("pipedrive_deals_list", {"limit": 1}, target)).ok
    assert (await pipedrive.engine.execute_named("pipedrive_deal_create", {"title": "Scoped"}, target)).ok


async def test_missing_scope_is_refused_before_the_call(pipedrive: Account) -> None:
    target = granted(pipedrive, "deals:read")
    error = error_of(await pipedrive.engine.execute_named("pipedrive_deal_create", {"title": "No"}, target))
    assert error["code"] == "insufficient_scope" and error["missing_scopes"] == ["deals:full"]
    error = error_of(await pipedrive.engine.execute_named("pipedrive_leads_list", {}, target))
    assert error["missing_scopes"] == ["leads:read"]


async def test_calls_with_alternative_scopes_are_left_to_the_crm(pipedrive: Account) -> None:
    deal = await first(pipedrive, "/api/v2/deals")
    target = granted(pipedrive, "contacts:full")  # notes accept deals or contacts scopes
    result = await pipedrive.engine.execute_named(
        "pipedrive_note_create", {"content": "Hi", "deal_id": deal["id"]}, target
    )
    assert result.ok, result.error
