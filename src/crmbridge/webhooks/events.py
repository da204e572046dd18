"""The event types a webhook can subscribe to; features that emit new ones register them here."""

from __future__ import annotations

from ..errors import ConfigurationError

__all__ = ["ACCOUNT_STATUS_CHANGED", "event_types", "register_event_type", "validate_events"]

ACCOUNT_STATUS_CHANGED = "account.status_changed"

_TYPES: dict[str, str] = {
    ACCOUNT_STATUS_CHANGED: "A connected account changed status (ACTIVE, EXPIRED, REVOKED, ERROR…).",
}


def register_event_type(name: str, description: str) -> None:
    """Make ``name`` (``noun.verb``) subscribable, e.g. ``interaction.logged`` from interaction logging."""
    if "." not in name or not name.replace(".", "").replace("_", "").isalnum():
        raise ValueError(f"event type {name!r} must look like 'noun.verb'")
    _TYPES[name] = description


def event_types() -> dict[str, str]:
    return dict(_TYPES)


def validate_events(events: object) -> list[str]:
    """The events list, de-duplicated in order, or a ``ConfigurationError`` naming the allowed ones."""
    allowed = sorted(_TYPES)
    if isinstance(events, str) or not isinstance(events, list | tuple) or not events:
        raise ConfigurationError(
            f"events must be a non-empty list of event types; allowed: {', '.join(allowed)}.",
            field="events",
            allowed=allowed,
        )
    unknown = [e for e in events if e not in _TYPES]
    if unknown:
        raise ConfigurationError(
            f"Unknown event type(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(allowed)}.",
            field="events",
            allowed=allowed,
        )
    return list(dict.fromkeys(events))


def check_event(event: str) -> None:
    if event not in _TYPES:
        allowed = sorted(_TYPES)
        raise ConfigurationError(
            f"Unknown event type {event!r}; allowed: {', '.join(allowed)}.", field="event", allowed=allowed
        )
