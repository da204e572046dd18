"""Deal pipelines and stages by label or id ("Closed Won" → ``closedwon``), cached per account.

A stage is always resolved inside one pipeline: the one given, else the record's own (updates), else
the account's default pipeline (id ``default``, or the first by display order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import AmbiguousReference, InvalidInput
from .resolve_common import key

if TYPE_CHECKING:
    from ...spec import CallContext

__all__ = [
    "Pipeline",
    "Stage",
    "default_pipeline",
    "find_pipeline",
    "find_stage",
    "label_maps",
    "pipelines",
    "resolve_pipeline",
    "resolve_stage",
    "stage_matches",
]


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Pipeline:
    id: str
    label: str
    order: int
    stages: tuple[Stage, ...]

    def describe(self) -> str:
        return f"'{self.label}' ({self.id})"


def _parse(body: Any) -> list[Pipeline]:
    found = []
    for raw in body.get("results", []) if isinstance(body, dict) else []:
        if not isinstance(raw, dict) or raw.get("archived"):
            continue
        stages = tuple(
            Stage(str(s["id"]), str(s.get("label") or s["id"]))
            for s in sorted(raw.get("stages") or [], key=lambda s: s.get("displayOrder", 0))
            if isinstance(s, dict) and "id" in s and not s.get("archived")
        )
        found.append(
            Pipeline(
                str(raw["id"]), str(raw.get("label") or raw["id"]), int(raw.get("displayOrder") or 0), stages
            )
        )
    return sorted(found, key=lambda p: p.order)


async def pipelines(ctx: CallContext, object_type: str = "deals") -> list[Pipeline]:
    async def load() -> list[Pipeline]:
        return _parse(await ctx.request("GET", f"/crm/v3/pipelines/{object_type}"))

    found: list[Pipeline] = await ctx.cached(f"pipelines:{object_type}", load)
    return found


def default_pipeline(pipes: list[Pipeline]) -> Pipeline:
    if not pipes:
        raise InvalidInput("This HubSpot account has no deal pipeline.", field="pipeline")
    return next((p for p in pipes if p.id == "default"), pipes[0])


def _match(items: list[Any], ref: str) -> list[Any]:
    """Exact id first, then the id or label compared loosely (case, spaces, punctuation)."""
    exact = [i for i in items if i.id == ref]
    if exact:
        return exact
    wanted = key(ref)
    return [i for i in items if wanted and (key(i.id) == wanted or key(i.label) == wanted)]


def find_pipeline(pipes: list[Pipeline], ref: Any, field: str = "pipeline") -> Pipeline:
    text = str(ref).strip()
    found = _match(pipes, text)
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousReference(
            f"{field} {text!r} matches {len(found)} pipelines; use the id.",
            field=field,
            candidates=[{"id": p.id, "label": p.label} for p in found],
        )
    raise InvalidInput(
        f"{field} {text!r} is not a deal pipeline; use one of: {', '.join(p.describe() for p in pipes)}.",
        field=field,
        allowed=[p.id for p in pipes],
    )


def find_stage(pipes: list[Pipeline], pipeline: Pipeline, ref: Any, field: str = "dealstage") -> Stage:
    text = str(ref).strip()
    found = _match(list(pipeline.stages), text)
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousReference(
            f"{field} {text!r} matches {len(found)} stages of pipeline {pipeline.describe()}; use the id.",
            field=field,
            candidates=[{"id": s.id, "label": s.label} for s in found],
        )
    elsewhere = [p for p in pipes if p.id != pipeline.id and _match(list(p.stages), text)]
    hint = (
        f" It is a stage of pipeline {elsewhere[0].describe()}: pass that pipeline too." if elsewhere else ""
    )
    stages = ", ".join(f"'{s.label}' ({s.id})" for s in pipeline.stages)
    raise InvalidInput(
        f"{field} {text!r} is not a stage of pipeline {pipeline.describe()}.{hint} Stages: {stages}.",
        field=field,
        allowed=[s.id for s in pipeline.stages],
    )


def stage_matches(pipes: list[Pipeline], ref: Any, pipeline_ids: set[str] | None = None) -> list[str]:
    """Stage ids a search value may mean, across pipelines (or only ``pipeline_ids``)."""
    scope = [p for p in pipes if pipeline_ids is None or p.id in pipeline_ids]
    return list(dict.fromkeys(s.id for p in scope for s in _match(list(p.stages), str(ref).strip())))


def label_maps(pipes: list[Pipeline]) -> dict[str, dict[str, str]]:
    """``{"pipeline": {id: label}, "dealstage": {id: label}}`` for labelling output."""
    return {
        "pipeline": {p.id: p.label for p in pipes},
        "dealstage": {s.id: s.label for p in pipes for s in p.stages},
    }


async def resolve_pipeline(ctx: CallContext, value: Any, args: dict[str, Any]) -> str:
    """Resolver ``deal_pipeline``: a deal pipeline label or id → its id."""
    return find_pipeline(await pipelines(ctx), value).id


async def resolve_stage(ctx: CallContext, value: Any, args: dict[str, Any]) -> str:
    """Resolver ``deal_stage``: a stage label or id → its id, in ``args["pipeline"]`` or the default one.

    List it after ``deal_pipeline`` in a tool's ``resolve`` so the pipeline is already an id.
    """
    pipes = await pipelines(ctx)
    given = args.get("pipeline")
    pipeline = find_pipeline(pipes, given) if given else default_pipeline(pipes)
    return find_stage(pipes, pipeline, value).id
