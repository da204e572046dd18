"""Fixtures: a connected HubSpot account and a connected Pipedrive account on a fresh sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .harness import Account, hubspot_account, pipedrive_account


@pytest.fixture
async def hubspot(sandbox: Sandbox, client: httpx.AsyncClient) -> AsyncIterator[Account]:
    account = await hubspot_account(sandbox, client)
    yield account
    await account.crm.aclose()
    await account.engine.aclose()


@pytest.fixture
async def pipedrive(sandbox: Sandbox, client: httpx.AsyncClient) -> AsyncIterator[Account]:
    account = await pipedrive_account(sandbox, client)
    yield account
    await account.crm.aclose()
    await account.engine.aclose()
