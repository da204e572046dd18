"""HubSpot as data: endpoints, auth, limits, and the tool catalog (seeds 000, 003 and 004), plus the hooks
for its quirks (``hooks.py``, ``auth.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...engine.hooks import Deferred
from ...spec import AuthSpec, Provider
from . import auth, tools_crm, tools_generic
from .hooks import HubSpotHooks
from .limits import HUBSPOT_LIMITS
from .pack import PACK
from .writeback import MAPPING as WRITEBACK

if TYPE_CHECKING:
    from ...spec import Preparer, Resolver

__all__ = ["PROVIDER"]


# The resolve_* and generic_prepare modules load with the first call that needs them, not with the catalog
# (start-up cost).
def _resolvers() -> Mapping[str, Resolver]:
    from . import resolve

    return resolve.RESOLVERS


def _preparers() -> Mapping[str, Preparer]:
    from . import generic_prepare, resolve

    return {**resolve.PREPARERS, **generic_prepare.PREPARERS}


class _Hooks(auth.HubSpotAuthHooks, HubSpotHooks):
    resolvers = Deferred(_resolvers)
    preparers = Deferred(_preparers)


PROVIDER = Provider(
    name="hubspot",
    display_name="HubSpot",
    base_url="https://api.hubapi.com",
    auth=AuthSpec(
        authorize_url="https://app.hubspot.com/oauth/authorize",
        token_url="https://api.hubapi.com/oauth/2026-03/token",  # v1 is sunset on 2027-02-16
        api_key_header="Authorization",
        api_key_prefix="Bearer ",
        access_token_ttl=1800,
        client_auth="body",
        scope_param="scope",
        optional_scope_param="optional_scope",
        tier_limited_scopes=auth.TIER_LIMITED_SCOPES,
        dead_grant_codes=auth.DEAD_GRANT_CODES,
        rejected_client_codes=auth.REJECTED_CLIENT_CODES,
        secret_patterns=auth.SECRET_PATTERNS,
        legacy_account_id_key="portal_id",
        revoke_path=auth.REVOKE_PATH,
        key_check_tool="hubspot_owners_list",
        key_check_input=(("limit", 1),),
    ),
    tools=(*tools_crm.TOOLS, *tools_generic.TOOLS),
    hooks=_Hooks(),
    rate_limits=HUBSPOT_LIMITS,
    docs_url="https://developers.hubspot.com/docs/api/crm",
    pack=PACK,
    writeback=WRITEBACK,
)
