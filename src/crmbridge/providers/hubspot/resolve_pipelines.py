"""Deal pipelines and stages by label or id ("Closed Won" → ``closedwon``), cached per account.

A stage is always resolved inside one pipeline: the one given, else the record's own (updates), else
the account's default pipeline (id ``default``, or the first by display order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...engine import matching
from ...errors import InvalidInput

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


def _choices(items: tuple[Stage, ...] | list[Pipeline]) -> list[matching.Choice[Any]]:
    return [matching.Choice(i, i.id, i.label) for i in items]


def find_pipeline(pipes: list[Pipeline], ref: Any, field: str = "pipeline") -> Pipeline:
    found: Pipeline = matching.pick(ref, _choices(pipes), field=field, kind="deal pipeline").value
    return found


def find_stage(pipes: list[Pipeline], pipeline: Pipeline, ref: Any, field: str = "dealstage") -> Stage:
    """A stage of ``pipeline``; when it is not one, the error says which pipeline has it."""
    text = matching.require_text(ref, field)
    choices = _choices(pipeline.stages)
    hint = ""
    if not matching.best_matches(text, choices):
        elsewhere = [
            p for p in pipes if p.id != pipeline.id and matching.best_matches(text, _choices(p.stages))
        ]
        if elsewhere:
            hint = f"It is a stage of pipeline {elsewhere[0].describe()}: pass that pipeline too."
    kind = f"stage of pipeline {pipeline.describe()}"
    found: Stage = matching.pick(text, choices, field=field, kind=kind, hint=hint).value
    return found


def stage_matches(pipes: list[Pipeline], ref: Any, pipeline_ids: set[str] | None = None) -> list[str]:
    """Stage ids a search value may mean: its best matches in each pipeline (or only ``pipeline_ids``)."""
    scope = [p for p in pipes if pipeline_ids is None or p.id in pipeline_ids]
    found = (c.value.id for p in scope for c in matching.best_matches(str(ref).strip(), _choices(p.stages)))
    return list(dict.fromkeys(found))


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
