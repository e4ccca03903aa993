"""A cast of users around one approved need in Jiangsu (32), and helpers to put orders in any state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from market.auth.models import User
from market.db import commit, db
from market.needs.models import Need
from market.orders import services
from market.orders.forms import STEP_FORMS, read
from market.orders.models import Order
from market.orders.terms import DealTerms, StepTerms
from market.orders.transitions import Action
from market.providers.models import Provider
from tests.factories import APPROVED, login
from tests.snapshots import built_once

DEAL = {
    "contract_type": "develop",
    "value_wan": "120.5",
    "signed_on": date.today().isoformat(),
    "note": "首期",
}

# DEAL as the sign service takes it (what a form makes of DEAL).
DEAL_TERMS = StepTerms(
    deal=DealTerms(contract_type="develop", value_wan=Decimal("120.50"), signed_on=date.today(), note="首期")
)

ROLES = (
    "owner",
    "other_enterprise",
    "provider",
    "other_provider",
    "broker_in",
    "broker_out",
    "admin",
    "anonymous",
)


@dataclass
class World:
    app: Flask
    make: Any
    owner: int
    other_enterprise: int
    provider: int  # the invited provider's user
    provider_id: int
    other_provider: int
    other_provider_id: int
    broker_in: int
    broker_out: int
    admin: int
    need: int

    def user_id(self, role: str) -> int | None:
        return None if role == "anonymous" else int(getattr(self, role))

    def client(self, role: str) -> FlaskClient:
        client = self.app.test_client()
        user_id = self.user_id(role)
        return login(client, user_id) if user_id is not None else client

    def run(self, work: Any) -> Any:
        """Run `work()` in a fresh app context and commit, as a request would."""
        with self.app.app_context():
            result = work()
            commit()
            return result

    def order(self, state: str = "ordered", *, origin: str = "ordered", need: int | None = None) -> int:
        """A new order on the need, taken to `state` through the real services."""
        order_id = self.run(lambda: self._start(origin, need or self.need))
        for action, role, values in PATHS[state]:
            self.act(order_id, action, role, values)
        return order_id

    def _start(self, origin: str, need_id: int) -> int:
        need = db.session.get(Need, need_id)
        provider = db.session.get(Provider, self.provider_id)
        if origin == "dispatched":
            return services.dispatch(db.session.get(User, self.broker_in), need, [provider.id])[0].id
        return services.invite(db.session.get(User, self.owner), need, provider, message="请评估").id

    def act(self, order_id: int, action: str, role: str, values: dict[str, Any] | None = None) -> None:
        """Take a step as `role` with form-like `values`, read by the step's form as a page reads them."""
        actor_id = self.user_id(role)

        def step() -> Any:
            terms = read(STEP_FORMS[Action(action)], values or {}).terms()
            return services.act(db.session.get(User, actor_id), order_id, action, terms)

        self.run(step)

    def status(self, order_id: int) -> str:
        with self.app.app_context():
            return db.session.get(Order, order_id).status


PATHS: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "ordered": [],
    "dispatched": [],
    "accepted": [("accept", "provider", {})],
    "negotiating": [("accept", "provider", {}), ("negotiate", "owner", {})],
    "signed": [("accept", "provider", {}), ("negotiate", "owner", {}), ("sign", "owner", DEAL)],
    "delivered": [
        ("accept", "provider", {}),
        ("negotiate", "owner", {}),
        ("sign", "owner", DEAL),
        ("deliver", "provider", {}),
    ],
    "reviewed": [
        ("accept", "provider", {}),
        ("negotiate", "owner", {}),
        ("sign", "owner", DEAL),
        ("deliver", "provider", {}),
        ("review", "owner", {"rating": "4", "body": "响应及时"}),
    ],
    "declined": [("decline", "provider", {"reason": "档期已满"})],
    "cancelled": [("cancel", "owner", {"reason": "需求调整"})],
}


def build_world(app: Flask, make: Any) -> World:
    """The world, built through the services once per worker and put back from its rows afterwards."""
    world = built_once(app, "world", lambda: _world_through_services(app, make))
    return replace(world, make=make)


def _world_through_services(app: Flask, make: Any) -> World:
    owner = make.user("enterprise")
    need = make.need(owner, status=APPROVED, is_open_call=True)
    provider = make.user("provider")
    provider_id = make.provider_id_of(provider)
    make.set_provider_status(provider_id, APPROVED)
    other_provider = make.user("provider")
    other_provider_id = make.provider_id_of(other_provider)
    make.set_provider_status(other_provider_id, APPROVED)
    return World(
        app=app,
        make=make,
        owner=owner,
        other_enterprise=make.user("enterprise"),
        provider=provider,
        provider_id=provider_id,
        other_provider=other_provider,
        other_provider_id=other_provider_id,
        broker_in=make.user("broker", regions=("32",)),
        broker_out=make.user("broker", regions=("11",)),
        admin=make.user("admin"),
        need=need,
    )
