"""Test helpers: put records, property definitions and associations straight into a portal's store.

Tests of search and associations build exactly the data they assert on, independent of what the seed
puts in a new portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.hubspot import assoctypes
from crmbridge_sandbox.hubspot.store import AssociationStore, ObjectType, Portal, PropertyDef, Record

BASE_TS = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@dataclass
class Hub:
    """A HubSpot portal emptied of seeded records, plus an HTTP client authorised for it."""

    sandbox: Sandbox
    portal: Portal
    client: httpx.AsyncClient | None = None  # None: store access only (e.g. under a live server)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.portal.private_app_token}"}

    def type(self, ref: str) -> ObjectType:
        found = self.portal.resolve_type(ref)
        assert found is not None, ref
        return found

    def define(self, type_ref: str, name: str, ptype: str, field_type: str = "text") -> None:
        """Register a property definition (type-aware comparisons read ``PropertyDef.type``)."""
        t = self.type(type_ref)
        self.portal.properties.setdefault(t.type_id, {})[name] = PropertyDef(
            name=name, label=name, type=ptype, field_type=field_type, group_name="test"
        )

    def add(
        self,
        type_ref: str,
        properties: dict[str, str] | None = None,
        *,
        archived: bool = False,
        at: float = 0,
    ) -> Record:
        t = self.type(type_ref)
        rid = self.portal.new_id()
        props = {"hs_object_id": str(rid), **(properties or {})}
        record = Record(id=rid, properties=props, created_at=BASE_TS + at, updated_at=BASE_TS + at)
        record.archived = archived
        self.portal.tables[t.type_id].records[rid] = record
        return record

    def associate(self, a_ref: str, a: Record, b_ref: str, b: Record, label: str | None = None) -> None:
        ta, tb = self.type(a_ref), self.type(b_ref)
        defs = [d for d in assoctypes.definitions(self.portal, ta, tb) if d.label == label]
        assert defs, (a_ref, b_ref, label)
        self.portal.associations.add(
            (ta.type_id, a.id), (tb.type_id, b.id), defs[0].kind, defs[0].inverse_kind
        )

    def edges(self, a_ref: str, a: Record, b_ref: str) -> dict[int, set[int]]:
        """``{other id: {type ids}}`` as stored, from ``a``'s side."""
        ta, tb = self.type(a_ref), self.type(b_ref)
        return {
            oid: {k.type_id for k in kinds}
            for oid, kinds in self.portal.associations.targets((ta.type_id, a.id), tb.type_id)
        }

    async def search(self, type_ref: str, body: dict[str, Any]) -> httpx.Response:
        # A second per search keeps any search rate limit (5/s) out of the way of these tests.
        self.sandbox.clock.advance(1.0)
        assert self.client is not None
        return await self.client.post(
            f"/hubspot/crm/v3/objects/{type_ref}/search", json=body, headers=self.headers
        )

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.sandbox.clock.advance(0.2)
        assert self.client is not None
        return await self.client.request(method, f"/hubspot{path}", headers=self.headers, **kwargs)


def empty_hub(sandbox: Sandbox, client: httpx.AsyncClient | None, portal: Portal | None = None) -> Hub:
    """A portal (new unless given) with every record and association removed (definitions are kept)."""
    portal = portal or sandbox.hubspot.create_portal(seed_value=1)
    for table in portal.tables.values():
        table.records.clear()
    portal.associations = AssociationStore()
    return Hub(sandbox, portal, client)


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [int(r["id"]) for r in response.json()["results"]]
