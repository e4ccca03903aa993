"""Same sub-field is a small boost in matching (and shown as a reason), and the index carries the
sub-field for the ranked lists' facets. Real encoder and embedded index."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from indexer.fusion import FusionConfig
from market.auth.models import User
from market.db import commit, db
from market.matching import services
from market.needs.models import Need
from market.providers.models import Provider
from market.reference.models import Field, SubField

SUBFIELD_BOOST = FusionConfig().boost_weight("subfield")

# The same words for both providers: only their sub-fields tell them apart.
EXPERTISE = "塑料制品成型工艺专家，研究汽车内饰件的缩痕、翘曲和尺寸稳定性，优化模具和工艺参数。"
NEED_TEXT = "我司汽车内饰塑料件出现缩痕和翘曲，良品率只有八成，希望优化模具和工艺参数提高尺寸稳定性。"


def _provider(make: Any, subfield: str) -> int:
    provider_id = make.provider_id_of(make.user("provider"))
    with make.app.app_context():
        provider = db.session.get(Provider, provider_id)
        provider.expertise = EXPERTISE
        provider.fields = [db.session.get(Field, "manufacturing")]
        provider.subfields = [db.session.get(SubField, subfield)]
        provider.status = "approved"
        commit()  # the app's commit point: the index sync hook runs
    return provider_id


def _need(make: Any, owner: int, subfield: str) -> int:
    need_id = make.need(
        owner,
        status="pending",
        title="内饰塑料件缩痕翘曲",
        description=NEED_TEXT,
        field_code="manufacturing",
        subfield_code=subfield,
    )
    with make.app.app_context():
        db.session.get(Need, need_id).status = "approved"
        commit()
    return need_id


def _scores(app: Flask, broker: int, need_id: int) -> dict[int, tuple[float, bool]]:
    with app.app_context():
        need = db.session.get(Need, need_id)
        matches = services.providers_for_need(db.session.get(User, broker), need)
        for match in matches:
            assert ("细分领域一致" in match.reason.sentence()) == match.reason.subfield_fit
        return {m.provider.id: (m.hit.score, m.reason.subfield_fit) for m in matches}


@pytest.mark.usefixtures("synced")
def test_a_provider_of_the_need_sub_field_gets_a_small_boost_and_the_reason_says_so(
    app: Flask, make: Any
) -> None:
    moulding = _provider(make, "manufacturing-injection")
    machining = _provider(make, "manufacturing-precision")
    owner, broker = make.user("enterprise"), make.user("broker")
    need_id = _need(make, owner, "manufacturing-injection")
    with_subfield = _scores(app, broker, need_id)
    with app.app_context():
        db.session.get(Need, need_id).subfield_code = None
        commit()
    without = _scores(app, broker, need_id)
    assert with_subfield[moulding][1] and not with_subfield[machining][1]
    assert not without[moulding][1]
    # The same need without its sub-field: only the provider of that sub-field loses the boost.
    assert with_subfield[moulding][0] - without[moulding][0] == pytest.approx(SUBFIELD_BOOST, abs=1e-4)
    assert with_subfield[machining][0] == pytest.approx(without[machining][0], abs=1e-4)


@pytest.mark.usefixtures("synced")
def test_ranked_list_facets_count_sub_fields_from_the_index(app: Flask, make: Any) -> None:
    owner = make.user("enterprise")
    for subfield in ("manufacturing-injection", "manufacturing-precision", "manufacturing-injection"):
        _need(make, owner, subfield)
    body = app.test_client().get("/api/v1/needs?q=塑料件缩痕翘曲").get_json()
    assert body["total"] == 3
    facet = next(f for f in body["search"]["facets"] if f["key"] == "subfield")
    assert {v["code"]: v["count"] for v in facet["values"]} == {
        "manufacturing-injection": 2,
        "manufacturing-precision": 1,
    }
