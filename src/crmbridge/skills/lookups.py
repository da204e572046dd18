"""The read flows besides the caller's contact: a company by name or website domain, tickets by a keyword.

Like the contact flows, each search is the provider's (over-inclusive where its API is fuzzy) and every
candidate is re-checked here, so the answer means the same on every CRM: a domain is compared in its bare
form (``https://www.Acme.com/about`` is ``acme.com``), a name case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, InvalidInput
from ..spec.pack import CallCatalogTool, CompanySteps, TicketSteps

if TYPE_CHECKING:
    from .flows import Compiled

__all__ = ["bare_domain", "find_company", "find_tickets"]

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_MAX_CANDIDATES = 10


def bare_domain(raw: str) -> str | None:
    """``acme.com`` from a domain or website address; ``None`` when there is no domain in it."""
    text = _SCHEME.sub("", raw.strip().lower())
    host = re.split(r"[/?#]", text, maxsplit=1)[0].rsplit("@", 1)[-1]
    host = host.split(":", 1)[0].rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        return None
    return host


def _records(data: Any) -> list[Mapping[str, Any]]:
    if isinstance(data, Mapping):
        data = data.get("results", [])
    return [r for r in data or [] if isinstance(r, Mapping)]


def _steps(skill: Compiled, kind: type) -> Any:
    if not isinstance(skill.steps, kind):
        raise ConfigurationError(f"The {skill.template.name} skill is not supported by this CRM's pack.")
    return skill.steps


async def find_company(skill: Compiled, args: Mapping[str, Any], call: CallCatalogTool) -> dict[str, Any]:
    """``found``, ``none`` or ``ambiguous``; a domain match wins over a name match, an exact name over a
    partial one."""
    steps: CompanySteps = _steps(skill, CompanySteps)
    name = str(args["name"]).strip() if args.get("name") else None
    domain = None
    if args.get("domain"):
        domain = bare_domain(str(args["domain"]))
        if domain is None:
            raise InvalidInput(
                f"{str(args['domain'])[:80]!r} is not a domain or website address (e.g. acme.com).",
                field="domain",
            )
    views: dict[str, dict[str, Any]] = {}
    for tool, tool_args in steps.company_searches(name, domain, skill.resolved):
        for record in _records(await call(tool, tool_args)):
            view = steps.company_view(record)
            views.setdefault(view["id"], view)
    if domain:
        await _read_websites(steps, views, domain, call)
    matched_by, matches = _best(list(views.values()), name, domain)
    searched = {"name": name, "domain": domain}
    if not matches:
        return {"status": "none", "searched": searched, "message": "No company has this name or domain."}
    if len(matches) == 1:
        return {"status": "found", "company": matches[0], "matched_by": matched_by, "searched": searched}
    return {
        "status": "ambiguous",
        "candidates": matches[:_MAX_CANDIDATES],
        "matched_by": matched_by,
        "searched": searched,
        "message": f"{len(matches)} companies match: ask the caller which one (or for its website).",
    }


async def _read_websites(
    steps: CompanySteps, views: dict[str, dict[str, Any]], domain: str, call: CallCatalogTool
) -> None:
    """Fill in the website of candidates the search answered without one (a few, named like the domain)."""
    label = domain.split(".")[0]
    unknown = [
        v for v in views.values() if not v.get("domain") and label in str(v.get("name") or "").casefold()
    ]
    for view in unknown[:_MAX_CANDIDATES]:
        step = steps.company_get(view["id"])
        if step is None:
            return
        record = await call(*step)
        if isinstance(record, Mapping):
            views[view["id"]] = {**view, "domain": steps.company_view(record).get("domain")}


def _best(
    views: list[dict[str, Any]], name: str | None, domain: str | None
) -> tuple[str | None, list[dict[str, Any]]]:
    """The strongest kind of match any candidate has, and the candidates that have it: the domain, the
    exact name, a part of the name, and (for a CRM that does not return a company's website) the
    domain's first label in the name of a company whose domain is unknown."""

    def name_of(view: dict[str, Any]) -> str:
        return str(view.get("name") or "").casefold()

    wanted = name.casefold() if name else None
    label = domain.split(".")[0] if domain else None
    tiers: list[tuple[str, list[dict[str, Any]]]] = [
        ("domain", [v for v in views if domain and bare_domain(str(v.get("domain") or "")) == domain]),
        ("name", [v for v in views if wanted and name_of(v) == wanted]),
        ("part of the name", [v for v in views if wanted and wanted in name_of(v)]),
        (
            "domain name in the name",
            [v for v in views if label and not v.get("domain") and label in name_of(v)],
        ),
    ]
    return next(((kind, found) for kind, found in tiers if found), (None, []))


async def find_tickets(skill: Compiled, args: Mapping[str, Any], call: CallCatalogTool) -> dict[str, Any]:
    """Tickets whose subject or description holds every word of ``query``, newest first."""
    steps: TicketSteps = _steps(skill, TicketSteps)
    query = str(args["query"]).strip()
    limit = int(args.get("limit") or 5)
    tool, tool_args = steps.ticket_search(query, limit, skill.resolved)
    words = query.casefold().split()
    found = []
    for record in _records(await call(tool, tool_args)):
        view = steps.ticket_view(record, skill.resolved)
        text = f"{view.get('subject') or ''} {view.get('description') or ''}".casefold()
        if all(w in text for w in words):
            found.append(view)
    found.sort(key=lambda v: str(v.get("created_at") or ""), reverse=True)
    if not found:
        return {"status": "none", "tickets": [], "message": f"No ticket mentions {query!r}."}
    return {"status": "found", "tickets": found[:limit]}
