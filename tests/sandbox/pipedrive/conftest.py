"""Pipedrive sandbox fixtures: one seeded company's API, and an OAuth flow driver (oauth_flow.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .helpers import CompanyApi
from .oauth_flow import OAuthFlow


@pytest.fixture
def oauth(client: httpx.AsyncClient) -> OAuthFlow:
    return OAuthFlow(client)


@pytest.fixture
def company_api(client: httpx.AsyncClient, company: dict[str, Any]) -> CompanyApi:
    """The seeded ``company``'s API, called with its API token."""
    return CompanyApi(client, company)
