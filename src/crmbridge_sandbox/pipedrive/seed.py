"""Deterministic, realistic company data: the same seed always yields the same users, pipelines, fields,
organizations, persons, deals, products, activities, leads and notes (timestamps are anchored to the start
of the sandbox's current UTC day, as the HubSpot seed does, so a seeded company can be copied all day).

Rows are built through the same templates and rules as the API (``EntitySpec.template``/``prepare``) so
seeded data has exactly the shape API-created data has.
"""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING, Any

from faker import Faker

from . import activities as activity_mod
from . import deals as deal_mod
from . import organizations as org_mod
from . import persons as person_mod
from . import products as product_mod
from .common import JSON, rfc3339
from .entity import EntitySpec
from .fields import custom_field, install
from .leads import new_lead
from .notes import build_note
from .pipelines import add_pipeline, stages_of
from .store import Company, User
from .validate import WriteCtx

if TYPE_CHECKING:
    from .provider import PipedriveSandbox

DEFAULTS = {"persons": 40, "organizations": 15, "deals": 30}
EXTRA_USERS = 3
PRODUCTS = 8
LEADS = 8
DAY = 86_400.0

PIPELINES = (
    (
        "Sales pipeline",
        (
            ("Qualified", 10),
            ("Contact Made", 20),
            ("Demo Scheduled", 40),
            ("Proposal Made", 60),
            ("Negotiations Started", 80),
        ),
    ),
    ("Partnerships", (("Lead In", 10), ("Intro Call", 30), ("Agreement Drafted", 60), ("Signed", 90))),
)
DEAL_KINDS = ("Annual licence", "Pilot", "Expansion", "Renewal", "Onboarding package", "Enterprise plan")
PRODUCT_NAMES = (
    ("Starter plan", 29),
    ("Professional plan", 79),
    ("Enterprise plan", 199),
    ("Onboarding workshop", 1500),
    ("Premium support", 499),
    ("Data migration", 2500),
    ("API add-on", 99),
    ("Training day", 1200),
    ("Consulting hour", 180),
    ("Custom integration", 5000),
)
NOTE_TEMPLATES = (
    "<p>Discussed pricing; they want a proposal by {when}.</p>",
    "<p>Decision maker is {name}. Budget approved for Q{q}.</p>",
    "<p>Follow up after the demo: questions about {topic}.</p>",
    "<p>Competitor {company} is also in the running.</p>",
)
TOPICS = ("security", "SSO", "data residency", "reporting", "integrations", "onboarding")

_faker: Faker | None = None


def _fake(seed: int) -> Faker:
    """One module-level Faker, reseeded per call: building Faker instances is slow."""
    global _faker
    if _faker is None:
        _faker = Faker("en_US")
    _faker.seed_instance(seed)
    return _faker


def _make(spec: EntitySpec, ctx: WriteCtx, values: JSON) -> JSON:
    table = ctx.company.tables[spec.table]
    row: JSON = {"id": table.next_id, **spec.template(ctx), **values}
    spec.prepare(ctx, row, set(values), None)
    row["add_time"] = row["update_time"] = rfc3339(ctx.now)
    table.rows[table.new_id()] = row
    return row


class _Seeder:
    def __init__(self, company: Company, sandbox: PipedriveSandbox, now: float, seed: int) -> None:
        self.company, self.sandbox = company, sandbox
        self.day_start = (now // DAY) * DAY  # rows are dated from here, not from the second of seeding
        self.rng = random.Random(seed)
        self.fake = _fake(seed)
        self.users: list[User] = [company.admin()]

    def ctx(self, *, owner: User | None = None, days_ago: float | None = None) -> WriteCtx:
        ago = self.rng.uniform(1, 180) if days_ago is None else days_ago
        return WriteCtx(self.company, owner or self.rng.choice(self.users), self.day_start - ago * DAY)

    def option(self, entity: str, name: str) -> int:
        return int(self.rng.choice(custom_field(self.company, entity, name).options or [{"id": 0}])["id"])

    def code(self, entity: str, name: str) -> str:
        return custom_field(self.company, entity, name).field_code

    def setup(self) -> None:
        for _ in range(EXTRA_USERS):
            name = self.fake.name()
            email = f"{name.lower().replace(' ', '.')}@{self.company.domain}.example"
            self.users.append(self.sandbox.new_user(self.company, name=name, email=email))
        for i, (name, stages) in enumerate(PIPELINES):
            add_pipeline(self.company, name, stages, self.day_start - 200 * DAY, selected=i == 0)
        install(self.company, lambda: f"{self.rng.getrandbits(160):040x}")

    def organizations(self, count: int) -> list[JSON]:
        rows = []
        for _ in range(count):
            name = self.fake.company()
            city, country = self.fake.city(), "United States"
            street = self.fake.street_address()
            address = {
                "value": f"{street}, {city}, {country}", "country": country, "admin_area_level_1": self.fake.state(),
                "admin_area_level_2": None, "locality": city, "sublocality": None, "route": street,
                "street_number": None, "subpremise": None, "postal_code": self.fake.postcode(),
            }  # fmt: skip
            values: JSON = {
                "name": name,
                "address": address,
                "website": f"https://www.{self.fake.domain_name()}",
                "employee_count": self.rng.choice((12, 45, 120, 480, 2300)),
                "custom_fields": {
                    self.code("organization", "Tier"): self.option("organization", "Tier"),
                    self.code("organization", "Region"): self.rng.choice(("EMEA", "NA", "APAC", "LATAM")),
                },
            }
            rows.append(_make(org_mod.SPEC, self.ctx(), values))
        return rows

    def persons(self, count: int, orgs: list[JSON]) -> list[JSON]:
        rows = []
        for _ in range(count):
            first, last = self.fake.first_name(), self.fake.last_name()
            org = self.rng.choice(orgs) if orgs and self.rng.random() < 0.85 else None
            domain = self.fake.domain_name()
            values: JSON = {
                "name": f"{first} {last}",
                "org_id": org["id"] if org else None,
                "emails": [{"value": f"{first}.{last}@{domain}".lower(), "primary": True, "label": "work"}],
                "phones": [
                    {"value": self.fake.numerify("+1 ###-###-####"), "primary": True, "label": "work"}
                ],
                "custom_fields": {
                    self.code("person", "Job title"): self.fake.job(),
                    self.code("person", "Preferred language"): self.option("person", "Preferred language"),
                },
            }
            rows.append(_make(person_mod.SPEC, self.ctx(), values))
        return rows

    def deals(self, count: int, persons: list[JSON], orgs: list[JSON]) -> list[JSON]:
        rows = []
        default, second = (p["id"] for p in self.company.tables["pipelines"].rows.values())
        for _ in range(count):
            person = self.rng.choice(persons) if persons else None
            org_id = (
                person["org_id"]
                if person and person["org_id"]
                else (self.rng.choice(orgs)["id"] if orgs else None)
            )
            org_name = (
                self.company.tables["organizations"].rows[org_id]["name"] if org_id else self.fake.company()
            )
            stage = self.rng.choice(stages_of(self.company, default if self.rng.random() < 0.8 else second))
            status = self.rng.choices(("open", "won", "lost"), (7, 2, 1))[0]
            values: JSON = {
                "title": f"{org_name} {self.rng.choice(DEAL_KINDS)}",
                "value": self.rng.randrange(5, 400) * 250,
                "person_id": person["id"] if person else None,
                "org_id": org_id,
                "stage_id": stage["id"],
                "status": status,
                "expected_close_date": self.fake.date_between("-30d", "+120d").isoformat(),
                "custom_fields": {
                    self.code("deal", "Source"): self.option("deal", "Source"),
                    self.code("deal", "Contract length (months)"): self.rng.choice((6, 12, 24, 36)),
                },
            }
            if status == "lost":
                values["lost_reason"] = self.rng.choice(
                    ("Price too high", "Went with a competitor", "No budget")
                )
            owner = self.rng.choice(self.users)
            rows.append(_make(deal_mod.SPEC, self.ctx(owner=owner), {**values, "owner_id": owner.id}))
        return rows

    def products(self, count: int) -> None:
        for i, (name, price) in enumerate(PRODUCT_NAMES[:count]):
            values: JSON = {
                "name": name,
                "code": f"SKU-{1000 + i * 7}",
                "unit": "seat" if "plan" in name else "unit",
                "prices": [
                    {
                        "price": price,
                        "currency": "USD",
                        "cost": round(price * 0.3),
                        "direct_cost": None,
                        "notes": None,
                    }
                ],
                "custom_fields": {
                    self.code("product", "SKU family"): "Subscriptions" if "plan" in name else "Services"
                },
            }
            _make(product_mod.SPEC, self.ctx(days_ago=190), values)

    def activities(self, deals: list[JSON], persons: list[JSON]) -> None:
        subjects = {
            "call": "Discovery call",
            "meeting": "Product demo",
            "email": "Send proposal",
            "task": "Prepare quote",
        }
        for deal in deals:
            kind = self.rng.choice(tuple(subjects))
            due = self.fake.date_between("-20d", "+30d")
            values: JSON = {
                "subject": f"{subjects[kind]}: {deal['title']}",
                "type": kind,
                "deal_id": deal["id"],
                "org_id": deal["org_id"],
                "participants": [{"person_id": deal["person_id"], "primary": True}]
                if deal["person_id"]
                else [],
                "due_date": due.isoformat(),
                "due_time": f"{self.rng.randrange(8, 18):02d}:{self.rng.choice((0, 30)):02d}",
                "duration": "00:30",
                "done": self.rng.random() < 0.4,
            }
            _make(activity_mod.SPEC, self.ctx(owner=self.company.users[deal["owner_id"]]), values)
        for person in persons[: len(persons) // 4]:
            values = {"subject": f"Call {person['name']}", "type": "call", "org_id": person["org_id"],
                      "participants": [{"person_id": person["id"], "primary": True}]}  # fmt: skip
            _make(activity_mod.SPEC, self.ctx(), values)

    def leads(self, persons: list[JSON], orgs: list[JSON]) -> list[JSON]:
        if not persons and not orgs:
            return []
        rows = []
        for _ in range(LEADS):
            person = self.rng.choice(persons) if persons else None
            org_id = person["org_id"] if person else self.rng.choice(orgs)["id"]
            ctx = self.ctx()
            lead_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            title = f"{(person or {}).get('name') or self.fake.company()} lead"
            values: dict[str, Any] = {
                "person_id": person["id"] if person else None,
                "organization_id": org_id,
            }
            if self.rng.random() < 0.6:
                values["value"] = {"amount": self.rng.randrange(2, 80) * 500, "currency": "USD"}
            row = new_lead(ctx, lead_id, title, **values)
            self.company.tables["leads"].rows[lead_id] = row
            rows.append(row)
        return rows

    def notes(self, deals: list[JSON], persons: list[JSON], leads: list[JSON]) -> None:
        targets = [("deal_id", d["id"]) for d in deals[: len(deals) // 2 + 1] if deals]
        targets += [("person_id", p["id"]) for p in persons[: len(persons) // 4]]
        targets += [("lead_id", lead["id"]) for lead in leads[:3]]
        for key, target in targets:
            text = self.rng.choice(NOTE_TEMPLATES).format(
                when=self.fake.day_of_week(), name=self.fake.name(), q=self.rng.randrange(1, 5),
                topic=self.rng.choice(TOPICS), company=self.fake.company(),
            )  # fmt: skip
            ctx = self.ctx()
            row = build_note(ctx, {"content": text, key: target}, None)
            self.company.tables["notes"].rows[self.company.tables["notes"].new_id()] = row


def populate(
    company: Company,
    *,
    sandbox: PipedriveSandbox,
    now: float,
    seed: int,
    persons: int | None,
    organizations: int | None,
    deals: int | None,
) -> None:
    """Fill a new company; ``None`` counts take the defaults and 0 is honoured."""
    seeder = _Seeder(company, sandbox, now, seed)
    seeder.setup()
    orgs = seeder.organizations(DEFAULTS["organizations"] if organizations is None else organizations)
    people = seeder.persons(DEFAULTS["persons"] if persons is None else persons, orgs)
    deal_rows = seeder.deals(DEFAULTS["deals"] if deals is None else deals, people, orgs)
    seeder.products(PRODUCTS)
    seeder.activities(deal_rows, people)
    lead_rows = seeder.leads(people, orgs)
    seeder.notes(deal_rows, people, lead_rows)
