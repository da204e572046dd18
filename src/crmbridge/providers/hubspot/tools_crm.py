"""Seed 003's eleven named tools and seed 000's extra actions (deal get, task and note create).

Declared per object in ``crm_*.py``; names are resolved and inputs reshaped by ``resolve_*.py``.
"""

from __future__ import annotations

from ...spec import Tool
from . import crm_activities, crm_companies, crm_contacts, crm_deals

__all__ = ["TOOLS"]

TOOLS: tuple[Tool, ...] = (*crm_contacts.TOOLS, *crm_companies.TOOLS, *crm_deals.TOOLS, *crm_activities.TOOLS)
