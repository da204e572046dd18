"""The conformance checks catch what they promise: a small provider that keeps every rule passes, and
each broken variant of one of its tools is reported by the right check, naming the tool."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest

from crmbridge.engine import DefaultHooks
from crmbridge.spec import Annotations, AuthSpec, Output, Provider, RateLimits, Recheck, Tool
from crmbridge.testing import (
    CHECKS,
    Check,
    Rules,
    check_aliases,
    check_annotations,
    check_descriptions,
    check_examples,
    check_hooks,
    check_names,
    check_provider,
    check_strict_mode,
    check_token_budget,
    free_form_maps,
)

READ = Annotations(read_only=True, idempotent=True)
ID = {"type": "object", "properties": {"contact_id": {"type": "string"}}, "required": ["contact_id"]}
CONTACT = {
    "type": "object",
    "properties": {"email": {"type": "string", "format": "email"}, "owner": {"type": "string"}},
    "required": ["email"],
    "additionalProperties": False,
}
FREE_FORM = {
    "type": "object",
    "properties": {"contact_id": {"type": "string"}, "properties": {"type": "object", "additionalProperties": {"type": "string"}}},
    "required": ["contact_id", "properties"],
}  # fmt: skip

GOOD_TOOLS = (
    Tool("acme_contact_get", "Read one contact by its id.", ID, "GET", "/contacts/{contact_id}", annotations=READ),
    Tool("acme_contacts_search", "Find contacts whose email matches.", CONTACT, "POST", "/contacts/search",
         annotations=READ, body="rest", output=Output("list", "results")),
    Tool("acme_contact_create", "Create a contact; the owner may be named.", CONTACT, "POST", "/contacts",
         body="rest", resolve={"owner": "owner"}, recheck=Recheck(("email",)), example={"email": "a@b.example"},
         aliases={"owner_id": "owner"}),
    Tool("acme_contact_update", "Set any properties of one contact.", FREE_FORM, "PATCH", "/contacts/{contact_id}",
         annotations=Annotations(idempotent=True), body="rest", prepare="upsert"),
    Tool("acme_contact_delete", "Delete one contact for good.", ID, "DELETE", "/contacts/{contact_id}",
         annotations=Annotations(destructive=True, idempotent=True), output=Output("deleted")),
)  # fmt: skip


async def _resolve(ctx: Any, value: Any, args: dict[str, Any]) -> Any:
    return value


async def _prepare(ctx: Any, tool: Tool, args: dict[str, Any]) -> dict[str, Any]:
    return args


class _Hooks(DefaultHooks):
    resolvers = {"owner": _resolve}
    preparers = {"upsert": _prepare}


def acme(*tools: Tool) -> Provider:
    return Provider(
        name="acme",
        display_name="Acme CRM",
        base_url="https://api.acme.example",
        auth=AuthSpec("https://acme.example/authorize", "https://acme.example/token", "authorization"),
        tools=tools or GOOD_TOOLS,
        hooks=_Hooks(),
        rate_limits=RateLimits("acme", "Acme CRM", ()),
    )


def changed(tool_name: str, /, **changes: Any) -> Provider:
    """The good provider with one tool changed."""
    return acme(*(dataclasses.replace(t, **changes) if t.name == tool_name else t for t in GOOD_TOOLS))


def count_characters(text: str) -> int:
    return len(text)


def test_a_provider_keeping_every_rule_has_no_problems() -> None:
    for check in CHECKS:
        if check is check_token_budget:
            assert check_token_budget(acme(), count_tokens=count_characters) == []
        else:
            assert check(acme()) == [], check.__name__
    assert check_provider(acme(), count_tokens=count_characters) == []


BROKEN: list[tuple[Check, Provider, str]] = [
    (check_names, changed("acme_contact_get", name="contact_get"), "does not start with 'acme_'"),
    (check_names, changed("acme_contact_get", name="acme_ContactGet"), "not snake case"),
    (check_names, changed("acme_contact_get", name="acme_contact_fetch"), "does not end with a verb"),
    (check_names, changed("acme_contact_get", name="acme_" + "very_" * 12 + "get"), "more than the 64"),
    (check_descriptions, changed("acme_contact_get", description="Get contact."), "2 word(s) says too little"),
    (check_descriptions, changed("acme_contact_get", description="x" * 201), "at most 200"),
    (check_descriptions, changed("acme_contact_get", description=" Read one contact by id. "), "white space"),
    (check_annotations, changed("acme_contact_get", annotations=Annotations(idempotent=True)), "says read-only"),
    (check_annotations, changed("acme_contact_create", annotations=READ), "says not read-only"),
    (check_annotations, changed("acme_contact_get", name="acme_contact_list", method="POST", path="/contacts"),
     "read-only but sends POST /contacts"),
    (check_annotations, changed("acme_contact_get", annotations=Annotations(read_only=True)), "not idempotent"),
    (check_annotations, changed("acme_contact_delete", annotations=Annotations(idempotent=True)),
     "DELETE with the verb 'delete' is destructive;"),
    (check_annotations, changed("acme_contact_update", annotations=Annotations(destructive=True, idempotent=True)),
     "is not destructive;"),
    (check_annotations, changed("acme_contact_update", method="PUT", annotations=Annotations()),
     "PUT is idempotent"),
    (check_annotations, changed("acme_contact_create", annotations=Annotations(idempotent=True)),
     "must be a non-idempotent POST"),
    (check_annotations, changed("acme_contact_get", method="FETCH"), "unknown HTTP method"),
    (check_hooks, changed("acme_contact_create", resolve={"owner": "user"}), "resolver 'user' is not registered"),
    (check_hooks, changed("acme_contact_create", resolve={"manager": "owner"}), "'manager', which is not an input"),
    (check_hooks, changed("acme_contact_update", prepare="merge"), "preparer 'merge' is not registered"),
    (check_hooks, changed("acme_contact_get", path="/contacts/{id}"), "placeholder {id} is not a required input"),
    (check_hooks, changed("acme_contact_get", query=("limit",)), "query field 'limit' is not an input field"),
    (check_aliases, changed("acme_contact_create", aliases={"mail": "e_mail"}), "'e_mail', which is not an input"),
    (check_aliases, changed("acme_contact_create", aliases={"owner": "email"}), "is an input field itself"),
    (check_aliases, changed("acme_contact_create", ignored=frozenset({"owner"})), "ignored 'owner' is an input"),
    (check_examples, changed("acme_contact_create", example={"email": 5}), "its example {'email': 5} is rejected"),
    (check_examples, changed("acme_contact_create", example={"email": "a@b.example", "colour": "red"}),
     "'colour' is not a known field"),
    (check_examples, changed("acme_contact_create", example={"email": "a@b.example", "owner": None}),
     "validation drops owner"),
    (check_examples, changed("acme_contact_get", input_schema={**ID, "properties": {"contact_id": {
        "type": "string", "pattern": "^C-[0-9]+$"}}}), "the generated example"),
    (check_strict_mode, changed("acme_contact_get", input_schema={"type": "object", "properties": 3}),
     "not valid JSON Schema"),
    (check_strict_mode, changed("acme_contact_get", input_schema={"type": "array"}), "must be of type object"),
]  # fmt: skip


@pytest.mark.parametrize(("check", "provider", "problem"), BROKEN, ids=[p for _, _, p in BROKEN])
def test_each_broken_rule_is_reported_by_its_check(check: Check, provider: Provider, problem: str) -> None:
    problems = check(provider)
    assert any(problem in p for p in problems), problems
    changed_tool = next(t.name for t in provider.tools if t not in acme().tools)
    assert all(p.startswith(f"{changed_tool}: ") for p in problems), problems


def test_a_duplicate_name_is_reported() -> None:
    # Provider refuses duplicates when it is built; a provider assembled some other way is still checked.
    provider = acme()
    object.__setattr__(provider, "tools", (*GOOD_TOOLS, GOOD_TOOLS[0]))
    assert check_names(provider) == ["acme_contact_get: declared twice"]


def test_free_form_maps_are_found_wherever_they_nest() -> None:
    schema: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "closed": {"type": "object", "properties": {"a": {"type": "string"}}},
            "values": {"type": "object", "additionalProperties": {"type": "string"}},
            "rows": {"type": "array", "items": {"type": "object"}},
            "either": {"anyOf": [{"type": "null"}, {"type": "object", "additionalProperties": True}]},
        },
    }
    assert free_form_maps(schema) == ["values", "rows[]", "either"]
    assert free_form_maps(FREE_FORM) == ["properties"]
    assert free_form_maps(ID) == []


def test_strict_mode_problems_come_from_the_variant_the_adapters_send(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crmbridge.testing import conformance

    assert check_strict_mode(acme()) == []  # acme_contact_update stays non-strict for its free-form map
    # A strict_schema that forgot its job: the variant is checked, not trusted.
    monkeypatch.setattr(conformance, "strict_schema", lambda schema: (dict(schema), True))
    problems = check_strict_mode(acme())
    assert "acme_contact_get: strict variant: (input) is not closed (additionalProperties: false)" in problems
    assert (
        "acme_contact_create: strict variant: (input).owner is optional but does not accept null" in problems
    )
    assert any(p.startswith("acme_contact_update: called strict despite free-form maps") for p in problems)
    monkeypatch.setattr(conformance, "strict_schema", lambda schema: (dict(schema), False))
    assert "acme_contact_get: has no free-form map, yet cannot be made strict" in check_strict_mode(acme())


def test_rules_can_widen_the_vocabulary() -> None:
    peek = changed("acme_contact_get", name="acme_contact_peek")
    assert check_annotations(peek) == [
        "acme_contact_peek: the verb 'peek' says not read-only, the annotation says otherwise"
    ]
    assert check_annotations(peek, Rules(read_verbs=frozenset({"get", "search", "peek"}))) == []


def test_token_budget_per_tool_and_on_average() -> None:
    tight = Rules(tool_token_max=200, mean_token_max=150)
    problems = check_token_budget(acme(), tight, count_tokens=count_characters)
    assert any(p.startswith("acme_contact_update: definition of") for p in problems), problems
    assert (
        problems[-1].startswith("acme: definitions average")
        and "largest: acme_contact_update" in problems[-1]
    )
    assert check_token_budget(acme(), count_tokens=count_characters) == []


def test_without_a_tokenizer_the_budget_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from crmbridge.testing import conformance

    monkeypatch.setattr(conformance, "token_counter", lambda: None)
    with pytest.raises(LookupError, match="tiktoken"):
        conformance.check_token_budget(acme())
    assert conformance.check_provider(changed("acme_contact_get", description="Get.")) == [
        "acme_contact_get: a description of 1 word(s) says too little (at least 3)"
    ]
