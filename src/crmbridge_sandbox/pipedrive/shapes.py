"""Response fields the v2 spec documents on every read that the sandbox derives instead of storing.

Added when a row is rendered, so rows saved by older sandboxes (and seeded ones) answer with them too.

- Deals carry ``arr``, ``mrr`` and ``acv``: null without products or below the Growth plan (as the spec
  says); otherwise computed from the enabled recurring products (the spec's example: a monthly product of
  10 gives mrr 10, arr 120, acv 120). The arithmetic is the sandbox's choice: mrr is each recurring sum
  per month, arr twelve times that, acv one year of each product or its whole contract when
  ``billing_frequency_cycles`` ends sooner. One-time products count for none of the three.
- Activities carry ``conference_meeting_client``/``_url``/``_id``: null, as the sandbox has no
  conferencing integration.
"""

from __future__ import annotations

from . import dealvalue
from .common import JSON
from .store import Company

#: Billing periods per year of each recurring frequency.
PER_YEAR = {"weekly": 52, "monthly": 12, "quarterly": 4, "semi-annually": 2, "annually": 1}
CONFERENCE = ("conference_meeting_client", "conference_meeting_url", "conference_meeting_id")


def recurring_revenue(company: Company, deal_id: int) -> JSON:
    """``{arr, mrr, acv}`` of a deal."""
    enabled = [r for r in dealvalue.lines(company, deal_id) if r["is_enabled"]]
    if company.plan == "lite" or not enabled:
        return {"arr": None, "mrr": None, "acv": None}
    yearly = acv = 0.0
    for line in enabled:
        per_year = PER_YEAR.get(line.get("billing_frequency") or dealvalue.ONE_TIME)
        if per_year is None:
            continue
        yearly += line["sum"] * per_year
        cycles = line.get("billing_frequency_cycles")
        acv += line["sum"] * (min(per_year, cycles) if cycles else per_year)
    return {"arr": round(yearly, 2), "mrr": round(yearly / 12, 2), "acv": round(acv, 2)}


def complete(company: Company, spec_entity: str, out: JSON) -> JSON:
    """``out`` with the derived fields of its entity added."""
    if spec_entity == "deal" and "id" in out:
        out.update(recurring_revenue(company, out["id"]))
    elif spec_entity == "activity":
        for key in CONFERENCE:
            out.setdefault(key, None)
    return out
