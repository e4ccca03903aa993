"""Committed test data built through the real services, not raw inserts where a service exists."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from market.auth import services as auth
from market.auth.models import Organisation, OrgKind, Role, User
from market.db import db
from market.needs.models import Need
from market.postings import PostingStatus
from market.providers.models import Achievement, Provider, ServiceItem
from market.reference.models import Field

PASSWORD = "Passw0rd-test"
_seq = itertools.count(1)


@dataclass
class Factory:
    app: Flask

    def user(
        self,
        role: str = "enterprise",
        *,
        regions: tuple[str, ...] = ("32",),
        org: int | None = None,
        name: str = "测试用户",
        provider_kind: str = "expert",
    ) -> int:
        """Create a user (with an organisation or profile as its role implies); returns its id."""
        n = next(_seq)
        with self.app.app_context():
            organisation = db.session.get(Organisation, org) if org else None
            if role == "enterprise" and organisation is None:
                organisation = Organisation(
                    name=f"测试企业{n}有限公司", kind=OrgKind.ENTERPRISE.value, province="32"
                )
            if role == "provider" and provider_kind != "expert" and organisation is None:
                organisation = Organisation(name=f"测试{provider_kind}{n}", kind=provider_kind, province="32")
            user = auth.create_user(
                email=f"user{n}@example.com",
                name=f"{name}{n}",
                password=PASSWORD,
                role=Role(role),
                organisation=organisation,
            )
            if role == "broker":
                auth.set_broker_regions(user, list(regions))
            if role == "provider":
                provider_id = self._profile(user, provider_kind)
                user_id = user.id
                db.session.commit()
                self._last_provider = provider_id
                return user_id
            db.session.commit()
            return user.id

    def _profile(self, user: User, kind: str) -> int:
        owner: dict[str, Any] = (
            {"user_id": user.id} if kind == "expert" else {"organisation_id": user.organisation_id}
        )
        provider = Provider(
            kind=kind,
            name=user.name,
            province="32",
            expertise="长期从事动力电池热管理与低温性能研究。",
            **owner,
        )
        provider.fields = [db.session.get(Field, "ev")]
        db.session.add(provider)
        db.session.flush()
        return provider.id

    def provider_id_of(self, user_id: int) -> int:
        with self.app.app_context():
            user = db.session.get(User, user_id)
            from market.providers.services import provider_of

            provider = provider_of(user)
            assert provider is not None
            return provider.id

    def org_of(self, user_id: int) -> int | None:
        with self.app.app_context():
            return db.session.get(User, user_id).organisation_id

    def need(self, owner_id: int, *, status: str = "draft", province: str = "32", **values: Any) -> int:
        with self.app.app_context():
            owner = db.session.get(User, owner_id)
            need = Need(
                organisation_id=owner.organisation_id,
                author_id=owner.id,
                title=values.pop("title", "冬季低温下电动物流车续航下降"),
                description=values.pop(
                    "description", "我司电动物流车在零下二十度续航下降约百分之四十，希望找到电池热管理方案。"
                ),
                field_code=values.pop("field_code", "ev"),
                province=province,
                cooperation_mode=values.pop("cooperation_mode", "develop"),
                confidential_details=values.pop(
                    "confidential_details", "现用电芯型号 XK-21，客户为某快递公司。"
                ),
                deadline=date.today() + timedelta(days=60),
                status=status,
                **values,
            )
            db.session.add(need)
            db.session.commit()
            return need.id

    def set_provider_status(self, provider_id: int, status: str) -> None:
        with self.app.app_context():
            db.session.get(Provider, provider_id).status = status
            db.session.commit()

    def achievement(self, provider_id: int, title: str = "一种动力电池低温自加热方法") -> int:
        with self.app.app_context():
            item = Achievement(provider_id=provider_id, kind="patent", title=title, description="", year=2023)
            db.session.add(item)
            db.session.commit()
            return item.id

    def service(self, provider_id: int, title: str = "电池热管理方案咨询") -> int:
        with self.app.app_context():
            item = ServiceItem(
                provider_id=provider_id,
                category="consulting",
                title=title,
                description="针对低温续航问题提供方案评估。",
                delivery_mode="online",
                price_note="面议",
            )
            db.session.add(item)
            db.session.commit()
            return item.id

    def get(self, model: type, object_id: int) -> Any:
        with self.app.app_context():
            obj = db.session.get(model, object_id)
            if obj is not None:
                db.session.expunge(obj)
            return obj


def login(client: FlaskClient, user_id: int) -> FlaskClient:
    """Log a test client in through the real login form."""
    with client.application.app_context():
        email = db.session.get(User, user_id).email
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.data[:300]
    return client


APPROVED = PostingStatus.APPROVED.value
