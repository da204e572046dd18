"""Fixtures for the OAuth tests of the core: see ``oauth_env.py``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .oauth_env import OAuthEnv, new_bridge, new_sandbox


@pytest.fixture
async def oauth_env(tmp_path: Path) -> AsyncIterator[OAuthEnv]:
    sandbox = new_sandbox()
    bridge = new_bridge(sandbox, tmp_path)
    async with sandbox.client() as client:
        env = OAuthEnv(sandbox, bridge, client)
        try:
            yield env
        finally:
            await env.close()
