"""Seed 004's generic record actions over every object type, plus pipelines, properties, owners,
tickets and associations. The tools live in the ``generic_*`` modules; this one gathers them (their
preparers are in ``generic_prepare``)."""

from __future__ import annotations

from ...spec import Tool
from . import generic_meta, generic_records, generic_tickets

TOOLS: tuple[Tool, ...] = (*generic_records.TOOLS, *generic_tickets.TOOLS, *generic_meta.TOOLS)
