"""Matches of a need (issue 12, point 9) belong to its enterprise and the brokers of its region only.

A provider whose order on the need was accepted may read the need's confidential details, but not the
ranking of its competitors: every path to the matches (page, service, dispatch page, the need page's
link) refuses it with the 404 any invisible object answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from market import permissions
from market.auth.models import User
from market.db import db
from market.errors import NotFound
from market.matching import services as matching
from market.needs.models import Need
from tests.orders.world import World, build_world

SEE = {"owner", "broker_in", "admin"}
REFUSED = ("provider", "other_provider", "other_enterprise", "broker_out")


@pytest.fixture
def world(app: Flask, make: Any) -> World:
    built = build_world(app, make)
    built.order("accepted")  # `provider` now reads the need's confidential details
    return built


def test_the_accepted_provider_reads_the_details_but_not_the_matches(world: World) -> None:
    with world.app.app_context():
        provider, need = db.session.get(User, world.provider), db.session.get(Need, world.need)
        assert permissions.can_view_need_confidential(provider, need)
        assert not permissions.can_see_matches(provider, need)
        with pytest.raises(NotFound):
            matching.providers_for_need(provider, need)


@pytest.mark.parametrize("role", sorted(SEE))
def test_owner_and_region_brokers_see_the_match_page(world: World, role: str) -> None:
    assert world.client(role).get(f"/needs/{world.need}/matches").status_code == 200


@pytest.mark.parametrize("role", REFUSED)
def test_everyone_else_gets_not_found(world: World, role: str) -> None:
    assert world.client(role).get(f"/needs/{world.need}/matches").status_code == 404


@pytest.mark.parametrize("role", REFUSED)
def test_the_need_page_offers_the_match_link_only_to_those_who_may_follow_it(world: World, role: str) -> None:
    page = world.client(role).get(f"/needs/{world.need}").get_data(as_text=True)
    assert 'data-testid="see-matches"' not in page
    owner_page = world.client("owner").get(f"/needs/{world.need}").get_data(as_text=True)
    assert 'data-testid="see-matches"' in owner_page


def test_the_dispatch_page_with_its_ranking_stays_with_the_region_brokers(world: World) -> None:
    assert world.client("broker_in").get(f"/orders/dispatch/{world.need}").status_code == 200
    for role in ("provider", "broker_out"):
        assert world.client(role).get(f"/orders/dispatch/{world.need}").status_code in (403, 404)
