"""Every credential shape the CRMs issue is masked in error messages and details."""

from __future__ import annotations

import secrets
import uuid

import pytest

from crmbridge.errors import InvalidInput, scrub
from crmbridge.providers import default_catalog

SHAPES = {
    "hubspot private-app token": f"pat-na1-{uuid.uuid4()}",
    "hubspot access token": "CK" + secrets.token_urlsafe(96),
    "hubspot refresh token": f"na1-{uuid.uuid4()}",
    "pipedrive api token": secrets.token_hex(20),
    "pipedrive access token": f"13000001:20000001:{secrets.token_hex(32)}",
    "pipedrive refresh token": f"v1u:{secrets.token_urlsafe(48)}",
}


@pytest.fixture(autouse=True, scope="module")
def _crms_assembled() -> None:
    """Each CRM's credential shapes are masked once its provider joins a catalog, as in any runtime."""
    default_catalog()


@pytest.mark.parametrize("secret", SHAPES.values(), ids=SHAPES.keys())
def test_token_shapes_are_masked(secret: str) -> None:
    assert secret not in scrub(f"the CRM said no to {secret}.")
    error = InvalidInput(f"bad {secret}", field="x", sent=[{"token": secret}])
    assert secret not in repr(error) + str(error.to_dict())


def test_credentials_after_their_key_are_masked_and_ordinary_text_is_kept() -> None:
    assert scrub("GET /v1/x?hapikey=abc123def&limit=5") == "GET /v1/x?hapikey=[redacted]&limit=5"
    assert scrub('{"client_secret": "s3cr3t-value"}') == '{"client_secret": "[redacted]"}'
    text = "Property 'dealstage': 'Closed Won' is not a stage of pipeline 'default'."
    assert scrub(text) == text
