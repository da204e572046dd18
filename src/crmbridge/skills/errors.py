"""The errors a skill's policy answers with, in the project's taxonomy (each knows who must act)."""

from __future__ import annotations

from typing import ClassVar

from ..errors import Audience, CrmBridgeError

__all__ = ["ConfirmationMismatch", "ConfirmationRequired", "IdentityNotVerified", "WriteLaneBusy"]


class ConfirmationRequired(CrmBridgeError):
    """A gated write was asked for without a confirmation: nothing was written. ``details`` carry the
    token and the plain-language summary to read back to the caller."""

    code = "confirmation_required"
    audience: ClassVar[Audience] = "model"
    http_status = 409


class ConfirmationMismatch(CrmBridgeError):
    """The confirmation is unknown, used, expired, or was issued for other arguments: nothing was written."""

    code = "confirmation_mismatch"
    audience: ClassVar[Audience] = "model"
    http_status = 409


class IdentityNotVerified(CrmBridgeError):
    """The skill changes a contact whose identity this conversation has not verified."""

    code = "identity_not_verified"
    audience: ClassVar[Audience] = "end_user"
    http_status = 403


class WriteLaneBusy(CrmBridgeError):
    """Another write for the same CRM account held the serial lane longer than the wait allows."""

    code = "write_lane_busy"
    retryable = True
    audience: ClassVar[Audience] = "nobody"
    http_status = 429
