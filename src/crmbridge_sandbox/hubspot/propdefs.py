"""HubSpot's built-in property definitions per object type, as tables, installed into every new portal.

Options that depend on portal data (deal stages, pipelines, owners) are filled by :func:`refresh_dynamic`.
"""

from __future__ import annotations

from .store import ObjectType, Portal, PropertyDef, PropertyOption

#: kind → (type, fieldType)
KINDS: dict[str, tuple[str, str]] = {
    "text": ("string", "text"),
    "textarea": ("string", "textarea"),
    "phone": ("string", "phonenumber"),
    "number": ("number", "number"),
    "date": ("date", "date"),
    "datetime": ("datetime", "date"),
    "select": ("enumeration", "select"),
    "radio": ("enumeration", "radio"),
    "checkbox": ("enumeration", "checkbox"),
    "bool": ("bool", "booleancheckbox"),
    "calc": ("number", "calculation_equation"),
}

#: (name, label, kind, flags, options). flags: "ro" read-only, "uniq" unique value, "calc" calculated.
Spec = tuple[str, str, str, str, tuple[str, ...]]

#: (created, modified) timestamp property names, per type; custom objects use the engagement pair.
TIMESTAMPS: dict[str, tuple[str, str]] = {
    "contacts": ("createdate", "lastmodifieddate"),
    "companies": ("createdate", "hs_lastmodifieddate"),
    "deals": ("createdate", "hs_lastmodifieddate"),
    "tickets": ("createdate", "hs_lastmodifieddate"),
    "products": ("createdate", "hs_lastmodifieddate"),
    "line_items": ("createdate", "hs_lastmodifieddate"),
}
DEFAULT_TIMESTAMPS = ("hs_createdate", "hs_lastmodifieddate")

#: Number properties HubSpot treats as whole numbers (INVALID_INTEGER rather than INVALID_DECIMAL).
INTEGER_PROPERTIES = frozenset({"numberofemployees", "quantity", "hs_call_duration", "year"})

LIFECYCLE = (
    "subscriber:Subscriber",
    "lead:Lead",
    "marketingqualifiedlead:Marketing Qualified Lead",
    "salesqualifiedlead:Sales Qualified Lead",
    "opportunity:Opportunity",
    "customer:Customer",
    "evangelist:Evangelist",
    "other:Other",
)
LEAD_STATUS = (
    "NEW:New",
    "OPEN:Open",
    "IN_PROGRESS:In Progress",
    "OPEN_DEAL:Open Deal",
    "UNQUALIFIED:Unqualified",
    "ATTEMPTED_TO_CONTACT:Attempted to Contact",
    "CONNECTED:Connected",
    "BAD_TIMING:Bad Timing",
)
INDUSTRIES = (
    "ACCOUNTING:Accounting",
    "AUTOMOTIVE:Automotive",
    "BANKING:Banking",
    "BIOTECHNOLOGY:Biotechnology",
    "COMPUTER_SOFTWARE:Computer Software",
    "CONSTRUCTION:Construction",
    "CONSUMER_GOODS:Consumer Goods",
    "EDUCATION_MANAGEMENT:Education Management",
    "FINANCIAL_SERVICES:Financial Services",
    "FOOD_BEVERAGES:Food & Beverages",
    "HOSPITAL_HEALTH_CARE:Hospital & Health Care",
    "INFORMATION_TECHNOLOGY_AND_SERVICES:Information Technology and Services",
    "INSURANCE:Insurance",
    "INTERNET:Internet",
    "LOGISTICS_AND_SUPPLY_CHAIN:Logistics and Supply Chain",
    "MARKETING_AND_ADVERTISING:Marketing and Advertising",
    "REAL_ESTATE:Real Estate",
    "RETAIL:Retail",
    "TELECOMMUNICATIONS:Telecommunications",
)
CALL_STATUS = tuple(
    f"{v}:{v.replace('_', ' ').title()}"
    for v in (
        "BUSY",
        "CALLING_CRM_USER",
        "CANCELED",
        "COMPLETED",
        "CONNECTING",
        "FAILED",
        "IN_PROGRESS",
        "NO_ANSWER",
        "QUEUED",
        "RINGING",
    )
)
CALL_DISPOSITIONS = (
    "9d9162e7-6cf3-4944-bf63-4dff82258764:Busy",
    "f240bbac-87c9-4f6e-bf70-924b57d47db7:Connected",
    "a4c4c377-d246-4b32-a13b-75a56a4cd0ff:Left live message",
    "b2cf5968-551e-4856-9783-52b3da59a7d0:Left voicemail",
    "73a0d17f-1163-4015-bdd5-ec830791da20:No answer",
    "17b47fee-58de-441e-a44c-c6300d46f273:Wrong number",
)
TASK_STATUS = (
    "NOT_STARTED:Not started",
    "IN_PROGRESS:In progress",
    "WAITING:Waiting",
    "COMPLETED:Completed",
    "DEFERRED:Deferred",
)
TRUE_FALSE = ("true:Yes", "false:No")


def _timestamps(created: str, modified: str) -> list[Spec]:
    return [
        (created, "Create Date", "datetime", "ro", ()),
        (modified, "Last Modified Date", "datetime", "ro", ()),
        ("hs_object_id", "Record ID", "number", "ro", ()),
        ("hubspot_owner_id", "Owner", "select", "", ()),
    ]


def _engagement(*specs: Spec) -> list[Spec]:
    return [
        ("hs_timestamp", "Activity date", "datetime", "", ()),
        ("hs_attachment_ids", "Attachment IDs", "text", "", ()),
        *specs,
    ]


SPECS: dict[str, list[Spec]] = {
    "contacts": [
        ("email", "Email", "text", "uniq", ()),
        ("firstname", "First Name", "text", "", ()),
        ("lastname", "Last Name", "text", "", ()),
        ("phone", "Phone Number", "phone", "", ()),
        ("mobilephone", "Mobile Phone Number", "phone", "", ()),
        ("company", "Company Name", "text", "", ()),
        ("website", "Website URL", "text", "", ()),
        ("jobtitle", "Job Title", "text", "", ()),
        ("lifecyclestage", "Lifecycle Stage", "radio", "", LIFECYCLE),
        ("hs_lead_status", "Lead Status", "radio", "", LEAD_STATUS),
        ("address", "Street Address", "text", "", ()),
        ("city", "City", "text", "", ()),
        ("state", "State/Region", "text", "", ()),
        ("zip", "Postal Code", "text", "", ()),
        ("country", "Country/Region", "text", "", ()),
        ("hs_email_optout", "Unsubscribed from all email", "bool", "", TRUE_FALSE),
    ],
    "companies": [
        ("name", "Company name", "text", "", ()),
        ("domain", "Company Domain Name", "text", "", ()),
        ("website", "Website URL", "text", "", ()),
        ("industry", "Industry", "select", "", INDUSTRIES),
        ("phone", "Phone Number", "phone", "", ()),
        ("address", "Street Address", "text", "", ()),
        ("city", "City", "text", "", ()),
        ("state", "State/Region", "text", "", ()),
        ("zip", "Postal Code", "text", "", ()),
        ("country", "Country/Region", "text", "", ()),
        ("numberofemployees", "Number of Employees", "number", "", ()),
        ("annualrevenue", "Annual Revenue", "number", "", ()),
        ("description", "Description", "textarea", "", ()),
        ("lifecyclestage", "Lifecycle Stage", "radio", "", LIFECYCLE),
        (
            "type",
            "Type",
            "select",
            "",
            ("PROSPECT:Prospect", "PARTNER:Partner", "RESELLER:Reseller", "VENDOR:Vendor", "OTHER:Other"),
        ),
    ],
    "deals": [
        ("dealname", "Deal Name", "text", "", ()),
        ("amount", "Amount", "number", "", ()),
        ("dealstage", "Deal Stage", "radio", "", ()),
        ("pipeline", "Pipeline", "select", "", ()),
        ("closedate", "Close Date", "datetime", "", ()),
        (
            "dealtype",
            "Deal Type",
            "radio",
            "",
            ("newbusiness:New Business", "existingbusiness:Existing Business"),
        ),
        ("description", "Deal Description", "textarea", "", ()),
        ("hs_priority", "Priority", "select", "", ("low:Low", "medium:Medium", "high:High")),
    ],
    "tickets": [
        ("subject", "Ticket name", "text", "", ()),
        ("content", "Ticket description", "textarea", "", ()),
        ("hs_pipeline", "Pipeline", "select", "", ()),
        ("hs_pipeline_stage", "Ticket status", "select", "", ()),
        (
            "hs_ticket_priority",
            "Priority",
            "select",
            "",
            ("LOW:Low", "MEDIUM:Medium", "HIGH:High", "URGENT:Urgent"),
        ),
        (
            "hs_ticket_category",
            "Category",
            "checkbox",
            "",
            (
                "PRODUCT_ISSUE:Product issue",
                "BILLING_ISSUE:Billing issue",
                "FEATURE_REQUEST:Feature request",
                "GENERAL_INQUIRY:General inquiry",
            ),
        ),
        ("source_type", "Source", "select", "", ("CHAT:Chat", "EMAIL:Email", "FORM:Form", "PHONE:Phone")),
        ("closed_date", "Close date", "datetime", "", ()),
    ],
    "notes": _engagement(("hs_note_body", "Note body", "textarea", "", ())),
    "calls": _engagement(
        ("hs_call_title", "Call Title", "text", "", ()),
        ("hs_call_body", "Call notes", "textarea", "", ()),
        ("hs_call_direction", "Call direction", "select", "", ("INBOUND:Inbound", "OUTBOUND:Outbound")),
        ("hs_call_duration", "Call duration", "number", "", ()),
        ("hs_call_status", "Call status", "select", "", CALL_STATUS),
        ("hs_call_disposition", "Call outcome", "select", "", CALL_DISPOSITIONS),
        ("hs_call_from_number", "From number", "phone", "", ()),
        ("hs_call_to_number", "To number", "phone", "", ()),
        ("hs_call_recording_url", "Recording URL", "text", "", ()),
        ("hs_call_has_voicemail", "Has voicemail", "bool", "", TRUE_FALSE),
    ),
    "tasks": _engagement(
        ("hs_task_subject", "Task Title", "text", "", ()),
        ("hs_task_body", "Notes", "textarea", "", ()),
        ("hs_task_status", "Task Status", "select", "", TASK_STATUS),
        (
            "hs_task_priority",
            "Priority",
            "select",
            "",
            ("NONE:None", "LOW:Low", "MEDIUM:Medium", "HIGH:High"),
        ),
        ("hs_task_type", "Task Type", "select", "", ("EMAIL:Email", "CALL:Call", "TODO:To-do")),
        ("hs_task_reminders", "Reminders", "text", "", ()),
    ),
    "meetings": _engagement(
        ("hs_meeting_title", "Meeting name", "text", "", ()),
        ("hs_meeting_body", "Meeting description", "textarea", "", ()),
        ("hs_internal_meeting_notes", "Internal meeting notes", "textarea", "", ()),
        ("hs_meeting_location", "Location", "text", "", ()),
        ("hs_meeting_start_time", "Meeting start time", "datetime", "", ()),
        ("hs_meeting_end_time", "Meeting end time", "datetime", "", ()),
        (
            "hs_meeting_outcome",
            "Meeting outcome",
            "select",
            "",
            (
                "SCHEDULED:Scheduled",
                "COMPLETED:Completed",
                "RESCHEDULED:Rescheduled",
                "NO_SHOW:No show",
                "CANCELED:Canceled",
            ),
        ),
    ),
    "emails": _engagement(
        ("hs_email_subject", "Email subject", "text", "", ()),
        ("hs_email_text", "Email body", "textarea", "", ()),
        ("hs_email_html", "Email HTML", "textarea", "", ()),
        ("hs_email_headers", "Email headers", "textarea", "", ()),
        (
            "hs_email_direction",
            "Email direction",
            "select",
            "",
            ("EMAIL:Sent", "INCOMING_EMAIL:Received", "FORWARDED_EMAIL:Forwarded"),
        ),
        (
            "hs_email_status",
            "Email send status",
            "select",
            "",
            ("BOUNCED:Bounced", "FAILED:Failed", "SCHEDULED:Scheduled", "SENDING:Sending", "SENT:Sent"),
        ),
    ),
    "postal_mail": _engagement(("hs_postal_mail_body", "Postal mail body", "textarea", "", ())),
    "products": [
        ("name", "Name", "text", "", ()),
        ("description", "Description", "textarea", "", ()),
        ("price", "Unit price", "number", "", ()),
        ("hs_sku", "SKU", "text", "", ()),
        ("hs_cost_of_goods_sold", "Unit cost", "number", "", ()),
        ("hs_recurring_billing_period", "Term", "text", "", ()),
    ],
    "line_items": [
        ("name", "Name", "text", "", ()),
        ("description", "Description", "textarea", "", ()),
        ("quantity", "Quantity", "number", "", ()),
        ("price", "Unit price", "number", "", ()),
        ("discount", "Unit discount", "number", "", ()),
        ("amount", "Net price", "calc", "calc", ()),
        ("hs_product_id", "Product ID", "number", "", ()),
        ("hs_sku", "SKU", "text", "", ()),
    ],
    "quotes": [
        ("hs_title", "Quote Name", "text", "", ()),
        ("hs_expiration_date", "Expiration date", "datetime", "", ()),
        (
            "hs_status",
            "Quote approval status",
            "select",
            "",
            (
                "DRAFT:Draft",
                "APPROVAL_NOT_NEEDED:Approval not needed",
                "PENDING_APPROVAL:Pending approval",
                "APPROVED:Approved",
                "REJECTED:Rejected",
            ),
        ),
        ("hs_language", "Language", "text", "", ()),
        ("hs_currency", "Currency", "text", "", ()),
        ("hs_quote_amount", "Amount", "number", "", ()),
    ],
}


def timestamp_names(object_type: ObjectType) -> tuple[str, str]:
    """The (created, modified) date properties HubSpot keeps on records of this type."""
    return TIMESTAMPS.get(object_type.name, DEFAULT_TIMESTAMPS)


def group_name(object_type: ObjectType) -> str:
    return f"{object_type.singular.replace('_', '')}information"


def _options(raw: tuple[str, ...]) -> list[PropertyOption]:
    out = []
    for i, item in enumerate(raw):
        value, _, label = item.partition(":")
        out.append(PropertyOption(label or value, value, i))
    return out


def build(name: str, label: str, kind: str, flags: str, options: tuple[str, ...], group: str) -> PropertyDef:
    ptype, field_type = KINDS[kind]
    return PropertyDef(
        name=name,
        label=label,
        type=ptype,
        field_type=field_type,
        group_name=group,
        options=_options(options),
        has_unique_value="uniq" in flags,
        calculated="calc" in flags,
        read_only="ro" in flags or "calc" in flags,
    )


def system_specs(object_type: ObjectType) -> list[Spec]:
    return _timestamps(*timestamp_names(object_type))


def install(portal: Portal, now: float) -> None:
    """Put HubSpot's built-in property definitions on every built-in type of the portal."""
    for table in portal.tables.values():
        t = table.type
        if t.custom or t.name not in SPECS:
            continue
        group = group_name(t)
        defs: dict[str, PropertyDef] = {}
        for order, spec in enumerate([*SPECS[t.name], *system_specs(t)]):
            prop = build(*spec, group=group)
            prop.display_order = order
            prop.created_at = prop.updated_at = now
            defs[prop.name] = prop
        portal.properties[t.type_id] = defs
    refresh_dynamic(portal)


def refresh_dynamic(portal: Portal) -> None:
    """Fill options that mirror portal data: deal/ticket pipelines and stages, and owners."""
    owners = [PropertyOption(f"{o.first_name} {o.last_name}", o.id, i) for i, o in enumerate(portal.owners)]
    for defs in portal.properties.values():
        if "hubspot_owner_id" in defs:
            defs["hubspot_owner_id"].options = list(owners)
    for type_id, pipe_prop, stage_prop in (
        ("0-3", "pipeline", "dealstage"),
        ("0-5", "hs_pipeline", "hs_pipeline_stage"),
    ):
        defs = portal.properties.get(type_id, {})
        pipelines = [p for p in portal.pipelines.get(type_id, []) if not p.archived]
        if pipe_prop in defs:
            defs[pipe_prop].options = [PropertyOption(p.label, p.id, i) for i, p in enumerate(pipelines)]
        if stage_prop in defs:
            stages = [s for p in pipelines for s in p.stages if not s.archived]
            defs[stage_prop].options = [PropertyOption(s.label, s.id, i) for i, s in enumerate(stages)]
