"""``include_fields`` on the v2 fields APIs: the ``ui_visibility``, ``important_fields`` and
``required_fields`` namespaces a field answers only when asked.

Which entity offers which namespace comes from the v2 spec (products and activities: ``ui_visibility``
only). The sandbox has no UI to configure them, so every field answers a fresh company's defaults:
visible everywhere, neither important nor required.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from .common import JSON
from .errors import bad_request
from .store import Company

NAMESPACES: dict[str, tuple[str, ...]] = {
    "deal": ("ui_visibility", "important_fields", "required_fields"),
    "person": ("ui_visibility", "important_fields", "required_fields"),
    "organization": ("ui_visibility", "important_fields", "required_fields"),
    "product": ("ui_visibility",),
    "activity": ("ui_visibility",),
    "project": ("ui_visibility", "important_fields", "required_fields"),
}


#: Project fields take no ``include_fields`` and the spec's example answers every namespace: always shown.
ALWAYS = {"project": NAMESPACES["project"]}


def wanted(request: Request, entity: str) -> list[str]:
    raw = request.query_params.get("include_fields")
    if not raw:
        return list(ALWAYS.get(entity, ()))
    allowed = NAMESPACES.get(entity, ())
    names = [n.strip() for n in raw.split(",") if n.strip()]
    bad = [n for n in names if n not in allowed]
    if bad:
        raise bad_request(
            f"Parameter 'include_fields' must be a comma-separated list of: {', '.join(allowed)}; "
            f"got {', '.join(bad)}"
        )
    return names


def _value(company: Company, entity: str, namespace: str) -> dict[str, Any]:
    if namespace == "ui_visibility":
        out: dict[str, Any] = {"add_visible_flag": True, "details_visible_flag": True}
        if entity == "deal":
            out["show_in_pipelines"] = {"show_in_all": True, "pipeline_ids": []}
        return out
    if namespace == "important_fields" or entity == "deal":
        return {"enabled": False, "stage_ids": []}
    return {"enabled": False}


def add(
    company: Company, entity: str, field: JSON, names: list[str], stored: dict[str, Any] | None = None
) -> JSON:
    """``field`` with the asked namespaces: what a field write set (``stored``) over the defaults."""
    stored = stored or {}
    return {**field, **{n: {**_value(company, entity, n), **stored.get(n, {})} for n in names}}
