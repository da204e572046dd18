"""Secrets are masked by value, not only by shape: a CRM (or a gateway in front of it) that echoes the
credential it was sent must not put it in front of the model, in an exception or in a log line.

The fake CRM below echoes whatever credential it receives into its error body (message, correlation id,
the name of the "invalid" field) and into a response header, for eleven credential shapes; the API key,
the OAuth access and refresh tokens and the client secret each take every shape in turn.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import string
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from crmbridge import Bridge
from crmbridge.engine import RetryPolicy
from crmbridge.errors import CrmBridgeError, InvalidInput
from crmbridge.vault import Vault


def _alnum(n: int) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


def _jwt() -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    sig = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': _alnum(12), 'iat': 1})}.{sig}"


#: Eleven shapes a credential takes in the wild; several look like nothing a shape pattern could know.
SHAPES: dict[str, Callable[[], str]] = {
    "uuid": lambda: str(uuid.uuid4()),
    "uppercase token": lambda: base64.b32encode(secrets.token_bytes(20)).decode(),
    "32 hex": lambda: secrets.token_hex(16),
    "64 hex": lambda: secrets.token_hex(32),
    "jwt": _jwt,
    "custom sk_live key": lambda: "sk_live_" + _alnum(24),
    "base64 with padding": lambda: base64.b64encode(secrets.token_bytes(25)).decode(),
    "short mixed": lambda: _alnum(12),
    "dotted custom key": lambda: f"key.{_alnum(10)}~{_alnum(6)}",
    "pipedrive oauth token": lambda: (
        f"{secrets.randbelow(10**8)}:{secrets.randbelow(10**8)}:{secrets.token_hex(32)}"
    ),
    "hubspot private-app token": lambda: f"pat-na1-{uuid.uuid4()}",
}

ECHO_HEADER = "x-echo-credential"


def _presented(request: httpx.Request) -> str:
    """The credential as the CRM received it, without the ``Bearer`` prefix (which shapes would catch)."""
    value = request.headers.get("authorization") or request.headers.get("x-api-token") or ""
    return value.removeprefix("Bearer ")


def _echoing_answer(request: httpx.Request) -> httpx.Response:
    """400 with the credential in the message, the error code, the correlation id, a field and a header."""
    credential = _presented(request)
    if "/api/" in request.url.path:  # Pipedrive's envelope
        body: dict[str, Any] = {
            "success": False,
            "error": f"Field {credential} is not valid for token {credential}",
            "code": credential,
        }
    else:  # HubSpot's
        detail = [{"isValid": False, "message": f"no such value {credential}", "name": credential}]
        body = {
            "status": "error",
            "message": f"Property values were not valid: {json.dumps(detail)}",
            "correlationId": credential,
            "category": "VALIDATION_ERROR",
        }
    return httpx.Response(400, json=body, headers={ECHO_HEADER: credential})


class EchoingCrm:
    """HubSpot or Pipedrive behind a gateway that echoes credentials, as an ``httpx.MockTransport``.

    The token endpoint issues ``access``/``refresh`` for a code; a refresh is refused with the refresh
    token and the client secret echoed in the error code; a ``bad`` code is refused the same way.
    """

    def __init__(self, access: str = "", refresh: str = "") -> None:
        self.access, self.refresh = access, refresh
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/oauth/v1/token"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            if form.get("grant_type") == "authorization_code" and form.get("code") != "bad":
                tokens = {"access_token": self.access, "refresh_token": self.refresh, "expires_in": 1800}
                return httpx.Response(200, json=tokens)
            echoed = form.get("refresh_token") or form.get("code")
            return httpx.Response(400, json={"error": f"{echoed} is not for client {form['client_secret']}"})
        if path.endswith("/token/introspect"):
            return httpx.Response(
                200, json={"active": True, "hub_id": 42, "scopes": ["crm.objects.contacts.read"]}
            )
        return _echoing_answer(request)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _bridge(tmp_path: Path, crm: EchoingCrm, clock: Clock | None = None) -> Bridge:
    return Bridge(
        database_url=f"sqlite:///{tmp_path}/bridge.db",
        data_dir=tmp_path,
        transport=crm.transport,
        retry=RetryPolicy(max_attempts=1),
        vault=Vault.from_string(Vault.generate_key()),
        clock=clock,
    )


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    for name in ("crmbridge", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def _everything_seen(
    results: list[Any], errors: list[BaseException], caplog: pytest.LogCaptureFixture
) -> str:
    """All a model, a developer or a log reader could see of these results, errors and log records."""
    seen = [caplog.text]
    for record in caplog.records:
        seen.append(record.getMessage())
        seen.append(logging.Formatter().format(record))
    for result in results:
        seen += [json.dumps(result.to_dict()), repr(result), str(result)]
    for error in errors:
        seen += [str(error), repr(error), repr(error.args)]
        if isinstance(error, CrmBridgeError):
            seen.append(json.dumps(error.to_dict()))
    return "\n".join(seen)


def _log_through_every_namespace(value: str) -> None:
    """What a careless log line would print: ours, httpx's and httpcore's, with a traceback too."""
    logging.getLogger("crmbridge.engine").warning("the CRM answered with %s", value)
    logging.getLogger("crmbridge").info(f"formatted before logging: {value}")
    logging.getLogger("httpx").info("HTTP Request: GET https://crm.example/x?k=%s", value)
    logging.getLogger("httpcore.http11").debug("send_request_headers.started value=%r", value)
    try:
        raise RuntimeError(f"a bug that carries {value}")
    except RuntimeError:
        logging.getLogger("crmbridge.engine").exception("tool failed")


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPES.keys())
@pytest.mark.parametrize("provider", ["hubspot", "pipedrive"])
def test_an_echoed_api_key_is_masked_everywhere(
    shape: str, provider: str, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    key = SHAPES[shape]()
    with _bridge(tmp_path, EchoingCrm()) as bridge:
        bridge.add_connection(provider, provider=provider, base_url=f"https://crm.example/{provider}")
        bridge.connect_api_key(connection_name=provider, identifier="u1", api_key=key, check=False)
        tool, args = (
            ("hubspot_contact_update", {"contact_id": "1", "properties": {"firstname": "Ann"}})
            if provider == "hubspot"
            else ("pipedrive_deal_update", {"deal_id": 1, "title": "Renewal"})
        )
        result = bridge.execute_tool(identifier="u1", tool_name=tool, tool_input=args)
        assert result.error is not None and result.error.code == "invalid_input", result
        raised = InvalidInput(f"the CRM says {key}", field=key, sent={"token": [key]})
        _log_through_every_namespace(key)
    seen = _everything_seen([result], [raised], logs)
    assert "[redacted]" in seen
    assert key not in seen


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPES.keys())
def test_echoed_oauth_tokens_and_client_secret_are_masked_everywhere(
    shape: str, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    access, refresh, client_secret = (SHAPES[shape]() for _ in range(3))
    crm, clock = EchoingCrm(access, refresh), Clock()
    with _bridge(tmp_path, crm, clock) as bridge:
        bridge.add_connection(
            "hubspot",
            provider="hubspot",
            base_url="https://crm.example/hubspot",
            client_id="client-1",
            client_secret=client_secret,
            redirect_uri="https://app.example/callback",
            token_url="https://crm.example/hubspot/oauth/v1/token",
            scopes=["crm.objects.contacts.read"],
        )
        errors: list[BaseException] = []

        def authorise(code: str) -> None:
            link = bridge.get_authorization_link(connection_name="hubspot", identifier="u1")
            state = parse_qs(httpx.URL(link).query.decode())["state"][0]
            bridge.complete_authorization(code=code, state=state, identifier="u1")

        with pytest.raises(CrmBridgeError) as refused:  # the code exchange echoes code and secret
            authorise("bad")
        errors.append(refused.value)
        authorise("good")
        read = bridge.execute_tool(
            identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": "1"}
        )
        assert read.error is not None and read.error.code == "invalid_input", read
        clock.now += 3600  # the refresh is refused, echoing the refresh token and the client secret
        stale = bridge.execute_tool(
            identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": "1"}
        )
        assert stale.error is not None, stale
        for value in (access, refresh, client_secret):
            errors.append(InvalidInput(f"the CRM says {value}", field=value))
            _log_through_every_namespace(value)
    seen = _everything_seen([read, stale], errors, logs)
    for name, value in {
        "access token": access,
        "refresh token": refresh,
        "client secret": client_secret,
    }.items():
        assert value not in seen, f"the {name} leaked"


def test_values_too_short_to_mask_safely_are_left_alone() -> None:
    """Masking a five-letter "key" would shred ordinary words; such keys are the developer's problem."""
    from crmbridge.redaction import remember_secrets, scrub

    remember_secrets(["abcde"])
    assert scrub("abcde fghij") == "abcde fghij"


def test_the_registry_keeps_no_value_only_hashes() -> None:
    from crmbridge import redaction

    value = SHAPES["custom sk_live key"]()
    redaction.remember_secrets([value])
    assert redaction.scrub(f"echo {value}!") == "echo [redacted]!"
    state = repr(vars(redaction._known)) + repr(redaction._known)
    assert value not in state and value[8:20] not in state


def test_a_calls_own_credentials_are_masked_even_when_nobody_remembered_them() -> None:
    """The engine masks each error with its call's credentials: no bound on the registry can evict those."""
    value = "never-remembered-" + _alnum(16)
    error = InvalidInput(f"bad {value}", field=value, sent=[{"nested": value}], request_id=value)
    assert value in repr(error)  # nothing knew it
    masked = error.masked([value, ""])
    assert value not in repr(masked) + json.dumps(masked.to_dict()) + str(masked.args)
    assert masked.code == error.code and value in error.message  # the original is untouched
    assert error.masked(["absent-" + _alnum(12)]) is error
