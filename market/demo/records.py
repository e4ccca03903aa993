"""Plain demo records. Not database models: the loader maps them onto whatever the app stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAchievement:
    kind: str  # taxonomy.ACHIEVEMENT_KINDS
    title: str
    description: str
    year: int


@dataclass(frozen=True)
class DemoService:
    category: str  # taxonomy.SERVICE_CATEGORIES
    title: str
    description: str
    delivery_mode: str  # taxonomy.DELIVERY_MODES
    price_note: str


@dataclass(frozen=True)
class DemoProvider:
    key: str
    kind: str  # taxonomy.PROVIDER_KINDS
    name: str
    title: str
    organisation: str
    province: str
    city: str
    fields: tuple[str, ...]  # first is primary
    topic: str  # sub-topic key, "<field>/<slug>"
    expertise: str
    achievements: tuple[DemoAchievement, ...]
    services: tuple[DemoService, ...]
    subfields: tuple[str, ...] = ()  # 细分领域 codes under `fields` (market.demo.subfields)


@dataclass(frozen=True)
class DemoNeed:
    key: str
    title: str
    description: str
    field: str
    province: str
    city: str
    topic: str
    budget_min: int  # 万元
    budget_max: int  # 万元
    deadline_days: int
    cooperation_mode: str  # taxonomy.COOPERATION_MODES
    public_summary: str
    confidential_details: str
    is_open_call: bool
    enterprise_key: str
    subfield: str | None = None  # 细分领域 under `field`, or none where none fits


@dataclass(frozen=True)
class DemoEnterprise:
    key: str
    name: str
    province: str
    city: str
    industry_field: str


@dataclass(frozen=True)
class DemoData:
    enterprises: tuple[DemoEnterprise, ...]
    providers: tuple[DemoProvider, ...]
    needs: tuple[DemoNeed, ...]
    relevant: Mapping[str, tuple[str, ...]]  # need key -> provider keys of the same sub-topic
