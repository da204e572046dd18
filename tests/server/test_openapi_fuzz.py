"""schemathesis against the app's own ``/openapi.json``: every operation, valid and invalid inputs, with a
key that has every scope. No answer may be a server error, and every answer must be one the document
declares (status code and body schema) — so the OpenAPI document stays honest.

The app runs in-process on the test's event loop (through ``httpx.ASGITransport``, like every other
service test); hypothesis runs in a worker thread and hands each request back to the loop. The example
count is small and fixed (derandomized) so the run is quick and repeatable.
"""

from __future__ import annotations

from typing import Any

import anyio
import anyio.from_thread
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .route_table import protected
from .service_env import PUBLIC, SANDBOX, WEBHOOK, ServiceEnv

pytestmark = pytest.mark.anyio

EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 12}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Path values that exist, so a share of the examples reach the code behind the 404s.
DEAL_BY_TITLE = {
    "kind": "restSearch",
    "name": "deal_by_title",
    "object": "deals",
    "filters": [{"property": "title", "operator": "EQ", "from": "title"}],
    "result": "one",
}
KNOWN = {"integration": "pipedrive", "identifier": "u1", "tool_name": "pipedrive_deals_list"}
# A request each operation accepts (path values over KNOWN, and a body), so every one also answers with
# success and its success body is checked against the schema too.
ACCEPTED: dict[str, tuple[dict[str, str], Any]] = {
    "POST /tenants": ({}, {"name": "fuzzed"}),
    "POST /api-keys": ({}, {"scopes": ["tools:execute"], "name": "fuzz"}),
    "PUT /integrations/{integration}": ({}, {"auth": "api_key", "baseUrl": f"{SANDBOX}/pipedrive"}),
    "POST /integrations/{integration}/connect": ({"integration": "hubspot"}, {"identifier": "fz"}),
    "POST /tools/{tool_name}/execute": ({}, {"identifier": "u1", "input": {}}),
    "DELETE /integrations/{integration}/accounts/{identifier}": ({"identifier": "to-delete"}, None),
    "DELETE /integrations/{integration}": ({"integration": "to-delete"}, None),
    "PUT /webhooks": ({}, WEBHOOK),
    # The agent platform, on the `default` Pipedrive account (discovered in the test's set-up).
    "POST /agents/{agentId}/integrations/{integration}/pack/install": ({}, {"identifier": "default"}),
    "POST /agents/{agentId}/integrations/{integration}/bindings/auto": (
        {},
        {"goal": "find a deal by its title", "dryRun": True},
    ),
    "POST /agents/{agentId}/integrations/{integration}/bindings": (
        {},
        {"binding": DEAL_BY_TITLE | {"name": "deal_by_title_2"}, "dryRun": True},
    ),
    "POST /conversations/{conversationId}/verify": ({}, {"contactId": "1", "method": "otp"}),
    "POST /integrations/{integration}/discover": ({}, {"identifier": "default"}),
    "PATCH /integrations/{integration}/writeback": ({}, {"mode": "summary"}),
    "DELETE /agents/{agentId}/integrations/{integration}/bindings/{name}": ({"name": "deal_by_title"}, None),
}


def _httpx_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis serialises a case as `requests` arguments; httpx names a raw body `content`."""
    out = {k: v for k, v in kwargs.items() if k in ("method", "url", "headers", "params", "json")}
    data = kwargs.get("data")
    if isinstance(data, bytes | str):
        out["content"] = data
    elif data is not None:
        out["data"] = data
    if "files" in kwargs:
        out["files"] = kwargs["files"]
    return out


# Webhook deliveries run on DBOS's threads while hypothesis draws cases; a library there touching the global
# ``random`` trips hypothesis' check for strategies that use it, which is about those threads, not our cases.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
@pytest.mark.slow
@pytest.mark.timeout(300)  # ~35 s alone on 2 cores; several times that on a busy machine
async def test_every_operation_answers_as_its_schema_says(env: ServiceEnv) -> None:
    await env.hubspot_oauth()
    await env.pipedrive_api_key(identifier="u1")
    assert (await env.api.put("/webhooks", headers=env.headers(), json=WEBHOOK)).status_code == 200
    env.runtime.store.accounts.get_or_create("acme", "pipedrive", "to-delete")
    r = await env.api.put("/integrations/to-delete", headers=env.headers(), json={"provider": "pipedrive"})
    assert r.status_code == 200, r.text
    throwaway = env.tenants.create_key("acme", ["tools:execute"])[0]
    # The agent platform's routes need an agent with the pack installed and a discovered schema.
    await env.pipedrive_api_key(identifier="default")
    agents = env.runtime.tenant("acme").agents
    agent = await agents.acreate_agent("fuzz-agent")
    await agents.ainstall_pack(agent["id"], "pipedrive", identifier="default")
    found = await env.api.post("/integrations/pipedrive/discover", headers=env.headers(), json={})
    assert found.status_code == 200, found.text
    bound = await env.api.post(
        f"/agents/{agent['id']}/integrations/pipedrive/bindings",
        headers=env.headers(),
        json={"binding": DEAL_BY_TITLE},
    )
    assert bound.status_code == 201, bound.text
    conversation = agents.start_conversation(agent["id"], channel="voice", caller={"phone": "+14155550100"})
    KNOWN.update(agentId=agent["id"], name="find_contact", object="deals", conversationId=conversation["id"])
    accepted = {**ACCEPTED, "DELETE /api-keys/{key_id}": ({"key_id": throwaway.id}, None)}
    document = (await env.api.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    # Deletes last (deepest first), so what the other operations are pointed at still exists.
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: (op.method.lower() == "delete", -op.path.count("/")),
    )
    assert len(operations) >= 12
    auth = {"Authorization": f"Bearer {env.key}"}
    failures: list[str] = []
    seen: dict[str, set[int]] = {}

    async def send(kwargs: dict[str, Any]) -> httpx.Response:
        return await env.api.request(**_httpx_kwargs(kwargs))

    def examples(
        operation: Any, mode: GenerationMode, fixed: dict[str, str], body: Any = None, count: int = 0
    ) -> None:
        label = f"{operation.method.upper()} {operation.path}"
        extra = {} if body is None else {"body": body}

        @settings(
            max_examples=count or EXAMPLES[mode],
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed or None, **extra))
        def check(case: schemathesis.Case) -> None:
            kwargs = case.as_transport_kwargs(base_url=PUBLIC, headers=auth)
            response = anyio.from_thread.run(send, kwargs)
            seen.setdefault(label, set()).add(response.status_code)
            try:
                case.validate_response(response, checks=CHECKS, headers=auth)
            except Exception as exc:  # schemathesis' failures: AssertionError or a FailureGroup of them
                failures.append(f"{label} [{mode.value}] {response.status_code}: {exc}"[:1500])

        try:
            check()
        except Unsatisfiable:  # nothing to make invalid (an operation without inputs)
            assert mode is GenerationMode.NEGATIVE, label

    def fuzz() -> None:
        for operation in operations:
            known = {k: v for k, v in KNOWN.items() if f"{{{k}}}" in operation.path}
            for mode in EXAMPLES:
                examples(operation, mode, {})
                if known and mode is GenerationMode.POSITIVE:
                    examples(operation, mode, known)
            label = f"{operation.method.upper()} {operation.path}"
            values, body = accepted.get(label, ({}, None))
            examples(operation, GenerationMode.POSITIVE, {**known, **values}, body, count=3)

    await anyio.to_thread.run_sync(fuzz)
    assert failures == [], "\n\n".join(failures[:8]) + f"\n({len(failures)} failures)"
    # Every operation was exercised, and every one answered with success at least once.
    assert len(seen) == len(operations)
    never = [label for label, codes in seen.items() if not any(c < 300 for c in codes)]
    assert never == [], "\n".join(never)


async def test_the_document_declares_each_scope_and_problem_answer(env: ServiceEnv) -> None:
    document = (await env.api.get("/openapi.json")).json()
    for endpoint in protected(env.app):
        operation = document["paths"][endpoint.path][endpoint.method.lower()]
        assert operation["x-required-scope"] == endpoint.scope, endpoint
        assert f"`{endpoint.scope}`" in operation["description"]
        for status in ("401", "403", "422"):
            content = operation["responses"][status]["content"]
            assert list(content) == ["application/problem+json"], (endpoint, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]
