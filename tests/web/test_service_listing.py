"""下架 instead of a 500 (issue 12, point 7): a service that orders refer to cannot be deleted; the
provider takes it off the menu instead, and the orders keep showing it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from market.auth.models import User
from market.db import commit, db
from market.matching.documents import provider_document
from market.orders import services as orders
from market.providers.models import Provider, ServiceItem
from tests.factories import APPROVED, login


@dataclass
class Menu:
    app: Flask
    provider_user: int
    provider: int
    enterprise: int
    service: int
    order: int

    def client(self, user_id: int) -> FlaskClient:
        return login(self.app.test_client(), user_id)

    def service_row(self) -> ServiceItem | None:
        with self.app.app_context():
            row = db.session.get(ServiceItem, self.service)
            if row is not None:
                db.session.expunge(row)
            return row


@pytest.fixture
def menu(app: Flask, make: Any) -> Menu:
    """An approved provider with one service that an enterprise has ordered (点单)."""
    provider_user = make.user("provider")
    provider = make.provider_id_of(provider_user)
    make.set_provider_status(provider, APPROVED)
    service = make.service(provider, title="储能电站低温运行评估")
    enterprise = make.user("enterprise")
    with app.app_context():
        order = orders.order_service(
            db.session.get(User, enterprise), db.session.get(ServiceItem, service), message="请报价"
        )
        commit()
        order_id = order.id
    return Menu(app, provider_user, provider, enterprise, service, order_id)


def test_deleting_an_ordered_service_is_refused_with_a_message_and_the_withdraw_button(menu: Menu) -> None:
    provider = menu.client(menu.provider_user)
    response = provider.post(f"/me/services/{menu.service}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/profile")
    page = provider.get("/me/profile").get_data(as_text=True)
    assert "已有订单引用该服务，不能删除" in page
    assert f'action="/me/services/{menu.service}/withdraw"' in page
    assert menu.service_row() is not None


def test_withdrawn_service_leaves_the_menu_but_stays_in_its_orders(menu: Menu) -> None:
    provider = menu.client(menu.provider_user)
    assert provider.post(f"/me/services/{menu.service}/withdraw").status_code == 302
    row = menu.service_row()
    assert row is not None and row.active is False
    visitor = menu.app.test_client()
    assert "储能电站低温运行评估" not in visitor.get("/services/").get_data(as_text=True)
    assert "储能电站低温运行评估" not in visitor.get(f"/providers/{menu.provider}").get_data(as_text=True)
    enterprise = menu.client(menu.enterprise)
    assert enterprise.get(f"/orders/new/service/{menu.service}").status_code == 403
    order_page = enterprise.get(f"/orders/{menu.order}").get_data(as_text=True)
    assert "储能电站低温运行评估" in order_page and "已下架" in order_page
    with menu.app.app_context():
        document = provider_document(db.session.get_one(Provider, menu.provider))
        assert all(p.key != f"service:{menu.service}" for p in document.passages)
        # Taking a reviewed service off the menu is not a change brokers need to check again.
        assert db.session.get_one(Provider, menu.provider).status == APPROVED

    mine = provider.get("/me/profile").get_data(as_text=True)
    assert f'action="/me/services/{menu.service}/relist"' in mine
    assert provider.post(f"/me/services/{menu.service}/relist").status_code == 302
    assert menu.service_row().active is True  # type: ignore[union-attr]
    assert "储能电站低温运行评估" in visitor.get("/services/").get_data(as_text=True)
    assert enterprise.get(f"/orders/new/service/{menu.service}").status_code == 200


def test_a_service_nobody_ordered_is_still_deleted(app: Flask, make: Any, menu: Menu) -> None:
    spare = make.service(menu.provider, title="电池管理系统软件咨询")
    provider = menu.client(menu.provider_user)
    assert provider.post(f"/me/services/{spare}/delete").status_code == 302
    assert make.get(ServiceItem, spare) is None


def test_another_provider_cannot_take_the_service_off_the_menu(make: Any, menu: Menu) -> None:
    intruder = menu.client(make.user("provider"))
    for action in ("withdraw", "relist", "delete"):
        assert intruder.post(f"/me/services/{menu.service}/{action}").status_code == 404
    assert menu.service_row().active is True  # type: ignore[union-attr]


# Rows that pages and the API delete, and the references to them a delete must check first (the rest
# must cascade). A new foreign key to one of them fails here until its delete handles it (issue 12:
# the ordered-service delete was a 500 from the database's foreign key).
DELETED_BY_USERS = {"achievements", "service_items", "need_attachments"}
CHECKED_BEFORE_DELETE = {("orders", "service_id")}  # market.providers.services.delete_item


def test_every_reference_to_a_deletable_row_cascades_or_is_checked(app: Flask) -> None:
    unguarded = {
        (fk.parent.table.name, fk.parent.name)
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name in DELETED_BY_USERS
        and (fk.ondelete or "").upper() not in ("CASCADE", "SET NULL")
    }
    assert unguarded == CHECKED_BEFORE_DELETE
