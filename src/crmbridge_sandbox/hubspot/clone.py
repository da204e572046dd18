"""A copy of a seeded portal made into a new portal: the copy's data under the new portal's identity.

Seeded data depends on the portal id in one place only: custom objects are numbered from it
(``2-<number>``, ``p<portal id>_<name>``; see ``schemas.create_schema``). Everything else a seed writes
(records, ids, owners, pipelines, properties, associations) is the same in every portal with that seed.
"""

from __future__ import annotations

from dataclasses import replace

from .store import Portal


def custom_type_id(type_id: str, old_portal: int, new_portal: int) -> str:
    """The id ``schemas.create_schema`` would have given the same custom object in ``new_portal``."""
    number = int(type_id.split("-", 1)[1])
    return f"2-{number - old_portal % 100_000 * 100 + new_portal % 100_000 * 100}"


def as_new_portal(copy: Portal, new: Portal) -> Portal:
    """``copy`` (seeded data of another portal, owned by nobody) with ``new``'s id, token, tier, domain and
    creation time, its custom objects renumbered for that id."""
    old_id = copy.id
    type_ids = {t: custom_type_id(t, old_id, new.id) for t in copy.schemas}
    for schema in copy.schemas.values():
        old = schema.object_type
        schema.object_type = replace(
            old, type_id=type_ids[old.type_id], fully_qualified_name=f"p{new.id}_{old.name}"
        )
        schema.associated_type_ids = [type_ids.get(t, t) for t in schema.associated_type_ids]
    types = {s.object_type.type_id: s.object_type for s in copy.schemas.values()}
    tables = {}
    for type_id, table in copy.tables.items():
        renamed = type_ids.get(type_id, type_id)
        table.type = types.get(renamed, table.type)
        tables[renamed] = table
    copy.tables = tables
    copy.schemas = {type_ids[t]: s for t, s in copy.schemas.items()}
    copy.properties = {type_ids.get(t, t): defs for t, defs in copy.properties.items()}
    copy.pipelines = {type_ids.get(t, t): p for t, p in copy.pipelines.items()}
    copy.association_defs = {
        (type_ids.get(a, a), type_ids.get(b, b)): defs for (a, b), defs in copy.association_defs.items()
    }
    copy.association_limits = {
        (type_ids.get(a, a), type_ids.get(b, b)): v for (a, b), v in copy.association_limits.items()
    }
    copy.associations.retype(type_ids)
    copy.id, copy.tier, copy.private_app_token = new.id, new.tier, new.private_app_token
    copy.created_at, copy.time_zone, copy.domain = new.created_at, new.time_zone, new.domain
    return copy
