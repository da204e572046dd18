"""Record merges (``POST /crm/v3/objects/{objectType}/merge``) and the GDPR delete of a contact
(``POST /crm/v3/objects/contacts/gdpr-delete``).

A merge keeps the primary record: its values win, values only the other record holds are carried over,
the other record's associations move to it, and the other record's id is listed in
``hs_merged_object_ids``. The merged-away record leaves every read (HubSpot redirects its id to the
primary; the sandbox answers 404). A GDPR delete removes the contact and its associations for good: it is
not in the recycle bin (``archived=true``) afterwards.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import writes
from .auth import authenticate, require_access
from .common import read_json, resolve_type, typed_access, write_scopes
from .errors import not_found, require, validation
from .objects import render_all
from .propdefs import timestamp_names
from .store import ObjectType, Portal, Record

#: The object types HubSpot merges through this endpoint.
MERGEABLE = ("contacts", "companies", "deals", "tickets")
MERGED_IDS = "hs_merged_object_ids"
#: Identity and bookkeeping values the primary keeps whatever the other record holds.
KEPT = ("hs_object_id", MERGED_IDS, "hs_createdate", "hs_lastmodifieddate")


def _id(value: Any, name: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise validation(f"Invalid input JSON: {name} must be a string, got {type(value).__name__}")
    return str(value)


def _live(portal: Portal, object_type: ObjectType, ref: str) -> Record:
    record = writes.find(portal, object_type, ref)
    if record is None:
        raise not_found(f"Object not found.  objectId are usually numeric. ({ref})")
    return record


def merge(portal: Portal, object_type: ObjectType, primary: Record, other: Record, now: float) -> None:
    created, modified = timestamp_names(object_type)
    kept = {*KEPT, created, modified}
    carried = {
        name: value
        for name, value in other.properties.items()
        if name not in kept and value and not primary.properties.get(name)
    }
    ids = [i for i in primary.properties.get(MERGED_IDS, "").split(";") if i]
    ids += [str(other.id), *(i for i in other.properties.get(MERGED_IDS, "").split(";") if i)]
    writes.archive(other, now=now)  # first: a unique value (e-mail) it held may now pass to the primary
    portal.associations.move_record((object_type.type_id, other.id), (object_type.type_id, primary.id))
    writes.apply_update(object_type, primary, {**carried, MERGED_IDS: ";".join(ids)}, now)


async def merge_records(request: Request) -> JSONResponse:
    access, object_type = typed_access(request, write=True)
    body = await read_json(request)
    require(body, ("primaryObjectId", "objectIdToMerge"), "PublicMergeInput")
    if object_type.name not in MERGEABLE:
        raise validation(f"Merging is not supported for object type {object_type.name}")
    primary_ref = _id(body["primaryObjectId"], "primaryObjectId")
    other_ref = _id(body["objectIdToMerge"], "objectIdToMerge")
    if primary_ref.strip() == other_ref.strip():
        raise validation("Cannot merge an object with itself: primaryObjectId equals objectIdToMerge")
    primary = _live(access.portal, object_type, primary_ref)
    other = _live(access.portal, object_type, other_ref)
    merge(access.portal, object_type, primary, other, request.app.state.hubspot.ctx.clock.now())
    return JSONResponse(render_all(access.portal, object_type, primary))


async def gdpr_delete(request: Request) -> Response:
    object_type = resolve_type(authenticate(request).portal, "contacts")
    access = require_access(request, scopes_any=write_scopes(object_type))
    body = await read_json(request)
    require(body, ("objectId",), "PublicGdprDeleteInput")
    id_property = body.get("idProperty")
    if id_property is not None and not isinstance(id_property, str):
        raise validation("Invalid input JSON: idProperty must be a string")
    ref = _id(body["objectId"], "objectId")
    record = writes.find(access.portal, object_type, ref, id_property)
    if record is None:
        raise not_found()
    access.portal.associations.drop_record((object_type.type_id, record.id))
    del access.portal.tables[object_type.type_id].records[record.id]
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route("/crm/v3/objects/{object_type}/merge", merge_records, methods=["POST"]),
    Route("/crm/v3/objects/contacts/gdpr-delete", gdpr_delete, methods=["POST"]),
]
