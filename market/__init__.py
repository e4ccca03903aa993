"""科创对接 web application (Flask app factory)."""

from __future__ import annotations

import logging

from flask import Flask, Response
from flask_login import AnonymousUserMixin
from werkzeug import exceptions as werkzeug_exceptions
from werkzeug.routing import IntegerConverter

from market.config import ROOT, load_config
from market.db import configure_sqlite, db
from market.extensions import babel, csrf, limiter, login_manager, migrate
from market.ids import MAX_ID


def create_app(overrides: dict[str, object] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(overrides))
    app.url_map.converters["int"] = DatabaseIdConverter
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # readable Chinese in API responses
    logging.getLogger("jieba").setLevel(logging.WARNING)
    from market import logs

    logs.configure(app)

    import market.models  # noqa: F401  (registers every table)

    db.init_app(app)
    configure_sqlite(app)  # WAL, busy timeout, synchronous: checked now (market/db.py)
    # Batch mode lets the same migrations alter tables on SQLite, which lacks most ALTER TABLE forms.
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_wtforms_locale)
    limiter.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    _register_hooks(app)

    from market.matching import sync
    from market.notices import postings as posting_notices
    from market.orders import need_outcomes
    from market.search import list_cache
    from market.suggest import services as suggest

    sync.install()
    suggest.install()  # after sync: the suggestion vocabulary follows the index
    need_outcomes.install()
    from market.mail import sender as mail_sender

    mail_sender.install()  # send new mail right after the commit that queued it (SMTP_URL set)
    posting_notices.install()
    list_cache.install()  # stamp each commit that changes a posting: the lists' cached counts

    from market import errors_web, templating
    from market.security import events as security_events

    security_events.install(app)
    errors_web.register(app)
    templating.register(app)

    from market.cli import register_commands

    register_commands(app)
    return app


def _wtforms_locale() -> str:
    from market.i18n import current_language

    return "zh" if current_language() == "zh" else "en"


class DatabaseIdConverter(IntegerConverter):
    """<int:…> in URLs: a number beyond the largest id a database column holds is a 404 of this
    route (not "no route", which would answer 405 where another rule shares the path)."""

    def to_python(self, value: str) -> int:
        number = int(super().to_python(value))
        if number > MAX_ID:
            raise werkzeug_exceptions.NotFound()
        return number


def _init_login(app: Flask) -> None:
    from market.auth import sessions
    from market.auth.services import load_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.anonymous_user = AnonymousUserMixin
    login_manager.session_protection = "basic"
    # The session cookie names a server-side session (auth.sessions); remember-me is our own cookie,
    # read by the request loader once the session has ended, and written after each request.
    login_manager.user_loader(load_user)
    login_manager.request_loader(sessions.user_from_remember_cookie)
    app.after_request(sessions.write_remember_cookie)
    sessions.install()

    from market.i18n import N_

    login_manager.login_message = N_("请先登录。")
    login_manager.localize_callback = sessions.login_message
    login_manager.login_message_category = "warning"


def _register_blueprints(app: Flask) -> None:
    import market.search.views  # noqa: F401  (adds the public list pages to the needs and providers blueprints)
    from market.admin.views import bp as admin_bp
    from market.api import bp as api_bp
    from market.attachments.views import bp as attachments_bp
    from market.auth.views import bp as auth_bp
    from market.broker.views import bp as broker_bp
    from market.conversations.views import bp as conversations_bp
    from market.imports.views import bp as imports_bp
    from market.main.health import bp as health_bp
    from market.main.views import bp as main_bp
    from market.matching.views import bp as matching_bp
    from market.moderation.views import bp as moderation_bp
    from market.needs.views import bp as needs_bp
    from market.orders.views import bp as orders_bp
    from market.providers.views import bp as providers_bp
    from market.registration.views import account_bp
    from market.registration.views import bp as registration_bp

    for blueprint in (
        main_bp,
        health_bp,
        auth_bp,
        registration_bp,
        account_bp,
        needs_bp,
        attachments_bp,
        providers_bp,
        matching_bp,
        moderation_bp,
        admin_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # token-authenticated; browsers never send the token on their own
    app.register_blueprint(orders_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(broker_bp)
    app.register_blueprint(conversations_bp)
    from market.admin.mail import bp as admin_mail_bp
    from market.mail.views import bp as mail_bp

    app.register_blueprint(mail_bp)  # /me/notifications, /mail/unsubscribe/<token>
    app.register_blueprint(admin_mail_bp)  # /admin/mail
    from market.saved_searches.views import bp as saved_searches_bp

    app.register_blueprint(saved_searches_bp)  # /me/searches
    from market.capacity.views import bp as capacity_bp

    app.register_blueprint(capacity_bp)  # /me/capacity
    from market.assistant.views import bp as assistant_bp

    app.register_blueprint(assistant_bp)  # /assistant: 需求凝练 and duplicate needs


def _register_hooks(app: Flask) -> None:
    from market import headers
    from market.db import commit

    @app.after_request
    def _commit_unit_of_work(response: Response) -> Response:
        # The one place a request's changes are committed; failed requests write nothing.
        if response.status_code < 400:
            commit()
        else:
            db.session.rollback()
        return response

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return headers.apply(response)  # HSTS and no-store for private answers
