"""Fixtures: a connected HubSpot account and a connected Pipedrive account, each on the test's own sandbox,
seeded with seed 7; call tools with ``account.call``, look at CRM state with ``account.crm``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .harness import Account, hubspot_account, pipedrive_account


@pytest.fixture
async def hubspot(sandbox: Sandbox, client: httpx.AsyncClient) -> AsyncIterator[Account]:
    """A HubSpot portal connected by private-app token."""
    account = await hubspot_account(sandbox, client)
    yield account
    await account.aclose()


@pytest.fixture
async def pipedrive(sandbox: Sandbox, client: httpx.AsyncClient) -> AsyncIterator[Account]:
    """A Pipedrive company connected by API token."""
    account = await pipedrive_account(sandbox, client)
    yield account
    await account.aclose()
