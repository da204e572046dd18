"""Bodies of the agent-platform routes (agents, packs, skills, schema, bindings): camelCase, unknown
fields refused, like every body of the service (``models.py``).

Nested data the CRM or an author owns — input schemas, resolved configuration, records, bindings — is
passed through as it is: renaming ``first_name`` inside a JSON Schema would change its meaning.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .models import Body, Out

__all__ = [
    "AgentIn",
    "AgentOut",
    "AgentPatch",
    "AutoBindingIn",
    "BindingIn",
    "BindingOut",
    "DiscoverIn",
    "InstallIn",
    "InstallOut",
    "PackOut",
    "SkillExecuteIn",
    "SkillOut",
    "VerifyIn",
]

Identifier = Field("default", min_length=1, max_length=255, description="The connected account's identifier.")


class AgentIn(Body):
    name: str = Field(min_length=1, max_length=200)
    auto_install: bool = Field(
        True, description="Install the pack of every connected CRM now and on each later connect."
    )


class AgentPatch(Body):
    auto_install: bool = Field(
        description="false: connecting an integration no longer installs on this agent."
    )


class InstalledSkillOut(Out):
    name: str
    created: bool
    updated: bool = False
    skipped: str | None = None


class InstallOut(Out):
    """One pack install: the skills it created (``created: false`` when they already were there)."""

    integration: str
    identifier: str
    ok: bool = True
    skills: list[InstalledSkillOut] = []
    compile_ms: float | None = None
    trigger: str | None = None
    at: str | None = None
    error: dict[str, Any] | None = None

    @classmethod
    def of(cls, raw: dict[str, Any]) -> InstallOut:
        return cls(
            integration=raw.get("integration") or raw.get("connection_name") or "",
            identifier=raw.get("identifier") or "",
            ok=raw.get("ok", True),
            skills=[InstalledSkillOut(**s) for s in raw.get("skills") or []],
            compile_ms=raw.get("compile_ms"),
            trigger=raw.get("trigger"),
            at=raw.get("at"),
            error=raw.get("error"),
        )


class AgentOut(Out):
    id: str
    name: str
    auto_install: bool
    created_at: str
    installs: list[InstallOut] | None = Field(
        None, description="Pack installs on this agent (on creation: the ones just made)."
    )

    @classmethod
    def of(cls, raw: dict[str, Any]) -> AgentOut:
        installs = raw.get("installs")
        return cls(
            id=raw["id"],
            name=raw["name"],
            auto_install=raw["auto_install"],
            created_at=raw["created_at"],
            installs=None if installs is None else [InstallOut.of(i) for i in installs],
        )


class PackOut(Out):
    integration: str
    provider: str
    default_region: str | None = None
    notes: str | None = None
    skills: list[dict[str, Any]] = Field(
        description="Each template: name, description, input_schema, access (read|write), policy."
    )


class InstallIn(Body):
    identifier: str = Identifier


class SkillOut(Out):
    """A pack skill (``kind: pack``) or a binding installed as a skill (``kind: binding``)."""

    name: str
    kind: Literal["pack", "binding"]
    integration: str
    identifier: str
    description: str | None = None
    access: str | None = None
    input_schema: dict[str, Any] | None = None
    policy: dict[str, Any] | None = None
    template: str | None = None
    resolved: dict[str, Any] | None = Field(
        default=None, description="What compiling against the account found."
    )
    status: str = Field(default="ok", description="`drifted` when a re-discovery broke a binding.")
    problems: list[str] = []
    updated_at: str | None = None


class SkillExecuteIn(Body):
    input: dict[str, Any] = Field(default_factory=dict)
    conversation_id: str | None = Field(None, min_length=1, max_length=128)
    confirmation: str | None = Field(
        None, min_length=1, max_length=256, description="The token of a confirmation_required answer."
    )


class VerifyIn(Body):
    contact_id: str = Field(min_length=1, max_length=128)
    method: str = Field(min_length=1, max_length=32, description="otp, caller_id, email_link, …")


class DiscoverIn(Body):
    identifier: str = Identifier


class BindingIn(Body):
    identifier: str = Identifier
    binding: dict[str, Any] = Field(description="A restSearch or restWrite binding (docs/bindings.md).")
    dry_run: bool = Field(False, description="Validate, compile and preview without installing.")
    sample_input: dict[str, Any] | None = Field(None, description="Dry run: inputs for the sample search.")


class AutoBindingIn(Body):
    identifier: str = Identifier
    goal: str = Field(min_length=1, max_length=1000)
    name: str | None = Field(None, min_length=1, max_length=128)
    dry_run: bool = False


class BindingOut(Out):
    name: str
    integration: str
    identifier: str
    agent_id: str | None = None
    definition: dict[str, Any]
    status: str
    problems: list[str] = []
    snapshot_version: int
    updated_at: str
