"""Credentials for connected accounts, each an ``httpx.Auth`` the engine sends requests with.

``ApiKeyAuth`` for static tokens; ``OAuthAuth`` for OAuth accounts, backed by a ``TokenManager`` that
refreshes proactively and single-flight; plus the OAuth protocol pieces (token endpoint, signed state,
scope planner, uninstall callback, background refresher).
"""

from .apikey import ApiKeyAuth
from .lifecycle import AccountRef, TokenManager
from .oauth import OAuthAuth
from .refresher import Refresher, refresh_reason
from .scopes import ScopePlan, ScopeWarning, effective_scopes, plan_scopes
from .state import StateSigner
from .tokens import GrantRejected, OAuthClient, TokenSet
from .uninstall import CallbackApp

__all__ = [
    "AccountRef",
    "ApiKeyAuth",
    "CallbackApp",
    "GrantRejected",
    "OAuthAuth",
    "OAuthClient",
    "Refresher",
    "ScopePlan",
    "ScopeWarning",
    "StateSigner",
    "TokenManager",
    "TokenSet",
    "effective_scopes",
    "plan_scopes",
    "refresh_reason",
]
