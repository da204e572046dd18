"""Deterministic, realistic portal data (being built)."""

from __future__ import annotations

from .store import Portal


def populate(
    portal: Portal, *, now: float, seed: int, contacts: int | None, companies: int | None, deals: int | None
) -> None:
    return None
