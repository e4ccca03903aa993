"""Flask extensions, created unbound and initialised in create_app."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
# Only for WTForms' built-in validation messages (Flask-WTF reads the locale from Flask-Babel);
# our own interface text goes through market.i18n.
babel = Babel()
migrate = Migrate()


def _rate_limit_key() -> str:
    return f"{get_remote_address()}:{request.endpoint}"


# With its store (Redis) down, a flask-limiter limit lets the request through instead of a 500; the
# password budget (market/auth/throttle.py) refuses with 503 instead, so guessing never goes unlimited.
limiter = Limiter(key_func=_rate_limit_key, default_limits=[], swallow_errors=True)
