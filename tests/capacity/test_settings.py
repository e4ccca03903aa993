"""A provider sets its limit and time away on its profile editor; no new review is needed."""

from __future__ import annotations

from datetime import date, timedelta

from market.capacity.models import ProviderCapacity
from market.db import db
from market.providers.models import Provider
from tests.orders.world import World


def test_settings_are_saved_from_the_profile_editor_without_a_new_review(world: World) -> None:
    client = world.client("provider")
    editor = client.get("/me/profile/edit").get_data(as_text=True)
    assert 'data-testid="capacity-form"' in editor and 'action="/me/capacity"' in editor
    start, end = date.today(), date.today() + timedelta(days=7)
    values = {"max_concurrent": "3", "away_from": start.isoformat(), "away_until": end.isoformat()}
    response = client.post("/me/capacity", data=values)
    assert response.status_code == 302
    with world.app.app_context():
        row = db.session.get(ProviderCapacity, world.provider_id)
        assert (row.max_concurrent, row.away_from, row.away_until) == (3, start, end)
        assert db.session.get(Provider, world.provider_id).status == "approved"  # still public
    again = client.get("/me/profile/edit").get_data(as_text=True)
    assert 'value="3"' in again.split('data-testid="capacity-form"')[1]


def test_bad_settings_show_the_form_again_with_the_message(world: World) -> None:
    client = world.client("provider")
    bad = {"max_concurrent": "2", "away_from": "2026-12-10", "away_until": "2026-12-01"}
    response = client.post("/me/capacity", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and page.count("休假结束日期不能早于开始日期。") == 1
    zero = client.post("/me/capacity", data={"max_concurrent": "0"})
    assert zero.status_code == 422
    with world.app.app_context():
        assert db.session.get(ProviderCapacity, world.provider_id) is None


def test_an_enterprise_has_no_capacity_page(world: World) -> None:
    assert world.client("owner").get("/me/capacity").status_code == 404
