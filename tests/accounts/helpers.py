"""Shared steps of the account tests: the mail rows they queue and the links those carry."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from market.db import db
from market.mail.models import EmailOutbox

NEW_PASSWORD = "Fresh-horse7-battery"
REGISTRATION = {
    "role": "enterprise",
    "provider_kind": "",
    "name": "王晓明",
    "email": "wang@example.com",
    "organisation": "苏州瑞锋新能源科技有限公司",
    "province": "32",
    "password": "Secret-pass1",
    "confirm": "Secret-pass1",
}


def mails(app: Flask, key: str, to: str | None = None) -> list[EmailOutbox]:
    """The queued mail rows of one message kind (oldest first), optionally to one address."""
    with app.app_context():
        query = select(EmailOutbox).where(EmailOutbox.message_key == key).order_by(EmailOutbox.id)
        if to is not None:
            query = query.where(EmailOutbox.to == to)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


def token_of(row: EmailOutbox) -> str:
    params: dict[str, Any] = row.message_params or {}
    token = params["token"]
    assert isinstance(token, str) and len(token) > 30
    return token


def register(client: FlaskClient, **overrides: str) -> None:
    response = client.post("/auth/register", data={**REGISTRATION, **overrides})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
