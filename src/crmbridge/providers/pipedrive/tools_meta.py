"""What a company's Pipedrive looks like: products, pipelines, stages, fields, and who is connected."""

from __future__ import annotations

from ...spec import Tool
from .common import PIPELINE, READ, V1, V2, list_tool, obj, page

_PAGE = ("limit", "cursor")

TOOLS: tuple[Tool, ...] = (
    list_tool(
        "products",
        f"{V2}/products",
        "products",
        "List the products in the Pipedrive catalog, with prices.",
        page(),
        query=_PAGE,
    ),
    list_tool(
        "pipelines", f"{V2}/pipelines", "deals", "List the Pipedrive sales pipelines.", page(), query=_PAGE
    ),
    list_tool(
        "stages",
        f"{V2}/stages",
        "deals",
        "List Pipedrive pipeline stages in order, optionally of one pipeline.",
        page(pipeline=PIPELINE),
        query=("pipeline_id", "sort_by", *_PAGE),
        resolve={"pipeline": "pipeline"},
        prepare="stages",
    ),
    list_tool(
        "fields",
        f"{V2}/{{entity}}Fields",
        "deals",
        "List the fields of a Pipedrive entity, custom ones included: field_code (the key in "
        "custom_fields), name, type and options. Leads use the deal fields.",
        page(entity={"type": "string", "enum": ["deal", "person", "organization", "product", "activity"]})
        | {"required": ["entity"]},
        query=_PAGE,
    ),
    Tool(
        name="pipedrive_current_user_get",
        description="Get the connected Pipedrive user: id, name, email, company, default currency, timezone.",
        input_schema=obj({}),
        method="GET",
        path=f"{V1}/users/me",
        scopes=("base",),
        annotations=READ,
    ),
)
