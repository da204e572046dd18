"""What crmbridge ships for testing code built on it.

* ``FunctionToolset``: Python functions as tools, to drive an agent loop, an adapter or a wrapper in
  your tests without a CRM (the way httpx ships a mock transport).
* ``check_provider``: the conformance checks every built-in provider passes, for your own providers;
  see :mod:`crmbridge.testing.conformance` for the rules and a pytest recipe.
"""

from __future__ import annotations

from ..toolsets.functions import FunctionToolset
from .conformance import (
    CHECKS,
    RULES,
    Check,
    Rules,
    TokenCounter,
    check_aliases,
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
    "FunctionToolset",
    "Rules",
    "TokenCounter",
    "check_aliases",
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
