"""The pack's flows, the same for every CRM: find-or-nothing by phone, find-or-create, a contact update,
a record linked to the contact. Each step is a catalog tool chosen by the provider's ``PackSteps`` and run
through ``call`` (the engine, for the skill's account)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engine import ToolResult
from ..errors import AmbiguousReference, ConfigurationError, ProviderUnavailable
from ..spec.pack import CallCatalogTool, PackSteps, PhoneQuery, SkillTemplate
from .lookups import find_company, find_tickets
from .phones import phone_query, same_number
from .recent import RecentContacts

__all__ = ["Compiled", "StepFailed", "run_flow"]


class StepFailed(Exception):
    """A step's catalog tool answered with an error (``result``): the skill answers with it."""

    def __init__(self, result: ToolResult) -> None:
        super().__init__(result.tool_name)
        self.result = result

    @property
    def code(self) -> str | None:
        return None if self.result.error is None else self.result.error.code


@dataclass(frozen=True, slots=True)
class Compiled:
    """What a skill needs at call time: its template, the provider's steps, and what install resolved."""

    template: SkillTemplate
    steps: PackSteps
    resolved: Mapping[str, Any]
    region: str


def _records(data: Any) -> list[Mapping[str, Any]]:
    if isinstance(data, Mapping):
        data = data.get("results", [])
    return [r for r in data or [] if isinstance(r, Mapping)]


async def _by_phone(skill: Compiled, phone: PhoneQuery, call: CallCatalogTool) -> list[dict[str, Any]]:
    """Every contact holding this number: the provider's searches (over-inclusive), re-checked here."""
    found: dict[str, dict[str, Any]] = {}
    for tool, args in skill.steps.phone_searches(phone, skill.resolved):
        for record in _records(await call(tool, args)):
            view = skill.steps.contact_view(record)
            if any(same_number(p, phone, skill.region) for p in view["phones"]):
                found.setdefault(view["id"], view)
    return list(found.values())


async def _by_email(skill: Compiled, email: str, call: CallCatalogTool) -> list[dict[str, Any]]:
    tool, args = skill.steps.email_search(email, skill.resolved)
    views = [skill.steps.contact_view(r) for r in _records(await call(tool, args))]
    wanted = email.strip().lower()
    unique = {v["id"]: v for v in views if str(v.get("email") or "").lower() == wanted}
    return list(unique.values())


async def find(skill: Compiled, args: Mapping[str, Any], call: CallCatalogTool) -> dict[str, Any]:
    """``found`` (one contact), ``none``, or ``ambiguous`` with the candidates; never a silent pick."""
    phone = phone_query(args["phone"], skill.region) if args.get("phone") else None
    email = args.get("email")
    matches = await _by_phone(skill, phone, call) if phone is not None else []
    if email and len(matches) > 1:
        matches = [
            m for m in matches if str(m.get("email") or "").lower() == email.strip().lower()
        ] or matches
    if email and not matches:
        matches = await _by_email(skill, email, call)
    searched = {"phone": phone.e164 if phone else None, "email": email}
    if not matches:
        return {"status": "none", "searched": searched, "message": "No contact has this number or e-mail."}
    if len(matches) == 1:
        return {"status": "found", "contact": matches[0], "searched": searched}
    return {
        "status": "ambiguous",
        "candidates": matches[:10],
        "searched": searched,
        "message": (
            f"{len(matches)} contacts share this number: ask the caller for their e-mail or full name and "
            "call find_contact again with it. Do not pick one."
        ),
    }


async def find_or_create(
    skill: Compiled, args: Mapping[str, Any], call: CallCatalogTool, recent: RecentContacts | None = None
) -> dict[str, Any]:
    """The existing contact when there is one (no duplicate); several → refused; none → created.

    ``recent`` remembers what earlier calls created on this account, for a search index that does not
    show a new contact yet (callers run one at a time in the account's lane, so it is never raced)."""
    found = await find(skill, args, call)
    if found["status"] == "found":
        return {"status": "existing", "created": False, "contact": found["contact"]}
    if found["status"] == "ambiguous":
        raise AmbiguousReference(
            found["message"].replace("call find_contact again", "call create_contact again"),
            field="phone",
            candidates=[c["id"] for c in found["candidates"]],
        )
    fields = dict(args)
    if fields.get("phone"):
        fields["phone"] = phone_query(fields["phone"], skill.region).e164
    key = None
    if recent is not None:
        caller = fields.get("phone") or f"email:{str(fields.get('email') or '').strip().lower()}"
        key = recent.key(caller)
        known = await recent.claim(key)
        if known is not None:
            return {"status": "existing", "created": False, "contact": known}
    try:
        answer = await _create(skill, args, fields, call)
    except BaseException:
        if recent is not None and key is not None:
            await recent.forget(key)
        raise
    if recent is not None and key is not None:
        await recent.remember(key, answer["contact"])
    return answer


async def _create(
    skill: Compiled, args: Mapping[str, Any], fields: Mapping[str, Any], call: CallCatalogTool
) -> dict[str, Any]:
    tool, create = skill.steps.create_contact(fields, skill.resolved)
    try:
        data = await call(tool, create)
    except StepFailed as failed:
        if failed.code != "outcome_unknown":
            raise
        return await _settle_lost_create(skill, args, call)
    view = skill.steps.contact_view(data) if isinstance(data, Mapping) else {"id": None}
    return {"status": "created", "created": True, "contact": view}


async def _settle_lost_create(
    skill: Compiled, args: Mapping[str, Any], call: CallCatalogTool
) -> dict[str, Any]:
    """The create's answer was lost: look again (still in the account's lane, so no other write ran).
    Found → that is the contact; not found → it did not land (yet): a retry is the safe move, since it
    looks the caller up before creating."""
    again = await find(skill, args, call)
    if again["status"] == "found":
        return {"status": "created", "created": True, "contact": again["contact"], "settled": "found again"}
    raise ProviderUnavailable(
        "The CRM did not confirm creating the contact and it cannot be found yet. Call create_contact "
        "again in a moment: it looks the caller up first, so it will not make a second contact.",
        retry_after=2.0,
    )


async def run_flow(
    skill: Compiled, args: Mapping[str, Any], call: CallCatalogTool, recent: RecentContacts | None = None
) -> dict[str, Any]:
    """Run one compiled skill on validated ``args`` (``recent``: the account's recent creates)."""
    template = skill.template
    if template.kind == "find_contact":
        return await find(skill, args, call)
    if template.kind == "create_contact":
        return await find_or_create(skill, args, call, recent)
    if template.kind == "find_company":
        return await find_company(skill, args, call)
    if template.kind == "find_ticket":
        return await find_tickets(skill, args, call)
    if template.kind == "update_contact":
        fields = {k: v for k, v in args.items() if k in template.allowed}
        if fields.get("phone"):
            fields["phone"] = phone_query(fields["phone"], skill.region).e164
        tool, change = skill.steps.update_contact(str(args["contact_id"]), fields, skill.resolved)
        await call(tool, change)
        return {"updated": True, "contact_id": str(args["contact_id"]), "changed": sorted(fields)}
    if template.kind != "create_linked":
        raise ConfigurationError(f"The {template.name} skill has an unknown kind {template.kind!r}.")
    fields = {k: v for k, v in args.items() if k != "contact_id"}
    tool, create = skill.steps.create_linked(template.record, str(args["contact_id"]), fields, skill.resolved)
    data = await call(tool, create)
    record_id = data.get("id") if isinstance(data, Mapping) else None
    return {"created": template.record, "id": None if record_id is None else str(record_id)}


def summary(template: SkillTemplate, args: Mapping[str, Any]) -> str:
    """What a gated write would do, in words to read back to the caller."""
    shown = ", ".join(f"{k.replace('_', ' ')} {v!s}" for k, v in args.items() if k != "contact_id")
    target = f" for contact {args['contact_id']}" if args.get("contact_id") else ""
    what = {
        "create_contact": "Create a contact (or use the existing one with this number)",
        "update_contact": "Update contact",
        "create_linked": f"Create a {template.record}",
    }.get(template.kind, template.name)
    return f"{what}{target}: {shown}." if shown else f"{what}{target}."
