"""Providers are data: one sub-package per CRM, each exposing ``PROVIDER``.

Adding a CRM means adding a folder here and its name to ``PROVIDER_NAMES``; the engine is untouched.
"""

from __future__ import annotations

import importlib
from functools import cache

from ..errors import ConfigurationError
from .hooks import ProviderHooks
from .spec import Annotations, AuthSpec, Output, Provider, Recheck, Tool

__all__ = [
    "PROVIDER_NAMES",
    "Annotations",
    "AuthSpec",
    "Output",
    "Provider",
    "ProviderHooks",
    "Recheck",
    "Tool",
    "get_provider",
]

PROVIDER_NAMES: tuple[str, ...] = ("hubspot", "pipedrive")


@cache
def get_provider(name: str) -> Provider:
    """Load a provider's declarations once per process."""
    if name not in PROVIDER_NAMES:
        raise ConfigurationError(
            f"Unknown provider {name!r}; crmbridge supports: {', '.join(PROVIDER_NAMES)}.",
            allowed=list(PROVIDER_NAMES),
        )
    provider: Provider = importlib.import_module(f"{__name__}.{name}").PROVIDER
    return provider
