"""The shortcuts that keep scrubbing off the request path's bill must not let a secret through: the JSON
formatter scrubs every field its record does not vouch for, and every message the log filter did not see."""

from __future__ import annotations

import json
import logging

from crmbridge.providers import default_catalog
from crmbridge.redaction import scrub
from crmbridge.server.middleware import TRUSTED_FIELDS, JsonLogFormatter

default_catalog(entry_points=False)  # registers the providers' token shapes


def _format(**extra: object) -> dict[str, object]:
    record = logging.LogRecord("crmbridge.server.access", logging.INFO, __file__, 1, "%s", ("x",), None)
    record.__dict__.update(extra)
    out: dict[str, object] = json.loads(JsonLogFormatter().format(record))
    return out


def test_fields_are_scrubbed_unless_the_record_vouches_for_them() -> None:
    secret = "Bearer abcdefgh12345678"
    entry = _format(request_id=secret, route=secret, **{TRUSTED_FIELDS: {"route"}})
    assert entry["request_id"] == scrub(secret) != secret
    assert entry["route"] == secret  # vouched for: left as it is
    assert _format(note=secret)["note"] == scrub(secret)


def test_a_message_the_filter_did_not_see_is_scrubbed_by_the_formatter() -> None:
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, "key %s", ("token=abcdef123456",), None
    )
    entry = json.loads(JsonLogFormatter().format(record))
    assert "abcdef123456" not in entry["message"]
    masked = logging.getLogger("crmbridge.test").makeRecord(
        "crmbridge.test", logging.INFO, __file__, 1, "key %s", ("token=abcdef123456",), None
    )
    assert "abcdef123456" not in json.loads(JsonLogFormatter().format(masked))["message"]
