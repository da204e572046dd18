"""The sandbox's own tests play third-party clients, some on endpoints that carry a token in the URL
(HubSpot's v1 token introspection, Pipedrive's legacy ``api_token`` query): their request logs are the
client's, not crmbridge's, so httpx's per-request log is quiet here while the session-wide secret
check (tests/conftest.py) keeps watching everything crmbridge itself logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def quiet_client_request_log() -> Iterator[None]:
    logger = logging.getLogger("httpx")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)
