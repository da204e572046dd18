"""The built-in providers: one sub-package per CRM, each exposing ``PROVIDER``.

Nothing here is a registry. Whoever assembles a runtime picks the providers (these, an application's
own, and any installed under the ``crmbridge.providers`` entry-point group) and builds a
:class:`~crmbridge.engine.Catalog` from them; see ``docs/providers.md``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from ..engine import Catalog
from ..errors import ConfigurationError
from ..spec import Provider

__all__ = ["BUILTIN", "builtin", "builtin_providers", "default_catalog", "entry_point_providers"]

#: The CRMs that ship with crmbridge, by the name tools are prefixed with.
BUILTIN: tuple[str, ...] = ("hubspot", "pipedrive")

#: Third-party packages list their providers under this entry-point group (``name = "pkg.mod:PROVIDER"``).
ENTRY_POINT_GROUP = "crmbridge.providers"


def builtin(name: str) -> Provider:
    """One built-in provider by name (importing its folder the first time)."""
    if name not in BUILTIN:
        raise ConfigurationError(
            f"Unknown provider {name!r}; built in: {', '.join(BUILTIN)}.", allowed=list(BUILTIN)
        )
    provider: Provider = importlib.import_module(f"{__name__}.{name}").PROVIDER
    return provider


def builtin_providers() -> list[Provider]:
    return [builtin(name) for name in BUILTIN]


def entry_point_providers() -> list[Provider]:
    """Providers installed by other packages under the ``crmbridge.providers`` entry-point group."""
    import logging  # only a plug-in that fails is logged: listing the built-in tools skips it (start-up cost)
    from importlib.metadata import entry_points

    log = logging.getLogger("crmbridge.providers")
    found: list[Provider] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            value = entry.load()
        except Exception as exc:  # a broken plug-in must not take the built-in CRMs down with it
            log.warning("provider entry point %s failed to load: %s", entry.name, exc)
            continue
        provider = value() if callable(value) and not isinstance(value, Provider) else value
        if not isinstance(provider, Provider):
            log.warning("provider entry point %s is not a crmbridge Provider; ignored", entry.name)
            continue
        found.append(provider)
    return found


def default_catalog(extra: Iterable[Provider] = (), *, entry_points: bool = False) -> Catalog:
    """A catalog of the built-in providers plus ``extra`` (and installed plug-ins when asked)."""
    providers = [*builtin_providers(), *(entry_point_providers() if entry_points else ()), *extra]
    return Catalog(providers)
