"""A connected agent platform per test, on each CRM of the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crmbridge_sandbox import Sandbox

from .platform import PROVIDERS, Platform, platform


@pytest.fixture(params=PROVIDERS)
def connected(request: pytest.FixtureRequest, sandbox: Sandbox, tmp_path: Path) -> Iterator[Platform]:
    """An agent with the pack of the CRM installed on connect (``default`` account)."""
    made = platform(sandbox, tmp_path, request.param)
    yield made
    made.close()
