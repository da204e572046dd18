"""``include_fields`` on v2 deals, persons and organizations: extra, computed fields on request.

The allowed names per entity come from the v2 spec; each is computed from the company's own tables
(activities, notes, deals, persons, followers), so a client that asks for ``notes_count`` sees the notes it
just wrote. Mail-sync values (``*_mail_time``, ``email_messages_count``) have no source in the sandbox and
answer null / 0, as they do on a company without mail sync. Unknown names are a 400, as in v2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from .common import JSON
from .errors import bad_request
from .store import Company

Compute = Callable[[Company, str, JSON], Any]

_FK = {"deal": "deal_id", "person": "person_id", "organization": "org_id"}


def _activities(company: Company, entity: str, row: JSON) -> list[JSON]:
    key = _FK[entity]
    return [a for a in company.tables["activities"].live() if a.get(key) == row["id"]]


def _activity_id(done: bool) -> Compute:
    """next = the earliest undone activity by due date; last = the latest done one."""

    def run(company: Company, entity: str, row: JSON) -> Any:
        acts = [a for a in _activities(company, entity, row) if bool(a.get("done")) is done]
        acts.sort(key=lambda a: (a.get("due_date") or "", a.get("due_time") or "", a["id"]))
        if not acts:
            return None
        return acts[-1]["id"] if done else acts[0]["id"]

    return run


def _count_activities(done: bool | None) -> Compute:
    def run(company: Company, entity: str, row: JSON) -> int:
        acts = _activities(company, entity, row)
        return len(acts) if done is None else sum(1 for a in acts if bool(a.get("done")) is done)

    return run


def _notes(company: Company, entity: str, row: JSON) -> int:
    key = _FK[entity]
    return sum(1 for n in company.tables["notes"].live() if n.get(key) == row["id"])


def _followers(company: Company, entity: str, row: JSON) -> int:
    table = company.tables.get("followers")
    rows = table.live() if table is not None else []
    return sum(1 for f in rows if f.get("entity") == entity and f.get("entity_id") == row["id"])


def _deals(status: str | None) -> Compute:
    def run(company: Company, entity: str, row: JSON) -> int:
        key = _FK[entity]
        deals = [d for d in company.tables["deals"].live() if d.get(key) == row["id"]]
        if status == "closed":
            return sum(1 for d in deals if d["status"] in ("won", "lost"))
        return sum(1 for d in deals if status is None or d["status"] == status)

    return run


def _people(company: Company, entity: str, row: JSON) -> int:
    return sum(1 for p in company.tables["persons"].live() if p.get("org_id") == row["id"])


def _products(company: Company, entity: str, row: JSON) -> int:
    table = company.tables.get("deal_products")
    return sum(1 for p in (table.live() if table is not None else []) if p.get("deal_id") == row["id"])


def _participants(company: Company, entity: str, row: JSON) -> int:
    people = {p["person_id"] for a in _activities(company, entity, row) for p in a.get("participants", [])}
    return len(people | ({row["person_id"]} if row.get("person_id") else set()))


def _smart_bcc(company: Company, entity: str, row: JSON) -> str:
    return f"{company.domain}+{entity}{row['id']}@pipedrivemail.com"


def _const(value: Any) -> Compute:
    return lambda company, entity, row: value


_COMMON: dict[str, Compute] = {
    "next_activity_id": _activity_id(False),
    "last_activity_id": _activity_id(True),
    "activities_count": _count_activities(None),
    "done_activities_count": _count_activities(True),
    "undone_activities_count": _count_activities(False),
    "notes_count": _notes,
    "files_count": _const(0),
    "followers_count": _followers,
    "email_messages_count": _const(0),
    "smart_bcc_email": _smart_bcc,
}
_MAIL_TIMES: dict[str, Compute] = {
    "last_incoming_mail_time": _const(None),
    "last_outgoing_mail_time": _const(None),
}
_DEAL_COUNTS: dict[str, Compute] = {
    "open_deals_count": _deals("open"),
    "related_open_deals_count": _deals("open"),
    "closed_deals_count": _deals("closed"),
    "related_closed_deals_count": _deals("closed"),
    "won_deals_count": _deals("won"),
    "related_won_deals_count": _deals("won"),
    "lost_deals_count": _deals("lost"),
    "related_lost_deals_count": _deals("lost"),
}


def _stored(company: Company, row: JSON) -> JSON:
    """The deal as stored, bookkeeping included (the lead a converted deal came from)."""
    return company.tables["deals"].rows.get(row["id"]) or {}


INCLUDES: dict[str, dict[str, Compute]] = {
    "deal": {
        **_COMMON,
        **_MAIL_TIMES,
        "first_won_time": lambda company, entity, row: row.get("won_time"),
        "products_count": _products,
        "participants_count": _participants,
        "source_lead_id": lambda company, entity, row: _stored(company, row).get("_source_lead_id"),
    },
    "person": {
        **_COMMON,
        **_MAIL_TIMES,
        **_DEAL_COUNTS,
        "participant_open_deals_count": _deals("open"),
        "participant_closed_deals_count": _deals("closed"),
        "marketing_status": lambda company, entity, row: row.get("marketing_status", "no_consent"),
        "doi_status": _const(None),
    },
    "organization": {**_COMMON, **_DEAL_COUNTS, "people_count": _people},
    "activity": {"attendees": lambda company, entity, row: row.get("attendees", [])},
}


def wanted(request: Request, entity: str) -> list[str]:
    """The validated ``include_fields`` names (empty when the entity has none or none were asked)."""
    raw = request.query_params.get("include_fields")
    table = INCLUDES.get(entity)
    if not raw or table is None:
        return []
    names = [n.strip() for n in raw.split(",") if n.strip()]
    bad = [n for n in names if n not in table]
    if bad:
        raise bad_request(
            f"Parameter 'include_fields' must be a comma-separated list of: {', '.join(table)}; "
            f"got {', '.join(bad)}"
        )
    return names


def add(company: Company, entity: str, row: JSON, names: list[str]) -> JSON:
    """``row`` with the ``names`` fields computed and added."""
    if not names:
        return row
    table = INCLUDES[entity]
    return {**row, **{n: table[n](company, entity, row) for n in names}}
