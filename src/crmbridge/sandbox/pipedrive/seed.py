"""Deterministic, realistic company data (being built)."""

from __future__ import annotations

from .store import Company


def populate(
    company: Company,
    *,
    sandbox: object,
    now: float,
    seed: int,
    persons: int | None,
    organizations: int | None,
    deals: int | None,
) -> None:
    return None
