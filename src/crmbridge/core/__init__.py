"""Tenant use cases: the process-wide ``Runtime`` and the per-tenant ``Bridge`` over it."""

from .bridge import Bridge
from .models import AccountStatus, ConnectedAccount, Connection
from .runtime import Runtime, default_data_dir

__all__ = ["AccountStatus", "Bridge", "ConnectedAccount", "Connection", "Runtime", "default_data_dir"]
