from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .env import Env, make_env


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    yield from make_env(tmp_path)
