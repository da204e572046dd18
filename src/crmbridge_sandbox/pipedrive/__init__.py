"""A stateful fake of Pipedrive's public API (v2, the v1 endpoints v2 lacks, OAuth) for tests and demos."""

from .provider import PipedriveSandbox

__all__ = ["PipedriveSandbox"]
