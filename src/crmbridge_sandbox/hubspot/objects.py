"""``/crm/v3/objects/{objectType}``: list, read, create, update and archive records of any type."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import assoctypes, writes
from .common import flag, int_param, multi, next_link, read_json, typed_access
from .errors import not_found, require
from .serialize import record_json
from .store import AssociationKind, ObjectType, Portal, Record

#: HUBSPOT_DEFINED types whose v3 name does not follow the ``{from}_to_{to}`` pattern.
_V3_NAMES = {13: "parent_to_child_company", 14: "child_to_parent_company"}


def association_type_name(portal: Portal, a: ObjectType, b: ObjectType, kind: AssociationKind) -> str:
    """The ``type`` string v3 shows per association: ``contact_to_company`` / ``…_unlabeled`` / a label."""
    defs = assoctypes.definitions(portal, a, b)
    base = f"{a.singular}_to_{b.singular}"
    found = next((d for d in defs if d.category == kind.category and d.type_id == kind.type_id), None)
    if found is not None and found.category == assoctypes.HUBSPOT_DEFINED and found.type_id in _V3_NAMES:
        return _V3_NAMES[found.type_id]
    if found is None or found.label == "Primary":
        return base
    if found.label is None:
        has_primary = any(d.label == "Primary" for d in defs)
        return f"{base}_unlabeled" if has_primary else base
    return found.label.strip().lower().replace(" ", "_")


def associations_json(
    portal: Portal, object_type: ObjectType, record: Record, wanted: list[str] | None
) -> dict[str, Any]:
    """``{plural: {results: [{id, type}]}}`` for each requested type with live associated records."""
    out: dict[str, Any] = {}
    for ref in wanted or []:
        target = portal.resolve_type(ref)
        if target is None:
            continue
        results = []
        for oid, kinds in portal.associations.targets((object_type.type_id, record.id), target.type_id):
            if not writes.is_live(portal, target.type_id, oid):
                continue
            for kind in sorted(kinds, key=lambda k: (k.category, k.type_id)):
                results.append(
                    {"id": str(oid), "type": association_type_name(portal, object_type, target, kind)}
                )
        if results:
            key = (
                target.fully_qualified_name if target.custom and target.fully_qualified_name else target.name
            )
            out[key] = {"results": results}
    return out


def render(
    portal: Portal,
    object_type: ObjectType,
    record: Record,
    properties: list[str] | None,
    history: list[str] | None = None,
    associations: list[str] | None = None,
) -> dict[str, Any]:
    body = record_json(record, object_type, properties, with_history=history)
    assoc = associations_json(portal, object_type, record, associations)
    if assoc:
        body["associations"] = assoc
    return body


def render_all(portal: Portal, object_type: ObjectType, record: Record) -> dict[str, Any]:
    """What a write answers with: every property the record holds."""
    return record_json(record, object_type, list(record.properties))


async def list_records(request: Request) -> JSONResponse:
    access, object_type = typed_access(request)
    limit = int_param(request, "limit", 10, low=1, high=100)
    archived = flag(request, "archived")
    start = int_param(request, "after", 0, low=0, high=2**62)
    table = access.portal.tables[object_type.type_id]
    ordered = sorted(
        (r for r in table.records.values() if r.archived == archived and r.id >= start), key=lambda r: r.id
    )
    page = ordered[:limit]
    properties = multi(request, "properties")
    history = multi(request, "propertiesWithHistory")
    wanted = multi(request, "associations")
    body: dict[str, Any] = {
        "results": [render(access.portal, object_type, r, properties, history, wanted) for r in page]
    }
    if len(ordered) > limit:
        cursor = str(ordered[limit].id)
        body["paging"] = {"next": {"after": cursor, "link": next_link(request, cursor)}}
    return JSONResponse(body)


def _path_record(
    request: Request, portal: Portal, object_type: ObjectType, *, archived: bool = False
) -> Record:
    ref = request.path_params["object_id"]
    record = writes.find(portal, object_type, ref, request.query_params.get("idProperty"), archived=archived)
    if record is None:
        raise not_found()
    return record


async def get_record(request: Request) -> JSONResponse:
    access, object_type = typed_access(request)
    record = _path_record(request, access.portal, object_type, archived=flag(request, "archived"))
    return JSONResponse(
        render(
            access.portal,
            object_type,
            record,
            multi(request, "properties"),
            multi(request, "propertiesWithHistory"),
            multi(request, "associations"),
        )
    )


async def create_record(request: Request) -> JSONResponse:
    access, object_type = typed_access(request, write=True)
    body = await read_json(request)
    require(body, ("properties",), "SimplePublicObjectInputForCreate")
    now = request.app.state.hubspot.ctx.clock.now()
    record = writes.create(
        access.portal, object_type, body.get("properties"), body.get("associations"), now=now
    )
    return JSONResponse(render_all(access.portal, object_type, record), status_code=201)


async def update_record(request: Request) -> JSONResponse:
    access, object_type = typed_access(request, write=True)
    body = await read_json(request)
    require(body, ("properties",), "SimplePublicObjectInput")
    record = _path_record(request, access.portal, object_type)
    now = request.app.state.hubspot.ctx.clock.now()
    writes.update(access.portal, object_type, record, body.get("properties"), now=now)
    return JSONResponse(render_all(access.portal, object_type, record))


async def archive_record(request: Request) -> Response:
    access, object_type = typed_access(request, write=True)
    record = writes.find(access.portal, object_type, request.path_params["object_id"])
    if record is not None:
        writes.archive(record, now=request.app.state.hubspot.ctx.clock.now())
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route("/crm/v3/objects/{object_type}", list_records, methods=["GET"]),
    Route("/crm/v3/objects/{object_type}", create_record, methods=["POST"]),
    Route("/crm/v3/objects/{object_type}/{object_id}", get_record, methods=["GET"]),
    Route("/crm/v3/objects/{object_type}/{object_id}", update_record, methods=["PATCH"]),
    Route("/crm/v3/objects/{object_type}/{object_id}", archive_record, methods=["DELETE"]),
]
