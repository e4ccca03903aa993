"""Loading the generated demo data set into the database, with documented demo logins."""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from sqlalchemy import delete, func, select

from market.auth.models import Organisation, OrgKind, Role, User
from market.auth.services import PROVIDER_ORG_KIND, hash_password, set_broker_regions
from market.db import db
from market.demo.capacity import add_capacity
from market.demo.generate import DemoData, DemoNeed, DemoProvider, generate
from market.demo.history import add_history
from market.demo.naming import person_name
from market.mail.models import EmailOutbox
from market.moderation import services as moderation
from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.postings import Action, PostingStatus, kind_of
from market.providers.models import Achievement, Provider, ServiceItem
from market.reference.models import Field, SubField

DEMO_PASSWORD = "Demo-pass-2026"
DEMO_DOMAIN = "demo.kechuang.cn"

# Brokers split the country so every region has one reviewer (docs/demo.md lists the logins).
BROKERS = (
    ("broker-east", "华东科协 周敏", ("31", "32", "33", "34", "35", "36", "37")),
    ("broker-south", "华南华中科协 林海", ("41", "42", "43", "44", "45", "46")),
    ("broker-north", "华北东北科协 赵刚", ("11", "12", "13", "14", "15", "21", "22", "23")),
    ("broker-west", "西部科协 马丽", ("50", "51", "52", "53", "54", "61", "62", "63", "64", "65")),
)


def database_is_empty() -> bool:
    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0


def contact_name(key: str) -> str:
    """A person's name for an organisation's demo account, the same on every load. (It used to be the
    organisation's name cut to 12 characters plus 联系人, which the navigation showed cut mid-word.)"""
    return person_name(random.Random(f"contact/{key}"))


class _Loader:
    def __init__(self, data: DemoData) -> None:
        self.data = data
        self.password_hash = hash_password(DEMO_PASSWORD)  # hashed once: every demo login shares it
        self.fields = {f.code: f for f in db.session.scalars(select(Field))}
        self.subfields = {s.code: s for s in db.session.scalars(select(SubField))}
        self.enterprise_orgs: dict[str, Organisation] = {}
        self.enterprise_users: dict[str, User] = {}
        self.provider_users: dict[int, User] = {}  # by position in the generated list
        self.brokers: list[User] = []
        self.admin: User | None = None

    def user(self, local: str, name: str, role: Role, org: Organisation | None = None) -> User:
        user = User(
            email=f"{local}@{DEMO_DOMAIN}",
            name=name[:60],
            password_hash=self.password_hash,
            role=role.value,
            organisation=org,
            session_token=secrets.token_hex(16),
        )
        db.session.add(user)
        return user

    def staff(self) -> None:
        self.admin = self.user("admin", "平台管理员", Role.ADMIN)
        office = Organisation(name="科创对接服务中心", kind=OrgKind.BROKER_OFFICE.value)
        db.session.add(office)
        for local, name, regions in BROKERS:
            broker = self.user(local, name, Role.BROKER, office)
            db.session.flush()
            set_broker_regions(broker, list(regions))
            self.brokers.append(broker)

    def enterprises(self) -> None:
        for index, ent in enumerate(self.data.enterprises, start=1):
            org = Organisation(
                name=ent.name, kind=OrgKind.ENTERPRISE.value, province=ent.province, city=ent.city
            )
            db.session.add(org)
            self.enterprise_orgs[ent.key] = org
            local = "enterprise" if index == 1 else f"enterprise{index:02d}"
            self.enterprise_users[ent.key] = self.user(local, contact_name(ent.key), Role.ENTERPRISE, org)

    def provider(self, index: int, demo: DemoProvider) -> Provider:
        provider = Provider(
            kind=demo.kind,
            name=demo.name,
            title=demo.title,
            affiliation=demo.organisation,
            province=demo.province,
            city=demo.city or None,
            expertise=demo.expertise,
            available=index % 9 != 0,
        )
        local = f"provider{index:03d}"
        if demo.kind == "expert":
            provider.user = self.user(local, demo.name, Role.PROVIDER)
            self.provider_users[index] = provider.user
        else:
            org = Organisation(
                name=demo.name[:120],
                kind=PROVIDER_ORG_KIND[demo.kind].value,
                province=demo.province,
                city=demo.city or None,
            )
            db.session.add(org)
            self.provider_users[index] = self.user(local, contact_name(local), Role.PROVIDER, org)
            provider.organisation = org
        provider.fields = [self.fields[code] for code in demo.fields if code in self.fields]
        provider.subfields = [self.subfields[code] for code in demo.subfields if code in self.subfields]
        provider.achievements = [
            Achievement(kind=a.kind, title=a.title, description=a.description, year=a.year)
            for a in demo.achievements
        ]
        provider.services = [
            ServiceItem(
                category=s.category,
                title=s.title,
                description=s.description,
                delivery_mode=s.delivery_mode,
                price_note=s.price_note,
            )
            for s in demo.services
        ]
        db.session.add(provider)
        return provider

    def need(self, demo: DemoNeed) -> Need:
        author = self.enterprise_users[demo.enterprise_key]
        need = Need(
            organisation=self.enterprise_orgs[demo.enterprise_key],
            author=author,
            title=demo.title[:120],
            description=demo.description,
            field_code=demo.field,
            subfield_code=demo.subfield if demo.subfield in self.subfields else None,
            province=demo.province,
            city=demo.city or None,
            budget_min=demo.budget_min,
            budget_max=demo.budget_max,
            deadline=date.today() + timedelta(days=demo.deadline_days),
            cooperation_mode=demo.cooperation_mode,
            public_summary=demo.public_summary,
            confidential_details=demo.confidential_details,
            is_open_call=demo.is_open_call,
        )
        db.session.add(need)
        return need

    def review(self, posting: Provider | Need, owner: User, status: PostingStatus) -> None:
        """Take a flushed draft to `status` the way people would: its owner submits, the broker of its
        region (the admin where no broker covers it) approves; each step is a moderation event."""
        if status in (PostingStatus.PENDING, PostingStatus.APPROVED):
            moderation.submit(owner, posting)
        if status == PostingStatus.APPROVED:
            moderation.act(self.reviewer_for(posting.province), posting, Action.APPROVE)

    def reviewer_for(self, province: str) -> User:
        broker = next((b for b in self.brokers if province in b.region_codes), self.admin)
        assert broker is not None, "staff() comes first"
        return broker


def _date_reviews(postings: list[Provider | Need]) -> None:
    """The history dated the postings into the past; their moderation events follow."""
    events = {(e.target_kind, e.target_id, e.action): e for e in db.session.scalars(select(ModerationEvent))}
    for posting in postings:
        for action, moment in ((Action.SUBMIT, posting.submitted_at), (Action.APPROVE, posting.approved_at)):
            event = events.get((kind_of(posting), posting.id, action.value))
            if event is not None and moment is not None:
                event.created_at = moment


def _status_for(index: int) -> PostingStatus:
    # Mostly public, with a few waiting for review and a few drafts so every page has something to show.
    if index % 23 == 5:
        return PostingStatus.PENDING
    if index % 37 == 7:
        return PostingStatus.DRAFT
    return PostingStatus.APPROVED


def load_demo(seed: int = 7, n_providers: int = 320, n_needs: int = 160) -> str:
    data = generate(seed=seed, n_providers=n_providers, n_needs=n_needs)
    loader = _Loader(data)
    loader.staff()
    loader.enterprises()
    providers = [loader.provider(index, demo) for index, demo in enumerate(data.providers, start=1)]
    needs = [loader.need(demo) for demo in data.needs]
    db.session.flush()
    for index, provider in enumerate(providers, start=1):
        loader.review(provider, loader.provider_users[index], _status_for(index))
    for index, need in enumerate(needs, start=1):
        loader.review(need, need.author, _status_for(index))
    # Demo addresses are not real: the reviews' notices to owners queue no mail (as in the history).
    db.session.execute(delete(EmailOutbox))
    history = add_history(seed + 1, needs, providers)
    _date_reviews([*providers, *needs])
    capacity = add_capacity(seed, needs, providers)
    return (
        f"demo loaded: {len(data.enterprises)} enterprises, {len(data.providers)} providers, "
        f"{len(data.needs)} needs, {history}, {capacity}; demo logins in docs/demo.md "
        f"(password {DEMO_PASSWORD})"
    )
