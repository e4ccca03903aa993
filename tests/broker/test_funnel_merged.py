"""The funnel's grouped queries (one for match events, one for orders with their audit entries) give
the same step times as a plain reading of every row, on a small hand-made history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from market.auth.models import User
from market.broker import funnel
from market.broker.filters import Filters
from market.db import db
from market.match_log.models import MatchView
from market.matching.models import MatchFeedback
from market.needs.models import Need
from market.orders.models import AuditLog, Order, Proposal
from market.providers.models import Provider
from tests.broker import helpers
from tests.orders.world import World

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def _naive(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _history(world: World) -> dict[str, int]:
    """Seven needs in Jiangsu and one in Beijing, with every kind of event, some out of order."""
    names = ("full", "two_orders", "answer_only", "delivered_only", "idle", "viewed", "taken")
    needs = {name: helpers.need(world) for name in names}
    needs["elsewhere"] = helpers.need(world, province="11")
    a, b = world.provider_id, world.other_provider_id

    def work() -> None:
        db.session.execute(update(Provider).where(Provider.id == a).values(kind="expert"))
        db.session.execute(update(Provider).where(Provider.id == b).values(kind="team"))
        for need_id in needs.values():
            db.session.execute(update(Need).where(Need.id == need_id).values(approved_at=_at(0)))
        organisation = db.session.scalar(select(Need.organisation_id).where(Need.id == needs["full"]))

        def order(need: str | None, provider: int, origin: str, days: float, audit: dict[str, float]) -> None:
            row = {
                "origin": origin,
                "status": "ordered",
                "version": 1,
                "organisation_id": organisation,
                "provider_id": provider,
                "need_id": needs[need] if need else None,
                "created_by_id": world.owner,
                "province": "11" if need == "elsewhere" else "32",
                "title": "测试订单",
                "created_at": _at(days),
                "updated_at": _at(days),
                "status_changed_at": _at(days),
            }
            order_id = db.session.execute(insert(Order).returning(Order.id), [row]).scalar_one()
            entries = [("", origin if origin != "proposal" else "ordered", days), *audit_rows(audit)]
            for version, (before, after, when) in enumerate(entries, start=1):
                db.session.add(
                    AuditLog(
                        order_id=order_id,
                        party="provider",
                        action="step",
                        from_status=before,
                        to_status=after,
                        version=version,
                        created_at=_at(when),
                    )
                )

        def audit_rows(audit: dict[str, float]) -> list[tuple[str, str, float]]:
            return [("", state, when) for state, when in audit.items()]

        order("full", a, "proposal", 4, {"accepted": 5, "signed": 7, "delivered": 9})
        order("full", b, "invited", 6, {"accepted": 4.5, "declined": 4.6})
        order("two_orders", a, "dispatched", 3, {"accepted": 8})
        order("two_orders", b, "invited", 6, {"accepted": 7, "signed": 10})
        order("delivered_only", b, "proposal", 2, {"delivered": 12})
        order("taken", a, "proposal", 3, {})  # its answer gone: ordered, not matched by it
        order("elsewhere", a, "ordered", 1, {"accepted": 2})
        order(None, a, "ordered", 1, {"accepted": 2, "signed": 3})
        for need, provider, days in (("full", a, 2), ("answer_only", b, 3), ("delivered_only", b, 1.5)):
            db.session.add(
                Proposal(need_id=needs[need], provider_id=provider, author_id=world.owner, approach="方案")
            )
            db.session.flush()
            db.session.execute(
                update(Proposal).where(Proposal.need_id == needs[need]).values(created_at=_at(days))
            )
        db.session.add(
            MatchView(need_id=needs["full"], viewer_id=world.owner, day=T0.date(), created_at=_at(1))
        )
        db.session.add(
            MatchView(need_id=needs["viewed"], viewer_id=world.owner, day=T0.date(), created_at=_at(5))
        )
        db.session.add(
            MatchView(
                need_id=needs["viewed"],
                viewer_id=world.owner,
                day=(T0 + timedelta(days=1)).date(),
                created_at=_at(4),
            )
        )
        for need, provider, days in (("full", b, 3), ("two_orders", a, 9)):
            db.session.add(
                MatchFeedback(
                    need_id=needs[need],
                    provider_id=provider,
                    user_id=world.owner,
                    useful=True,
                    created_at=_at(days),
                )
            )

    world.run(work)
    return needs


def _reference(broker_regions: set[str], kind: str) -> dict[str, dict[int, datetime]]:
    """Each step's first event per need, reading every row one by one (what the funnel defines)."""
    posted = {
        need.id: _naive(need.approved_at)
        for need in db.session.scalars(select(Need))
        if need.approved_at is not None and need.province in broker_regions
    }
    kinds = {provider.id: provider.kind for provider in db.session.scalars(select(Provider))}

    def counted(provider_id: int) -> bool:
        return not kind or kinds[provider_id] == kind

    times: dict[str, dict[int, datetime]] = {key: {} for key, _label in funnel.STEPS}
    times["posted"] = posted  # type: ignore[assignment]
    times[funnel.SEARCHED] = {}

    def note(key: str, need_id: int | None, moment: datetime) -> None:
        if need_id in posted:
            earlier = times[key].get(need_id)  # type: ignore[arg-type]
            moment = _naive(moment)  # type: ignore[assignment]
            times[key][need_id] = moment if earlier is None else min(earlier, moment)  # type: ignore[index]

    for view in db.session.scalars(select(MatchView)):
        note(funnel.SEARCHED, view.need_id, view.created_at)
    for feedback in db.session.scalars(select(MatchFeedback)):
        note(funnel.SEARCHED, feedback.need_id, feedback.created_at)
    for answer in db.session.scalars(select(Proposal)):
        if counted(answer.provider_id):
            note(funnel.SEARCHED, answer.need_id, answer.created_at)
    for need_id, moment in times[funnel.SEARCHED].items():
        note("matched", need_id, moment)
    orders = {order.id: order for order in db.session.scalars(select(Order)) if counted(order.provider_id)}
    for order in orders.values():
        note("ordered", order.need_id, order.created_at)
        if order.origin in funnel.INVITATIONS:
            note("matched", order.need_id, order.created_at)
    for entry in db.session.scalars(select(AuditLog)):
        if entry.order_id in orders and entry.to_status in funnel.AUDITED:
            note(entry.to_status, orders[entry.order_id].need_id, entry.created_at)
    return times


@pytest.mark.parametrize("kind", ["", "expert", "team"])
def test_grouped_funnel_queries_match_a_row_by_row_reading(world: World, kind: str) -> None:
    needs = _history(world)
    with world.app.app_context():
        broker = db.session.get_one(User, world.broker_in)
        found = funnel.step_times(broker, Filters(kind=kind))
        expected = _reference({"32"}, kind)
        steps = {step.key: step.count for step in funnel.build(broker, Filters(kind=kind))}
    assert found == expected
    assert needs["elsewhere"] not in found["posted"] and len(found["posted"]) == 7
    if not kind:
        # Spot checks of the reference itself: the earliest of several events wins.
        assert found["matched"][needs["full"]] == _naive(_at(1))  # the view, before answer and orders
        assert found["accepted"][needs["full"]] == _naive(_at(4.5))  # the second order's, earlier
        assert found["matched"][needs["two_orders"]] == _naive(_at(3))  # the dispatch (an invitation)
        assert found[funnel.SEARCHED][needs["two_orders"]] == _naive(_at(9))  # feedback only
        assert found["matched"][needs["viewed"]] == _naive(_at(4))  # the earlier of two views
        assert needs["taken"] not in found["matched"]  # an order from an answer is no invitation
        assert steps == {"posted": 7, "matched": 6, "ordered": 4, "accepted": 3, "signed": 3, "delivered": 2}
    else:
        # Answers and orders of the other kind are left out; views and feedback have no kind.
        assert (needs["answer_only"] in found[funnel.SEARCHED]) == (kind == "team")
        assert (needs["delivered_only"] in found["delivered"]) == (kind == "team")
        assert (needs["two_orders"] in found["signed"]) == (kind == "team")
