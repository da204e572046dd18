"""Interaction logging: every finished conversation written back to the matched CRM contact once.

``Conversations(runtime, runner)`` holds the per-connection writeback settings, ends conversations
(scrubbing transcripts first) and runs the durable ``log_interaction`` workflow. See
``docs/writeback.md`` and ``docs/decisions/020-interaction-logging.md``.
"""

from .scrub import scrub_text, scrub_turns
from .service import INTERACTION_FAILED, INTERACTION_LOGGED, MODES, ON_NO_MATCH, WORKFLOW, Conversations

__all__ = [
    "INTERACTION_FAILED",
    "INTERACTION_LOGGED",
    "MODES",
    "ON_NO_MATCH",
    "WORKFLOW",
    "Conversations",
    "scrub_text",
    "scrub_turns",
]
