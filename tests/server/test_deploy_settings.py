"""Deployment settings read from the environment (``docs/deploy.md`` lists them)."""

from __future__ import annotations

import pytest

from crmbridge.errors import ConfigurationError
from crmbridge.server import ServiceSettings


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMBRIDGE_PUBLIC_URL", "https://crm.example.com/")
    monkeypatch.setenv("CRMBRIDGE_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("CRMBRIDGE_RATE_LIMIT_SCALE", "0.02")
    settings = ServiceSettings.from_env()
    assert settings.oauth_callback_url == "https://crm.example.com/oauth/callback"
    assert settings.max_body_bytes == 2048
    assert settings.rate_limit_scale == 0.02


@pytest.mark.parametrize("value", ["fast", "0", "-1", "2", "nan"])
def test_a_bad_rate_limit_scale_says_what_is_expected(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CRMBRIDGE_RATE_LIMIT_SCALE", value)
    with pytest.raises(ConfigurationError, match=r"CRMBRIDGE_RATE_LIMIT_SCALE must be a number in \(0, 1\]"):
        ServiceSettings.from_env()
