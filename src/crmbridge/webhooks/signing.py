"""Signatures as Stripe makes them: ``Crmbridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The HMAC key is the endpoint's secret (``whsec_…``) and the message is ``"<t>." + body``: the timestamp
is signed with the body, so a captured request cannot be replayed later than the receiver's tolerance.
Several ``v1`` entries may appear (during a secret rotation a receiver accepts any that matches).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from ..errors import CrmBridgeError

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "SignatureVerificationError",
    "sign",
    "verify_signature",
]

SIGNATURE_HEADER = "Crmbridge-Signature"
#: The delivery's id, the same on every retry: receivers dedupe on it.
DELIVERY_HEADER = "Crmbridge-Delivery"
EVENT_HEADER = "Crmbridge-Event"
#: Seconds a signature stays acceptable by default (Stripe's default too).
DEFAULT_TOLERANCE = 300


class SignatureVerificationError(CrmBridgeError):
    """A webhook request whose signature is missing, malformed, wrong or too old: reject it."""

    code = "invalid_signature"
    http_status = 400


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for ``body`` sent at ``timestamp`` (default: now)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},v1={_digest(secret, t, body)}"


def verify_signature(
    secret: str,
    header: str | None,
    body: bytes | str,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> int:
    """Check a delivery on the receiving side; returns the signed timestamp or raises
    :class:`SignatureVerificationError`. Pass the raw request body, byte for byte, as received."""
    raw = body.encode() if isinstance(body, str) else body
    if not header:
        raise SignatureVerificationError(f"The {SIGNATURE_HEADER} header is missing.")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureVerificationError("The signature's timestamp is not an integer.") from None
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureVerificationError(f"The {SIGNATURE_HEADER} header needs t=… and v1=… entries.")
    expected = _digest(secret, timestamp, raw)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureVerificationError("No v1 signature matches this body and secret.")
    current = time.time() if now is None else now
    if tolerance > 0 and abs(current - timestamp) > tolerance:
        raise SignatureVerificationError(
            f"The signature's timestamp is {abs(current - timestamp):.0f} s away from now "
            f"(tolerance {tolerance:.0f} s): a replay, or a clock out of sync."
        )
    return timestamp
