"""The scope planner: which OAuth scopes a connection must request for the tools it enables.

A CRM whose consent URL names scopes may apply an exact-match rule (HubSpot does): the required-scope
parameter must hold every scope the app marks Required, the optional one only scopes it marks Optional,
and no URL may name a scope the app does not declare. Getting this wrong blocks installs, and adding a
tool later silently strands existing accounts without its scope. The planner is a pure function so a
developer (or CI) can see those pitfalls before a user meets them; what differs per CRM is read from its
``AuthSpec`` (scope parameters, plan-limited scopes, implied scopes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..spec import AuthSpec, Provider, Tool

__all__ = ["ScopePlan", "ScopeWarning", "effective_scopes", "plan_scopes"]

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class ScopeWarning:
    """One pitfall: ``error`` breaks installs or calls, ``warning`` may, ``info`` is advice."""

    level: Level
    code: str
    message: str
    scopes: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "scopes": list(self.scopes),
            "tools": list(self.tools),
        }


@dataclass(frozen=True, slots=True)
class ScopePlan:
    """What to configure: ``required`` goes in ``scope`` (ticked Required on the app), ``optional`` in
    ``optional_scope`` (ticked Optional). ``by_tool`` says which tool needs what."""

    provider: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    by_tool: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    warnings: tuple[ScopeWarning, ...] = ()

    @property
    def ok(self) -> bool:
        """No ``error``-level pitfall."""
        return not any(w.level == "error" for w in self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "required": list(self.required),
            "optional": list(self.optional),
            "by_tool": {k: list(v) for k, v in self.by_tool.items()},
            "warnings": [w.to_dict() for w in self.warnings],
            "ok": self.ok,
        }


def _tool_scopes(provider: Provider, tool: Tool, entities: Sequence[str]) -> tuple[str, ...]:
    found = list(tool.scopes)
    for entity in entities:
        try:
            found.extend(provider.hooks.scopes_for(tool, {"entity": entity}))
        except Exception:  # an entity this tool does not accept: the tool's declared scopes stand
            continue
    return tuple(dict.fromkeys(found))


def _tier_limited(auth: AuthSpec, scope: str) -> str | None:
    return next((tier for prefix, tier in auth.tier_limited_scopes if scope.startswith(prefix)), None)


def _users(scopes: Iterable[str], by_tool: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    wanted = set(scopes)
    return tuple(name for name, needs in by_tool.items() if wanted & set(needs))


def plan_scopes(
    provider: Provider,
    tools: Iterable[Tool],
    *,
    optional_tools: Iterable[Tool] = (),
    entities: Sequence[str] = (),
    configured_scopes: Sequence[str] | None = None,
    configured_optional: Sequence[str] | None = None,
    accounts_granted: Mapping[str, Sequence[str]] | None = None,
) -> ScopePlan:
    """Derive the scopes of ``tools`` (must work for every user) and ``optional_tools`` (fine to lose on
    accounts whose tier lacks them), and compare with a connection's configuration when given.

    ``entities`` feeds tools whose scopes depend on the object type (generic record tools).
    ``accounts_granted`` (identifier → granted scopes) finds accounts a new scope would strand.
    """
    required_tools = [t for t in tools if t.provider == provider.name]
    extra_tools = [t for t in optional_tools if t.provider == provider.name]
    by_tool = {t.name: _tool_scopes(provider, t, entities) for t in [*required_tools, *extra_tools]}
    required = tuple(dict.fromkeys(s for t in required_tools for s in by_tool[t.name]))
    optional = tuple(dict.fromkeys(s for t in extra_tools for s in by_tool[t.name] if s not in set(required)))
    warnings: list[ScopeWarning] = []
    # A tool without scopes of its own, in a CRM whose tools have scopes, takes those of its input.
    uses_scopes = any(t.scopes for t in provider.tools)
    vague = tuple(n for n, s in by_tool.items() if not s) if uses_scopes else ()
    if vague:
        warnings.append(
            ScopeWarning(
                "warning",
                "scopes_depend_on_input",
                "These tools need the scopes of the object type they are called with; pass entities=[...] "
                "to plan them.",
                tools=vague,
            )
        )
    if provider.auth.scope_param is None:
        warnings.append(
            ScopeWarning(
                "info",
                "no_scope_parameter",
                f"{provider.display_name} has no scope parameter in its consent URL: tick these scopes on the "
                "app itself; users accept all of them at once.",
                scopes=required + optional,
            )
        )
    warnings.extend(_tier_warnings(provider.auth, required, by_tool))
    if configured_scopes is not None or configured_optional is not None:
        warnings.extend(
            _config_warnings(
                provider, required, optional, by_tool, configured_scopes or (), configured_optional or ()
            )
        )
    if accounts_granted:
        warnings.extend(_stranded(required, accounts_granted, by_tool))
    return ScopePlan(provider.name, required, optional, by_tool, tuple(warnings))


def _tier_warnings(
    auth: AuthSpec, required: Sequence[str], by_tool: Mapping[str, tuple[str, ...]]
) -> list[ScopeWarning]:
    limited = tuple(s for s in required if _tier_limited(auth, s))
    if not limited:
        return []
    tiers = sorted({_tier_limited(auth, s) or "" for s in limited})
    return [
        ScopeWarning(
            "warning",
            "tier_limited_required",
            f"{', '.join(limited)} exist only on {', '.join(tiers)} accounts: as Required scopes they make the "
            "install fail everywhere else. Enable those tools as optional_tools to request them as Optional.",
            scopes=limited,
            tools=_users(limited, by_tool),
        )
    ]


def _config_warnings(
    provider: Provider,
    required: Sequence[str],
    optional: Sequence[str],
    by_tool: Mapping[str, tuple[str, ...]],
    configured: Sequence[str],
    configured_optional: Sequence[str],
) -> list[ScopeWarning]:
    """Pitfalls of the connection as configured against what its tools need."""
    out: list[ScopeWarning] = []
    conf, conf_opt = set(configured), set(configured_optional)
    declared = conf | conf_opt
    both = tuple(sorted(conf & conf_opt))
    if both and provider.auth.optional_scope_param:
        out.append(
            ScopeWarning(
                "error",
                "required_and_optional",
                f"A scope is either Required (in {provider.auth.scope_param}) or Optional (in "
                f"{provider.auth.optional_scope_param}), never both; {provider.display_name} refuses such an "
                "install URL.",
                scopes=both,
            )
        )
    undeclared = tuple(s for s in (*required, *optional) if s not in declared)
    if undeclared:
        out.append(
            ScopeWarning(
                "error",
                "undeclared",
                "Enabled tools need scopes the connection does not request: their calls fail with "
                "insufficient_scope. Add them to the connection's scopes (and tick them on the app; an "
                "install URL naming a scope the app does not declare is refused).",
                scopes=undeclared,
                tools=_users(undeclared, by_tool),
            )
        )
    demoted = tuple(s for s in required if s in conf_opt and s not in conf)
    if demoted:
        out.append(
            ScopeWarning(
                "warning",
                "needed_but_optional",
                "Tools every user needs depend on scopes configured as Optional: accounts that cannot grant "
                "them install fine but those tools then fail with insufficient_scope.",
                scopes=demoted,
                tools=_users(demoted, by_tool),
            )
        )
    unused = tuple(s for s in configured if s not in set(required) | set(optional))
    if unused:
        out.append(
            ScopeWarning(
                "info",
                "unused_required",
                "Required scopes no enabled tool uses: every installer must still grant them (and HubSpot's "
                "exact-match rule means they must stay ticked Required on the app while requested).",
                scopes=unused,
            )
        )
    return out


def _stranded(
    required: Sequence[str], granted: Mapping[str, Sequence[str]], by_tool: Mapping[str, tuple[str, ...]]
) -> list[ScopeWarning]:
    lacking: dict[str, list[str]] = {}
    for identifier, scopes in granted.items():
        have = set(scopes)
        for scope in required:
            if scope not in have:
                lacking.setdefault(scope, []).append(identifier)
    if not lacking:
        return []
    users = sorted({i for ids in lacking.values() for i in ids})
    return [
        ScopeWarning(
            "warning",
            "accounts_missing_scopes",
            f"{len(users)} connected account(s) were authorised without these scopes; their calls to the tools "
            "that need them fail with insufficient_scope and a re-authorisation link until they reconnect.",
            scopes=tuple(sorted(lacking)),
            tools=_users(lacking, by_tool),
        )
    ]


def effective_scopes(auth: AuthSpec, granted: Iterable[str]) -> tuple[str, ...]:
    """The grant as the pre-flight check should see it: with the provider's implied scopes added (a
    Pipedrive ``x:full`` includes ``x:read``)."""
    scopes = list(dict.fromkeys(s for s in granted if s))
    implied = [
        scope[: -len(ending)] + implies
        for scope in scopes
        for ending, implies in auth.implied_scope_suffixes
        if scope.endswith(ending)
    ]
    return tuple(dict.fromkeys([*scopes, *implied]))
