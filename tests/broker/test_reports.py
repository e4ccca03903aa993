"""Deal reports and the funnel computed on hand-made data."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from market.auth.models import User
from market.broker import funnel, reports
from market.broker.filters import Filters
from market.db import db, utcnow
from market.matching.models import MatchFeedback
from market.providers.models import Provider
from tests.broker import helpers
from tests.orders.world import World


def _admin(world: World) -> User:
    return db.session.get(User, world.admin)


def test_deals_by_month_field_type_provider(world: World) -> None:
    ev, ai = helpers.need(world), helpers.need(world, field_code="ai")
    helpers.order(world, ev, "signed", deal=helpers.deal("10.5", "develop", date(2024, 1, 5)))
    helpers.order(world, ai, "delivered", deal=helpers.deal("20", "license", date(2024, 1, 31)))
    helpers.order(
        world, helpers.need(world), "signed", deal=helpers.deal("5.25", "develop", date(2024, 3, 1))
    )
    helpers.order(world, helpers.need(world), "accepted")  # no deal: not counted
    with world.app.app_context():
        admin, f = _admin(world), Filters()
        months = [(r.key, r.count, r.value) for r in reports.by_month(admin, f)]
        assert months == [("2024-01", 2, Decimal("30.50")), ("2024-03", 1, Decimal("5.25"))]
        fields = {r.key: (r.count, r.value) for r in reports.by_field(admin, f)}
        assert fields == {"ev": (2, Decimal("15.75")), "ai": (1, Decimal("20.00"))}
        types = {r.key: (r.count, r.value) for r in reports.by_contract_type(admin, f)}
        assert types == {"develop": (2, Decimal("15.75")), "license": (1, Decimal("20.00"))}
        providers = reports.by_provider(admin, f)
        assert [(r.key, r.count, r.value) for r in providers] == [
            (str(world.provider_id), 3, Decimal("35.75"))
        ]
        assert reports.totals(providers) == (3, Decimal("35.75"))
        only_ai = reports.by_month(admin, Filters(field="ai"))
        assert [(r.key, r.count) for r in only_ai] == [("2024-01", 1)]
        assert reports.by_month(admin, Filters(kind="society")) == []


def test_period_filter_uses_signing_date(world: World) -> None:
    helpers.order(world, helpers.need(world), "signed", deal=helpers.deal("1", signed_on=date.today()))
    old = date.today() - timedelta(days=400)
    helpers.order(world, helpers.need(world), "signed", deal=helpers.deal("2", signed_on=old))
    with world.app.app_context():
        rows = reports.by_region(_admin(world), Filters(period="365"))
        assert [(r.count, r.value) for r in rows] == [(1, Decimal("1.00"))]


def test_funnel_counts_rates_and_medians(world: World) -> None:
    t0 = utcnow() - timedelta(days=100)
    day = timedelta(days=1)
    a, b, c = helpers.need(world), helpers.need(world), helpers.need(world)
    helpers.need(world)  # posted, nothing else
    for need_id in (a, b, c):
        world.run(lambda n=need_id: helpers_set_approved(n, t0))
    # a: ordered after 2 days, accepted +1, signed +3, delivered +4
    oa = helpers.order(world, a, "delivered")
    helpers.set_times(
        world,
        oa,
        t0 + 2 * day,
        {"accepted": t0 + 3 * day, "signed": t0 + 6 * day, "delivered": t0 + 10 * day},
    )
    # b: ordered after 4 days, accepted +5, signed +1
    ob = helpers.order(world, b, "signed")
    helpers.set_times(world, ob, t0 + 4 * day, {"accepted": t0 + 9 * day, "signed": t0 + 10 * day})
    # c: only matched (feedback after 1 day)
    with world.app.app_context():
        db.session.add(
            MatchFeedback(
                need_id=c,
                provider_id=world.provider_id,
                user_id=world.owner,
                useful=True,
                created_at=t0 + day,
            )
        )
        db.session.commit()
        steps = {s.key: s for s in funnel.build(_admin(world), Filters())}
    counts = {k: s.count for k, s in steps.items()}
    assert counts == {"posted": 4, "matched": 3, "ordered": 2, "accepted": 2, "signed": 2, "delivered": 1}
    assert steps["matched"].rate == 0.75 and steps["ordered"].rate == 2 / 3
    assert steps["posted"].rate is None and steps["posted"].median_days is None
    assert steps["matched"].median_days == 2.0  # 1, 2, 4 days
    # a and b were matched only by their invitations (the orders themselves): no gap to time
    assert steps["ordered"].median_days is None and steps["ordered"].timed == 0
    assert steps["accepted"].median_days == 3.0  # 1 and 5
    assert steps["signed"].median_days == 2.0  # 3 and 1
    assert steps["delivered"].median_days == 4.0


def helpers_set_approved(need_id: int, when: object) -> None:
    from sqlalchemy import update

    from market.needs.models import Need

    db.session.execute(update(Need).where(Need.id == need_id).values(approved_at=when))


def test_outcomes_count_solved_needs_time_to_solve_and_answers_per_need(world: World) -> None:
    from market.needs import services as need_services
    from market.orders.models import Proposal

    here, elsewhere, gone = helpers.need(world), helpers.need(world), helpers.need(world)
    helpers.need(world)  # posted, still open
    helpers.need(world, province="11")  # another region: not the Jiangsu broker's
    order_id = helpers.order(world, here, "signed", deal=helpers.deal("8"))

    def settle() -> None:
        owner = db.session.get_one(User, world.owner)
        need_services.solve_need(owner, here, how="platform", order_id=order_id, reason="已投产")
        need_services.solve_need(owner, elsewhere, how="elsewhere", reason="自研解决")
        need_services.close_need(owner, gone, reason="不再需要")
        for n, provider in (
            (here, world.provider_id),
            (here, world.other_provider_id),
            (gone, world.provider_id),
        ):
            db.session.add(Proposal(need_id=n, provider_id=provider, author_id=world.owner, approach="方案"))

    world.run(settle)
    # approved 30 days ago (helpers.need): solved after 10 and 20 days
    for need_id, days in ((here, 20), (elsewhere, 10)):
        world.run(lambda n=need_id, d=days: helpers_set_solved(n, utcnow() - timedelta(days=d)))
    with world.app.app_context():
        broker = db.session.get_one(User, world.broker_in)
        found = funnel.outcomes(broker, Filters())
        assert (found.posted, found.solved, found.solved_here, found.closed) == (4, 2, 1, 1)
        assert found.median_days_to_solve == 15.0  # 10 and 20 days after approval
        assert (found.answers, found.answers_per_need) == (3, 0.75)
        assert found.solve_rate == 0.5
    page = world.client("broker_in").get("/broker/reports").get_data(as_text=True)
    assert 'data-testid="report-outcomes"' in page and "解决用时中位数（天）" in page


def helpers_set_solved(need_id: int, when: object) -> None:
    from sqlalchemy import update

    from market.needs.models import Need

    db.session.execute(update(Need).where(Need.id == need_id).values(solved_at=when))


def test_funnel_stages_come_from_recorded_events(world: World) -> None:
    """匹配 from a match page view (recorded once per viewer and day) or an invitation; 下单 from the
    first order; the 匹配 → 下单 median only over needs matched by something other than the order."""
    from sqlalchemy import func, select, update

    from market.match_log.models import MatchView

    t0 = utcnow() - timedelta(days=60)
    day = timedelta(days=1)
    viewed, invited, idle = helpers.need(world), helpers.need(world), helpers.need(world)
    for need_id in (viewed, invited, idle):
        world.run(lambda n=need_id: helpers_set_approved(n, t0))
    owner = world.client("owner")
    for _ in range(2):  # twice the same day: one row
        assert owner.get(f"/needs/{viewed}/matches").status_code == 200
    with world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MatchView)) == 1
        db.session.execute(update(MatchView).values(created_at=t0 + day))
        db.session.commit()
    helpers.set_times(world, helpers.order(world, viewed, "ordered"), t0 + 3 * day, {})
    dispatched = world.order("dispatched", origin="dispatched", need=invited)
    helpers.set_times(world, dispatched, t0 + 5 * day, {})
    with world.app.app_context():
        steps = {s.key: s for s in funnel.build(_admin(world), Filters())}
    assert {k: s.count for k, s in steps.items()} == {
        "posted": 3,
        "matched": 2,
        "ordered": 2,
        "accepted": 0,
        "signed": 0,
        "delivered": 0,
    }
    assert steps["matched"].median_days == 3.0 and steps["matched"].timed == 2  # 1 and 5 days
    assert steps["ordered"].median_days == 2.0 and steps["ordered"].timed == 1  # view +1 → order +3
    assert steps["ordered"].rate == 1.0 and steps["accepted"].rate == 0.0
    page = world.client("broker_in").get("/broker/reports").get_data(as_text=True)
    assert 'data-testid="funnel-legend"' in page and "推荐服务方页面" in page and "docs/broker.md" not in page


def test_every_deal_table_counts_the_same_deals_under_each_filter(world: World) -> None:
    """Each table joins only what its key and the filters read (docs/performance.md); under every
    filter the six tables must still add up to the same deals."""
    helpers.order(
        world, helpers.need(world), "signed", deal=helpers.deal("10.5", "develop", date(2024, 1, 5))
    )
    ai = helpers.need(world, field_code="ai")
    helpers.order(world, ai, "delivered", deal=helpers.deal("20", "license", date(2024, 2, 1)))
    helpers.order(world, helpers.need(world), "accepted")  # no deal
    with world.app.app_context():
        admin = _admin(world)
        kind = db.session.get_one(Provider, world.provider_id).kind
        expected = {
            Filters(): (2, Decimal("30.50")),
            Filters(field="ai"): (1, Decimal("20.00")),
            Filters(kind=kind): (2, Decimal("30.50")),
            Filters(kind="society" if kind != "society" else "team"): (0, Decimal("0.00")),
            Filters(field="ev", kind=kind): (1, Decimal("10.50")),
        }
        for filters, total in expected.items():
            tables = (
                reports.by_month(admin, filters),
                reports.by_field(admin, filters),
                reports.by_subfield(admin, filters),
                reports.by_region(admin, filters),
                reports.by_contract_type(admin, filters),
                reports.by_provider(admin, filters),
            )
            assert [reports.totals(rows) for rows in tables] == [total] * 6, filters
