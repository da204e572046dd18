"""Stateful fakes of the HubSpot and Pipedrive public APIs, OAuth servers included.

The sandbox plays the CRM: it imports nothing from crmbridge's engine, auth or core, so the product
cannot pass its tests by sharing code with it.
"""

from .app import Sandbox
from .clock import SandboxClock
from .state import StateFile, StateFileError
from .templates import PROCESS_TEMPLATES, SeedTemplates
from .transport import NetworkFaults, SandboxTransport

__all__ = [
    "PROCESS_TEMPLATES",
    "NetworkFaults",
    "Sandbox",
    "SandboxClock",
    "SandboxTransport",
    "SeedTemplates",
    "StateFile",
    "StateFileError",
]
