"""A Bridge with one HubSpot user (``USER``) connected by private-app token to a seeded portal of the test's
in-process sandbox: what the adapter and toolset tests drive. The fixture is ``hubspot_bridge`` (tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmbridge import Bridge
from crmbridge.engine import RetryPolicy
from crmbridge.toolsets import AccountToolset
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox

USER = "user_hs_456"


@dataclass
class Connected:
    """The Bridge, and the portal's private-app token (to look at the CRM directly)."""

    bridge: Bridge
    token: str

    @property
    def toolset(self) -> AccountToolset:
        """The HubSpot account of ``USER``: what the adapters take."""
        return self.bridge.toolset(identifier=USER, connection_name="hubspot")

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def connected_bridge(sandbox: Sandbox, tmp_path: Path, **portal: Any) -> Connected:
    info = sandbox.hubspot.create_portal(seed_value=7, **portal)
    bridge = Bridge(
        database_url=f"sqlite:///{tmp_path}/bridge.db",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        retry=RetryPolicy(max_attempts=3, base_delay=0.005, max_delay=0.02),
        vault=Vault.from_string(Vault.generate_key()),
    )
    bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
    bridge.connect_api_key(connection_name="hubspot", identifier=USER, api_key=info.private_app_token)
    return Connected(bridge, info.private_app_token)
