""" "Describe it": a plain-language goal → a proposed binding, offline and deterministic (no LLM).

It reads the operation from intent words (find, list, create, update, find or create), the object by
fuzzy match on object names, labels and a few synonyms, filters from "by …" / "for the caller's …",
"created after", "amount over 1000" and option labels ("in Closed Won"), the sort from "latest" /
"oldest", the limit from a number, and written fields from "with …", "set … to …" and "update the … of".
What it proposes goes through the same validation as a hand-written binding; when the goal does not say
enough it asks instead of guessing.
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
SYNONYMS = {"person": ("contact", "people"), "contact": ("person", "people"),
            "organization": ("company", "org", "organisation", "account"),
            "company": ("organization", "organisation", "org", "account"), "deal": ("opportunity",),
            "activity": ("task", "to-do", "todo")}  # fmt: skip
_FOC = re.compile(r"\b(find[- ]or[- ]create|get[- ]or[- ]create|upsert|create (it )?if (it )?(doesn'?t|does not) "
                  r"exist|(find|look ?up)\b.*\b(or|otherwise|else) (create|add)|unless it exists|if missing)\b")  # fmt: skip
_UPDATE = re.compile(r"\b(update|change|modify|edit|set|mark|move)\b")
_CREATE = re.compile(r"\b(create|add|log|new|register|record|open)\b")
_MANY = re.compile(r"\b(list|all|every|show)\b")
_LATEST = re.compile(r"\b(latest|most recent|newest|last|recently (created|added|updated|modified))\b")
_OLDEST = re.compile(r"\b(oldest|earliest|first created)\b")
_BY = re.compile(r"\b(?:by|using|via|matching|for the caller'?s|from the caller'?s|with the caller'?s|"
                 r"for (?:a|an|the) given|given)\s+(?:the\s+|their\s+|its\s+|a\s+|an\s+|his\s+|her\s+)?"
                 r"(?P<p>[\w' ]+?)(?=$|[,.;]| with | sorted| created| updated| added| in | to | newest| oldest)")  # fmt: skip
_WITH = re.compile(
    r"\b(?:with|including)\s+(?:the\s+|a\s+|an\s+|their\s+|its\s+)?(?P<p>[\w' ,]+?)(?=$|[.;]| by | for )"
)
_SET = re.compile(
    r"\b(?:set|change|mark|move)\s+(?P<p>[\w' ]*?)\s*\b(?:to|as)\s+(?P<v>[\w \-]+?)(?=$|[,.;]| for | by )"
)
_UPDATE_WHAT = re.compile(
    r"\b(?:update|change|edit|modify)\s+(?P<p>[\w' ,]+?)(?=$|[.;]| by | for | with | from | using )"
)
_DATE = re.compile(r"\b(?P<what>created|updated|modified|added|closed)\s+(?P<op>after|since|before)\b")
_COMPARE = re.compile(r"\b(?P<p>[a-z][\w ]*?)\s+(?P<c>over|above|more than|greater than|at least|under|below|"
                      r"less than|at most)\s+(?P<n>\d+(?:\.\d+)?)")  # fmt: skip
_COMPARATORS = {"over": "GT", "above": "GT", "more than": "GT", "greater than": "GT", "at least": "GTE",
                "under": "LT", "below": "LT", "less than": "LT", "at most": "LTE"}  # fmt: skip
_NUMBER = re.compile(r"\b(\d{1,3})\b")
_WORDS = {"one": 1, "two": 2, "three": 3, "five": 5, "ten": 10, "twenty": 20}
_STOP = {"the", "a", "an", "of", "their", "its", "for", "to", "and", "or", "in", "his", "her", "new", "s",
         "record", "records", "field", "property"}  # fmt: skip


@dataclass(frozen=True)
class Proposal:
    binding: dict[str, Any] | None
    explanation: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skill: dict[str, Any] | None = None

    def with_skill(self, skill: dict[str, Any]) -> Proposal:
        return replace(self, skill=skill)

    def refused(self, reasons: list[str]) -> Proposal:
        return replace(self, binding=None, warnings=[*self.warnings, *reasons])

    def to_dict(self) -> dict[str, Any]:
        return {"binding": self.binding, "skill": self.skill, "explanation": self.explanation,
                "warnings": self.warnings}  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "value"


def _names(obj: ObjectSchema) -> set[str]:
    names = {default_process(n) for n in (obj.name, obj.label, obj.plural_label) if n}
    for n in list(names):
        names.update(SYNONYMS.get(n, ()))
        names.update(SYNONYMS.get(n.rstrip("s"), ()))
    return names


def _object(text: str, snapshot: SchemaSnapshot) -> ObjectSchema | None:
    """The object the goal names: the earliest strong mention wins."""
    words = default_process(text).split()
    grams = [(i, " ".join(words[i : i + n])) for n in (1, 2) for i in range(len(words) - n + 1)]
    scored: list[tuple[int, float, ObjectSchema]] = []
    for obj in snapshot.objects:
        best, where = 0.0, 10**6
        for i, gram in grams:
            for n in _names(obj):
                s = max(text_score(gram, n), text_score(gram.rstrip("s"), n.rstrip("s")))
                if s >= 90 and (i < where or (i == where and s > best)):
                    best, where = s, i
        if best:
            scored.append((where, -best, obj))
    scored.sort(key=lambda t: (t[0], t[1], t[2].custom))
    return scored[0][2] if scored else None


def _clean(phrase: str, obj: ObjectSchema) -> str:
    """A property phrase without articles, possessives and the object's own name."""
    names = _names(obj) | {n.rstrip("s") for n in _names(obj)}
    words = default_process(phrase.replace("'s", " ")).split()
    return " ".join(w for w in words if w not in _STOP and w not in names)


def _property(index: SchemaIndex, obj: ObjectSchema, phrase: str, *, types: tuple[str, ...] = (),
              writable: bool = False) -> PropertySchema | None:  # fmt: skip
    cleaned = _clean(phrase, obj)
    if not cleaned:
        return None
    for hit in index.search(cleaned, object=obj.name, kinds=("property",), limit=12, min_score=72):
        prop = hit.property
        if prop is None or (types and prop.type not in types) or (writable and prop.read_only):
            continue
        return prop
    return None


def _date_property(obj: ObjectSchema, what: str) -> PropertySchema | None:
    """The object's creation (or update, or close) date: the best-named date property."""
    queries = {"created": ("create date", "created", "add time"), "added": ("create date", "created", "add time"),
               "updated": ("last modified date", "update time"), "modified": ("last modified date", "update time"),
               "closed": ("close date", "closed")}[what]  # fmt: skip
    best: tuple[float, PropertySchema] | None = None
    for prop in obj.properties:
        if prop.type not in ("date", "datetime"):
            continue
        texts = (default_process(prop.label), default_process(prop.key.replace("_", " ")))
        score = max(text_score(q, t) for q in queries for t in texts)
        if best is None or score > best[0]:
            best = (score, prop)
    return best[1] if best and best[0] >= 70 else None


def _option_in(text: str, obj: ObjectSchema) -> tuple[PropertySchema, str, str] | None:
    """The longest option label spelt out in ``text`` ("in Closed Won", "high priority tickets")."""
    names = _names(obj)
    best: tuple[int, PropertySchema, str, str] | None = None
    for prop in obj.properties:
        if prop.type != "enumeration" or prop.read_only:
            continue
        for o in prop.options:
            label = o.label.lower()
            if len(label) < 3 or label in names or label.rstrip("s") in names or label in _STOP:
                continue
            if re.search(rf"\b{re.escape(label)}s?\b", text) and (best is None or len(label) > best[0]):
                best = (len(label), prop, o.value, o.label)
    return None if best is None else best[1:]


def _phrases(text: str) -> list[str]:
    return [p.strip() for p in re.split(r",|\band\b|\bor\b", text) if p.strip()]


class _Plan:
    def __init__(self, goal: str, snapshot: SchemaSnapshot, index: SchemaIndex, obj: ObjectSchema) -> None:
        self.text, self.snapshot, self.index, self.obj = goal, snapshot, index, obj
        self.explain: list[str] = [f"Object: {obj.label} ({obj.name}), from the words of the goal."]
        self.warnings: list[str] = []
        self.filters: list[dict[str, Any]] = []
        self.fields: list[dict[str, Any]] = []
        self.used: list[str] = []  # spans already read as something, kept out of option matching

    def by_filters(self) -> None:
        for m in _BY.finditer(self.text):
            self.used.append(m.group(0))
            for phrase in _phrases(m.group("p")):
                prop = _property(self.index, self.obj, phrase)
                if prop is None:
                    self.warnings.append(
                        f"No property of {self.obj.label} matches {phrase!r}; which one did you mean?"
                    )
                    continue
                self.filters.append({"property": prop.key, "operator": "EQ", "from": _slug(prop.label)})
                self.explain.append(
                    f"Filter: {prop.label} ({prop.key}) equals the input {_slug(prop.label)!r}."
                )

    def date_filters(self) -> None:
        for m in _DATE.finditer(self.text):
            self.used.append(m.group(0))
            prop = _date_property(self.obj, m.group("what"))
            if prop is None:
                self.warnings.append(f"{self.obj.label} has no {m.group('what')} date to filter on.")
                continue
            operator, name = (
                ("LT" if m.group("op") == "before" else "GT"),
                f"{m.group('what')}_{m.group('op')}",
            )
            self.filters.append({"property": prop.key, "operator": operator, "from": name})
            self.explain.append(f"Filter: {prop.label} {operator} the input {name!r}.")

    def comparisons(self) -> None:
        for m in _COMPARE.finditer(self.text):
            words = _clean(m.group("p"), self.obj).split()[-2:]
            prop = _property(self.index, self.obj, " ".join(words), types=("number",)) if words else None
            if prop is None:
                continue
            self.used.append(m.group(0))
            operator = _COMPARATORS[m.group("c")]
            self.filters.append({"property": prop.key, "operator": operator, "value": float(m.group("n"))})
            self.explain.append(f"Filter: {prop.label} {operator} {m.group('n')}.")

    def option_filter(self) -> None:
        rest = self.text
        for span in self.used:
            rest = rest.replace(span, " ")
        found = _option_in(rest, self.obj)
        if found is not None and not any(f["property"] == found[0].key for f in self.filters):
            prop, value, label = found
            self.filters.append({"property": prop.key, "operator": "EQ", "value": value})
            self.explain.append(f"Filter: {prop.label} is {label} ({value}).")

    def set_fields(self) -> None:
        for m in _SET.finditer(self.text):
            value = m.group("v").strip()
            prop = _property(self.index, self.obj, m.group("p"), writable=True)
            option = None
            if prop is None:  # "mark a deal as Closed Won": the value names an option
                hits = self.index.search(
                    value, object=self.obj.name, kinds=("option",), limit=3, min_score=88
                )
                hit = next((h for h in hits if h.property is not None and not h.property.read_only), None)
                if hit is None or hit.option is None or hit.property is None:
                    continue
                prop, option = hit.property, hit.option
            elif prop.options:
                chosen = next((o for o in prop.options if value in (o.label.lower(), o.value.lower())), None)
                if chosen is None:
                    self.warnings.append(f"{value!r} is not an option of {prop.label}.")
                    continue
                option = (chosen.value, chosen.label)
            self.fields.append({"property": prop.key, "value": option[0] if option else value})
            self.explain.append(f"Writes {prop.label} = {option[1] if option else value}.")

    def named_fields(self, pattern: re.Pattern[str]) -> None:
        for m in pattern.finditer(self.text):
            for phrase in _phrases(m.group("p").split(" of ")[0]):
                prop = _property(self.index, self.obj, phrase, writable=True)
                if prop is None:
                    if _clean(phrase, self.obj):
                        self.warnings.append(f"No writable property of {self.obj.label} matches {phrase!r}.")
                    continue
                if any(f["property"] == prop.key for f in self.fields + self.filters):
                    continue
                self.fields.append({"property": prop.key, "from": _slug(prop.label)})
                self.explain.append(f"Writes {prop.label} ({prop.key}) from the input {_slug(prop.label)!r}.")


def propose(goal: str, snapshot: SchemaSnapshot, index: SchemaIndex, *, name: str | None = None) -> Proposal:
    text = " ".join(goal.lower().split())
    if not text:
        return Proposal(None, warnings=["Say what the skill should do, e.g. 'find a contact by email'."])
    obj = _object(text, snapshot)
    if obj is None:
        names = ", ".join(o.plural_label or o.label for o in snapshot.objects[:8])
        return Proposal(None, warnings=[f"Which object is this about? This account has {names}, …"])
    plan = _Plan(text, snapshot, index, obj)
    if _FOC.search(text):
        op = "find_or_create"
    elif _UPDATE.search(text):
        op = "update"
    elif _CREATE.search(text) and not _MANY.search(text):
        op = "create"
    else:
        op = "search"
    plan.explain.append(f"Operation: {op.replace('_', ' ')}.")
    plan.by_filters()
    plan.date_filters()
    if op == "search":
        plan.comparisons()
        plan.option_filter()
        return _search(plan, name)
    if op == "update":
        plan.set_fields()
        plan.named_fields(_UPDATE_WHAT)
    plan.named_fields(_WITH)
    return _write(plan, op, name)


def _search(plan: _Plan, name: str | None) -> Proposal:
    obj, text = plan.obj, plan.text
    binding: dict[str, Any] = {"kind": "restSearch", "object": obj.name, "filters": plan.filters}
    plural = (obj.plural_label or obj.name).lower()
    many = bool(_MANY.search(text)) or (bool(re.search(rf"\b{re.escape(plural)}\b", text))
                                        and not re.search(r"\b(a|an|one|the)\s", text))  # fmt: skip
    bare = text
    for span in plan.used:
        bare = bare.replace(span, " ")
    numbers = [int(n) for n in _NUMBER.findall(bare)] + [
        v for w, v in _WORDS.items() if re.search(rf"\b{w}\b", bare)
    ]
    direction = "DESCENDING" if _LATEST.search(text) else ("ASCENDING" if _OLDEST.search(text) else None)
    if direction:
        updated = re.search(r"\b(recently|last) (updated|modified)\b", text)
        prop = _date_property(obj, "updated" if updated else "created")
        if prop is None:
            plan.warnings.append(
                f"{obj.label} has no date to sort by; which property should order the results?"
            )
        else:
            binding["sort"] = {"property": prop.key, "direction": direction}
            plan.explain.append(
                f"Sort: {prop.label}, {'newest' if direction == 'DESCENDING' else 'oldest'} first."
            )
    if numbers and numbers[0] > 1:
        many = True
    binding["result"] = "many" if many else "one"
    if many:
        binding["limit"] = min(numbers[0] if numbers else 10, 200)
        plan.explain.append(f"Returns up to {binding['limit']} records, and says when more matched.")
    elif not plan.filters and "sort" not in binding:
        return Proposal(
            None, plan.explain, [*plan.warnings, f"Find which {obj.label}? Say by what, e.g. 'by email'."]
        )
    what = "list" if many else ("latest" if direction == "DESCENDING" else "find")
    by = "_".join(_slug(f["from"]) for f in plan.filters if "from" in f)[:30]
    binding["name"] = name or _slug(f"{what}_{obj.plural_label or obj.name}" + (f"_by_{by}" if by else ""))
    binding["description"] = (
        f"{what.capitalize()} {obj.plural_label or obj.name}"
        + (f" by {by.replace('_', ' ')}" if by else "")
        + "."
    )
    return Proposal(binding, plan.explain, plan.warnings)


def _write(plan: _Plan, op: str, name: str | None) -> Proposal:
    obj, fields = plan.obj, plan.fields
    binding: dict[str, Any] = {"kind": "restWrite", "object": obj.name, "operation": op}
    if op == "find_or_create":
        match = [
            {"property": f["property"], "from": f["from"]} for f in plan.filters if f.get("operator") == "EQ"
        ]
        if not match:
            return Proposal(
                None, plan.explain, [*plan.warnings, f"Find the {obj.label} by what? Say e.g. 'by email'."]
            )
        binding["match"] = match
        fields[:] = [f for f in fields if f["property"] not in {m["property"] for m in match}]
    elif op == "update":
        binding["id"] = {"from": f"{_slug(obj.label)}_id"}
        plan.explain.append(f"The record is named by its id, the input {_slug(obj.label)}_id.")
        if not fields:
            return Proposal(None, plan.explain, [*plan.warnings, f"Update which properties of the {obj.label}? "
                                                                 "Say e.g. 'set the stage to …' or 'update its phone'."])  # fmt: skip
    elif plan.filters:
        plan.warnings.append("A create has no filters: the 'by …' part was ignored.")
    given = {f["property"] for f in fields} | {m["property"] for m in binding.get("match", [])}
    if op != "update":
        for prop in obj.properties:
            if prop.required_on_create and prop.key not in given:
                fields.append({"property": prop.key, "from": _slug(prop.label)})
                plan.explain.append(
                    f"Writes {prop.label} ({prop.key}): the CRM needs it to create a {obj.label}."
                )
    binding["fields"] = fields
    binding["name"] = name or _slug(f"{op}_{obj.label}")
    binding["description"] = f"{op.replace('_', ' ').capitalize()} a {obj.label}."
    return Proposal(binding, plan.explain, plan.warnings)
