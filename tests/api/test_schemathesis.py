"""Schemathesis over every operation of the OpenAPI document, in-process through WSGI (no server).

One test per operation: schema-valid and schema-violating requests (schemathesis' examples, coverage
and fuzzing phases) must each get an answer that is not a 5xx, whose status code is documented for
the operation, whose content type is the documented one and whose body matches the documented
schema. A failure prints a curl command that reproduces it.

The operations are known at collection time, before the `app` fixture exists, so the document is
built there by the same function the app serves it from (on an in-memory database holding the seeded
fields and regions, which appear in it as enums); `test_fuzzed_document_is_the_served_one` checks it
equals what `GET /api/v1/openapi.json` answers. Requests go to the session `app` fixture.

Each operation runs against a fresh cast (the autouse `_clean_database` empties the tables between
tests): an enterprise with a draft, a pending and a public open-call need, a public provider with an
achievement, a service, an order and a proposal, a pending provider and a broker of the region. A
request carries a real token of the role the operation is meant for (`ROLE`), and small generated
ids are pointed at the cast's rows (`Cast.aim`) so that GET-by-id and the actions reach real
objects, not only 404s.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from market.auth import services as auth
from market.auth.models import User
from market.conversations import services
from market.db import db
from market.needs.models import Need
from market.orders import proposals
from market.orders.models import Order
from market.orders.terms import ProposalTerms
from market.postings import PostingStatus
from tests.factories import PASSWORD
from tests.orders.world import build_world
from tests.snapshots import built_once

JSON = dict[str, Any]

# Fuzzing examples per operation, on top of the deterministic examples and coverage phases. The
# PostgreSQL pass of scripts/test.sh asks for fewer (docs/testing.md says why that loses nothing).
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Whose token an operation is called with; every other operation uses the enterprise's.
ROLE = {
    "my_provider": "provider",
    "update_my_provider": "provider",
    "submit_my_provider": "provider",
    "withdraw_my_provider": "provider",
    "create_achievement": "provider",
    "update_achievement": "provider",
    "delete_achievement": "provider",
    "create_service": "provider",
    "update_service": "provider",
    "delete_service": "provider",
    "submit_proposal": "other_provider",  # `provider` has already answered the open call
    "edit_proposal": "provider",
    "withdraw_proposal": "provider",
    "my_proposals": "provider",
    "recommended_needs": "provider",
    "hide_proposal": "broker",
    "nudge_proposal": "broker",
    "accept_order": "provider",
    "decline_order": "provider",
    "review_queue": "broker",
    "approve": "broker",
    "send_back": "broker",
    "dispatch_need": "broker",
    "order_audit": "broker",
    "add_proposal_files": "provider",
    "remove_proposal_file": "provider",
    "unhide_proposal": "broker",
    "hide_message": "broker",
    "unhide_message": "broker",
}

# (operation label, status code) -> number of requests; printed at the end with `pytest -s`.
SEEN: Counter[tuple[str, int]] = Counter()


def _document() -> JSON:
    """The document as `GET /api/v1/openapi.json` builds it, from a bare app on an in-memory database."""
    import market.api
    import market.models  # noqa: F401  (registers the tables; market.api the operations)
    from market.api.openapi import document
    from market.reference.services import clear_caches, seed_reference_data

    bare = Flask(__name__)
    bare.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(bare)
    with bare.app_context():
        db.create_all()
        seed_reference_data()
        db.session.commit()
        built = document()
        db.session.remove()
        db.engine.dispose()
    clear_caches()
    return built


DOCUMENT = _document()
CONFIG = {
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},  # schema-valid and schema-violating
    "phases": {"stateful": {"enabled": False}},  # the pytest integration runs operations one by one
}
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(CONFIG))


def test_fuzzed_document_is_the_served_one(app: Flask) -> None:
    served = app.test_client().get("/api/v1/openapi.json").get_json()
    assert served == DOCUMENT


def operation_id(case: schemathesis.Case) -> str:
    return case.operation.schema.get_operation_id(case.operation) or ""


@dataclass
class Cast:
    """The users, tokens and rows one operation's requests run against."""

    app: Flask
    make: Any
    tokens: dict[str, str] = field(default_factory=dict)
    pools: dict[str, list[int]] = field(default_factory=dict)
    email: str = ""

    def build(self) -> Cast:
        make = self.make
        world = build_world(self.app, make)  # an approved open-call need, approved providers, brokers
        draft_need = make.need(world.owner)
        pending_need = make.need(world.owner, status=PostingStatus.PENDING.value)
        pending_provider_id = make.provider_id_of(make.user("provider"))
        make.set_provider_status(pending_provider_id, PostingStatus.PENDING.value)
        achievement = make.achievement(world.provider_id)
        service = make.service(world.provider_id)
        order = world.order("ordered")
        with self.app.app_context():
            proposal = proposals.submit(
                db.session.get_one(User, world.provider),
                db.session.get_one(Need, world.need),
                ProposalTerms(approach="采用相变材料保温与脉冲自加热相结合的方案。"),
            ).id
            thread = services.thread_for_order(
                db.session.get_one(User, world.owner), db.session.get_one(Order, order)
            ).id
            spare: dict[str, int] = {}
            for role, user_id in (
                ("enterprise", world.owner),
                ("provider", world.provider),
                ("other_provider", world.other_provider),
                ("broker", world.broker_in),
            ):
                user = db.session.get_one(User, user_id)
                self.tokens[role], _record = auth.create_api_token(user, "schemathesis")
                spare[role] = auth.create_api_token(user, "spare")[1].id  # what DELETE /tokens/{id} hits
            self.email = db.session.get_one(User, world.owner).email
            db.session.commit()
        self.pools = {
            "need_id": [world.need, draft_need, pending_need],
            "draft_need_id": [draft_need, world.need, pending_need],
            "provider_id": [world.provider_id, pending_provider_id],
            "achievement_id": [achievement],
            "service_id": [service],
            "order_id": [order],
            "proposal_id": [proposal],
            "thread_id": [thread],
            "need": [pending_need],  # posting_id of POST /review/need/{posting_id}/…
            "provider": [pending_provider_id],
            **{f"token_id:{role}": [token_id] for role, token_id in spare.items()},
        }
        return self

    def role(self, case: schemathesis.Case) -> str:
        return ROLE.get(operation_id(case), "enterprise")

    def headers(self, case: schemathesis.Case, language: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[self.role(case)]}", "X-Language": language}

    def _pick(self, pool_name: str, value: Any) -> Any:
        """A small non-negative generated id becomes one of the cast's ids; any other value is kept.

        The coverage phase sends path parameters as strings ("0", "-1", "AAA"), fuzzing as numbers.
        """
        pool = self.pools.get(pool_name)
        if not pool or isinstance(value, bool):
            return value
        if isinstance(value, int) and 0 <= value < 1000:
            return pool[value % len(pool)]
        if isinstance(value, str) and value.isascii() and value.isdigit() and int(value) < 1000:
            return str(pool[int(value) % len(pool)])
        return value

    def aim(self, case: schemathesis.Case) -> None:
        """Point generated ids at the cast's rows (in place, before the request is sent)."""
        params = case.path_parameters or {}
        for name, value in params.items():
            pool = name
            if name == "item_id":
                pool = "achievement_id" if "/achievements/" in case.path else "service_id"
            elif name == "posting_id":
                pool = str(params.get("kind"))
            elif name == "token_id":
                pool = f"token_id:{self.role(case)}"
            elif name == "need_id" and operation_id(case) in ("update_need", "submit_need"):
                pool = "draft_need_id"
            params[name] = self._pick(pool, value)
        body = case.body
        if not isinstance(body, dict):
            return
        for name in ("need_id", "provider_id", "service_id"):
            if name in body:
                body[name] = self._pick(name, body[name])
        provider_ids = body.get("provider_ids")
        if isinstance(provider_ids, list):
            body["provider_ids"] = [self._pick("provider_id", v) for v in provider_ids]
        email = body.get("email")
        if operation_id(case) == "create_token" and isinstance(email, str) and len(email) % 2 == 0:
            # About half of the exchanges use real credentials, so the 201 answer is checked too.
            body["email"], body["password"] = self.email, PASSWORD


@pytest.fixture
def cast(app: Flask, make: Any) -> Cast:
    return built_once(app, "schemathesis cast", lambda: Cast(app, make).build())


# The language of the messages (X-Language). Also what gives each operation's test its own node id:
# pytest >= 9.2 builds a node id from the function name and its parametrize ids only, and
# schemathesis 4.32 puts the operation into the name, so without a parametrize every operation's
# test would share one id. Adding "en" fuzzes the English messages too, at twice the run time.
@schema.parametrize()
@pytest.mark.parametrize("language", ["zh"])
@settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_operation_answers_as_documented(
    case: schemathesis.Case, app: Flask, cast: Cast, language: str
) -> None:
    cast.aim(case)
    response = case.call(app=app, headers=cast.headers(case, language))
    SEEN[(case.operation.label, response.status_code)] += 1
    case.validate_response(response, checks=CHECKS)


# What the fuzzing found, repeated on every run rather than when a random draw happens to hit it: an
# id no database column can hold must be answered like any unknown id, never with a 405 or a 500.
# Beyond 2**31 - 1 the <int:…> URL converter refuses the id; in a JSON body it reaches the database,
# where PostgreSQL's INTEGER stops at 2**31 - 1 and SQLite's at 2**63 - 1.
BEYOND_INT32 = 2**31
BEYOND_INT64 = 2**63


def _operations_with_ids_in_path() -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, item in DOCUMENT["paths"].items()
        for method, op in item.items()
        if any(p["in"] == "path" and p["schema"].get("type") == "integer" for p in op.get("parameters", []))
    ]


@pytest.mark.parametrize("label", _operations_with_ids_in_path())
def test_id_beyond_int32_in_the_path(app: Flask, cast: Cast, label: str) -> None:
    operation = schema.find_operation_by_label(label)
    assert operation is not None
    definition = operation.definition.raw
    params = {
        p["name"]: BEYOND_INT32 if p["schema"].get("type") == "integer" else p["schema"]["enum"][0]
        for p in definition["parameters"]
        if p["in"] == "path"
    }
    # An operation taking several media types (JSON or multipart) needs one named: the first documented.
    body = (
        {"body": {}, "media_type": next(iter(definition["requestBody"]["content"]))}
        if "requestBody" in definition
        else {}
    )
    case = operation.Case(path_parameters=params, **body)
    response = case.call(app=app, headers=cast.headers(case, "zh"))
    case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize("huge", [BEYOND_INT32, BEYOND_INT64], ids=["2**31", "2**63"])
@pytest.mark.parametrize(
    ("label", "body"),
    [
        pytest.param("POST /api/v1/orders", {"service_id": "huge"}, id="order"),
        pytest.param("POST /api/v1/orders", {"need_id": "huge", "provider_id": "provider_id"}, id="invite"),
        pytest.param("POST /api/v1/orders", {"need_id": "need_id", "provider_id": "huge"}, id="invitee"),
        pytest.param("POST /api/v1/needs/{need_id}/dispatch", {"provider_ids": ["huge"]}, id="dispatch"),
    ],
)
def test_id_beyond_the_column_in_the_body(app: Flask, cast: Cast, label: str, body: JSON, huge: int) -> None:
    """In `body`, "huge" stands for the id under test and a pool name for the cast's public row."""

    def value(v: Any) -> Any:
        if isinstance(v, list):
            return [value(item) for item in v]
        return huge if v == "huge" else cast.pools[v][0]

    operation = schema.find_operation_by_label(label)
    assert operation is not None
    params = {"need_id": cast.pools["need_id"][0]} if "{need_id}" in label else {}
    case = operation.Case(path_parameters=params, body={name: value(v) for name, v in body.items()})
    response = case.call(app=app, headers=cast.headers(case, "zh"))
    case.validate_response(response, checks=CHECKS)


@pytest.fixture(scope="module", autouse=True)
def _summary(pytestconfig: pytest.Config) -> Iterator[None]:
    """With `pytest -s`: how many requests each operation got, by status code."""
    yield
    if SEEN and pytestconfig.getoption("capture") == "no":
        by_operation: dict[str, Counter[int]] = {}
        for (label, status), count in sorted(SEEN.items()):
            by_operation.setdefault(label, Counter())[status] += count
        print(f"\nschemathesis: {len(by_operation)} operations, {sum(SEEN.values())} requests")
        for label, statuses in by_operation.items():
            print(f"  {label}: {dict(sorted(statuses.items()))}")
