"""Fixtures for the service tests: see ``service_env.py``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .service_env import ServiceEnv, build_env, close_env


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[ServiceEnv]:
    built = await build_env(tmp_path)
    try:
        yield built
    finally:
        await close_env(built)
