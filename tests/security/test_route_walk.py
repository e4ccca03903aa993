"""Walk every route in app.url_map as every role, against objects of ANOTHER organisation (issue #7).

For each (role, route, method) the walk checks:
* no 5xx (and no unhandled exception);
* the body never shows a SECRET marker the role may not read;
* a POST/PATCH/PUT/DELETE by a role not entitled to the objects leaves their rows unchanged.

URL parameters are filled from PARAMS (name -> values); a route with a parameter PARAMS does not know
fails the test, so new routes cannot slip through unwalked.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.routing import Rule

from market.assistant import duplicates
from market.attachments.services import add_attachment
from market.auth import accounts
from market.auth import services as auth
from market.auth.models import User
from market.broker.tables import BUILDERS
from market.broker.views_lists import LIST_KINDS
from market.conversations.contacts import update_contact
from market.conversations.services import post_message, thread_for_order, thread_for_proposal
from market.conversations.terms import ContactTerms, Upload
from market.db import commit, db
from market.imports.batches import create_batch
from market.imports.columns import KINDS as IMPORT_KINDS
from market.needs.models import Need
from market.orders import proposals, services
from market.orders.models import Proposal
from market.orders.terms import DealTerms, ProposalTerms, StepTerms
from market.orders.transitions import Action
from market.providers.models import Provider
from market.saved_searches import services as saved_searches
from tests.factories import APPROVED, login
from tests.imports.helpers import csv_bytes, need_row

ROLES = (
    "anonymous",
    "enterprise_a",
    "enterprise_b",
    "provider_p",
    "provider_q",
    "broker_in",
    "broker_out",
    "admin",
)
STATE_CHANGING = {"POST", "PATCH", "PUT", "DELETE"}
SKIPPED_ENDPOINTS = {"static": "serves files from disk; no data of any organisation"}
# Walked last: they end the session (or every session) of the walking role.
LAST = ("auth.logout_everywhere", "auth.logout")

# Who may read each marker, and who may change each group of rows.
SECRET_READERS = {
    "need": {"enterprise_a", "broker_in", "admin"},
    # docs/orders.md: a provider that accepted an order on the need sees its confidential details
    "engaged_need": {"enterprise_a", "provider_p", "broker_in", "admin"},
    "order": {"enterprise_a", "provider_p", "broker_in", "admin"},
    "file": {"enterprise_a", "broker_in", "admin"},  # confidential attachment of the draft
    "engaged_file": {"enterprise_a", "provider_p", "broker_in", "admin"},
    # a message and its file in the order's conversation; a message in the proposal's (docs/conversations.md)
    "message": {"enterprise_a", "provider_p", "broker_in", "admin"},
    "message_file": {"enterprise_a", "provider_p", "broker_in", "admin"},
    "proposal_message": {"enterprise_a", "broker_in", "admin"},
    # enterprise A's shared WeChat: its own contact page, and the other party of its accepted order
    "contact": {"enterprise_a", "provider_p"},
    # An answer (科技答题) by a provider that is none of the roles: its enterprise and the region's brokers.
    "answer": {"enterprise_a", "broker_in", "admin"},
    # A file on that answer: the same readers (docs/answers.md).
    "answer_file": {"enterprise_a", "broker_in", "admin"},
    # Enterprise A's saved search (its name): only A (docs/search.md, Saved searches and alerts).
    "saved_search": {"enterprise_a"},
}
WRITERS = {
    "needs": {"enterprise_a", "broker_in", "admin"},
    "proposals": {"enterprise_a", "broker_in", "admin"},
    "orders": {"enterprise_a", "provider_p", "broker_in", "admin"},
    "provider": {"provider_p", "broker_in", "admin"},
    "batch": {"broker_in", "admin"},
    "token": {"enterprise_a", "admin"},
    "user": {"enterprise_a", "admin"},
    "taxonomy": {"admin"},
    "feedback": {"enterprise_a", "broker_in", "admin"},
    "attachments": {"enterprise_a"},
    "messages": {"enterprise_a", "provider_p", "broker_in", "admin"},
    "blocks": {"enterprise_a"},
    "answer_files": set(),  # only the answering provider, who is none of the roles
    "saved_searches": {"enterprise_a"},
}


@dataclass
class World:
    app: Flask
    users: dict[str, int]
    tokens: dict[str, str]
    org_a: int
    secrets: dict[str, str]
    ids: dict[str, Any] = field(default_factory=dict)


def build_world(app: Flask, make: Any) -> World:
    tag = uuid.uuid4().hex[:12]
    secrets = {
        "need": f"SECRET-A-{tag}",
        "engaged_need": f"SECRET-A2-{tag}",
        "order": f"SECRET-ORDER-{tag}",
        "file": f"SECRET-FILE-{tag}",
        "engaged_file": f"SECRET-FILE2-{tag}",
        "message": f"SECRET-MSG-{tag}",
        "message_file": f"SECRET-MSGFILE-{tag}",
        "answer": f"SECRET-ANSWER-{tag}",
        "proposal_message": f"SECRET-PMSG-{tag}",
        "contact": f"SECRET-CONTACT-{tag}",
        "answer_file": f"SECRET-ANSWERFILE-{tag}",
        "saved_search": f"SECRET-SEARCH-{tag}",
    }
    users = {
        "enterprise_a": make.user("enterprise"),
        "enterprise_b": make.user("enterprise"),
        "provider_p": make.user("provider"),
        "provider_q": make.user("provider"),
        "broker_in": make.user("broker", regions=("32",)),
        "broker_out": make.user("broker", regions=("11",)),
        "admin": make.user("admin"),
    }
    proposer = make.user("provider")  # a third provider: owns the proposal, is none of the roles
    p_id, q_id = (make.provider_id_of(users[r]) for r in ("provider_p", "provider_q"))
    r_id = make.provider_id_of(proposer)
    for provider_id in (p_id, q_id, r_id):
        make.set_provider_status(provider_id, APPROVED)
    a = users["enterprise_a"]
    draft = make.need(a, status="draft", title="企业A的草稿需求", confidential_details=secrets["need"])
    approved = make.need(a, status=APPROVED, is_open_call=True, confidential_details=secrets["engaged_need"])
    achievement, service = make.achievement(p_id), make.service(p_id)
    with app.app_context():
        user = {role: db.session.get(User, uid) for role, uid in users.items()}
        need = db.session.get(Need, approved)
        order = services.invite(user["enterprise_a"], need, db.session.get(Provider, p_id), message="请评估")
        order_id = order.id
        commit()
        secret_deal = DealTerms(
            contract_type="develop",
            value_wan=Decimal("987.65"),
            signed_on=date(2024, 5, 1),
            note=secrets["order"],
        )
        for action, role, step in (
            ("accept", "provider_p", StepTerms()),
            ("negotiate", "enterprise_a", StepTerms()),
            ("sign", "enterprise_a", StepTerms(deal=secret_deal)),
        ):
            services.act(db.session.get(User, users[role]), order_id, action, step)
            commit()
        order = services.lock_order(order_id)
        services.add_follow_up(db.session.get(User, a), order, body=f"跟进：{secrets['order']}")
        files = [
            add_attachment(
                db.session.get(User, a),
                db.session.get(Need, need_id),
                f"{secret}.pdf",
                b"%PDF-1.7 " + secret.encode(),
                confidential=True,
            ).id
            for need_id, secret in ((draft, secrets["file"]), (approved, secrets["engaged_file"]))
        ]
        proposal = proposals.submit(
            db.session.get(User, proposer),
            db.session.get(Need, approved),
            ProposalTerms(approach=f"热管理方案 {secrets['answer']}"),
            [Upload("answer.pdf", b"%PDF-1.7 " + secrets["answer_file"].encode())],
        )
        conversation = _converse(user, order_id, proposal.id, secrets)
        batch = create_batch(
            db.session.get(User, users["broker_in"]), "needs", "n.csv", csv_bytes("needs", [need_row()]), True
        )
        _, victim_token = auth.create_api_token(db.session.get(User, a), "victim")
        saved_search, _new = saved_searches.save(
            db.session.get_one(User, a),
            saved_searches.SearchTerms(kind="needs", q="热管理", name=secrets["saved_search"]),
        )
        account_links = _account_links(db.session.get_one(User, a))
        need_link = duplicates.link(db.session.get_one(User, users["broker_in"]), draft, approved, "related")
        tokens = {
            role: auth.create_api_token(db.session.get(User, uid), "walk")[0] for role, uid in users.items()
        }
        ids = {
            "draft": draft,
            "approved": approved,
            "order": order_id,
            "p": p_id,
            "achievement": achievement,
            "service": service,
            "proposal": proposal.id,
            "answer_file": proposal.files[0].id,
            "batch": batch.id,
            "token": victim_token.id,
            "saved_search": saved_search.id,
            "user_a": a,
            "attachment": files,
            "account_links": account_links,
            "need_link": need_link.id,
            **conversation,
        }
        org_a = user["enterprise_a"].organisation_id
        commit()
    return World(app, users, tokens, int(org_a), secrets, ids)


def _account_links(user: User) -> list[str]:
    """User A's live reset and address-check links: only A's own browser may use them, and the walk's
    roles open them without a password (a reset needs the new password; the check then moves nothing)."""
    reset = accounts.issue_token(user, accounts.RESET, user.email)
    check = accounts.issue_token(user, accounts.VERIFY, "a-moved@example.com")
    return [reset, check]


def _converse(
    user: dict[str, User], order_id: int, proposal_id: int, secrets: dict[str, str]
) -> dict[str, Any]:
    """Messages with secrets in both conversations, a file, and enterprise A's shared contact detail."""
    order_thread = thread_for_order(user["provider_p"], services.lock_order(order_id))
    proposal_thread = thread_for_proposal(user["enterprise_a"], db.session.get_one(Proposal, proposal_id))
    pdf = Upload("rig.pdf", b"%PDF-1.7 " + secrets["message_file"].encode())
    said = post_message(user["provider_p"], order_thread.id, f"消息：{secrets['message']}", pdf)
    asked = post_message(user["enterprise_a"], proposal_thread.id, f"提问：{secrets['proposal_message']}")
    update_contact(user["enterprise_a"], ContactTerms(wechat=secrets["contact"], share_wechat=True))
    return {
        "threads": [order_thread.id, proposal_thread.id],
        "messages": [said.id, asked.id],
        "file": said.file.id if said.file else 0,
    }


# ---- URL parameters ---------------------------------------------------------------------------------------

ValueFn = Callable[[World, str, dict[str, Any]], list[Any]]


def _first_mail(world: World) -> int:
    """An outbox row (the world's orders queued mail): /admin/mail/<mail_id> pages."""
    with world.app.app_context():
        return int(db.session.execute(text("SELECT min(id) FROM email_outbox")).scalar_one())


def _unsubscribe_token(world: World) -> str:
    from market.mail.preferences import unsubscribe_token

    with world.app.app_context():
        return unsubscribe_token(world.users["enterprise_a"], "orders")


ENDPOINT_PARAMS: dict[tuple[str, str], ValueFn] = {
    # item_id means an achievement or a service item depending on the route
    **{
        (e, "item_id"): (lambda w, e, a: [w.ids["achievement"]])
        for e in (
            "api.update_achievement",
            "api.delete_achievement",
            "providers.delete_achievement",
            "providers.edit_achievement",
        )
    },
    **{
        (e, "item_id"): (lambda w, e, a: [w.ids["service"]])
        for e in (
            "api.update_service",
            "api.delete_service",
            "api.withdraw_service",
            "api.relist_service",
            "providers.delete_service",
            "providers.edit_service",
            "providers.withdraw_service",
            "providers.relist_service",
        )
    },
    ("admin.rename_field", "code"): lambda w, e, a: ["ev"],
    ("admin.delete_field", "code"): lambda w, e, a: ["ev"],
    ("admin.move_field", "code"): lambda w, e, a: ["ev"],
    ("admin.rename_region", "code"): lambda w, e, a: ["32"],
    ("imports.upload", "kind"): lambda w, e, a: list(IMPORT_KINDS),
    ("imports.export_file", "kind"): lambda w, e, a: list(IMPORT_KINDS),
    ("imports.template", "kind"): lambda w, e, a: list(IMPORT_KINDS),
    # A tampered unsubscribe link, and enterprise A's real one (no login needed: the link is the proof).
    ("mail.unsubscribe", "token"): lambda w, e, a: ["not-a-token", _unsubscribe_token(w)],
}
PARAMS: dict[str, ValueFn] = {
    "mail_id": lambda w, e, a: [_first_mail(w)],
    "organisation_id": lambda w, e, a: [w.org_a],  # 认领单位 invitations (market/broker/claims.py)
    "need_id": lambda w, e, a: [w.ids["draft"], w.ids["approved"]],
    "provider_id": lambda w, e, a: [w.ids["p"]],
    "order_id": lambda w, e, a: [w.ids["order"]],
    "item_id": lambda w, e, a: [w.ids["achievement"], w.ids["service"]],
    "service_id": lambda w, e, a: [w.ids["service"]],
    "batch_id": lambda w, e, a: [w.ids["batch"]],
    "proposal_id": lambda w, e, a: [w.ids["proposal"]],
    "attachment_id": lambda w, e, a: w.ids["attachment"],
    "token_id": lambda w, e, a: [w.ids["token"]],
    "user_id": lambda w, e, a: [w.ids["user_a"]],
    "kind": lambda w, e, a: ["need", "provider"],
    "posting_id": lambda w, e, a: [w.ids["draft"] if a.get("kind") == "need" else w.ids["p"]],
    "action": lambda w, e, a: (
        # Expiring is the system's step: no page takes it (its URL is a 404).
        ["shortlist", "reject", "order"] if "proposal" in e else [a.value for a in Action if a != "expire"]
    ),
    "code": lambda w, e, a: ["en"],
    "province": lambda w, e, a: ["32"],
    "key": lambda w, e, a: sorted(BUILDERS),
    "fmt": lambda w, e, a: ["csv", "xlsx"],
    "thread_id": lambda w, e, a: w.ids["threads"],
    "message_id": lambda w, e, a: w.ids["messages"],
    "file_id": lambda w, e, a: [w.ids["file"]],
    "answer_file_id": lambda w, e, a: [w.ids["answer_file"]],
    "search_id": lambda w, e, a: [w.ids["saved_search"]],
    "link_id": lambda w, e, a: [w.ids["need_link"]],  # a broker's duplicate/related link between needs
    "step": lambda w, e, a: ["solve", "close", "reopen"],
    # a broker's full list behind a board section's "另有 N 条", and one that does not exist
    "which": lambda w, e, a: [*sorted(LIST_KINDS), "no-such-list"],
    # a mailed account link (password reset, address check): an unknown one, and user A's live ones
    "token": lambda w, e, a: ["not-a-token", *w.ids["account_links"]],
}
# posting_id depends on kind, so kind is filled first
ORDER_OF_ARGS = ("kind",)


def _arguments(world: World, rule: Rule) -> Iterator[dict[str, Any]]:
    names = sorted(rule.arguments, key=lambda n: (n not in ORDER_OF_ARGS, n))

    def expand(i: int, acc: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if i == len(names):
            yield dict(acc)
            return
        name = names[i]
        fn = ENDPOINT_PARAMS.get((rule.endpoint, name)) or PARAMS[name]
        for value in fn(world, rule.endpoint, acc):
            yield from expand(i + 1, {**acc, name: value})

    yield from expand(0, {})


def _rules(app: Flask) -> list[Rule]:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED_ENDPOINTS]
    return sorted(
        rules, key=lambda r: (r.endpoint in LAST, LAST.index(r.endpoint) if r.endpoint in LAST else 0)
    )


def test_every_route_parameter_is_known(app: Flask) -> None:
    unknown = {
        (rule.rule, name)
        for rule in _rules(app)
        for name in rule.arguments
        if name not in PARAMS and (rule.endpoint, name) not in ENDPOINT_PARAMS
    }
    assert not unknown, f"routes with parameters the walk cannot fill (add them to PARAMS): {sorted(unknown)}"


# ---- the database snapshot ---------------------------------------------------------------------------------


def _rows(sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(str(v) for v in row) for row in db.session.execute(text(sql), params)]


def snapshot(world: World) -> dict[str, Any]:
    ids = world.ids
    with world.app.app_context():
        a_needs = "SELECT id FROM needs WHERE organisation_id = :org"
        a_orders = "SELECT id FROM orders WHERE organisation_id = :org"
        org = {"org": world.org_a}
        snap = {
            "needs": _rows(
                "SELECT id, status, title, description, confidential_details, updated_at FROM needs"
                " WHERE organisation_id = :org ORDER BY id",
                **org,
            ),
            "proposals": _rows(
                "SELECT id, status, reject_reason, approach, hidden_at FROM proposals"
                f" WHERE need_id IN ({a_needs}) ORDER BY id",
                **org,
            ),
            "orders": [
                _rows(
                    f"SELECT id, status, version, closing_reason FROM orders WHERE id IN ({a_orders})", **org
                ),
                *(
                    _rows(f"SELECT count(*) FROM {table} WHERE order_id IN ({a_orders})", **org)
                    for table in ("follow_ups", "order_audit_log", "deals", "reviews")
                ),
            ],
            "provider": [
                _rows("SELECT status, name, expertise, updated_at FROM providers WHERE id = :p", p=ids["p"]),
                _rows("SELECT id, title, updated_at FROM achievements WHERE provider_id = :p", p=ids["p"]),
                _rows("SELECT id, title, updated_at FROM service_items WHERE provider_id = :p", p=ids["p"]),
            ],
            "batch": _rows(
                "SELECT status, processed_rows, error_count, committed_at FROM import_batches WHERE id = :b",
                b=ids["batch"],
            ),
            "token": _rows("SELECT name, revoked_at FROM api_tokens WHERE id = :t", t=ids["token"]),
            "user": _rows(
                "SELECT role, active, name, email, organisation_id, session_token, password_hash, phone,"
                " wechat, locale, share_email, email_verified, pending_email FROM users WHERE id = :u",
                u=ids["user_a"],
            ),
            "taxonomy": [
                _rows("SELECT * FROM fields ORDER BY code"),
                _rows("SELECT * FROM regions ORDER BY code"),
            ],
            "feedback": _rows(f"SELECT count(*) FROM match_feedback WHERE need_id IN ({a_needs})", **org),
            "messages": [
                _rows(
                    "SELECT m.id, m.body, m.hidden_at FROM thread_messages m"
                    " JOIN threads t ON t.id = m.thread_id WHERE t.organisation_id = :org ORDER BY m.id",
                    **org,
                ),
                _rows("SELECT id, message_id, sha256 FROM thread_files ORDER BY id"),
            ],
            "attachments": _rows(
                "SELECT id, filename, confidential, sha256 FROM need_attachments"
                f" WHERE need_id IN ({a_needs})",
                **org,
            ),
            "blocks": _rows("SELECT provider_id FROM provider_blocks WHERE organisation_id = :org", **org),
            "answer_files": _rows(
                "SELECT id, proposal_id, filename, sha256 FROM proposal_attachments ORDER BY id"
            ),
            "saved_searches": _rows(
                "SELECT id, name, kind, query, sort FROM saved_searches WHERE user_id = :u ORDER BY id",
                u=ids["user_a"],
            ),
        }
        db.session.rollback()
    assert set(snap) == set(WRITERS)
    return snap


# ---- the walk ----------------------------------------------------------------------------------------------


def _body(response: Any) -> str:
    if response.is_json:
        return json.dumps(response.get_json(silent=True), ensure_ascii=False)
    return str(response.get_data().decode("utf-8", errors="replace"))


def _request(client: FlaskClient, method: str, url: str, api: bool, token: str | None) -> Any:
    if api:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        kwargs: dict[str, Any] = {"json": {}} if method in STATE_CHANGING else {}
        return client.open(url, method=method, headers=headers, **kwargs)
    data: dict[str, Any] = {"data": {}} if method in STATE_CHANGING else {}
    return client.open(url, method=method, **data)


@pytest.mark.parametrize("role", ROLES)
def test_route_walk(app: Flask, make: Any, role: str) -> None:
    world = build_world(app, make)
    page_client = app.test_client()
    if role != "anonymous":
        login(page_client, world.users[role])
    api_client = app.test_client()
    token = world.tokens.get(role)
    guarded = [group for group, writers in WRITERS.items() if role not in writers]
    hidden = {marker: kind for kind, marker in world.secrets.items() if role not in SECRET_READERS[kind]}
    seen: set[str] = set()
    problems: list[str] = []
    walked = 0
    # The guarded rows as the last state-changing request left them: each one is compared with this,
    # so a read that changed them is caught too (blamed on the next state-changing request).
    state = snapshot(world) if guarded else None
    for rule in _rules(app):
        api = rule.rule.startswith("/api/")
        for method, args in itertools.product(
            sorted(rule.methods - {"HEAD", "OPTIONS"}), _arguments(world, rule)
        ):
            url = app.url_map.bind("localhost").build(rule.endpoint, args, method=method)
            changing = method in STATE_CHANGING and state is not None
            where = f"{role} {method} {url} ({rule.endpoint})"
            walked += 1
            try:
                response = _request(api_client if api else page_client, method, url, api, token)
            except Exception as exc:  # an unhandled error is a finding, not a crash of the walk
                problems.append(f"{where}: unhandled {type(exc).__name__}: {exc}")
                with app.app_context():
                    db.session.rollback()
                continue
            if response.status_code >= 500:
                problems.append(f"{where}: HTTP {response.status_code}")
            body = _body(response)
            seen.update(kind for kind, marker in world.secrets.items() if marker in body)
            for marker, kind in hidden.items():
                if marker in body:
                    problems.append(f"{where}: HTTP {response.status_code} leaks the {kind} secret {marker}")
            if changing and state is not None:
                after = snapshot(world)
                for group in guarded:
                    if state[group] != after[group]:
                        problems.append(
                            f"{where}: HTTP {response.status_code} changed {group}: "
                            f"{state[group]!r} -> {after[group]!r}"
                        )
                state = after
    print(f"{role}: walked {walked} requests")
    # Control: the walk does reach the objects, so the roles entitled to a secret do see it somewhere.
    missed = {kind for kind, readers in SECRET_READERS.items() if role in readers} - seen
    if missed:
        problems.append(f"{role}: never saw its own readable secrets {sorted(missed)}: the walk misses pages")
    assert not problems, "\n".join(problems)
