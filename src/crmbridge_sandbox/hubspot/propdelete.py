"""``DELETE /crm/v3/properties/{objectType}/{propertyName}``: archive a custom property (204). HubSpot's
own properties cannot be archived (400); an unknown or already archived one is a 404."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .errors import not_found, validation
from .properties import _typed


async def archive_property(request: Request) -> Response:
    portal, object_type = _typed(request, write=True)
    name = request.path_params["property_name"]
    prop = portal.properties.get(object_type.type_id, {}).get(name)
    if prop is None or prop.archived:
        raise not_found(f"Unable to find property {name} on object type {object_type.name}")
    if prop.hubspot_defined:
        raise validation(f"{name} is a HubSpot-defined property and cannot be archived")
    prop.archived = True
    prop.updated_at = request.app.state.hubspot.ctx.clock.now()
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route("/crm/v3/properties/{object_type}/{property_name}", archive_property, methods=["DELETE"]),
]
