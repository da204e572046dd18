"""Every operation the official clients offer for the endpoint families issue 15 named is served.

The operations are read from the clients themselves (the HubSpot Python SDK's API classes, the Pipedrive npm
client's generated v1/v2 API classes), so a client upgrade that adds an operation to one of these families
fails here until the sandbox serves it or it is listed below with the reason. "Served" means the sandbox
routes it and asks for credentials (401 without them); what each operation does is tested per family in
``tests/sandbox/hubspot`` and ``tests/sandbox/pipedrive``.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from .node import NODE_DIR

pytestmark = pytest.mark.anyio

Operation = tuple[str, str]  # (method, path template as the client writes it)

#: HubSpot SDK packages (under ``hubspot/crm``) whose every operation is in a named family.
HUBSPOT_FAMILIES = (
    "associations",  # v4 (basic, batch, labels, limits, usage report) and v3 (batch, types)
    "pipelines",
    "properties",
    "schemas",
    "owners",
    "contacts/basic_api",  # includes merge and GDPR delete
    "companies/basic_api",
    "deals/basic_api",
    "tickets/basic_api",
)

#: Operations of those families the sandbox does not serve, and why (the README's table says the same).
HUBSPOT_NOT_SERVED: dict[Operation, str] = {
    ("POST", "/crm/v4/associations/usage/high-usage-report/{userId}"): "usage reports are not modelled",
}

#: Pipedrive client API classes (``versions/<v>/api/<name>.js``) in the named families.
PIPEDRIVE_FAMILIES = (
    "v2/deals-api",
    "v2/deal-products-api",
    "v2/deal-installments-api",
    "v2/leads-api",
    "v2/deal-fields-api",
    "v2/person-fields-api",
    "v2/organization-fields-api",
    "v2/product-fields-api",
    "v2/activity-fields-api",
    "v2/project-fields-api",
    "v2/pipelines-api",
    "v2/stages-api",
    "v2/item-search-api",
    "v2/persons-api",
    "v2/organizations-api",
    "v2/products-api",
    "v2/activities-api",
    "v1/call-logs-api",
    "v1/notes-api",
    "v1/leads-api",
    "v1/deal-fields-api",
    "v1/person-fields-api",
    "v1/organization-fields-api",
    "v1/product-fields-api",
    "v1/activity-fields-api",
    "v1/lead-fields-api",
    "v1/note-fields-api",
    "v1/deals-api",  # followers, permittedUsers, duplicate; the rest is listed below
    "v1/persons-api",
    "v1/organizations-api",
    "v1/products-api",
    "v1/users-api",
    "v2/users-api",
)

PIPEDRIVE_NOT_SERVED: dict[tuple[str, str, str], str] = {
    ("v2", "GET", "/persons/{id}/picture"): "the sandbox stores no pictures",
    ("v2", "GET", "/products/{id}/images"): "the sandbox stores no images",
    ("v2", "POST", "/products/{id}/images"): "the sandbox stores no images",
    ("v2", "PUT", "/products/{id}/images"): "the sandbox stores no images",
    ("v2", "DELETE", "/products/{id}/images"): "the sandbox stores no images",
    ("v1", "POST", "/persons/{id}/picture"): "the sandbox stores no pictures",
    ("v1", "DELETE", "/persons/{id}/picture"): "the sandbox stores no pictures",
    **{
        ("v1", "GET", f"/{entity}/{{id}}/{what}"): reason
        for entity in ("deals", "persons", "organizations", "products")
        for what, reason in (
            ("files", "the sandbox stores no files"),
            ("mailMessages", "the sandbox has no mailbox"),
            ("changelog", "v1 change logs are not modelled (the v2 follower changelog is)"),
            ("flow", "v1 updates flows are not modelled"),
        )
        if (entity, what)
        not in {("products", "mailMessages"), ("products", "changelog"), ("products", "flow")}
    },
    **{
        ("v1", "PUT", f"/{entity}/{{id}}/merge"): "Pipedrive merges are not modelled"
        for entity in ("deals", "persons", "organizations")
    },
    **{
        ("v1", method, path): "deal participants are not modelled"
        for method, path in (
            ("GET", "/deals/{id}/participants"),
            ("POST", "/deals/{id}/participants"),
            ("DELETE", "/deals/{id}/participants/{deal_participant_id}"),
            ("GET", "/deals/{id}/participantsChangelog"),
        )
    },
    **{
        ("v1", "GET", path): "deprecated v1 deal lists with v2 equivalents or reports, not modelled"
        for path in (
            "/deals/archived",
            "/deals/summary",
            "/deals/summary/archived",
            "/deals/timeline",
            "/deals/timeline/archived",
        )
    },
    ("v1", "GET", "/persons/{id}/products"): "v1 nested lists are deprecated; v2 deal products serve it",
    ("v1", "GET", "/products/{id}/deals"): "v1 nested lists are deprecated; v2 deal products serve it",
    **{
        ("v1", method, path): "user administration (roles, permissions, user writes) is not modelled"
        for method, path in (
            ("POST", "/users"),
            ("PUT", "/users/{id}"),
            ("GET", "/users/{id}/permissions"),
            ("GET", "/users/{id}/roleAssignments"),
            ("GET", "/users/{id}/roleSettings"),
        )
    },
}

_SDK_CALL = re.compile(r'call_api\(\s*"([^"]+)",\s*"([A-Z]+)"')
_NODE_CALL = re.compile(r"localVarPath = `([^`]+)`.*?method: '([A-Z]+)'", re.S)


def hubspot_operations() -> list[Operation]:
    import hubspot

    root = Path(hubspot.__file__).parent / "crm"
    found: set[Operation] = set()
    for family in HUBSPOT_FAMILIES:
        package, _, api = family.rpartition("/")
        if (root / family).is_dir():  # a whole package
            files = sorted((root / family).rglob("*_api.py"))
        else:  # one API class of a package
            files = [f for f in [root / package / "api" / f"{api}.py"] if f.exists()]
        assert files, f"the SDK has no {family}: update HUBSPOT_FAMILIES"
        for file in files:
            found.update((method, path) for path, method in _SDK_CALL.findall(file.read_text()))
    return sorted(found)


def pipedrive_operations() -> list[tuple[str, str, str]]:
    root = NODE_DIR / "node_modules" / "pipedrive" / "dist" / "versions"
    found: set[tuple[str, str, str]] = set()
    for family in PIPEDRIVE_FAMILIES:
        version, name = family.split("/")
        file = root / version / "api" / f"{name}.js"
        assert file.exists(), f"the client has no {family}: update PIPEDRIVE_FAMILIES"
        found.update((version, method, path) for path, method in _NODE_CALL.findall(file.read_text()))
    return sorted(found)


def concrete(path: str) -> str:
    """A template with its parameters filled in the way a real call would."""
    path = path.replace("{objectType}", "contacts").replace("{fromObjectType}", "contacts")
    path = path.replace("{toObjectType}", "companies")
    return re.sub(r"\{[^}]+\}", "1", path)


async def served(client: httpx.AsyncClient, method: str, url: str) -> bool:
    r = await client.request(method, url, json={} if method in ("POST", "PUT", "PATCH") else None)
    return r.status_code == 401


async def test_hubspot_families_are_served(client: httpx.AsyncClient) -> None:
    operations = hubspot_operations()
    assert len(operations) >= 40, operations  # the families really were read
    assert not await served(client, "GET", "/hubspot/crm/v3/no-such-family/1")  # the check can say no
    missing = [
        f"{method} {path}"
        for method, path in operations
        if (method, path) not in HUBSPOT_NOT_SERVED
        and not await served(client, method, "/hubspot" + concrete(path))
    ]
    assert missing == [], f"served by the SDK, not by the sandbox: {missing}"
    stale = [op for op in HUBSPOT_NOT_SERVED if await served(client, op[0], "/hubspot" + concrete(op[1]))]
    assert stale == [], f"listed as not served but served: {stale}"


async def test_pipedrive_families_are_served(client: httpx.AsyncClient, node: str) -> None:
    # ``node``: the client's npm package is there (skips without it, fails under CI)
    operations = pipedrive_operations()
    assert len(operations) >= 120, operations
    assert not await served(client, "GET", "/pipedrive/api/v2/no-such-family/1")
    prefix = {"v1": "/pipedrive/v1", "v2": "/pipedrive/api/v2"}
    missing = [
        f"{version} {method} {path}"
        for version, method, path in operations
        if (version, method, path) not in PIPEDRIVE_NOT_SERVED
        and not await served(client, method, prefix[version] + concrete(path))
    ]
    assert missing == [], f"served by the client, not by the sandbox: {missing}"
    stale = [
        op for op in PIPEDRIVE_NOT_SERVED if await served(client, op[1], prefix[op[0]] + concrete(op[2]))
    ]
    assert stale == [], f"listed as not served but served: {stale}"
