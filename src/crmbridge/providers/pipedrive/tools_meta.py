"""What a company's Pipedrive looks like: products, pipelines, stages, fields, and who is connected."""

from __future__ import annotations

from ..spec import Output, Tool
from .common import PIPELINE, READ, V1, V2, obj, page

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="pipedrive_products_list",
        description="List the products in the Pipedrive catalog, with prices.",
        input_schema=page(),
        method="GET",
        path=f"{V2}/products",
        scopes=("products:read",),
        annotations=READ,
        query=("limit", "cursor"),
        prepare="plain",
        output=Output("list"),
    ),
    Tool(
        name="pipedrive_pipelines_list",
        description="List the Pipedrive sales pipelines.",
        input_schema=page(),
        method="GET",
        path=f"{V2}/pipelines",
        scopes=("deals:read",),
        annotations=READ,
        query=("limit", "cursor"),
        prepare="plain",
        output=Output("list"),
    ),
    Tool(
        name="pipedrive_stages_list",
        description="List Pipedrive pipeline stages in order, optionally of one pipeline.",
        input_schema=page(pipeline=PIPELINE),
        method="GET",
        path=f"{V2}/stages",
        scopes=("deals:read",),
        annotations=READ,
        query=("pipeline_id", "limit", "cursor"),
        resolve={"pipeline": "pipeline"},
        prepare="stages",
        output=Output("list"),
    ),
    Tool(
        name="pipedrive_fields_list",
        description="List the fields of a Pipedrive entity, custom ones included: field_code (the key in "
        "custom_fields), name, type and options. Leads use the deal fields.",
        input_schema=page(
            entity={"type": "string", "enum": ["deal", "person", "organization", "product", "activity"]}
        )
        | {"required": ["entity"]},
        method="GET",
        path=f"{V2}/{{entity}}Fields",
        scopes=("deals:read",),
        annotations=READ,
        query=("limit", "cursor"),
        prepare="plain",
        output=Output("list"),
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
