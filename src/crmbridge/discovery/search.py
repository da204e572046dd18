"""Ranked, typo-tolerant search over one snapshot: objects, properties, option labels and descriptions.

Names and labels count most, option labels a little less, descriptions least (they are long and match
everything a bit). An exact name or label beats any fuzzy hit, so "vin" finds the VIN property before
"province"; typos ("renewl date") still land on the label they meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from ..spec import ObjectSchema, PropertySchema, SchemaSnapshot

__all__ = ["Hit", "SchemaIndex"]

Kind = Literal["object", "property", "option"]
_WEIGHT = {"name": 1.0, "option": 0.92, "description": 0.75}


@dataclass(frozen=True, slots=True)
class Hit:
    kind: Kind
    score: float
    object: ObjectSchema
    property: PropertySchema | None = None
    option: tuple[str, str] | None = None  # (value, label)
    matched: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "score": round(self.score, 1),
            "object": self.object.name,
            "objectLabel": self.object.label,
            "custom": self.object.custom,
            "matched": self.matched,
        }
        if self.property is not None:
            out.update(property=self.property.key, label=self.property.label, type=self.property.type)
            if self.property.custom:
                out["customProperty"] = True
        if self.option is not None:
            out["option"] = {"value": self.option[0], "label": self.option[1]}
        return out


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: Kind
    text: str  # processed
    raw: str
    weight: float
    object: ObjectSchema
    property: PropertySchema | None = None
    option: tuple[str, str] | None = None


def text_score(query: str, text: str) -> float:
    """0 to 100: how well ``text`` (already processed) answers ``query`` (already processed)."""
    if not query or not text:
        return 0.0
    if query == text:
        return 100.0
    best = max(fuzz.ratio(query, text), 0.96 * fuzz.token_sort_ratio(query, text))
    if len(query) >= 3 and len(query) <= len(text):  # the query inside a longer name: "vin" in "vin_number"
        best = max(best, 0.88 * fuzz.partial_ratio(query, text))
    if len(query) >= 3:
        best = max(best, 0.9 * fuzz.token_set_ratio(query, text))
    return float(best)


def _words(key: str) -> str:
    return key.replace("_", " ")


class SchemaIndex:
    """Built once per snapshot version; searching costs a few milliseconds."""

    def __init__(self, snapshot: SchemaSnapshot) -> None:
        self.snapshot = snapshot
        entries: list[_Entry] = []

        def add(kind: Kind, raw: str, weight: float, obj: ObjectSchema, **more: Any) -> None:
            processed = default_process(raw)
            if processed:
                entries.append(_Entry(kind, processed, raw, weight, obj, **more))

        for obj in snapshot.objects:
            for text in {obj.name, obj.label, obj.plural_label} - {""}:
                add("object", text, _WEIGHT["name"], obj)
            for prop in obj.properties:
                for text in {
                    prop.label,
                    prop.key if prop.custom and len(prop.key) >= 40 else _words(prop.key),
                }:
                    add("property", text, _WEIGHT["name"], obj, property=prop)
                if prop.description:
                    add("property", prop.description, _WEIGHT["description"], obj, property=prop)
                for option in prop.options:
                    add("option", option.label, _WEIGHT["option"], obj, property=prop,
                        option=(option.value, option.label))  # fmt: skip
        self._entries = entries

    def search(
        self, query: str, *, limit: int = 20, kinds: tuple[Kind, ...] = (), object: str | None = None,
        min_score: float = 60.0,
    ) -> list[Hit]:  # fmt: skip
        """The best hits, best first; one hit per object, property or option (its best text)."""
        q = default_process(query)
        best: dict[tuple[Any, ...], Hit] = {}
        for e in self._entries:
            if (kinds and e.kind not in kinds) or (object is not None and e.object.name != object):
                continue
            score = text_score(q, e.text) * e.weight
            if score < min_score:
                continue
            key = (e.kind, e.object.name, e.property.key if e.property else None, e.option)
            if key not in best or best[key].score < score:
                best[key] = Hit(e.kind, score, e.object, e.property, e.option, e.raw)
        ranked = sorted(best.values(), key=lambda h: (-h.score, h.kind != "property", h.object.name))
        return ranked[:limit]
