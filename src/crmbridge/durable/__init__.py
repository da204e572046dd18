"""Durable work: workflows that survive a crash, started by name with an idempotency key.

Features that must finish what they start (webhook deliveries, interaction logging) write their
workflows against :class:`DurableContext` and start them through a :class:`DurableRunner`; the host
(the service, or an application embedding crmbridge) decides which engine runs them. The engine
shipped is DBOS Transact (:class:`DBOSRunner`, :func:`launch_dbos`), imported only when used, so the
library does not need the ``server`` extra. See ``docs/decisions/015-durable-work-engine.md``.
"""

from typing import TYPE_CHECKING

from ..lazy import lazy_attributes
from .runner import DurableContext, DurableRunner, Workflow, WorkflowRegistry

if TYPE_CHECKING:
    from .dbos_runner import DBOSRunner, launch_dbos, system_database_url

__all__ = [
    "DBOSRunner",
    "DurableContext",
    "DurableRunner",
    "Workflow",
    "WorkflowRegistry",
    "launch_dbos",
    "system_database_url",
]

__getattr__ = lazy_attributes(
    __name__,
    {"DBOSRunner": "dbos_runner", "launch_dbos": "dbos_runner", "system_database_url": "dbos_runner"},
    globals(),
)
