"""Fields API (v2): each entity's system fields plus the company's custom fields (40-char hash codes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import fieldextras
from .auth import require_access
from .common import JSON, cursor_page, missing, ok
from .store import Company, FieldDef

#: System fields per entity, in display order: (field_code, field_name, field_type).
SYSTEM: dict[str, tuple[tuple[str, str, str], ...]] = {
    "deal": (
        ("id", "ID", "int"),
        ("title", "Title", "varchar"),
        ("creator_user_id", "Creator", "user"),
        ("owner_id", "Owner", "user"),
        ("value", "Value", "monetary"),
        ("person_id", "Contact person", "people"),
        ("org_id", "Organization", "org"),
        ("pipeline_id", "Pipeline", "int"),
        ("stage_id", "Stage", "stage"),
        ("status", "Status", "status"),
        ("probability", "Probability", "double"),
        ("lost_reason", "Lost reason", "varchar_options"),
        ("visible_to", "Visible to", "visible_to"),
        ("expected_close_date", "Expected close date", "date"),
        ("close_time", "Deal closed on", "date"),
        ("won_time", "Won time", "date"),
        ("lost_time", "Lost time", "date"),
        ("label_ids", "Label", "set"),
        ("origin", "Source origin", "varchar"),
        ("add_time", "Deal created", "date"),
        ("update_time", "Update time", "date"),
    ),
    "person": (
        ("id", "ID", "int"),
        ("name", "Name", "varchar"),
        ("first_name", "First name", "varchar"),
        ("last_name", "Last name", "varchar"),
        ("owner_id", "Owner", "user"),
        ("org_id", "Organization", "org"),
        ("emails", "Email", "varchar"),
        ("phones", "Phone", "phone"),
        ("label_ids", "Labels", "set"),
        ("visible_to", "Visible to", "visible_to"),
        ("marketing_status", "Marketing status", "enum"),
        ("add_time", "Person created", "date"),
        ("update_time", "Update time", "date"),
    ),
    "organization": (
        ("id", "ID", "int"),
        ("name", "Name", "varchar"),
        ("owner_id", "Owner", "user"),
        ("address", "Address", "address"),
        ("website", "Website", "varchar"),
        ("linkedin", "LinkedIn profile", "varchar"),
        ("industry", "Industry", "enum"),
        ("annual_revenue", "Annual revenue", "int"),
        ("employee_count", "Number of employees", "int"),
        ("label_ids", "Labels", "set"),
        ("visible_to", "Visible to", "visible_to"),
        ("add_time", "Organization created", "date"),
        ("update_time", "Update time", "date"),
    ),
    "product": (
        ("id", "ID", "int"),
        ("name", "Name", "varchar"),
        ("code", "Product code", "varchar"),
        ("description", "Description", "text"),
        ("unit", "Unit", "varchar"),
        ("tax", "Tax", "double"),
        ("category", "Category", "varchar"),
        ("owner_id", "Owner", "user"),
        ("is_linkable", "Linkable", "boolean"),
        ("visible_to", "Visible to", "visible_to"),
        ("prices", "Unit prices", "price_list"),
        ("billing_frequency", "Billing frequency", "billing_frequency"),
        ("add_time", "Created", "date"),
        ("update_time", "Update time", "date"),
    ),
    "activity": (
        ("id", "ID", "int"),
        ("subject", "Subject", "varchar"),
        ("type", "Type", "varchar"),
        ("owner_id", "Assigned to user", "user"),
        ("deal_id", "Deal", "deal"),
        ("lead_id", "Lead", "lead"),
        ("person_id", "Contact person", "people"),
        ("org_id", "Organization", "org"),
        ("due_date", "Due date", "date"),
        ("due_time", "Due time", "time"),
        ("duration", "Duration", "time"),
        ("busy", "Free/busy", "boolean"),
        ("done", "Done", "boolean"),
        ("location", "Location", "address"),
        ("public_description", "Description", "text"),
        ("note", "Note", "text"),
        ("add_time", "Add time", "date"),
        ("update_time", "Update time", "date"),
    ),
    # The v2 Project model's attributes; the spec names no display names or types for them (our pick).
    "project": (
        ("id", "ID", "int"),
        ("title", "Title", "varchar"),
        ("description", "Description", "text"),
        ("status", "Status", "status"),
        ("board_id", "Board", "projects_board"),
        ("phase_id", "Phase", "projects_phase"),
        ("owner_id", "Owner", "user"),
        ("start_date", "Start date", "date"),
        ("end_date", "End date", "date"),
        ("deal_ids", "Deals", "deals"),
        ("person_ids", "Contact persons", "people"),
        ("org_ids", "Organizations", "org"),
        ("label_ids", "Labels", "set"),
        ("health_status", "Health status", "int"),
        ("add_time", "Project created", "date"),
        ("update_time", "Update time", "date"),
        ("status_change_time", "Status changed", "date"),
        ("archive_time", "Archived", "date"),
    ),
}

#: Custom fields every sandbox company starts with: entity → (name, type, option labels).
SEEDED_CUSTOM: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "deal": (
        ("Source", "enum", ("Website", "Referral", "Cold call", "Trade show", "Partner")),
        ("Contract length (months)", "int", ()),
        ("Competitor", "varchar", ()),
    ),
    "person": (
        ("Job title", "varchar", ()),
        ("Preferred language", "enum", ("English", "German", "French", "Spanish")),
    ),
    "organization": (("Tier", "enum", ("Strategic", "Key", "Standard")), ("Region", "varchar", ())),
    "product": (("SKU family", "varchar", ()),),
    "activity": (("Outcome", "enum", ("Connected", "Left voicemail", "No answer")),),
}

#: URL segment → (entity, scopes that may read it).
ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "dealFields": ("deal", ("deals:read", "deals:full", "admin", "deal-fields:full")),
    "personFields": ("person", ("contacts:read", "contacts:full", "admin", "contact-fields:full")),
    "organizationFields": (
        "organization",
        ("contacts:read", "contacts:full", "admin", "contact-fields:full"),
    ),
    "productFields": ("product", ("products:read", "products:full", "admin", "product-fields:full")),
    "activityFields": ("activity", ("activities:read", "activities:full", "admin")),
    "projectFields": ("project", ("projects:read", "projects:full", "project-fields:full")),
}


def install(company: Company, new_code: Callable[[], str]) -> None:
    """Give a company its system fields and the seeded custom fields (codes from ``new_code``)."""
    field_id, option_id = 1, 1
    for entity, system in SYSTEM.items():
        defs: list[FieldDef] = []
        for code, name, ftype in system:
            defs.append(FieldDef(code, name, ftype, id=field_id))
            field_id += 1
        for name, ftype, labels in SEEDED_CUSTOM.get(entity, ()):
            options: list[JSON] | None = None
            if labels:
                options = [{"id": option_id + i, "label": label} for i, label in enumerate(labels)]
                option_id += len(labels)
            defs.append(FieldDef(new_code(), name, ftype, is_custom_field=True, options=options, id=field_id))
            field_id += 1
        company.fields[entity] = defs


def custom_field(company: Company, entity: str, name: str) -> FieldDef:
    """A custom field by display name (for seeding and tests)."""
    return next(f for f in company.custom_fields(entity) if f.field_name == name)


SUBFIELDS: dict[str, Sequence[tuple[str, str, str]]] = {
    "monetary": (("currency", "Currency", "varchar"),),
    "address": (
        ("locality", "City", "varchar"),
        ("country", "Country", "varchar"),
        ("postal_code", "ZIP", "varchar"),
    ),
    "daterange": (("until", "End date", "date"),),
    "timerange": (("until", "End time", "time"),),
}


def render(field: FieldDef, entity: str = "") -> JSON:
    """The v2 field; deal fields always carry ``description`` (null when unset), as the spec's deal-field
    model does; the other entities' models have none, so theirs appears only if one was stored."""
    subfields = SUBFIELDS.get(field.field_type)
    described = (
        {"description": field.description} if field.description is not None or entity == "deal" else {}
    )
    return {
        **described,
        "field_name": field.field_name,
        "field_code": field.field_code,
        "field_type": field.field_type,
        "options": [dict(o) for o in field.options] if field.options is not None else None,
        "subfields": [
            {"field_code": f"{field.field_code}_{code}", "field_name": name, "field_type": ftype}
            for code, name, ftype in subfields
        ]
        if subfields
        else None,
        "is_custom_field": field.is_custom_field,
        "is_optional_response_field": field.is_optional_response_field,
    }


def _routes(segment: str, entity: str, scopes: tuple[str, ...]) -> list[BaseRoute]:
    async def list_(request: Request) -> Response:
        access = require_access(request, scopes_any=scopes, cost=10)
        extra = fieldextras.wanted(request, entity)
        page, next_cursor = cursor_page(request, access.company.fields.get(entity, []))
        data = [fieldextras.add(access.company, entity, render(f, entity), extra, f.settings) for f in page]
        return ok(data, {"next_cursor": next_cursor})

    async def get(request: Request) -> Response:
        access = require_access(request, scopes_any=scopes, cost=1)
        extra = fieldextras.wanted(request, entity)
        code = request.path_params["field_code"]
        field = next((f for f in access.company.fields.get(entity, []) if f.field_code == code), None)
        if field is None:
            raise missing()
        return ok(fieldextras.add(access.company, entity, render(field, entity), extra, field.settings))

    return [
        Route(f"/api/v2/{segment}", list_, methods=["GET"]),
        Route(f"/api/v2/{segment}/{{field_code}}", get, methods=["GET"]),
    ]


routes: list[BaseRoute] = [
    r for seg, (entity, scopes) in ROUTES.items() for r in _routes(seg, entity, scopes)
]
