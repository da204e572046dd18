"""Errors: every credential shape the CRMs issue is masked, each class knows who acts and what a
server answers, typed context travels with the error, and raised and returned errors serialise alike."""

from __future__ import annotations

import secrets
import uuid

import pytest

from crmbridge import errors
from crmbridge.engine import ToolError, ToolResult
from crmbridge.errors import (
    InsufficientScope,
    InvalidInput,
    NotFound,
    RateLimited,
    ReauthorizationRequired,
    scrub,
)
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


# Typed context, audiences and one serialisation.

TREE = [
    (errors.CrmBridgeError, "developer", 500),
    (errors.InvalidInput, "model", 422),
    (errors.AmbiguousReference, "model", 422),
    (errors.NotFound, "model", 404),
    (errors.Conflict, "model", 409),
    (errors.OutcomeUnknown, "model", 502),
    (errors.InsufficientScope, "end_user", 403),
    (errors.OAuthSessionMismatch, "end_user", 403),
    (errors.ReauthorizationRequired, "end_user", 401),
    (errors.AuthFailed, "end_user", 401),
    (errors.RateLimited, "nobody", 429),
    (errors.ProviderUnavailable, "nobody", 503),
    (errors.StorageUnavailable, "nobody", 503),
    (errors.DeadlineExceeded, "nobody", 504),
    (errors.ProviderError, "developer", 502),
    (errors.InternalError, "developer", 500),
    (errors.ConfigurationError, "developer", 400),
    (errors.UnknownTool, "developer", 404),
    (errors.Unauthenticated, "developer", 401),
    (errors.PermissionDenied, "developer", 403),
]


def test_the_tree_covers_every_exported_error() -> None:
    exported = {
        value
        for value in map(vars(errors).get, errors.__all__)
        if isinstance(value, type) and issubclass(value, errors.CrmBridgeError)
    }
    assert exported == {cls for cls, _, _ in TREE}


@pytest.mark.parametrize(("cls", "audience", "http_status"), TREE, ids=[cls.__name__ for cls, _, _ in TREE])
def test_each_class_knows_who_acts_and_what_a_server_answers(
    cls: type[errors.CrmBridgeError], audience: str, http_status: int
) -> None:
    assert (cls.audience, cls.http_status) == (audience, http_status)
    # only waiting helps with what nobody has to act on
    assert cls.retryable is (audience == "nobody")


def test_typed_context_is_on_the_error_and_in_its_json() -> None:
    error = RateLimited("Slow down.", status=429, request_id="c0ffee-1", retry_after=2.5, provider="hubspot")
    assert (error.status, error.request_id, error.retry_after, error.provider) == (
        429,
        "c0ffee-1",
        2.5,
        "hubspot",
    )
    assert error.daily is False
    assert error.to_dict() == {
        "code": "rate_limited",
        "message": "Slow down.",
        "retryable": True,
        "status": 429,
        "request_id": "c0ffee-1",
        "retry_after": 2.5,
        "provider": "hubspot",
    }
    assert RateLimited("Come back tomorrow.", daily=True).to_dict()["daily"] is True


def test_unset_context_stays_out_of_the_json() -> None:
    error = InvalidInput("'email' is required.", field="email")
    assert error.status is None and error.request_id is None
    assert error.to_dict() == {
        "code": "invalid_input",
        "message": "'email' is required.",
        "retryable": False,
        "field": "email",
    }


def test_an_account_status_shows_as_status_unless_the_crm_answered_one() -> None:
    revoked = ReauthorizationRequired("Connect again.", account_status="REVOKED")
    assert revoked.status is None and revoked.details["status"] == "REVOKED"
    rejected = ReauthorizationRequired("Connect again.", account_status="ACTIVE", status=401)
    assert rejected.details["status"] == 401


def test_the_request_id_comes_first_in_str_and_is_scrubbed() -> None:
    assert str(NotFound("No deal 5.", request_id="c0ffee-1")) == "Request c0ffee-1: No deal 5."
    assert str(NotFound("No deal 5.")) == "No deal 5."
    secret = f"pat-na1-{uuid.uuid4()}"
    leaky = NotFound("No deal 5.", request_id=secret, provider=secret)
    assert secret not in str(leaky) + repr(leaky) + str(leaky.to_dict())


def test_details_cannot_be_changed_in_place() -> None:
    error = InvalidInput("Bad value.", field="email")
    with pytest.raises(TypeError):
        error.details["field"] = "name"  # type: ignore[index]


def test_with_details_returns_a_new_scrubbed_error_and_leaves_the_original_alone() -> None:
    secret = secrets.token_hex(20)
    original = InsufficientScope(
        "Missing a scope.", status=403, request_id="c0ffee-1", provider="hubspot", missing_scopes=["crm.x"]
    )
    linked = original.with_details(authorization_link=f"https://app.test/connect?api_token={secret}")
    assert type(linked) is InsufficientScope and linked is not original
    assert (linked.status, linked.request_id, linked.provider, linked.message) == (
        403,
        "c0ffee-1",
        "hubspot",
        "Missing a scope.",
    )
    assert linked.details["missing_scopes"] == ["crm.x"]
    assert secret not in linked.details["authorization_link"]
    assert "authorization_link" not in original.details
    assert str(linked) == str(original) == "Request c0ffee-1: Missing a scope."


def test_with_details_keeps_what_a_subclass_adds() -> None:
    class StateExpired(errors.CrmBridgeError):
        code = "state_expired"

        def __init__(self, state: str) -> None:
            super().__init__(f"State {state} expired.", state=state)

    assert StateExpired("s1").with_details(hint="start again").details == {
        "state": "s1",
        "hint": "start again",
    }
    daily = RateLimited("Tomorrow.", daily=True).with_details(limit="daily")
    assert daily.daily is True and daily.details["limit"] == "daily"
    revoked = ReauthorizationRequired("Connect.", account_status="REVOKED").with_details(
        authorization_link="x"
    )
    assert revoked.account_status == "REVOKED" and revoked.details["status"] == "REVOKED"


def test_typed_context_is_not_a_detail() -> None:
    with pytest.raises(TypeError, match="retry_after"):
        RateLimited("Slow down.").with_details(retry_after=3.0)


def test_a_tool_error_serialises_exactly_as_the_exception() -> None:
    error = errors.Conflict(
        "Contact already exists.", status=409, request_id="c0ffee-1", provider="hubspot", existing_id="42"
    )
    returned = ToolError.from_exception(error)
    assert returned.to_dict() == error.to_dict()
    assert (returned.code, returned.message, returned.retryable) == ("conflict", error.message, False)
    assert returned.details["existing_id"] == "42" and returned.details["request_id"] == "c0ffee-1"
    assert ToolResult("t", False, error=returned).to_dict() == {"ok": False, "error": error.to_dict()}
