"""Signed, durable webhooks: one endpoint per tenant, deliveries retried with backoff for a day.

``Webhooks(store, runner)`` configures endpoints and emits events; ``verify_signature`` is for
receivers. See ``docs/decisions/016-webhook-signing-and-delivery.md``.
"""

from .backoff import Backoff
from .delivery import body_of
from .events import ACCOUNT_STATUS_CHANGED, event_types, register_event_type
from .service import DeliveryPage, EndpointConfig, Webhooks
from .signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    SignatureVerificationError,
    sign,
    verify_signature,
)

__all__ = [
    "ACCOUNT_STATUS_CHANGED",
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "Backoff",
    "DeliveryPage",
    "EndpointConfig",
    "SignatureVerificationError",
    "Webhooks",
    "body_of",
    "event_types",
    "register_event_type",
    "sign",
    "verify_signature",
]
