"""Describe it: each goal of the set is checked for object, operation, filters, sort and written fields,
then validated (like a hand-written binding) and run against the sandbox; goals it cannot read must be
refused with a question or the reason, never installed wrong."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from crmbridge.bindings import Proposal
from crmbridge.spec import ObjectSchema, PropertySchema
from tests.discovery.env import USER, Env, make_env

from .describe_goals import GOALS
from .helpers import compiled, data, run, search

_COUNTER = itertools.count()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    for env in make_env(tmp_path_factory.mktemp("describe")):
        companies = env.hubspot("GET", "/crm/v3/objects/companies", params={"limit": 1}).json()["results"]
        renewing = {"properties": {"renewal_date": "2031-03-01"}}
        assert (
            env.hubspot("PATCH", f"/crm/v3/objects/companies/{companies[0]['id']}", json=renewing).status_code
            == 200
        )
        env.discover("hubspot")
        env.discover("pipedrive")
        yield env


def describe(env: Env, connection: str, goal: str) -> Proposal:
    proposal: Proposal = env.run(env.bridge.bindings.adescribe(connection, USER, goal))
    return proposal


def obj_of(env: Env, connection: str, name: str) -> ObjectSchema:
    found = env.bridge.discovery.require(connection, USER).snapshot.object(name)
    assert found is not None
    return found


def key(obj: ObjectSchema, name: str) -> str:
    return next(p.key for p in obj.properties if name in (p.key, p.label))


def shape(binding: dict[str, Any]) -> dict[str, Any]:
    """The parts of a binding the goal set checks."""
    if binding["kind"] == "restSearch":
        sort = binding.get("sort")
        return {"object": binding["object"], "op": "search",
                "filters": {(f["property"], f["operator"]) for f in binding["filters"]},
                "sort": (sort["property"], sort["direction"]) if sort else None,
                "result": binding["result"], "limit": binding.get("limit")}  # fmt: skip
    return {"object": binding["object"], "op": binding["operation"],
            "fields": {f["property"] for f in binding["fields"]},
            "match": {m["property"] for m in binding.get("match", [])}}  # fmt: skip


def expected_shape(env: Env, connection: str, expected: dict[str, Any]) -> dict[str, Any]:
    obj = obj_of(env, connection, expected["object"])
    out = dict(expected)
    if "filters" in out:
        out["filters"] = {(key(obj, p), op) for p, op in out["filters"]}
    if out.get("sort"):
        out["sort"] = (key(obj, out["sort"][0]), out["sort"][1])
    for name in ("fields", "match"):
        if name in out:
            out[name] = {key(obj, p) for p in out[name]}
    return out


def synthetic(prop: PropertySchema, n: int) -> Any:
    """A plausible value for a write input."""
    if "email" in prop.key:
        return f"describe{n}@example.test"
    if "phone" in prop.key:
        return f"+1415555{n:04d}"
    if prop.type == "date":
        return "2030-01-15"
    if prop.type == "datetime":
        return "2030-01-15T10:00:00Z"
    if prop.type == "number":
        return 42
    if prop.options:
        return prop.options[0].label
    return f"Describe {n}"


def sample_value(record: dict[str, Any], prop: PropertySchema) -> Any:
    value = record.get(prop.key)
    if isinstance(value, list):
        value = value[0]["value"] if value and isinstance(value[0], dict) else (value[0] if value else None)
    if isinstance(value, dict):
        value = value.get("id", value.get("value"))
    return value


def execute(env: Env, connection: str, binding: dict[str, Any]) -> None:
    """Run the proposed binding against the sandbox with inputs taken from real records (reads) or made
    up (writes); a find-or-create twice gives one record."""
    skill = compiled(env, connection, binding)
    obj = skill.validated.obj
    args: dict[str, Any] = {}
    if binding["kind"] == "restSearch":
        wanted = sorted({p.key for p in skill.inputs.values()})
        every = search("all", obj.name, [], result="many", limit=50, properties=wanted)
        listing = data(run(env, connection, every, {}))["records"]
        for name, prop in skill.inputs.items():
            if any(f.get("from") == name and f["operator"] in ("GT", "LT") for f in binding["filters"]):
                args[name] = "2000-01-01"
                continue
            value = next(
                (sample_value(r, prop) for r in listing if sample_value(r, prop) not in (None, "")), None
            )
            if value is None:
                pytest.skip(f"no {obj.name} record has {prop.key} to search by")
            args[name] = value
        result = env.run(skill.execute(env.bridge.discovery.runner_for(connection, USER), args))
        assert result.ok or (result.error is not None and result.error.code == "ambiguous_reference"), (
            result.error
        )
        if (
            result.ok
            and binding["result"] == "one"
            and not any(f["operator"] == "GT" for f in binding["filters"])
        ):
            assert result.data["found"], (binding, args)
        return
    n = next(_COUNTER)
    for name, prop in skill.inputs.items():
        args[name] = synthetic(prop, n)
    if binding["operation"] == "update":
        listing = data(run(env, connection, search("all", obj.name, [], result="many", limit=1), {}))[
            "records"
        ]
        args[binding["id"]["from"]] = listing[0]["id"]
    first = data(env.run(skill.execute(env.bridge.discovery.runner_for(connection, USER), args)))
    assert first["record"]["id"]
    if binding["operation"] == "find_or_create":
        again = data(env.run(skill.execute(env.bridge.discovery.runner_for(connection, USER), args)))
        assert again["created"] is False and again["record"]["id"] == first["record"]["id"]


@pytest.mark.parametrize(("connection", "goal", "expected"), GOALS, ids=[g for _, g, _ in GOALS])
def test_goal(world: Env, connection: str, goal: str, expected: dict[str, Any] | None) -> None:
    proposal = describe(world, connection, goal)
    if expected is None:
        assert proposal.binding is None and proposal.skill is None
        assert proposal.warnings and proposal.warnings[-1].strip()
        return
    assert proposal.binding is not None, proposal.warnings
    assert shape(proposal.binding) == expected_shape(world, connection, expected)
    assert proposal.skill is not None and proposal.explanation
    execute(world, connection, proposal.binding)


def test_the_goal_set_figure(world: Env) -> None:
    """At least 40 goals on both CRMs; ≥ 90 % exact, the rest refused, none proposed wrong."""
    assert len(GOALS) >= 40 and {c for c, _, _ in GOALS} == {"hubspot", "pipedrive"}
    exact = refused = wrong = 0
    for connection, goal, expected in GOALS:
        proposal = describe(world, connection, goal)
        if proposal.binding is None:
            refused += 1
        elif expected is not None and shape(proposal.binding) == expected_shape(world, connection, expected):
            exact += 1
        else:
            wrong += 1
    answerable = sum(1 for _, _, e in GOALS if e is not None)
    print(f"describe-it: {exact}/{answerable} exact, {refused} refused, {wrong} wrong of {len(GOALS)} goals")
    assert wrong == 0 and exact / answerable >= 0.9
