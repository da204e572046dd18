"""Plain-language values → HubSpot ids: stages, pipelines, owners, associated records.

``RESOLVERS`` are per-field (a tool's ``resolve`` maps an input field to one); ``PREPARERS`` reshape a
whole input (``prepare`` on a tool). Everything they learn about an account's set-up (pipelines,
owners, property definitions) is cached per account by ``CallContext.cached``; records are not.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...spec import Preparer, Resolver
from .resolve_owners import resolve_owner
from .resolve_pipelines import resolve_pipeline, resolve_stage
from .resolve_prepare import PREPARERS as _CRM_PREPARERS

__all__ = ["PREPARERS", "RESOLVERS"]

RESOLVERS: Mapping[str, Resolver] = {
    "owner": resolve_owner,
    "deal_pipeline": resolve_pipeline,
    "deal_stage": resolve_stage,
}
PREPARERS: Mapping[str, Preparer] = dict(_CRM_PREPARERS)
