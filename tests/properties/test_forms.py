"""Hostile input on every state-changing HTML form: never a 5xx, never a half-written record.

For each form hypothesis posts arbitrary values (unicode and Chinese, NUL bytes, 20,000-character
strings, numbers as text, impossible dates, missing, extra and repeated fields) as a logged-in user
and checks, per request:

* the status is below 500;
* accepted requests redirect and what was stored equals the normalised input (stripped text,
  parsed numbers and dates) and satisfies the form's own rules;
* refused requests answer 4xx or re-render the page with a visible error (and the user's input
  where it is shown), and the database is exactly as before: no row added, no row changed.

The database is emptied between tests, not between examples: fixtures are made once per test and
every check compares the state just before and just after one request.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from market import taxonomy
from market.auth.models import Organisation, User
from market.db import db
from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.orders.models import AuditLog, Deal, EmailOutbox, FollowUp, Notification, Order, Proposal, Review
from market.orders.transitions import TABLE, Action, Party, State
from market.orders.vocab import CONTRACT_TYPES
from market.providers.models import Achievement, Provider, ServiceItem
from market.reference.services import region_names
from tests.factories import APPROVED, PASSWORD, login
from tests.orders.world import World, build_world
from tests.properties.strategies import (
    FIELD_CODES,
    PROVINCES,
    Form,
    anything,
    assert_no_server_error,
    chinese,
    codes,
    counts,
    first,
    form,
    mostly,
    newest,
    padded,
    row,
    shows_error,
    shows_input,
    valid_date_text,
)

PROPS = settings(
    max_examples=60,
    deadline=None,
    database=None,  # nothing written outside tests/properties; failures print their example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(PROPS, max_examples=40)

TODAY = date.today()
ORDER_TABLES = (Order, AuditLog, FollowUp, Notification, EmailOutbox, Deal, Review, Proposal)


# ---- normalisation rules, written out independently of the forms ------------------------------------


def stripped(data: MultiDict[str, str], name: str) -> str:
    return (first(data, name) or "").strip()


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def as_int(data: MultiDict[str, str], name: str) -> int | None:
    value = first(data, name)
    return None if blank(value) else int(value)  # type: ignore[arg-type]


def checked(data: MultiDict[str, str], name: str) -> bool:
    return first(data, name) not in (None, "", "false")


class Posted:
    """What a form field ends up holding, written out from the HTML form rules: the first posted
    value, normalised; a field that was not posted keeps the stored value (a checkbox that was not
    posted is unticked); when nothing at all was posted every field keeps the stored value."""

    def __init__(self, data: MultiDict[str, str], before: dict[str, Any] | None = None) -> None:
        self.data, self.before = data, before or {}

    def _kept(self, name: str) -> bool:
        return not self.data or name not in self.data

    def text(self, name: str) -> str:
        return (self.before.get(name) or "").strip() if self._kept(name) else stripped(self.data, name)

    def choice(self, name: str) -> Any:
        return self.before.get(name) if self._kept(name) else stripped(self.data, name)

    def optional_choice(self, name: str) -> Any:
        return self.before.get(name) if self._kept(name) else (stripped(self.data, name) or None)

    def integer(self, name: str) -> int | None:
        return self.before.get(name) if self._kept(name) else as_int(self.data, name)

    def day(self, name: str) -> date | None:
        if self._kept(name):
            return self.before.get(name)  # type: ignore[no-any-return]
        if blank(first(self.data, name)):
            return None
        return datetime.strptime(" ".join(self.data.getlist(name)), "%Y-%m-%d").date()

    def boolean(self, name: str) -> bool:
        if not self.data:
            return bool(self.before.get(name, False))
        return checked(self.data, name)


def md(**values: str) -> Form:
    return Form(values)


def has_nul(values: dict[str, Any]) -> list[str]:
    return [key for key, value in values.items() if isinstance(value, str) and "\x00" in value]


def city_ok(province: str, city: str | None) -> bool:
    return city is None or region_names().get(city, ("", "", None))[2] == province


def redirect_path(response: Any) -> str:
    return urlsplit(response.headers["Location"]).path


def follow(client: FlaskClient, response: Any) -> str:
    return client.get(response.headers["Location"]).get_data(as_text=True)


def assert_refused_page(response: Any, typed: str | None = None) -> None:
    """A refusal the user can see: an error page (4xx) or the form again with the message and input."""
    page = response.get_data(as_text=True)
    if response.status_code >= 400:
        assert 400 <= response.status_code < 500
        return
    assert response.status_code == 200, response.status_code
    assert shows_error(page), "refused without a visible error"
    assert shows_input(page, typed), f"the typed value {typed!r:.80} is lost"


# ---- accounts -----------------------------------------------------------------------------------------

ROLES = st.sampled_from(["enterprise", "provider"])
register_form = form(
    {
        "role": ROLES,
        "provider_kind": st.sampled_from(codes(taxonomy.PROVIDER_KINDS)),
        "name": padded(chinese(2, 8)),
        "email": st.builds(lambda n: f"New{n}@Example.COM", st.integers(0, 10**9)),
        "organisation": padded(chinese(2, 20)),
        "province": st.sampled_from(PROVINCES),
        "password": st.just(PASSWORD),
        "confirm": st.just(PASSWORD),
    }
)


GOOD_REGISTRATION = dict(
    role="enterprise",
    provider_kind="",
    name="张三",
    email="new-member@example.com",
    organisation="某某科技有限公司",
    province="32",
    password=PASSWORD,
    confirm=PASSWORD,
)


@PROPS
@given(data=register_form)
@example(data=md(**{**GOOD_REGISTRATION, "name": " 张 "}))  # 3 characters before stripping, 1 after
@example(data=md(**{**GOOD_REGISTRATION, "email": "a\x00b@example.com"}))
def test_register(app: Flask, data: MultiDict[str, str]) -> None:
    client = app.test_client()
    before = counts(app, User, Organisation, Provider)
    note(f"form data: {data!r}")
    response = client.post("/auth/register", data=data)
    assert_no_server_error(response)
    after = counts(app, User, Organisation, Provider)
    if response.status_code == 302:
        event("accepted")
        user = newest(app, User)
        assert user is not None
        assert after["users"] == before["users"] + 1
        assert user["email"] == stripped(data, "email").lower()
        assert user["name"] == stripped(data, "name")
        assert user["role"] == first(data, "role")
        assert 2 <= len(user["name"]) <= 60, f"stored name {user['name']!r} breaks the 2..60 rule"
        assert not has_nul(user), f"NUL stored in {has_nul(user)}"
        if user["role"] == "provider":
            assert after["providers"] == before["providers"] + 1
            provider = newest(app, Provider)
            assert provider is not None and provider["status"] == "draft"
            assert provider["kind"] == first(data, "provider_kind")
    else:
        event("refused")
        assert after == before, "a refused registration wrote rows"
        assert_refused_page(response, first(data, "name"))


@pytest.fixture
def member(make: Any) -> int:
    return make.user("enterprise")


@pytest.fixture
def member_client(app: Flask, member: int) -> FlaskClient:
    return login(app.test_client(), member)


NEXT = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "/needs/",
            "//evil.example/",
            "/\\evil.example/",
            "https://evil.example/",
            "/\t/evil.example",
            "javascript:alert(1)",
            "/%2F/evil.example",
            "/needs/?q=电池",
        ]
    ),
    st.text(max_size=30),
)


@PROPS
@given(
    email=mostly(st.sampled_from(["exact", "upper", "padded"])),
    password=mostly(st.just(PASSWORD)),
    remember=st.sampled_from([None, "y", "", "false", "\x00"]),
    next_url=NEXT,
)
@example(email="a\x00b@example.com", password=PASSWORD, remember=None, next_url=None)
@example(email="exact", password=PASSWORD, remember="y", next_url="/\\evil.example/")
def test_login(
    app: Flask, member: int, email: str, password: str, remember: str | None, next_url: str | None
) -> None:
    with app.app_context():
        real = db.session.get(User, member).email
    typed = {"exact": real, "upper": real.upper(), "padded": f" {real} "}.get(email, email)
    data = Form({"email": typed, "password": password})
    if remember is not None:
        data.add("remember", remember)
    client = app.test_client()
    before = row(app, User, member)
    note(f"form data: {data!r}, next={next_url!r}")
    response = client.post(
        "/auth/login", data=data, query_string={"next": next_url} if next_url is not None else {}
    )
    assert_no_server_error(response)
    after = row(app, User, member)
    assert before is not None and after is not None
    if response.status_code == 302:
        event("logged in")
        assert typed.strip().lower() == real and password == PASSWORD
        location = response.headers["Location"]
        parts = urlsplit(location)
        assert not parts.scheme and not parts.netloc, f"login redirects off-site to {location!r}"
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        changed = {k for k in before if before[k] != after[k]}
        # A hash not made with the current argon2id parameters is replaced at login.
        assert changed <= {"last_login_at", "updated_at", "password_hash"}, changed
    else:
        event("refused")
        assert before == after
        assert_refused_page(response, typed)


# ---- needs --------------------------------------------------------------------------------------------

need_form = form(
    {
        "title": padded(chinese(4, 30)),
        "description": padded(chinese(20, 60)),
        "field_code": st.sampled_from(FIELD_CODES),
        "province": st.sampled_from(["32", "32", "32", *PROVINCES]),
        "city": st.sampled_from(["", "", "3201", "3205"]),
        "budget_min": st.integers(0, 500).map(str),
        "budget_max": st.integers(500, 1_000_000).map(str),
        "deadline": st.one_of(st.just(""), valid_date_text(TODAY, TODAY + timedelta(days=400))),
        "cooperation_mode": st.sampled_from(codes(taxonomy.COOPERATION_MODES)),
        "public_summary": padded(chinese(0, 30)),
        "confidential_details": padded(chinese(0, 30)),
        "is_open_call": st.sampled_from(["y", "", "false", "1"]),
    }
)
GOOD_NEED = dict(
    title="冬季低温下电动物流车续航下降",
    description="我司电动物流车在零下二十度续航下降约百分之四十，希望找到电池热管理方案。",
    field_code="ev",
    province="32",
    cooperation_mode="develop",
)
NEED_INPUTS = (
    "title description field_code province city budget_min budget_max deadline cooperation_mode "
    "public_summary confidential_details is_open_call"
).split()


def need_expected(data: MultiDict[str, str], before: dict[str, Any] | None) -> dict[str, Any]:
    p = Posted(data, before)
    return {
        "title": p.text("title"),
        "description": p.text("description"),
        "field_code": p.choice("field_code"),
        "province": p.choice("province"),
        "city": p.optional_choice("city"),
        "budget_min": p.integer("budget_min"),
        "budget_max": p.integer("budget_max"),
        "deadline": p.day("deadline"),
        "cooperation_mode": p.choice("cooperation_mode"),
        "public_summary": p.text("public_summary"),
        "confidential_details": p.text("confidential_details"),
        "is_open_call": p.boolean("is_open_call"),
    }


def assert_valid_need(need: dict[str, Any]) -> None:
    assert 4 <= len(need["title"]) <= 120, f"stored title {need['title']!r} breaks the 4..120 rule"
    assert 20 <= len(need["description"]) <= 5000, f"stored description of {len(need['description'])} chars"
    assert not has_nul(need), f"NUL stored in {has_nul(need)}"
    for bound in ("budget_min", "budget_max"):
        assert need[bound] is None or 0 <= need[bound] <= 1_000_000
    if need["budget_min"] is not None and need["budget_max"] is not None:
        assert need["budget_min"] <= need["budget_max"]
    assert need["deadline"] is None or need["deadline"] >= TODAY
    assert city_ok(need["province"], need["city"])
    assert need["status"] == "draft"


def assert_need_stored(
    stored: dict[str, Any], data: MultiDict[str, str], before: dict[str, Any] | None
) -> None:
    expected = need_expected(data, before)
    assert {k: stored[k] for k in NEED_INPUTS} == expected
    assert_valid_need(stored)


@PROPS
@given(data=need_form)
@example(data=md(**{**GOOD_NEED, "title": "  ab  "}))  # 6 characters before stripping, 2 after
@example(data=md(**{**GOOD_NEED, "title": "电池\x00热管理方案"}))
@example(data=md(**{**GOOD_NEED, "budget_min": "１２", "budget_max": "٣٤", "deadline": "1999-02-30"}))
def test_need_create(app: Flask, member: int, member_client: FlaskClient, data: MultiDict[str, str]) -> None:
    client = member_client
    before = counts(app, Need)
    note(f"form data: {data!r}")
    response = client.post("/needs/new", data=data)
    assert_no_server_error(response)
    after = counts(app, Need)
    if response.status_code == 302:
        event("accepted")
        need_id = int(redirect_path(response).rstrip("/").split("/")[-1])
        assert after["needs"] == before["needs"] + 1
        stored = row(app, Need, need_id)
        assert stored is not None and stored["author_id"] == member
        assert_need_stored(stored, data, None)
    else:
        event("refused")
        assert after == before
        assert_refused_page(response, first(data, "title"))


@pytest.fixture
def draft_need(make: Any, member: int) -> int:
    return make.need(member)


@PROPS
@given(data=need_form)
@example(data=md(**{**GOOD_NEED, "title": "  ab  "}))
@example(data=md(**{**GOOD_NEED, "public_summary": "摘要\x00"}))
@example(data=md())
def test_need_edit(
    app: Flask, member_client: FlaskClient, draft_need: int, data: MultiDict[str, str]
) -> None:
    before = row(app, Need, draft_need)
    note(f"form data: {data!r}")
    response = member_client.post(f"/needs/{draft_need}/edit", data=data)
    assert_no_server_error(response)
    after = row(app, Need, draft_need)
    assert before is not None and after is not None
    if response.status_code == 302:
        event("accepted")
        assert_need_stored(after, data, before)
        for key in ("id", "organisation_id", "author_id", "status", "created_at", "review_note"):
            assert after[key] == before[key], key
    else:
        event("refused")
        assert after == before, "a refused edit changed the need"
        assert_refused_page(response, first(data, "title"))


# ---- provider profile, achievements, services ----------------------------------------------------------


@pytest.fixture
def expert(make: Any) -> int:
    return make.user("provider")


@pytest.fixture
def expert_client(app: Flask, expert: int) -> FlaskClient:
    return login(app.test_client(), expert)


profile_form = form(
    {
        "name": padded(chinese(2, 20)),
        "title": padded(chinese(0, 10)),
        "affiliation": padded(chinese(0, 20)),
        "province": st.sampled_from(["32", "32", "32", *PROVINCES]),
        "city": st.sampled_from(["", "", "3201", "3205"]),
        "fields": st.sampled_from(FIELD_CODES),
        "expertise": padded(chinese(20, 60)),
        "available": st.sampled_from(["y", "", "false"]),
    }
)


GOOD_PROFILE = dict(
    name="张教授",
    province="32",
    fields="ev",
    expertise="长期从事动力电池热管理与低温性能研究，服务多家企业。",
)


@PROPS
@given(data=profile_form)
@example(data=md(**{**GOOD_PROFILE, "name": " 张 "}))
@example(data=md(**{**GOOD_PROFILE, "expertise": "电池\x00" * 10}))
def test_provider_profile_edit(
    app: Flask, make: Any, expert: int, expert_client: FlaskClient, data: MultiDict[str, str]
) -> None:
    provider_id = make.provider_id_of(expert)
    before, fields_before = row(app, Provider, provider_id), _field_codes(app, provider_id)
    note(f"form data: {data!r}")
    response = expert_client.post("/me/profile/edit", data=data)
    assert_no_server_error(response)
    after, fields_after = row(app, Provider, provider_id), _field_codes(app, provider_id)
    assert before is not None and after is not None
    if response.status_code == 302:
        event("accepted")
        p = Posted(data, before)
        expected = {
            "name": p.text("name"),
            "title": p.text("title"),
            "affiliation": p.text("affiliation"),
            "province": p.choice("province"),
            "city": p.optional_choice("city"),
            "expertise": p.text("expertise"),
            "available": p.boolean("available"),
        }
        assert {k: after[k] for k in expected} == expected
        assert fields_after == set(data.getlist("fields"))
        assert 2 <= len(after["name"]) <= 120, f"stored name {after['name']!r} breaks the 2..120 rule"
        assert 20 <= len(after["expertise"]) <= 3000, f"stored expertise of {len(after['expertise'])} chars"
        assert 1 <= len(fields_after) <= 3
        assert not has_nul(after), f"NUL stored in {has_nul(after)}"
        assert city_ok(after["province"], after["city"])
        assert after["status"] == before["status"] == "draft"
    else:
        event("refused")
        assert (after, fields_after) == (before, fields_before), "a refused edit changed the profile"
        assert_refused_page(response, first(data, "name"))


def _field_codes(app: Flask, provider_id: int) -> set[str]:
    with app.app_context():
        return set(db.session.get(Provider, provider_id).field_codes)


achievement_form = form(
    {
        "kind": st.sampled_from(codes(taxonomy.ACHIEVEMENT_KINDS)),
        "title": padded(chinese(4, 30)),
        "description": padded(chinese(0, 40)),
        "year": st.integers(1950, TODAY.year + 1).map(str),
    }
)
service_form = form(
    {
        "category": st.sampled_from(codes(taxonomy.SERVICE_CATEGORIES)),
        "title": padded(chinese(4, 30)),
        "description": padded(chinese(10, 40)),
        "delivery_mode": st.sampled_from(codes(taxonomy.DELIVERY_MODES)),
        "price_note": padded(chinese(0, 10)),
        "active": st.sampled_from(["y", "", "false"]),
    }
)


def achievement_expected(data: MultiDict[str, str], before: dict[str, Any] | None) -> dict[str, Any]:
    p = Posted(data, before)
    return {
        "kind": p.choice("kind"),
        "title": p.text("title"),
        "description": p.text("description"),
        "year": p.integer("year"),
    }


def assert_valid_achievement(item: dict[str, Any]) -> None:
    assert 4 <= len(item["title"]) <= 200, f"stored title {item['title']!r} breaks the 4..200 rule"
    assert item["year"] is None or 1950 <= item["year"] <= TODAY.year + 1
    assert not has_nul(item), f"NUL stored in {has_nul(item)}"


def service_expected(data: MultiDict[str, str], before: dict[str, Any] | None) -> dict[str, Any]:
    p = Posted(data, before or {"active": True})
    return {
        "category": p.choice("category"),
        "title": p.text("title"),
        "description": p.text("description"),
        "delivery_mode": p.choice("delivery_mode"),
        "price_note": p.text("price_note"),
        "active": p.boolean("active"),
    }


def assert_valid_service(item: dict[str, Any]) -> None:
    assert 4 <= len(item["title"]) <= 120, f"stored title {item['title']!r} breaks the 4..120 rule"
    assert 10 <= len(item["description"]) <= 3000, f"stored description {item['description']!r:.60}"
    assert len(item["price_note"]) <= 200
    assert not has_nul(item), f"NUL stored in {has_nul(item)}"


ITEM_KINDS = {
    "achievements": (Achievement, achievement_form, achievement_expected, assert_valid_achievement),
    "services": (ServiceItem, service_form, service_expected, assert_valid_service),
}


def _item_property(
    app: Flask,
    client: FlaskClient,
    provider_id: int,
    kind: str,
    item_id: int | None,
    data: MultiDict[str, str],
) -> None:
    model, _form, expected_of, assert_valid = ITEM_KINDS[kind]
    url = f"/me/{kind}/{item_id}/edit" if item_id else f"/me/{kind}/new"
    before_counts = counts(app, model)
    before_item = row(app, model, item_id) if item_id else None
    before_provider = row(app, Provider, provider_id)
    note(f"form data: {data!r}")
    response = client.post(url, data=data)
    assert_no_server_error(response)
    after_counts = counts(app, model)
    if response.status_code == 302:
        event(f"accepted {'edit' if item_id else 'new'}")
        stored = row(app, model, item_id) if item_id else newest(app, model, provider_id=provider_id)
        assert stored is not None and stored["provider_id"] == provider_id
        assert after_counts[model.__tablename__] == before_counts[model.__tablename__] + (0 if item_id else 1)
        expected = expected_of(data, before_item)
        assert {k: stored[k] for k in expected} == expected
        assert_valid(stored)
    else:
        event("refused")
        assert after_counts == before_counts
        assert (row(app, model, item_id) if item_id else None) == before_item, (
            "a refused edit changed the item"
        )
        assert row(app, Provider, provider_id) == before_provider
        assert_refused_page(response, first(data, "title"))


@PROPS
@given(data=achievement_form, edit=st.booleans())
@example(data=md(kind="patent", title="  ab  "), edit=False)
@example(data=md(kind="patent", title="一种方法\x00", year="²"), edit=True)
def test_achievement_add_and_edit(
    app: Flask, make: Any, expert: int, expert_client: FlaskClient, data: MultiDict[str, str], edit: bool
) -> None:
    provider_id = make.provider_id_of(expert)
    item_id = _first_item(app, Achievement, provider_id) if edit else None
    _item_property(app, expert_client, provider_id, "achievements", item_id, data)


@PROPS
@given(data=service_form, edit=st.booleans())
@example(
    data=md(category="testing", title="  ab  ", description="提供高温持久性能测试", delivery_mode="online"),
    edit=False,
)
@example(
    data=md(
        category="testing", title="检测服务", description="提供\x00高温持久性能测试", delivery_mode="online"
    ),
    edit=True,
)
def test_service_add_and_edit(
    app: Flask, make: Any, expert: int, expert_client: FlaskClient, data: MultiDict[str, str], edit: bool
) -> None:
    provider_id = make.provider_id_of(expert)
    item_id = _first_item(app, ServiceItem, provider_id) if edit else None
    _item_property(app, expert_client, provider_id, "services", item_id, data)


def _first_item(app: Flask, model: type, provider_id: int) -> int:
    with app.app_context():
        found = db.session.scalar(select(model.id).where(model.provider_id == provider_id).order_by(model.id))
        if found is not None:
            return int(found)
    from tests.factories import Factory

    factory = Factory(app)
    return factory.achievement(provider_id) if model is Achievement else factory.service(provider_id)


# ---- orders ----------------------------------------------------------------------------------------------


@pytest.fixture
def world(app: Flask, make: Any) -> World:
    return build_world(app, make)


@pytest.fixture
def clients(world: World) -> dict[str, FlaskClient]:
    return {role: world.client(role) for role in ("owner", "provider", "broker_in", "other_enterprise")}


def order_rows(app: Flask) -> dict[str, int]:
    return counts(app, *ORDER_TABLES)


def assert_nothing_written(app: Flask, before: dict[str, int]) -> None:
    assert order_rows(app) == before, "a refused request wrote rows"


def assert_flashed_refusal(client: FlaskClient, response: Any) -> None:
    page = follow(client, response)
    assert "alert-danger" in page or "alert-warning" in page, "refused without a visible message"


def assert_refused(response: Any, typed: str | None = None) -> None:
    """A refusal on an order page has the status the API gives it: a wrong state (409) or bad input
    (422) shows the form's page again with the message and what was typed; 403 and 404 are error pages."""
    assert 400 <= response.status_code < 500, response.status_code
    if response.status_code in (409, 422):
        page = response.get_data(as_text=True)
        assert "alert-danger" in page or "alert-warning" in page, "refused without a visible message"
        assert shows_input(page, typed), f"the typed value {typed!r:.80} is lost"


message_form = form({"message": padded(chinese(0, 40))})


@FEW
@given(data=message_form, need_choice=st.sampled_from(["none", "own", "other", "text"]), raw=anything)
@example(data=md(message="请尽快联系\x00"), need_choice="none", raw="")
@example(data=md(message="请评估"), need_choice="text", raw="²")
def test_order_service(
    app: Flask,
    world: World,
    clients: dict[str, FlaskClient],
    data: MultiDict[str, str],
    need_choice: str,
    raw: str,
) -> None:
    make = world.make
    service_id = make.service(world.provider_id)  # a fresh service: no open order blocks this one
    own = make.need(world.owner, status=APPROVED)
    other = make.need(world.other_enterprise, status=APPROVED)
    need_value = {"none": None, "own": str(own), "other": str(other), "text": raw}[need_choice]
    if need_value is not None:
        data = Form([*data.items(multi=True), ("need_id", need_value)])
    before = order_rows(app)
    url = f"/orders/new/service/{service_id}"
    note(f"form data: {data!r}")
    response = clients["owner"].post(url, data=data)
    assert_no_server_error(response)
    if response.status_code == 302:
        event("accepted")
        order = newest(app, Order)
        assert order is not None and order["service_id"] == service_id
        assert order_rows(app)["orders"] == before["orders"] + 1
        assert order["message"] == stripped(data, "message")
        assert len(order["message"]) <= 2000 and not has_nul(order)
        assert order["need_id"] == (None if blank(first(data, "need_id")) else int(first(data, "need_id")))  # type: ignore[arg-type]
        if order["need_id"] is not None:
            need = row(app, Need, order["need_id"])
            assert need is not None and need["status"] == APPROVED
            assert need["organisation_id"] == world.make.org_of(world.owner), "ordered on another firm's need"
    else:
        event("refused")
        assert_nothing_written(app, before)
        assert_refused(response, stripped(data, "message") or None)


@FEW
@given(data=message_form)
@example(data=md(message="邀请\x00"))
def test_invite(app: Flask, world: World, clients: dict[str, FlaskClient], data: MultiDict[str, str]) -> None:
    need_id = world.make.need(world.owner, status=APPROVED)
    before = order_rows(app)
    url = f"/orders/new/invite/{need_id}/{world.provider_id}"
    note(f"form data: {data!r}")
    response = clients["owner"].post(url, data=data)
    assert_no_server_error(response)
    if response.status_code == 302:
        event("accepted")
        order = newest(app, Order)
        assert order is not None and order["need_id"] == need_id and order["provider_id"] == world.provider_id
        assert order["message"] == stripped(data, "message")
        assert len(order["message"]) <= 2000 and not has_nul(order)
    else:
        event("refused")
        assert_nothing_written(app, before)
        assert_refused(response, stripped(data, "message") or None)


@FEW
@given(
    data=message_form,
    picks=st.lists(st.sampled_from(["provider", "other_provider", "missing", "text"]), max_size=4),
    raw=anything,
)
@example(data=md(message="派单"), picks=["text"], raw="²")  # str.isdigit() says yes, int() says no
@example(data=md(message="派单\x00"), picks=["provider"], raw="")
def test_dispatch(
    app: Flask,
    world: World,
    clients: dict[str, FlaskClient],
    data: MultiDict[str, str],
    picks: list[str],
    raw: str,
) -> None:
    need_id = world.make.need(world.owner, status=APPROVED)
    values = {
        "provider": str(world.provider_id),
        "other_provider": str(world.other_provider_id),
        "missing": "999999",
        "text": raw,
    }
    data = Form([*data.items(multi=True), *(("provider_ids", values[p]) for p in picks)])
    before = order_rows(app)
    note(f"form data: {data!r}")
    response = clients["broker_in"].post(f"/orders/dispatch/{need_id}", data=data)
    assert_no_server_error(response)
    added = order_rows(app)["orders"] - before["orders"]
    if added:
        event("accepted")
        with app.app_context():
            orders = list(db.session.scalars(select(Order).where(Order.need_id == need_id)))
            assert {o.provider_id for o in orders} == {
                int(v) for v in data.getlist("provider_ids") if v.isascii() and v.isdigit()
            }
            assert all(o.message == stripped(data, "message") and o.status == "dispatched" for o in orders)
        assert response.status_code == 302
    else:
        event("refused")
        assert_nothing_written(app, before)
        assert_refused(response, stripped(data, "message") or None)


proposal_form = form(
    {
        "approach": padded(chinese(1, 60)),
        "team": padded(chinese(0, 20)),
        "timeline": padded(chinese(0, 10)),
        "price_min": st.integers(0, 100).map(str),
        "price_max": st.integers(100, 10**7).map(str),
    }
)


@FEW
@given(data=proposal_form)
@example(data=md(approach="方案\x00", price_min="1", price_max="2"))
@example(data=md(approach="方案", price_min="²"))
def test_proposal(
    app: Flask, world: World, clients: dict[str, FlaskClient], data: MultiDict[str, str]
) -> None:
    need_id = world.make.need(world.owner, status=APPROVED, is_open_call=True)
    before = order_rows(app)
    note(f"form data: {data!r}")
    response = clients["provider"].post(f"/orders/proposals/need/{need_id}", data=data)
    assert_no_server_error(response)
    proposal = newest(app, Proposal, need_id=need_id)
    if proposal is not None:
        event("accepted")
        expected = {
            "approach": stripped(data, "approach"),
            "team": stripped(data, "team"),
            "timeline": stripped(data, "timeline"),
            "price_min": as_int(data, "price_min"),
            "price_max": as_int(data, "price_max"),
        }
        assert {k: proposal[k] for k in expected} == expected
        assert 1 <= len(proposal["approach"]) <= 5000 and len(proposal["timeline"]) <= 200
        low, high = proposal["price_min"], proposal["price_max"]
        assert low is None or 0 <= low <= 10**7
        assert high is None or 0 <= high <= 10**7
        assert low is None or high is None or low <= high
        assert not has_nul(proposal), f"NUL stored in {has_nul(proposal)}"
        assert response.status_code == 302
    else:
        event("refused")
        assert_nothing_written(app, before)
        assert_refused(response, stripped(data, "approach") or None)


act_form = form(
    {
        "reason": padded(chinese(1, 20)),
        "contract_type": st.sampled_from(codes(CONTRACT_TYPES)),
        "value_wan": st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2).map(str),
        "signed_on": valid_date_text(date(2020, 1, 1), TODAY),
        "note": padded(chinese(0, 20)),
        "rating": st.integers(1, 5).map(str),
        "body": padded(chinese(0, 20)),
    }
)
# (state the order is in, action, who acts): the valid steps and some that must be refused.
STEPS = [(s.value, a.value) for (s, a) in TABLE if a != Action.EXPIRE]
ACTORS = ("owner", "provider", "broker_in", "other_enterprise")


ROLE_OF = {Party.PROVIDER: "provider", Party.ENTERPRISE: "owner", Party.BROKER: "broker_in"}
SIGN = dict(contract_type="develop", signed_on="2026-01-01", note="首期")


@FEW
@given(
    step=st.sampled_from(STEPS),
    action=mostly(st.none(), st.one_of(st.sampled_from([a.value for a in Action]), st.text(max_size=8))),
    actor=mostly(st.just("right"), st.sampled_from(ACTORS)),
    data=act_form,
)
@example(
    step=("negotiating", "sign"), action=None, actor="right", data=md(**SIGN, value_wan="0.001")
)  # > 0, stored 0.00
@example(
    step=("negotiating", "sign"), action=None, actor="right", data=md(**SIGN, value_wan="9999999999.999")
)
@example(step=("ordered", "decline"), action=None, actor="right", data=md(reason="档期已满\x00"))
@example(step=("delivered", "review"), action=None, actor="right", data=md(rating="٥", body="好"))
def test_order_act(
    app: Flask,
    world: World,
    clients: dict[str, FlaskClient],
    step: tuple[str, str],
    action: str | None,
    actor: str,
    data: MultiDict[str, str],
) -> None:
    state, planned = step
    action = action or planned
    if actor == "right":
        parties = TABLE[(State(state), Action(planned))].parties
        actor = next(role for party, role in ROLE_OF.items() if party in parties)
    origin = "dispatched" if state == "dispatched" else "ordered"
    order_id = world.order(state, origin=origin, need=world.make.need(world.owner, status=APPROVED))
    before_rows, before_order = order_rows(app), row(app, Order, order_id)
    assert before_order is not None
    note(f"form data: {data!r}")
    response = clients[actor].post(f"/orders/{order_id}/act/{action}", data=data)
    assert_no_server_error(response)
    after_order = row(app, Order, order_id)
    assert after_order is not None
    if after_order["status"] != state:
        event(f"accepted {action}")
        step_taken = TABLE[(State(state), Action(action))]
        assert after_order["status"] == step_taken.to.value
        reason = stripped(data, "reason")
        audit = newest(app, AuditLog, order_id=order_id)
        assert audit is not None and audit["action"] == action and audit["reason"] == reason
        assert len(reason) <= 1000 and not has_nul(audit)
        if Action(action) in (Action.DECLINE, Action.CANCEL):
            assert after_order["closing_reason"] == reason != ""
        if action == "sign":
            deal = newest(app, Deal, order_id=order_id)
            assert deal is not None
            value = Decimal(stripped(data, "value_wan")).quantize(Decimal("0.01"))
            assert deal["contract_type"] == first(data, "contract_type")
            assert deal["value_wan"] == value
            assert deal["signed_on"] == date.fromisoformat(stripped(data, "signed_on"))
            assert deal["note"] == stripped(data, "note")
            assert Decimal("0") < deal["value_wan"] < Decimal("10000000000"), (
                f"stored amount {deal['value_wan']}"
            )
            assert not has_nul(deal), f"NUL stored in {has_nul(deal)}"
        if action == "review":
            review = newest(app, Review, order_id=order_id)
            assert review is not None and review["rating"] == int(first(data, "rating"))  # type: ignore[arg-type]
            assert 1 <= review["rating"] <= 5 and review["body"] == stripped(data, "body")
            assert not has_nul(review), f"NUL stored in {has_nul(review)}"
    else:
        event("refused")
        assert after_order == before_order, "a refused action changed the order"
        assert_nothing_written(app, before_rows)
        assert_refused(response)


follow_up_form = form(
    {
        "body": padded(chinese(1, 40)),
        "next_follow_up_on": st.one_of(st.just(""), valid_date_text(TODAY, TODAY + timedelta(days=90))),
    }
)


@PROPS
@given(data=follow_up_form, actor=st.sampled_from(("owner", "provider", "broker_in")))
@example(data=md(body="已电话沟通\x00"), actor="owner")
@example(data=md(body="已电话沟通", next_follow_up_on="1999-02-30"), actor="provider")
def test_follow_up(
    app: Flask, world: World, clients: dict[str, FlaskClient], data: MultiDict[str, str], actor: str
) -> None:
    order_id = _accepted_order(world)
    before = order_rows(app)
    note(f"form data: {data!r}")
    response = clients[actor].post(f"/orders/{order_id}/follow-ups", data=data)
    assert_no_server_error(response)
    after = order_rows(app)
    if after["follow_ups"] != before["follow_ups"]:
        event("accepted")
        entry = newest(app, FollowUp, order_id=order_id)
        assert entry is not None and after["follow_ups"] == before["follow_ups"] + 1
        assert entry["kind"] == "note" and entry["body"] == stripped(data, "body")
        raw_date = first(data, "next_follow_up_on")
        assert entry["next_follow_up_on"] == (None if not raw_date else date.fromisoformat(raw_date.strip()))
        assert 1 <= len(entry["body"]) <= 2000 and not has_nul(entry), "invalid follow-up stored"
        assert response.status_code == 302
    else:
        event("refused")
        assert after == before
        assert_refused(response, stripped(data, "body") or None)


def _accepted_order(world: World) -> int:
    with world.app.app_context():
        found = db.session.scalar(select(Order.id).where(Order.status == "accepted").limit(1))
    return int(found) if found is not None else world.order("accepted")


# ---- review (broker returns a posting with a reason) ------------------------------------------------------


@PROPS
@given(data=form({"reason": padded(chinese(1, 40))}), kind=st.sampled_from(["need", "need", "provider", "x"]))
@example(data=md(reason="请补充\x00"), kind="need")
@example(data=md(reason=" " * 20000), kind="need")
def test_broker_return_with_reason(
    app: Flask, world: World, clients: dict[str, FlaskClient], data: MultiDict[str, str], kind: str
) -> None:
    need_id = world.make.need(world.owner, status="pending")
    before_need, before_events = row(app, Need, need_id), counts(app, ModerationEvent)
    note(f"form data: {data!r}")
    response = clients["broker_in"].post(f"/review/{kind}/{need_id}/return", data=data)
    assert_no_server_error(response)
    after_need, after_events = row(app, Need, need_id), counts(app, ModerationEvent)
    assert before_need is not None and after_need is not None
    if after_need["status"] == "returned":
        event("accepted")
        reason = stripped(data, "reason")
        assert kind == "need" and after_need["review_note"] == reason
        assert 1 <= len(reason) <= 1000 and not has_nul(after_need), "invalid reason stored"
        assert after_events["moderation_events"] == before_events["moderation_events"] + 1
        assert newest(app, ModerationEvent)["reason"] == reason  # type: ignore[index]
    else:
        event("refused")
        assert after_need == before_need and after_events == before_events
        if response.status_code == 302:
            assert_flashed_refusal(clients["broker_in"], response)
        else:
            assert 400 <= response.status_code < 500


# ---- list pages: filters in the query string ---------------------------------------------------------------

query_values = st.one_of(anything, st.sampled_from(["32", "ev", "develop", "expert", "testing", "1", "2"]))
QUERY_NAMES = [
    "q",
    "field",
    "province",
    "mode",
    "kind",
    "category",
    "open_call",
    "available",
    "page",
    "per_page",
    "status",
    "state",
    "side",
    "unread",
]
query_strings = st.lists(
    st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=8)), query_values), max_size=6
)
LIST_PAGES = ["/needs/", "/providers/", "/services/", "/needs/mine", "/orders/", "/orders/notifications"]


@PROPS
@given(page=st.sampled_from(LIST_PAGES), query=query_strings)
@example(page="/needs/", query=[("page", "²")])  # str.isdigit() says yes, int() says no
@example(page="/services/", query=[("per_page", "²")])
@example(page="/providers/", query=[("q", "电池\x00"), ("province", "\x00")])
def test_list_filters(
    app: Flask, world: World, clients: dict[str, FlaskClient], page: str, query: list[tuple[str, str]]
) -> None:
    note(f"GET {page} {query!r}")
    response = clients["owner"].get(page, query_string=MultiDict(query))
    assert_no_server_error(response)
    assert response.status_code == 200
    q = MultiDict(query).get("q")
    if page in ("/needs/", "/providers/", "/services/") and q is not None:
        shown = q.replace("\x00", "").strip()[:100]
        assert shows_input(response.get_data(as_text=True), shown), "the search words are lost"
