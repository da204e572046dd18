"""A skill compiled for one account: the stored definition (template, policy, what install resolved) and
the :class:`~crmbridge.spec.Tool` it is listed as, so every front end shows it like a catalog tool."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ..engine import Catalog
from ..errors import ConfigurationError
from ..spec import Annotations, Tool
from ..spec.pack import ConnectorPack, SkillPolicy, SkillTemplate
from ..store.skill_store import SkillRecord
from .flows import Compiled

__all__ = ["definition", "fingerprint", "load", "pack_of", "policy_of", "tool_of"]

#: ``Tool.method`` of a compiled skill: it runs a flow of catalog tools, not one HTTP request.
SKILL_METHOD = "SKILL"


def pack_of(catalog: Catalog, provider: str) -> ConnectorPack:
    pack = catalog.provider(provider).pack
    if pack is None:
        raise ConfigurationError(f"The {provider} provider has no Connector Pack.", field="integration")
    return pack


def definition(template: SkillTemplate, resolved: Mapping[str, Any], region: str) -> dict[str, Any]:
    """What is stored for the skill: enough to list and run it without reading the account again."""
    return {
        "template": template.name,
        "description": template.description,
        "input_schema": dict(template.input_schema),
        "access": "write" if template.writes else "read",
        "policy": template.policy.to_dict(),
        "resolved": dict(resolved),
        "region": region,
    }


def fingerprint(stored: Mapping[str, Any]) -> str:
    """Changes when the template or the account's configuration does (a reinstall then recompiles)."""
    return hashlib.sha256(json.dumps(stored, sort_keys=True, default=str).encode()).hexdigest()


def policy_of(record: SkillRecord) -> SkillPolicy:
    policy = record.definition.get("policy") or {}
    return SkillPolicy(
        gated=bool(policy.get("gated")), verified_identity=bool(policy.get("verified_identity"))
    )


def tool_of(record: SkillRecord) -> Tool:
    stored = record.definition
    writes = stored.get("access") == "write"
    return Tool(
        name=record.name,
        description=str(stored.get("description", record.name)),
        input_schema=stored.get("input_schema") or {"type": "object"},
        method=SKILL_METHOD,
        path=record.template,
        annotations=Annotations(
            read_only=not writes, idempotent=record.template in ("find_contact", "create_contact")
        ),
        provider=record.provider,
    )


def load(catalog: Catalog, record: SkillRecord) -> Compiled:
    """The runnable form of a stored skill (its template's flow, its provider's steps)."""
    pack = pack_of(catalog, record.provider)
    template = pack.template(record.template)
    if template is None:
        raise ConfigurationError(
            f"The skill {record.name!r} was compiled from {record.template!r}, which the {record.provider} "
            "pack no longer has; reinstall the pack or delete the skill.",
        )
    stored = record.definition
    return Compiled(template, pack.steps, stored.get("resolved") or {}, str(stored.get("region") or "US"))
