"""The mail preferences form: one choice per kind of mail."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from market.i18n import lazy_gettext
from market.mail import preferences


def _field(kind: str) -> RadioField:
    return RadioField(
        lazy_gettext(preferences.KIND_LABELS[kind]),
        choices=[
            SelectChoice(mode, lazy_gettext(preferences.MODE_LABELS[mode]))  # type: ignore[arg-type]
            for mode in preferences.MODES
        ],
        validators=[InputRequired(lazy_gettext("请选择一项。"))],
    )


class PreferencesForm(FlaskForm):
    orders = _field(preferences.ORDERS)
    answers = _field(preferences.ANSWERS)
    postings = _field(preferences.POSTINGS)
    recommended = _field(preferences.RECOMMENDED)

    def modes(self) -> dict[str, str]:
        return {kind: str(self[kind].data) for kind in preferences.CHOOSABLE}
