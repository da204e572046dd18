"""Schema discovery: what objects (custom ones too), properties, options, pipelines and association types
an account has; stored per account and versioned; browsed and searched (typo-tolerant) from the snapshot."""

from __future__ import annotations

from .diff import compare
from .reading import adapter_for, register_adapter
from .search import Hit, SchemaIndex
from .service import Discovered, Discovery, SnapshotNotFound, find_object

__all__ = [
    "Discovered",
    "Discovery",
    "Hit",
    "SchemaIndex",
    "SnapshotNotFound",
    "adapter_for",
    "compare",
    "find_object",
    "register_adapter",
]
