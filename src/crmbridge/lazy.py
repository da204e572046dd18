"""Package attributes that load their module on first use (PEP 562).

Listing tools must not pay for the HTTP stack, the database layer or the resolvers: a package exports
its names up front and imports the module that defines one only when somebody reads it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    package: str, homes: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps each exported name to the submodule that
    defines it; a name read once is kept in ``namespace`` (the package's globals)."""

    def load(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{home}", package), name)
        namespace[name] = value
        return value

    return load
