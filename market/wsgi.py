"""WSGI entry point for gunicorn: `gunicorn market.wsgi:app`."""

from market import create_app

app = create_app()
