"""The Bridge facade: accounts, tool calls, and the sync runner for non-async callers."""

from .bridge import Bridge
from .models import AccountStatus, ConnectedAccount, Connection

__all__ = ["AccountStatus", "Bridge", "ConnectedAccount", "Connection"]
