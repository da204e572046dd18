"""An optional search-index lag: the search API sees records as they were ``lag`` seconds ago.

Real HubSpot indexes writes for search a few seconds after they land, so a client that creates and then
searches at once finds nothing (or stale values). Off by default (the sandbox's search is immediate);
``POST /_sandbox/hubspot/search-lag {"seconds": 5}`` turns it on so read-after-write handling can be
tested. The indexed view is rebuilt from each record's property history: records created within the
window are missing, values changed within it are the old ones, and records archived within it are found.
"""

from __future__ import annotations

import dataclasses

from .store import Record


def indexed(record: Record, cutoff: float) -> Record | None:
    """``record`` as the search index knew it at ``cutoff``; None if it was not indexed yet (or archived)."""
    if record.created_at > cutoff:
        return None
    archived = record.archived and (record.archived_at is None or record.archived_at <= cutoff)
    if archived:
        return None
    if record.updated_at <= cutoff and not record.archived:
        return record
    properties = dict(record.properties)
    for name, entries in record.history.items():
        old = next((e.value for e in entries if e.timestamp <= cutoff), None)
        if old is None:
            properties.pop(name, None)
        else:
            properties[name] = old
    return dataclasses.replace(record, properties=properties, archived=False)
