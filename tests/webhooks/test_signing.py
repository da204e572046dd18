"""Signatures checked against an independent HMAC computation, and the receiver-side verifier."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from crmbridge.webhooks import SignatureVerificationError, sign, verify_signature

SECRET = "whsec_test_secret"
BODY = b'{"data":{"x":1},"id":"whd_1","type":"account.status_changed"}'


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    header = sign(SECRET, BODY, timestamp=1_700_000_000)
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify_signature(SECRET, header, BODY, now=1_700_000_100) == 1_700_000_000


@pytest.mark.parametrize(
    ("header", "body", "secret", "now", "message"),
    [
        (None, BODY, SECRET, 1_700_000_000, "missing"),
        ("garbage", BODY, SECRET, 1_700_000_000, "needs t="),
        ("t=abc,v1=00", BODY, SECRET, 1_700_000_000, "not an integer"),
        (sign(SECRET, BODY, 1_700_000_000), BODY + b" ", SECRET, 1_700_000_000, "No v1 signature"),
        (sign(SECRET, BODY, 1_700_000_000), BODY, "whsec_other", 1_700_000_000, "No v1 signature"),
        (sign(SECRET, BODY, 1_700_000_000), BODY, SECRET, 1_700_000_301, "tolerance 300"),
    ],
)
def test_a_bad_signature_is_refused_with_the_reason(
    header: str | None, body: bytes, secret: str, now: float, message: str
) -> None:
    with pytest.raises(SignatureVerificationError, match=message) as info:
        verify_signature(secret, header, body, now=now)
    assert info.value.http_status == 400
    assert SECRET not in str(info.value)


def test_any_matching_v1_is_accepted_during_a_rotation() -> None:
    good = sign(SECRET, BODY, 1_700_000_000).split(",v1=")[1]
    header = f"t=1700000000,v1={'0' * 64},v1={good}"
    assert verify_signature(SECRET, header, BODY.decode(), now=1_700_000_000) == 1_700_000_000
