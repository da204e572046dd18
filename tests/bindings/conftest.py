from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.discovery.env import Env, make_env


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    yield from make_env(tmp_path)


@pytest.fixture
def ready(env: Env) -> Env:
    """Both accounts discovered."""
    env.discover("hubspot")
    env.discover("pipedrive")
    return env
