""" "Describe it": a plain-language goal → a proposed binding, offline and deterministic (no LLM).

It reads the operation from intent words (find, list, create, update, find or create), the object by
fuzzy match on object names and labels, filters from "by …" / "for the caller's …" / "created after" /
option labels ("in Closed Won"), the sort from "latest" / "oldest", the limit from a number, and written
fields from "with …" / "set … to …". What it proposes goes through the same validation as a hand-written
binding; when the goal does not say enough it asks instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz.utils import default_process

from ..discovery import SchemaIndex
from ..discovery.search import text_score
from ..spec import ObjectSchema, PropertySchema, SchemaSnapshot

__all__ = ["Proposal", "propose"]

#: Other words people use for an object (matched like its label).
SYNONYMS = {"person": ("contact", "people", "customer"), "contact": ("person", "people", "customer"),
            "organization": ("company", "org", "organisation", "account"),
            "company": ("organization", "organisation", "org", "account"), "deal": ("opportunity",),
            "activity": ("task", "to-do", "todo")}  # fmt: skip
_FOC = re.compile(r"\b(find[- ]or[- ]create|get[- ]or[- ]create|upsert|create (it )?if (it )?(doesn'?t|does not) exist|"
                  r"(find|look ?up)\b.*\b(or|otherwise|else) (create|add)|unless it exists|if missing)\b")  # fmt: skip
_UPDATE = re.compile(r"\b(update|change|modify|edit|set|mark|move)\b")
_CREATE = re.compile(r"\b(create|add|log|new|register|record|open)\b")
_MANY = re.compile(r"\b(list|all|every|show)\b")
_LATEST = re.compile(r"\b(latest|most recent|newest|last|recently created)\b")
_OLDEST = re.compile(r"\b(oldest|earliest|first created)\b")
_BY = re.compile(r"\b(?:by|using|via|matching|for the caller'?s|from the caller'?s|with the caller'?s|"
                 r"for (?:a|an|the) given|given)\s+(?:the\s+|their\s+|its\s+|a\s+|an\s+)?(?P<p>[\w' ]+?)"
                 r"(?=$|[,.;]| with | and set| sorted| created| updated| in | to |, )")  # fmt: skip
_WITH = re.compile(
    r"\b(?:with|including|and set)\s+(?:the\s+|a\s+|an\s+|their\s+)?(?P<p>[\w' ,]+?)(?=$|[.;]| by | for the caller)"
)
_SET = re.compile(
    r"\b(?:set|change|update|mark)\s+(?:the\s+|its\s+|their\s+)?(?P<p>[\w ]+?)\s+(?:to|as)\s+(?P<v>[\w \-]+?)(?=$|[,.;]| for | of | on | by )"
)
_DATE = re.compile(r"\b(?P<what>created|updated|modified|added|closed)\s+(?P<op>after|since|before)\b")
_NUMBER = re.compile(r"\b(\d{1,3})\b")
_WORDS = {"one": 1, "two": 2, "three": 3, "five": 5, "ten": 10, "twenty": 20}
_STOP = {"the", "a", "an", "of", "their", "its", "for", "to", "and", "or", "in"}


@dataclass(frozen=True)
class Proposal:
    binding: dict[str, Any] | None
    explanation: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skill: dict[str, Any] | None = None

    def with_skill(self, skill: dict[str, Any]) -> Proposal:
        return replace(self, skill=skill)

    def to_dict(self) -> dict[str, Any]:
        return {"binding": self.binding, "skill": self.skill, "explanation": self.explanation,
                "warnings": self.warnings}  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "value"


def _grams(words: list[str]) -> list[tuple[int, str]]:
    return [(i, " ".join(words[i : i + n])) for n in (1, 2, 3) for i in range(len(words) - n + 1)]


def _object(goal: str, snapshot: SchemaSnapshot) -> tuple[ObjectSchema | None, list[ObjectSchema]]:
    """The object the goal names (earliest strong mention wins); the runners-up for a question."""
    words = default_process(goal).split()
    scored: list[tuple[float, int, ObjectSchema]] = []
    for obj in snapshot.objects:
        names = {obj.name, obj.label, obj.plural_label} - {""}
        for n in list(names):
            names.update(SYNONYMS.get(n.lower().rstrip("s"), ()))
            names.update(SYNONYMS.get(n.lower(), ()))
        best, where = 0.0, 10**6
        for i, gram in _grams(words):
            for n in names:
                p = default_process(n)
                s = max(text_score(gram, p), text_score(gram, p.rstrip("s")) if len(p) > 3 else 0.0,
                        text_score(gram.rstrip("s"), p.rstrip("s")))  # fmt: skip
                if s >= 90 and (s > best or (s == best and i < where)):
                    best, where = s, i
        if best:
            scored.append((best, where, obj))
    scored.sort(key=lambda t: (t[1], -t[0], t[2].custom))
    return (scored[0][2] if scored else None), [t[2] for t in scored[1:4]]


def _property(index: SchemaIndex, obj: ObjectSchema, phrase: str, *, types: tuple[str, ...] = (),
              writable: bool = False) -> PropertySchema | None:  # fmt: skip
    phrase = " ".join(w for w in phrase.split() if w not in _STOP)
    if not phrase:
        return None
    for hit in index.search(phrase, object=obj.name, kinds=("property",), limit=12, min_score=72):
        prop = hit.property
        if prop is None or (types and prop.type not in types) or (writable and prop.read_only):
            continue
        return prop
    return None


def _date_property(index: SchemaIndex, obj: ObjectSchema, what: str) -> PropertySchema | None:
    query = {"created": "create date", "added": "create date", "updated": "last modified date",
             "modified": "last modified date", "closed": "close date"}[what]  # fmt: skip
    found = _property(index, obj, query, types=("date", "datetime"))
    if found is None and what in ("created", "added"):
        found = _property(index, obj, "created", types=("date", "datetime"))
    return found


def _option(index: SchemaIndex, obj: ObjectSchema, goal: str) -> tuple[PropertySchema, str, str] | None:
    """An option label the goal spells out ("in Closed Won", "as Customer")."""
    m = re.search(
        r"\b(?:in|as|with status|at|to)\s+(?:the\s+)?(?P<v>[\w \-]+?)(?:\s+stage)?(?=$|[,.;]| for | by | of )",
        goal,
    )
    if not m:
        return None
    for hit in index.search(m.group("v"), object=obj.name, kinds=("option",), limit=3, min_score=90):
        if hit.property is not None and hit.option is not None:
            return hit.property, hit.option[0], hit.option[1]
    return None


def _phrases(text: str) -> list[str]:
    return [p.strip() for p in re.split(r",|\band\b|\bor\b", text) if p.strip()]


def propose(goal: str, snapshot: SchemaSnapshot, index: SchemaIndex, *, name: str | None = None) -> Proposal:
    text = " ".join(goal.lower().split())
    explain: list[str] = []
    if not text:
        return Proposal(None, warnings=["Say what the skill should do, e.g. 'find a contact by email'."])
    obj, _others = _object(text, snapshot)
    if obj is None:
        names = ", ".join(o.label for o in snapshot.objects[:8])
        return Proposal(None, warnings=[f"Which object is this about? This account has {names}, …"])
    explain.append(f"Object: {obj.label} ({obj.name}), from the words of the goal.")
    if _FOC.search(text):
        op = "find_or_create"
    elif _UPDATE.search(text) and not re.search(r"\b(recently|last) (updated|modified)\b", text):
        op = "update"
    elif _CREATE.search(text) and not _MANY.search(text):
        op = "create"
    else:
        op = "search"
    explain.append(f"Operation: {op.replace('_', ' ')}.")
    filters, fields, warnings = [], [], []
    for m in _BY.finditer(text):
        for phrase in _phrases(m.group("p")):
            prop = _property(index, obj, phrase)
            if prop is None:
                warnings.append(f"No property of {obj.label} matches {phrase!r}; which one did you mean?")
                continue
            filters.append({"property": prop.key, "operator": "EQ", "from": _slug(prop.label)})
            explain.append(f"Filter: {prop.label} ({prop.key}) equals the input {_slug(prop.label)!r}.")
    for m in _DATE.finditer(text):
        prop = _date_property(index, obj, m.group("what"))
        if prop is not None:
            operator = "LT" if m.group("op") == "before" else "GT"
            filters.append(
                {"property": prop.key, "operator": operator, "from": f"{m.group('what')}_{m.group('op')}"}
            )
            explain.append(f"Filter: {prop.label} {operator} the input {m.group('what')}_{m.group('op')!r}.")
    if op == "search":
        option = _option(index, obj, text)
        if option is not None:
            prop, value, label = option
            filters.append({"property": prop.key, "operator": "EQ", "value": value})
            explain.append(f"Filter: {prop.label} is {label} ({value}).")
        return _search(obj, index, text, filters, explain, warnings, name)
    set_match = _SET.search(text)
    if set_match and op == "update":
        prop = _property(index, obj, set_match.group("p"), writable=True)
        value = set_match.group("v").strip()
        if prop is not None:
            chosen = next((o for o in prop.options if value in (o.label.lower(), o.value.lower())), None)
            if chosen is not None or prop.type != "enumeration":
                fields.append({"property": prop.key, "value": chosen.value if chosen else value})
                explain.append(f"Writes {prop.label} = {chosen.label if chosen else value}.")
    elif op == "update" and (option := _option(index, obj, text)) is not None:
        prop, value, label = option
        fields.append({"property": prop.key, "value": value})
        explain.append(f"Writes {prop.label} = {label} ({value}).")
    for m in _WITH.finditer(text):
        for phrase in _phrases(m.group("p")):
            prop = _property(index, obj, phrase, writable=True)
            if prop is None:
                warnings.append(f"No writable property of {obj.label} matches {phrase!r}.")
                continue
            if any(f["property"] == prop.key for f in fields + filters):
                continue
            fields.append({"property": prop.key, "from": _slug(prop.label)})
            explain.append(f"Writes {prop.label} ({prop.key}) from the input {_slug(prop.label)!r}.")
    return _write(obj, op, filters, fields, explain, warnings, name)


def _search(obj: ObjectSchema, index: SchemaIndex, text: str, filters: list[dict[str, Any]],
            explain: list[str], warnings: list[str], name: str | None) -> Proposal:  # fmt: skip
    binding: dict[str, Any] = {"kind": "restSearch", "object": obj.name, "filters": filters}
    many = bool(_MANY.search(text)) or bool(re.search(rf"\b{re.escape(obj.plural_label.lower())}\b", text)
                                            and not re.search(r"\b(a|an|the|one)\s", text))  # fmt: skip
    numbers = [int(n) for n in _NUMBER.findall(text)] + [
        v for w, v in _WORDS.items() if re.search(rf"\b{w}\b", text)
    ]
    limit = numbers[0] if numbers else None
    sort_dir = "DESCENDING" if _LATEST.search(text) else ("ASCENDING" if _OLDEST.search(text) else None)
    if sort_dir:
        updated = re.search(r"\b(recently|last) (updated|modified)\b", text)
        prop = _date_property(index, obj, "updated" if updated else "created")
        if prop is None:
            warnings.append(f"{obj.label} has no date to sort by; which property should order the results?")
        else:
            binding["sort"] = {"property": prop.key, "direction": sort_dir}
            explain.append(
                f"Sort: {prop.label} ({'newest' if sort_dir == 'DESCENDING' else 'oldest'} first)."
            )
    if limit is not None and limit > 1:
        many = True
    binding["result"] = "many" if many else "one"
    if many:
        binding["limit"] = min(limit or 10, 200)
        explain.append(f"Returns up to {binding['limit']} records.")
    elif not filters and "sort" not in binding:
        return Proposal(None, explain, [*warnings, f"Find which {obj.label}? Say by what, e.g. 'by email'."])
    what = "list" if many else ("latest" if sort_dir == "DESCENDING" else "find")
    by = "_".join(f["property"] for f in filters if "from" in f)[:30]
    binding["name"] = name or _slug(f"{what}_{obj.plural_label or obj.name}" + (f"_by_{by}" if by else ""))
    binding["description"] = (
        f"{what.capitalize()} {obj.plural_label or obj.name}"
        + (f" by {by.replace('_', ' ')}" if by else "")
        + "."
    )
    return Proposal(binding, explain, warnings)


def _write(obj: ObjectSchema, op: str, filters: list[dict[str, Any]], fields: list[dict[str, Any]],
           explain: list[str], warnings: list[str], name: str | None) -> Proposal:  # fmt: skip
    binding: dict[str, Any] = {"kind": "restWrite", "object": obj.name, "operation": op}
    if op == "find_or_create":
        if not filters:
            return Proposal(None, explain, [*warnings, f"Find the {obj.label} by what? Say e.g. 'by email'."])
        binding["match"] = [{"property": f["property"], "from": f["from"]} for f in filters if "from" in f]
    elif op == "update":
        binding["id"] = {"from": f"{_slug(obj.label)}_id"}
        explain.append(f"The record is named by its id, the input {_slug(obj.label)}_id.")
        if not fields:
            return Proposal(None, explain, [*warnings, f"Update which properties of the {obj.label}? Say e.g. "
                                                       "'set the stage to …' or 'with phone and email'."])  # fmt: skip
    given = {f["property"] for f in fields} | {m["property"] for m in binding.get("match", [])}
    if op != "update":
        for prop in obj.properties:
            if prop.required_on_create and prop.key not in given:
                fields.append({"property": prop.key, "from": _slug(prop.label)})
                explain.append(f"Writes {prop.label} ({prop.key}): the CRM needs it to create a {obj.label}.")
    binding["fields"] = fields
    binding["name"] = name or _slug(f"{op}_{obj.label}")
    binding["description"] = f"{op.replace('_', ' ').capitalize()} a {obj.label}."
    return Proposal(binding, explain, warnings)
