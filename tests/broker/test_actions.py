"""Attention list and its one-click actions (remind, note), with their audit trail."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from market import messages
from market.db import db
from market.orders.models import FollowUp, Notification
from market.security.models import SecurityEvent
from tests.broker import helpers
from tests.orders.world import World


def _count(world: World, query: object) -> int:
    with world.app.app_context():
        return int(db.session.scalar(query))  # type: ignore[arg-type]


def test_attention_lists_stale_needs_and_waiting_orders(world: World) -> None:
    stale = helpers.need(world, approved_days_ago=10)
    fresh = helpers.need(world, approved_days_ago=2)
    waiting = world.order("ordered", need=helpers.need(world, approved_days_ago=20))
    helpers.backdate_order(world, waiting, 9)
    client = world.client("broker_in")
    page = client.get("/broker/").get_data(as_text=True)
    assert f'data-testid="stale-need" data-need="{stale}"' in page
    assert f'data-testid="stale-need" data-need="{fresh}"' not in page
    assert f'data-testid="waiting-order" data-order="{waiting}"' in page
    assert f"/orders/dispatch/{stale}" in page
    later = client.get("/broker/?days=30").get_data(as_text=True)
    assert 'data-testid="stale-need"' not in later and 'data-testid="waiting-order"' not in later


def test_remind_notifies_provider_and_records_follow_up(world: World) -> None:
    order_id = world.order("ordered")
    before = _count(
        world, select(func.count()).select_from(Notification).where(Notification.user_id == world.provider)
    )
    response = world.client("broker_in").post(
        f"/broker/orders/{order_id}/remind", data={"message": "请本周答复"}
    )
    assert response.status_code == 302
    with world.app.app_context():
        notes = list(
            db.session.scalars(
                select(Notification).where(Notification.user_id == world.provider).order_by(Notification.id)
            )
        )
        text = messages.render(notes[-1].message_key, notes[-1].message_params, "zh")
        assert len(notes) == before + 1 and notes[-1].kind == "order_remind" and "请本周答复" in text
        entry = db.session.scalars(select(FollowUp).where(FollowUp.kind == "reminder")).one()
        assert entry.order_id == order_id and entry.author_id == world.broker_in


def test_remind_refused_when_answered_or_out_of_region(world: World) -> None:
    accepted = world.order("accepted")
    world.client("broker_in").post(f"/broker/orders/{accepted}/remind")
    waiting = world.order("ordered", need=helpers.need(world))
    assert world.client("broker_out").post(f"/broker/orders/{waiting}/remind").status_code == 404
    assert _count(world, select(func.count()).select_from(FollowUp).where(FollowUp.kind == "reminder")) == 0


def test_note_and_overdue_follow_up(world: World) -> None:
    order_id = world.order("accepted")
    client = world.client("broker_in")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = client.post(
        f"/broker/orders/{order_id}/note", data={"body": "电话沟通", "next_follow_up_on": yesterday}
    )
    assert response.status_code == 302
    with world.app.app_context():
        entry = db.session.scalars(select(FollowUp).where(FollowUp.kind == "note")).one()
        assert entry.author_id == world.broker_in and entry.body == "电话沟通"
    assert f'data-testid="overdue-follow-up" data-order="{order_id}"' in client.get("/broker/").get_data(
        as_text=True
    )
    client.post(f"/broker/orders/{order_id}/note", data={"body": "已跟进"})  # a newer note settles it
    assert 'data-testid="overdue-follow-up"' not in client.get("/broker/").get_data(as_text=True)
    assert (
        world.client("broker_out").post(f"/broker/orders/{order_id}/note", data={"body": "x"}).status_code
        == 404
    )


def test_empty_note_is_refused_without_error(world: World) -> None:
    order_id = world.order("accepted")
    response = world.client("broker_in").post(f"/broker/orders/{order_id}/note", data={"body": ""})
    assert response.status_code == 302
    assert _count(world, select(func.count()).select_from(FollowUp).where(FollowUp.kind == "note")) == 0


def test_export_is_recorded_in_the_security_log(world: World) -> None:
    world.client("broker_in").get("/broker/reports/month.csv")
    with world.app.app_context():
        event = db.session.scalars(select(SecurityEvent).where(SecurityEvent.event == "export")).one()
        assert event.user_id == world.broker_in
        assert (event.details["kind"], event.details["format"]) == ("deals-month", "csv")
