"""Endpoint configuration: the secret shown once and sealed at rest, event names validated, per tenant."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from crmbridge.errors import ConfigurationError
from crmbridge.store import Store
from crmbridge.webhooks import Webhooks


def test_the_secret_is_issued_once_kept_on_reconfigure_and_rotated_on_request(
    webhooks: Webhooks, store: Store
) -> None:
    first = webhooks.configure("t1", "https://hooks.example/a", ["account.status_changed"])
    assert first.secret is not None and first.secret.startswith("whsec_")
    assert first.secret not in repr(first)
    again = webhooks.configure("t1", "https://hooks.example/b", ["account.status_changed"])
    assert again.secret is None and again.url == "https://hooks.example/b"
    stored = store.webhooks.get_endpoint("t1")
    assert stored is not None and stored.secret == first.secret and first.secret not in repr(stored)
    rotated = webhooks.configure(
        "t1", "https://hooks.example/b", ["account.status_changed"], rotate_secret=True
    )
    assert rotated.secret is not None and rotated.secret != first.secret
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT secret_enc FROM webhook_endpoints")).scalar_one()
    assert rotated.secret not in raw and raw != rotated.secret


def test_unknown_events_name_the_allowed_ones(webhooks: Webhooks) -> None:
    with pytest.raises(
        ConfigurationError, match=r"'account.deleted'.*allowed: .*account.status_changed"
    ) as info:
        webhooks.configure("t1", "https://hooks.example/a", ["account.deleted"])
    # Features register their own types (interaction.* once the service's routes are imported).
    assert "account.status_changed" in info.value.details["allowed"]
    for bad in ([], "account.status_changed", None):
        with pytest.raises(ConfigurationError, match="non-empty list"):
            webhooks.configure("t1", "https://hooks.example/a", bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["ftp://x/y", "hooks.example/a", "https://user:pw@hooks.example/a", "", 5])
def test_bad_urls_are_refused(webhooks: Webhooks, url: object) -> None:
    with pytest.raises(ConfigurationError, match="url"):
        webhooks.configure("t1", url, ["account.status_changed"])  # type: ignore[arg-type]


def test_endpoints_belong_to_their_tenant(webhooks: Webhooks) -> None:
    webhooks.configure("t1", "https://hooks.example/a", ["account.status_changed"])
    assert webhooks.endpoint("t2") is None
    assert webhooks.emit("t2", "account.status_changed", {}) is None
    assert webhooks.remove("t2") is False
    assert webhooks.remove("t1") is True
    assert webhooks.endpoint("t1") is None
    with pytest.raises(ConfigurationError, match="Unknown event type 'nope'"):
        webhooks.emit("t1", "nope", {})
