"""HubSpot sandbox fixtures; the OAuth helpers the tests share are in oauth_flow.py."""

from __future__ import annotations

import pytest

from crmbridge_sandbox.hubspot import objects

from .oauth_flow import CONTACTS_PATH


@pytest.fixture
def crm_route() -> str:
    """A CRM route behind ``require_access``; skips until the objects routes have landed."""
    if not objects.routes:
        pytest.skip("the HubSpot objects routes are not built yet")
    return CONTACTS_PATH
