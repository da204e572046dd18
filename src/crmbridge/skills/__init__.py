"""Agents, the Connector Pack and gated skills: the agent-platform layer, built on toolsets.

``bridge.agents`` (an :class:`Agents`) is the entry point: agents per tenant, packs compiled per account
and installed idempotently (also on connect), conversations with verified callers, and skills whose
policies (confirmation, serial lane, verified identity) are enforced by toolset wrappers.
"""

from __future__ import annotations

from .agents import Agents, TenantView
from .errors import ConfirmationMismatch, ConfirmationRequired, IdentityNotVerified, WriteLaneBusy
from .gate import ConfirmationGate, WriteScope
from .lane import SerialLanes
from .phones import e164, phone_query, same_number
from .toolset import GatedToolset, SkillToolset, VerifiedIdentityToolset

__all__ = [
    "Agents",
    "ConfirmationGate",
    "ConfirmationMismatch",
    "ConfirmationRequired",
    "GatedToolset",
    "IdentityNotVerified",
    "SerialLanes",
    "SkillToolset",
    "TenantView",
    "VerifiedIdentityToolset",
    "WriteLaneBusy",
    "WriteScope",
    "e164",
    "phone_query",
    "same_number",
]
