"""The skill templates the built-in packs share: the same names, inputs and policies on every CRM, so an
agent's prompt does not change with the CRM behind it. Each provider's ``pack.py`` picks the ones its CRM
has the objects for (:func:`pack_templates`) and adds the steps that reach its API."""

from __future__ import annotations

from typing import Any

from ..spec.pack import SkillPolicy, SkillTemplate

__all__ = ["CONTACT_FIELDS", "SKILL_ORDER", "pack_templates", "standard_templates"]

_TEXT: dict[str, Any] = {"type": "string", "pattern": r"\S", "maxLength": 2000}
_PHONE: dict[str, Any] = {"type": "string", "pattern": r"\d", "maxLength": 40, "description": "Any format."}
_EMAIL: dict[str, Any] = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+$", "maxLength": 254}
_NAME: dict[str, Any] = {"type": "string", "pattern": r"\S", "maxLength": 200}
_ID: dict[str, Any] = {"type": "string", "pattern": r"\S", "maxLength": 64}
_DOMAIN: dict[str, Any] = {
    "type": "string",
    "pattern": r"\S",
    "maxLength": 300,
    "description": "A domain or website address (scheme, www. and path are ignored).",
}
#: The order skills are listed and installed in: the seed's seven first, then the extras.
SKILL_ORDER = (
    "find_contact",
    "find_company",
    "find_ticket",
    "create_contact",
    "update_contact",
    "create_ticket",
    "create_deal",
    "log_note",
    "create_task",
)

#: The contact fields a pack skill may write (update_contact's ``allowed``).
CONTACT_FIELDS = ("email", "first_name", "last_name", "phone", "job_title")

_GATED = SkillPolicy(gated=True)


def _schema(
    properties: dict[str, Any], required: list[str], any_of: list[list[str]] | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if any_of:
        schema["anyOf"] = [{"required": names} for names in any_of]
    return schema


def pack_templates(*, without: tuple[str, ...] = ()) -> tuple[SkillTemplate, ...]:
    """Every standard template but ``without``, in :data:`SKILL_ORDER`."""
    by_name = {t.name: t for t in (*standard_templates(), *support_templates())}
    unknown = set(without) - set(by_name)
    if unknown:
        raise ValueError(f"no such pack skill: {', '.join(sorted(unknown))}")
    return tuple(by_name[name] for name in SKILL_ORDER if name not in without)


def support_templates() -> tuple[SkillTemplate, ...]:
    """find_company, find_ticket, create_ticket."""
    return (
        SkillTemplate(
            name="find_company",
            description=(
                "Find a company (organization) by name or website domain (any form: https://www.acme.com/x "
                "is acme.com). Returns status 'found', 'none', or 'ambiguous' with the candidates: then ask "
                "the caller which one."
            ),
            input_schema=_schema({"name": _NAME, "domain": _DOMAIN}, [], [["name"], ["domain"]]),
            kind="find_company",
            writes=False,
        ),
        SkillTemplate(
            name="find_ticket",
            description=(
                "Find support tickets by subject or a keyword, newest first (status, priority, created "
                "date). Use it before create_ticket to avoid opening the same request twice."
            ),
            input_schema=_schema(
                {"query": _NAME, "limit": {"type": "integer", "minimum": 1, "maximum": 20}}, ["query"]
            ),
            kind="find_ticket",
            writes=False,
        ),
        SkillTemplate(
            name="create_ticket",
            description=(
                "Open a support request for the caller's contact (id from find_contact) in the account's "
                "support pipeline, first open stage. Gated."
            ),
            input_schema=_schema(
                {
                    "contact_id": _ID,
                    "subject": _NAME,
                    "description": _TEXT,
                    "priority": {"enum": ["LOW", "MEDIUM", "HIGH", "URGENT"]},
                },
                ["contact_id", "subject"],
            ),
            kind="create_linked",
            writes=True,
            policy=_GATED,
            record="ticket",
        ),
    )


def standard_templates(deal_word: str = "deal") -> tuple[SkillTemplate, ...]:
    """find_contact, create_contact, update_contact, log_note, create_task, create_deal."""
    contact = {"phone": _PHONE, "email": _EMAIL, "first_name": _NAME, "last_name": _NAME}
    return (
        SkillTemplate(
            name="find_contact",
            description=(
                "Recognise a caller by phone number (any format) or e-mail. Returns status 'found' with the "
                "contact, 'none', or 'ambiguous' with the candidates when several contacts share the number: "
                "then ask the caller for their e-mail or name and call again with it; never guess."
            ),
            input_schema=_schema({"phone": _PHONE, "email": _EMAIL}, [], [["phone"], ["email"]]),
            kind="find_contact",
            writes=False,
        ),
        SkillTemplate(
            name="create_contact",
            description=(
                "Find-or-create the caller's contact: an existing contact with this phone (or e-mail) is "
                "returned instead of a duplicate. Gated: the first call returns a confirmation to read back."
            ),
            input_schema=_schema(contact, [], [["phone"], ["email"]]),
            kind="create_contact",
            writes=True,
            policy=_GATED,
        ),
        SkillTemplate(
            name="update_contact",
            description=(
                "Change the caller's own contact (id from find_contact): e-mail, names, phone, job title. "
                "Needs the caller's identity verified in this conversation. Gated."
            ),
            input_schema=_schema({"contact_id": _ID, **contact, "job_title": _NAME}, ["contact_id"]),
            kind="update_contact",
            writes=True,
            policy=SkillPolicy(gated=True, verified_identity=True),
            allowed=CONTACT_FIELDS,
        ),
        SkillTemplate(
            name="log_note",
            description="Add a note to the caller's contact (id from find_contact). Gated.",
            input_schema=_schema({"contact_id": _ID, "text": _TEXT}, ["contact_id", "text"]),
            kind="create_linked",
            writes=True,
            policy=_GATED,
            record="note",
        ),
        SkillTemplate(
            name="create_task",
            description=(
                "Create a follow-up task for the team about the caller's contact (id from find_contact). "
                "Gated."
            ),
            input_schema=_schema(
                {
                    "contact_id": _ID,
                    "subject": _NAME,
                    "details": _TEXT,
                    "due_date": {"type": "string", "format": "date", "description": "YYYY-MM-DD."},
                },
                ["contact_id", "subject"],
            ),
            kind="create_linked",
            writes=True,
            policy=_GATED,
            record="task",
        ),
        SkillTemplate(
            name="create_deal",
            description=(
                f"Open a sales opportunity ({deal_word}) for the caller's contact in the account's default "
                "pipeline and first stage, owned by the account's default owner. Gated."
            ),
            input_schema=_schema(
                {
                    "contact_id": _ID,
                    "title": _NAME,
                    "amount": {"type": "number", "minimum": 0},
                },
                ["contact_id", "title"],
            ),
            kind="create_linked",
            writes=True,
            policy=_GATED,
            record="deal",
        ),
    )
