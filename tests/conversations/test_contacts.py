"""Contact details: each user's own, shown to the other party only on an accepted order, only as shared."""

from __future__ import annotations

import pytest

from market.auth.models import User
from market.db import db
from tests.orders.world import World

PHONE, WECHAT = "+86 138-0013-8000", "zhou_zhiyuan88"


def share(world: World, role: str, **fields: str) -> int:
    return world.client(role).post("/me/contact", data=fields).status_code


def contacts_on(world: World, role: str, order: int) -> str:
    page = world.client(role).get(f"/orders/{order}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_contact_page_saves_ones_own_details(world: World) -> None:
    assert world.client("provider").get("/me/contact").status_code == 200
    assert share(world, "provider", phone=PHONE, wechat=WECHAT, share_phone="y") == 302
    with world.app.app_context():
        user = db.session.get_one(User, world.provider)
        assert (user.phone, user.wechat, user.share_phone, user.share_wechat, user.share_email) == (
            PHONE,
            WECHAT,
            True,
            False,
            False,
        )
    assert PHONE in world.client("provider").get("/me/contact").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"phone": "138 abc"}, "电话只能包含"),
        ({"wechat": "微信 号"}, "微信号只能包含"),
        ({"phone": "1" * 31}, "30"),
        ({"wechat": "a\x1bb"}, "控制字符"),
    ],
)
def test_bad_contact_details_are_refused_and_nothing_is_stored(
    world: World, fields: dict[str, str], expected: str
) -> None:
    response = world.client("owner").post("/me/contact", data={**fields, "share_phone": "y"})
    assert response.status_code == 422 and expected in response.get_data(as_text=True)
    with world.app.app_context():
        user = db.session.get_one(User, world.owner)
        assert (user.phone, user.wechat, user.share_phone) == ("", "", False)


def test_details_appear_after_acceptance_and_only_the_shared_ones(world: World) -> None:
    share(world, "provider", phone=PHONE, wechat=WECHAT, share_phone="y")  # WeChat kept private
    share(world, "owner", phone="025-8888 6666", share_email="y", share_phone="y")
    order = world.order("ordered")
    assert PHONE not in contacts_on(world, "owner", order)  # before 接单
    assert "025-8888 6666" not in contacts_on(world, "provider", order)
    world.act(order, "accept", "provider")
    owner_view = contacts_on(world, "owner", order)
    assert PHONE in owner_view and WECHAT not in owner_view
    with world.app.app_context():
        provider_email = db.session.get_one(User, world.provider).email
        owner_email = db.session.get_one(User, world.owner).email
    assert provider_email not in owner_view  # e-mail not shared by the provider
    provider_view = contacts_on(world, "provider", order)
    assert "025-8888 6666" in provider_view and owner_email in provider_view
    # Brokers are no party: they see neither side's details.
    broker_view = contacts_on(world, "broker_in", order)
    assert PHONE not in broker_view and "025-8888 6666" not in broker_view


def test_details_are_not_shown_after_the_order_ends_unaccepted(world: World) -> None:
    share(world, "provider", phone=PHONE, share_phone="y")
    order = world.order("declined")
    assert PHONE not in contacts_on(world, "owner", order)
