"""A stored (v2) deal in v1's ``DealStrict`` shape, for the v1 routes that answer a deal.

v1 names differ from v2 (``user_id`` for the owner, ``label`` as comma-separated ids, ``active``,
``deleted``), times are ``YYYY-MM-DD HH:MM:SS``, ``visible_to`` is a string, and custom fields sit at the
top level under their hash keys. Counts come from the company's tables (includes.py); values the sandbox
has no source for (mail, files, rotting, recurring revenue) answer as on a company without them.
``formatted_value`` is ``<currency> <value with two decimals>`` (the live service localises it).
"""

from __future__ import annotations

from typing import Any

from . import customfields, includes
from .common import JSON, parse_time, v1_time
from .store import Company


def _time(value: Any) -> str | None:
    seconds = parse_time(value) if isinstance(value, str) else None
    return None if seconds is None else v1_time(seconds)


def _name(company: Company, table: str, key: Any) -> str | None:
    row = company.tables[table].rows.get(key) if key is not None else None
    return None if row is None else row.get("name")


def render(company: Company, row: JSON) -> JSON:
    counts = {
        name: includes.INCLUDES["deal"][name](company, "deal", row)
        for name in (
            "products_count",
            "files_count",
            "notes_count",
            "followers_count",
            "email_messages_count",
            "activities_count",
            "done_activities_count",
            "undone_activities_count",
            "participants_count",
            "next_activity_id",
            "last_activity_id",
        )
    }
    stage = company.tables["stages"].rows.get(row["stage_id"]) or {}
    owner = company.users.get(row["owner_id"])
    value = row.get("value") or 0
    probability = row.get("probability")
    probability_used = stage.get("deal_probability", 100) if probability is None else probability
    weighted = round(float(value) * float(probability_used or 0) / 100, 2)
    currency = row["currency"]
    out: JSON = {
        "id": row["id"],
        "creator_user_id": row["creator_user_id"],
        "user_id": row["owner_id"],
        "person_id": row["person_id"],
        "org_id": row["org_id"],
        "stage_id": row["stage_id"],
        "title": row["title"],
        "value": value,
        "currency": currency,
        "add_time": _time(row.get("add_time")),
        "update_time": _time(row.get("update_time")),
        "stage_change_time": _time(row.get("stage_change_time")),
        "active": row["status"] == "open",
        "deleted": bool(row.get("is_deleted")),
        "is_archived": bool(row.get("is_archived")),
        "status": row["status"],
        "probability": probability,
        "next_activity_date": None,
        "next_activity_time": None,
        "last_activity_date": None,
        "lost_reason": row.get("lost_reason"),
        "visible_to": str(row["visible_to"]),
        "close_time": _time(row.get("close_time")),
        "pipeline_id": row["pipeline_id"],
        "won_time": _time(row.get("won_time")),
        "first_won_time": _time(row.get("won_time")),
        "lost_time": _time(row.get("lost_time")),
        **counts,
        "expected_close_date": row.get("expected_close_date"),
        "last_incoming_mail_time": None,
        "last_outgoing_mail_time": None,
        "label": ",".join(str(i) for i in row.get("label_ids") or []) or None,
        "stage_order_nr": stage.get("order_nr", 0),
        "person_name": _name(company, "persons", row["person_id"]),
        "org_name": _name(company, "organizations", row["org_id"]),
        "next_activity_subject": None,
        "next_activity_type": None,
        "next_activity_duration": None,
        "next_activity_note": None,
        "formatted_value": f"{currency} {float(value):,.2f}",
        "weighted_value": weighted,
        "formatted_weighted_value": f"{currency} {weighted:,.2f}",
        "weighted_value_currency": currency,
        "rotten_time": None,
        "owner_name": owner.name if owner is not None else "",
        "cc_email": includes.INCLUDES["deal"]["smart_bcc_email"](company, "deal", row),
        "org_hidden": False,
        "person_hidden": False,
        "origin": row.get("origin") or "API",
        "origin_id": row.get("origin_id"),
        "channel": row.get("channel"),
        "channel_id": row.get("channel_id"),
        "arr": None,
        "mrr": None,
        "acv": None,
        "arr_currency": None,
        "mrr_currency": None,
        "acv_currency": None,
    }
    out.update(customfields.render_v1(company.custom_fields("deal"), row.get("custom_fields") or {}))
    return out
