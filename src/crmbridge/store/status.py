"""The one account lifecycle enum, public as ``crmbridge.AccountStatus``.

It lives in the store because rows, records and the public API all speak it, and core may import the
store while the store must not import core.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["AccountStatus"]


class AccountStatus(StrEnum):
    """Lifecycle of a connected account.

    ``PENDING`` → ``ACTIVE`` (authorised, or an API key saved) → ``EXPIRED`` (a refresh failed for a
    reason that may pass: the refresh is retried on the next call) or ``REVOKED`` (the CRM said the
    grant is gone: uninstall, ``invalid_grant``; calls fail fast with an authorization link) or
    ``ERROR`` (unexpected provider answer). Re-authorising moves any of them back to ``ACTIVE`` with
    the same account id and history.
    """

    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    ERROR = "ERROR"
