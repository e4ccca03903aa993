"""An invitation from the match page is a 邀请 everywhere: 来源, state and the provider's notification
(it was labelled 点单). A 点单 from a service menu stays a 点单."""

from __future__ import annotations

from sqlalchemy import select

from market.db import db
from market.orders.models import Notification, Order
from tests.orders.world import World


def test_an_invitation_is_labelled_invitation(world: World) -> None:
    order_id = world.order("ordered")  # services.invite, as the match page's 邀请 button does
    with world.app.app_context():
        order = db.session.get(Order, order_id)
        assert (order.origin, order.status) == ("invited", "ordered")
        note = db.session.scalar(select(Notification).where(Notification.order_id == order_id))
        assert note is not None and note.message_key == "order.invited"
    page = world.client("provider").get(f"/orders/{order_id}").get_data(as_text=True)
    source = page.split("来源")[1].split("</dd>")[0]
    status = page.split('data-testid="order-status"')[1].split("</div>")[0]
    assert "邀请" in source and "点单" not in source
    assert "待接单（邀请）" in status and "点单" not in status
    inbox = world.client("provider").get("/orders/notifications").get_data(as_text=True)
    assert "邀请您参与需求" in inbox and "点单：" not in inbox
    english = world.client("provider").get(f"/orders/{order_id}?lang=en").get_data(as_text=True)
    assert "Invited" in english.split('data-testid="order-status"')[1].split("</div>")[0]


def test_the_api_reports_the_invited_origin(world: World) -> None:
    order_id = world.order("ordered")
    with world.app.app_context():
        from market.orders.serialize import order_json

        assert order_json(db.session.get(Order, order_id))["origin"] == "invited"


def test_the_status_note_names_the_invitation_state(world: World) -> None:
    """接单 on an invitation notes 待接单（邀请） → 已接单; a 点单 and a note stored before keep 点单."""
    from market import messages
    from market.orders.models import FollowUp

    invited = world.order("ordered")
    world.act(invited, "accept", "provider")
    with world.app.app_context():
        note = db.session.scalars(
            select(FollowUp).where(FollowUp.order_id == invited, FollowUp.kind == "transition")
        ).all()[-1]
        assert note.message_params["before"] == {"state": "ordered", "origin": "invited"}
        assert (
            messages.render(note.message_key, note.message_params, "zh")
            == "状态变更：接单（待接单（邀请） → 已接单）"
        )
        assert "Invited → Accepted" in messages.render(note.message_key, note.message_params, "en")
        # a row written before the origin was stored: the plain code still reads as it did
        old = {**note.message_params, "before": "ordered"}
        assert "待接单（点单） → 已接单" in messages.render(note.message_key, old, "zh")
    page = world.client("provider").get(f"/orders/{invited}").get_data(as_text=True)
    assert "待接单（邀请） → 已接单" in page and "待接单（点单） → 已接单" not in page
    audit = world.client("broker_in").get(f"/orders/{invited}/audit").get_data(as_text=True)
    assert "待接单（邀请）" in audit and "待接单（点单）" not in audit  # the audit page's 从 / 到 too
