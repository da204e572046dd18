"""The crmbridge service (``crmbridge serve``): a multi-tenant HTTP API over the runtime, with scoped API
keys, the OAuth callback, problem+json errors, idempotency and cursor pagination. Needs the ``server``
extra (``pip install 'crmbridge[server]'``)."""

from .app import create_app
from .service import Service
from .settings import ServiceSettings

__all__ = ["Service", "ServiceSettings", "create_app"]
