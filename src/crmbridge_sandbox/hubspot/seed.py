"""Deterministic, realistic portal data: owners, pipelines, property definitions, records and associations.

Same seed, same data (record timestamps are anchored to the start of the current UTC day). Faker only
fills small name pools; records are then built straight into the store so 10,000 contacts stay fast.
"""

from __future__ import annotations

import random
import re
from typing import Any

from faker import Faker

from . import assoctypes, pipelines, propdefs, writes
from .schemas import create_schema
from .serialize import iso
from .store import AssociationDef, ObjectType, Owner, Portal, Record

DEFAULT_CONTACTS, DEFAULT_COMPANIES, DEFAULT_DEALS = 50, 20, 30
DAY = 86_400.0

_FAKER = Faker("en_US")

CARS_SCHEMA: dict[str, Any] = {
    "name": "cars",
    "labels": {"singular": "Car", "plural": "Cars"},
    "primaryDisplayProperty": "vin",
    "requiredProperties": ["vin", "make"],
    "searchableProperties": ["vin", "make", "model"],
    "secondaryDisplayProperties": ["make", "model"],
    "associatedObjects": ["CONTACT", "COMPANY"],
    "properties": [
        {"name": "vin", "label": "VIN", "type": "string", "fieldType": "text", "hasUniqueValue": True},
        {"name": "make", "label": "Make", "type": "string", "fieldType": "text"},
        {"name": "model", "label": "Model", "type": "string", "fieldType": "text"},
        {"name": "year", "label": "Year", "type": "number", "fieldType": "number"},
        {"name": "price", "label": "Price", "type": "number", "fieldType": "number"},
    ],
}
CARS = (("Toyota", "Camry"), ("Honda", "Civic"), ("Ford", "F-150"), ("Tesla", "Model 3"), ("BMW", "X5"),
        ("Volkswagen", "Golf"), ("Subaru", "Outback"), ("Kia", "Sorento"), ("Mazda", "CX-5"), ("Volvo", "XC60"))  # fmt: skip
PRODUCTS = (("Starter Plan", "49"), ("Professional Plan", "199"), ("Enterprise Plan", "899"),
            ("Onboarding Package", "1500"), ("Premium Support", "300"), ("Training Day", "1200"),
            ("API Add-on", "99"), ("Data Migration", "2500"))  # fmt: skip
DEAL_SUFFIXES = ("New Business", "Expansion", "Renewal", "Pilot", "Upgrade", "Annual Contract")


class _Seeder:
    def __init__(self, portal: Portal, now: float, seed: int) -> None:
        self.portal = portal
        self.rng = random.Random(seed)
        self.base = (now // DAY) * DAY
        _FAKER.seed_instance(seed)
        f = _FAKER
        self.first = [f.first_name() for _ in range(150)]
        self.last = [f.last_name() for _ in range(150)]
        self.jobs = [f.job() for _ in range(60)]
        self.places = [(f.city(), f.state()) for _ in range(60)]
        self.phones = [f.numerify("+1 (%##) 555-####") for _ in range(200)]
        self.sentences = [f.sentence(nb_words=12) for _ in range(80)]
        self.org_domain = f.domain_name()
        self.types = {t.name: t for t in portal.object_types()}
        self._defs: dict[tuple[str, str, str | None], AssociationDef | None] = {}

    def when(self, max_days: float = 365.0) -> float:
        """A creation time within the past year, before today."""
        return self.base - self.rng.uniform(1.0, max_days) * DAY

    def record(self, type_name: str, values: dict[str, str], created: float | None = None) -> Record:
        return writes.new_record(
            self.portal, self.types[type_name], values, self.when() if created is None else created
        )

    def link(self, a: tuple[ObjectType, int], b: tuple[ObjectType, int], label: str | None = None) -> None:
        key = (a[0].type_id, b[0].type_id, label)
        if key not in self._defs:
            defs = assoctypes.definitions(self.portal, a[0], b[0])
            self._defs[key] = next((d for d in defs if d.label == label), None)
        found = self._defs[key]
        if found is not None:
            self.portal.associations.add(
                (a[0].type_id, a[1]), (b[0].type_id, b[1]), found.kind, found.inverse_kind
            )

    def pick_owner(self) -> str:
        return self.rng.choice(self.portal.owners).id

    def options(self, type_id: str, prop: str) -> list[str]:
        return [o.value for o in self.portal.properties[type_id][prop].options]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower()) or "company"


def _owners(s: _Seeder, now: float) -> None:
    used: set[str] = set()
    for i in range(5):
        first, last = s.rng.choice(s.first), s.rng.choice(s.last)
        oid = str(s.rng.randint(10_000_000, 99_999_999))
        while oid in used:
            oid = str(int(oid) + 1)
        used.add(oid)
        team = (
            {"id": "1001", "name": "Sales", "primary": True}
            if i < 3
            else {"id": "1002", "name": "Support", "primary": True}
        )
        s.portal.owners.append(
            Owner(
                oid,
                f"{first}.{last}{i}@{s.org_domain}".lower(),
                first,
                last,
                70_000_000 + int(oid) % 1_000_000,
                teams=[team],
                created_at=s.base - 400 * DAY,
                updated_at=s.base - 30 * DAY,
            )
        )


def _companies(s: _Seeder, count: int) -> list[tuple[Record, str]]:
    names = [_FAKER.company() for _ in range(min(count, 300))]
    industries = s.options("0-2", "industry")
    seen: set[str] = set()
    out = []
    for i in range(count):
        name = names[i % len(names)] + ("" if i < len(names) else f" {i // len(names) + 1}")
        domain = f"{_slug(name)}.com"
        while domain in seen:
            domain = f"{_slug(name)}{len(seen)}.com"
        seen.add(domain)
        city, state = s.rng.choice(s.places)
        values = {
            "name": name, "domain": domain, "website": f"https://www.{domain}",
            "industry": s.rng.choice(industries), "phone": s.rng.choice(s.phones), "city": city,
            "state": state, "country": "United States",
            "numberofemployees": str(s.rng.choice((5, 12, 40, 85, 150, 400, 1200, 5000))),
            "annualrevenue": str(s.rng.randrange(100_000, 50_000_000, 1000)),
            "lifecyclestage": s.rng.choice(("lead", "opportunity", "customer")),
            "hubspot_owner_id": s.pick_owner(),
        }  # fmt: skip
        out.append((s.record("companies", values), domain))
    return out


def _contacts(s: _Seeder, count: int, companies: list[tuple[Record, str]]) -> list[tuple[Record, int | None]]:
    contact_t, company_t = s.types["contacts"], s.types["companies"]
    stages = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
    statuses = s.options("0-1", "hs_lead_status")
    emails: set[str] = set()
    out: list[tuple[Record, int | None]] = []
    for i in range(count):
        if i == 0:
            first, last = "John", "Smith"
        else:
            first, last = s.rng.choice(s.first), s.rng.choice(s.last)
            if (first, last) == ("John", "Smith"):
                last = "Smithson"
        company = (
            companies[0 if i == 0 else s.rng.randrange(len(companies))]
            if companies and (i == 0 or s.rng.random() < 0.85)
            else None
        )
        domain = company[1] if company else "example.com"
        local = _slug(first) + "." + _slug(last)
        email = f"{local}@{domain}"
        n = 2
        while email in emails:
            email = f"{local}{n}@{domain}"
            n += 1
        emails.add(email)
        city, state = s.rng.choice(s.places)
        values = {
            "firstname": first, "lastname": last, "email": email, "phone": s.rng.choice(s.phones),
            "jobtitle": s.rng.choice(s.jobs), "lifecyclestage": s.rng.choice(stages),
            "hs_lead_status": s.rng.choice(statuses), "city": city, "state": state, "country": "United States",
            "hubspot_owner_id": s.pick_owner(),
        }  # fmt: skip
        if company is not None:
            values["company"] = company[0].properties["name"]
            values["website"] = f"https://www.{domain}"
        record = s.record("contacts", values)
        cid = company[0].id if company else None
        if cid is not None:
            s.link((contact_t, record.id), (company_t, cid))
            s.link((contact_t, record.id), (company_t, cid), "Primary")
        out.append((record, cid))
    return out


def _deals(
    s: _Seeder, count: int, companies: list[tuple[Record, str]], contacts: list[tuple[Record, int | None]]
) -> list[Record]:
    deal_t, company_t, contact_t = s.types["deals"], s.types["companies"], s.types["contacts"]
    pipes = s.portal.pipelines["0-3"]
    by_company: dict[int, list[int]] = {}
    for c, cid in contacts:
        if cid is not None:
            by_company.setdefault(cid, []).append(c.id)
    out = []
    for _ in range(count):
        pipeline = pipes[0] if len(pipes) < 2 or s.rng.random() < 0.8 else pipes[1]
        stage = s.rng.choice(pipeline.stages)
        company = s.rng.choice(companies)[0] if companies else None
        label = company.properties["name"] if company else s.rng.choice(s.last)
        created = s.when()
        values = {
            "dealname": f"{label} - {s.rng.choice(DEAL_SUFFIXES)}",
            "amount": str(s.rng.randrange(1_000, 250_000, 500)),
            "pipeline": pipeline.id, "dealstage": stage.id,
            "closedate": iso(created + s.rng.uniform(20, 120) * DAY),
            "dealtype": s.rng.choice(("newbusiness", "existingbusiness")),
            "hubspot_owner_id": s.pick_owner(),
        }  # fmt: skip
        deal = s.record("deals", values, created)
        if company is not None:
            s.link((deal_t, deal.id), (company_t, company.id))
            s.link((deal_t, deal.id), (company_t, company.id), "Primary")
            people = by_company.get(company.id) or []
        else:
            people = []
        if not people and contacts:
            people = [s.rng.choice(contacts)[0].id]
        for pid in people[:2]:
            s.link((deal_t, deal.id), (contact_t, pid))
        out.append(deal)
    return out


def _activities(s: _Seeder, contacts: list[tuple[Record, int | None]], deals: list[Record]) -> None:
    if not contacts:
        return
    n = len(contacts)
    contact_t = s.types["contacts"]
    ticket_stages = [st.id for st in s.portal.pipelines["0-5"][0].stages]
    plans: list[tuple[str, int, Any]] = [
        ("tickets", min(12, max(2, n // 5)), lambda: {
            "subject": s.rng.choice(s.sentences)[:60].rstrip("."), "content": s.rng.choice(s.sentences),
            "hs_pipeline": "0", "hs_pipeline_stage": s.rng.choice(ticket_stages),
            "hs_ticket_priority": s.rng.choice(("LOW", "MEDIUM", "HIGH", "URGENT")),
            "hs_ticket_category": s.rng.choice(s.options("0-5", "hs_ticket_category"))}),
        ("notes", min(30, n), lambda: {"hs_note_body": s.rng.choice(s.sentences)}),
        ("calls", min(15, n), lambda: {
            "hs_call_title": f"Call with {s.rng.choice(s.first)}", "hs_call_body": s.rng.choice(s.sentences),
            "hs_call_direction": s.rng.choice(("INBOUND", "OUTBOUND")),
            "hs_call_duration": str(s.rng.randrange(30_000, 1_800_000, 1000)), "hs_call_status": "COMPLETED",
            "hs_call_disposition": s.rng.choice(s.options("0-48", "hs_call_disposition"))}),
        ("tasks", min(15, n), lambda: {
            "hs_task_subject": f"Follow up: {s.rng.choice(s.sentences)[:40].rstrip('.')}",
            "hs_task_body": s.rng.choice(s.sentences),
            "hs_task_status": s.rng.choice(("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")),
            "hs_task_priority": s.rng.choice(("NONE", "LOW", "MEDIUM", "HIGH")),
            "hs_task_type": s.rng.choice(("EMAIL", "CALL", "TODO"))}),
        ("meetings", min(10, n), lambda: {
            "hs_meeting_title": f"Meeting: {s.rng.choice(s.sentences)[:40].rstrip('.')}",
            "hs_meeting_body": s.rng.choice(s.sentences), "hs_meeting_outcome": "COMPLETED"}),
    ]  # fmt: skip
    for type_name, count, make in plans:
        object_type = s.types[type_name]
        for _ in range(count):
            created = s.when(180)
            values = make()
            if type_name != "tickets":
                values["hs_timestamp"] = iso(created + 3600)
            values["hubspot_owner_id"] = s.pick_owner()
            record = s.record(type_name, values, created)
            s.link((object_type, record.id), (contact_t, s.rng.choice(contacts)[0].id))
            if type_name == "notes" and deals and s.rng.random() < 0.3:
                s.link((object_type, record.id), (s.types["deals"], s.rng.choice(deals).id))


def _commerce(s: _Seeder, deals: list[Record]) -> None:
    products = [
        s.record(
            "products",
            {
                "name": name,
                "price": price,
                "hs_sku": f"SKU-{100 + i}",
                "description": f"{name} for growing teams",
            },
        )
        for i, (name, price) in enumerate(PRODUCTS)
    ]
    deal_t, item_t = s.types["deals"], s.types["line_items"]
    for deal in deals[:10]:
        for product in s.rng.sample(products, s.rng.randint(1, 2)):
            values = {
                "name": product.properties["name"], "price": product.properties["price"],
                "quantity": str(s.rng.randint(1, 20)), "hs_product_id": str(product.id),
            }  # fmt: skip
            item = s.record("line_items", values, deal.created_at)
            s.link((deal_t, deal.id), (item_t, item.id))


def _cars(s: _Seeder, now: float, contacts: list[tuple[Record, int | None]]) -> None:
    schema = create_schema(s.portal, CARS_SCHEMA, s.base - 400 * DAY)
    cars_t = schema.object_type
    s.types[cars_t.name] = cars_t
    contact_t = s.types["contacts"]
    for i in range(10):
        make, model = s.rng.choice(CARS)
        vin = "".join(s.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(17))
        values = {"vin": vin, "make": make, "model": model, "year": str(s.rng.randint(2012, 2025)),
                  "price": str(s.rng.randrange(8_000, 90_000, 250)), "hubspot_owner_id": s.pick_owner()}  # fmt: skip
        car = s.record(cars_t.name, values)
        if contacts and i % 3 != 2:
            s.link((cars_t, car.id), (contact_t, contacts[(i * 7) % len(contacts)][0].id))


def populate(
    portal: Portal, *, now: float, seed: int, contacts: int | None, companies: int | None, deals: int | None
) -> None:
    """Fill a new portal: owners, pipelines, property definitions, records, associations, custom object."""
    s = _Seeder(portal, now, seed)
    _owners(s, now)
    portal.pipelines.update(pipelines.defaults(s.base - 400 * DAY, s.rng.randint(1, 999_999)))
    propdefs.install(portal, s.base - 400 * DAY)
    company_rows = _companies(s, DEFAULT_COMPANIES if companies is None else companies)
    contact_rows = _contacts(s, DEFAULT_CONTACTS if contacts is None else contacts, company_rows)
    deal_rows = _deals(s, DEFAULT_DEALS if deals is None else deals, company_rows, contact_rows)
    _activities(s, contact_rows, deal_rows)
    _commerce(s, deal_rows)
    _cars(s, now, contact_rows)
