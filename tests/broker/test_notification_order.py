"""Notifications are listed newest first by when they happened, not by when their row was written."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from market.db import db, utcnow
from market.orders.models import Notification
from tests.factories import login


def test_notifications_listed_by_date(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    user = make.user("enterprise")
    now = utcnow()
    with app.app_context():
        # Written in this order (ids ascending), but happened in another.
        for text, days_ago in (("第二旧的通知", 2), ("最新的通知", 0), ("最旧的通知", 5), ("第三的通知", 1)):
            db.session.add(
                Notification(user_id=user, kind="note", text=text, created_at=now - timedelta(days=days_ago))
            )
        db.session.commit()
    page = login(app.test_client(), user).get("/orders/notifications").get_data(as_text=True)
    positions = [page.index(t) for t in ("最新的通知", "第三的通知", "第二旧的通知", "最旧的通知")]
    assert positions == sorted(positions)
