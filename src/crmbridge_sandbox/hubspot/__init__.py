"""A stateful fake of HubSpot's public API (CRM v3, associations v4, OAuth) for tests and demos."""

from .provider import HubSpotSandbox

__all__ = ["HubSpotSandbox"]
