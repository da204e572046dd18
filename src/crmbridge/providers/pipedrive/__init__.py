"""Pipedrive as data: endpoints, auth, limits, and the tool catalog (seed 002).

API v2 serves deals, persons, organizations, activities, products, pipelines, stages, fields and search;
v1 only what v2 lacks (leads, notes, users/me). Paths are relative to the account's ``api_domain``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...engine.hooks import Deferred
from ...spec import AuthSpec, Provider
from . import (
    auth,
    tools_activities,
    tools_deals,
    tools_leads,
    tools_meta,
    tools_notes,
    tools_organizations,
    tools_persons,
)
from .hooks import PipedriveHooks
from .limits import PIPEDRIVE_LIMITS
from .pack import PACK
from .writeback import MAPPING as WRITEBACK

if TYPE_CHECKING:
    from ...spec import Preparer, Resolver

__all__ = ["PROVIDER"]


# resolve.py and prepare.py load with the first call that needs them, not with the catalog (start-up cost).
def _resolvers() -> Mapping[str, Resolver]:
    from . import resolve

    return resolve.RESOLVERS


def _preparers() -> Mapping[str, Preparer]:
    from . import prepare

    return prepare.PREPARERS


class _Hooks(auth.PipedriveAuthHooks, PipedriveHooks):
    resolvers = Deferred(_resolvers)
    preparers = Deferred(_preparers)


PROVIDER = Provider(
    name="pipedrive",
    display_name="Pipedrive",
    base_url="https://api.pipedrive.com",
    auth=AuthSpec(
        authorize_url="https://oauth.pipedrive.com/oauth/authorize",
        token_url="https://oauth.pipedrive.com/oauth/token",
        api_key_header="x-api-token",
        api_key_prefix="",
        access_token_ttl=3600,
        client_auth="basic",  # Pipedrive's docs advise Basic client auth at the token endpoint
        scope_param=None,  # scopes are ticked on the app, not sent in the URL
        implied_scope_suffixes=auth.IMPLIED_SCOPE_SUFFIXES,
        dead_grant_codes=auth.DEAD_GRANT_CODES,
        rejected_client_codes=auth.REJECTED_CLIENT_CODES,
        base_url_per_account=True,  # the company's api_domain
        secret_patterns=auth.SECRET_PATTERNS,
        legacy_account_id_key="company_id",
        revoke_path=auth.REVOKE_PATH,
        key_check_tool="pipedrive_current_user_get",
        key_check_metadata=(("company_domain", "company_domain"), ("company_id", "company_id")),
    ),
    tools=(
        *tools_deals.TOOLS,
        *tools_persons.TOOLS,
        *tools_organizations.TOOLS,
        *tools_leads.TOOLS,
        *tools_activities.TOOLS,
        *tools_notes.TOOLS,
        *tools_meta.TOOLS,
    ),
    hooks=_Hooks(),
    rate_limits=PIPEDRIVE_LIMITS,
    docs_url="https://developers.pipedrive.com/docs/api/v1",
    pack=PACK,
    writeback=WRITEBACK,
)
