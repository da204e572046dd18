"""crmbridge: safe, authenticated, reliable CRM tools for AI agents.

The product layers (engine, auth, core, server, adapters) arrive with their issues; today the package
ships the sandbox CRMs that every later layer is tested against.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
