"""What crmbridge ships for testing code built on it: the provider conformance checks.

``from crmbridge.testing import check_provider`` runs on any :class:`~crmbridge.spec.Provider`, yours
included; see :mod:`crmbridge.testing.conformance` for the rules and a pytest recipe.
"""

from __future__ import annotations

from .conformance import (
    CHECKS,
    RULES,
    Check,
    Rules,
    TokenCounter,
    check_annotations,
    check_descriptions,
    check_examples,
    check_hooks,
    check_names,
    check_provider,
    check_strict_mode,
    check_token_budget,
    definition_text,
    free_form_maps,
    token_counter,
)

__all__ = [
    "CHECKS",
    "RULES",
    "Check",
    "Rules",
    "TokenCounter",
    "check_annotations",
    "check_descriptions",
    "check_examples",
    "check_hooks",
    "check_names",
    "check_provider",
    "check_strict_mode",
    "check_token_budget",
    "definition_text",
    "free_form_maps",
    "token_counter",
]
