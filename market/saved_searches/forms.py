"""Forms of saved searches: saving one from a list page (or the API), renaming one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from market.i18n import lazy_gettext
from market.saved_searches import services
from market.search import services as search

FILTER_PREFIX = "filter_"  # a list page posts its filters as filter_<key> (a provider list's "kind" too)


class SaveSearchForm(FlaskForm):
    name = StringField(lazy_gettext("名称"), validators=[Optional(), Length(max=services.NAME_MAX)])
    kind = SelectField(
        lazy_gettext("列表"),
        choices=[(kind, lazy_gettext(services.KIND_LABELS[kind])) for kind in services.KINDS],
        validators=[DataRequired(lazy_gettext("请选择列表。"))],
    )
    q = TextAreaField(lazy_gettext("搜索内容"), validators=[Optional(), Length(max=services.QUERY_MAX)])
    sort = StringField(lazy_gettext("排序"), validators=[Optional(), Length(max=20)])

    def terms(self, filters: Mapping[str, Any]) -> services.SearchTerms:
        return services.SearchTerms(
            kind=str(self.kind.data or ""),
            name=str(self.name.data or ""),
            q=str(self.q.data or ""),
            filters=filters,
            sort=str(self.sort.data or ""),
        )


class RenameForm(FlaskForm):
    name = StringField(
        lazy_gettext("名称"),
        validators=[DataRequired(lazy_gettext("请填写名称。")), Length(max=services.NAME_MAX)],
    )


def posted_filters(kind: str, values: Mapping[str, str]) -> dict[str, str]:
    """The filter_<key> fields a list page posted, for the keys of its list."""
    keys = search.FILTERS.get(kind, ())
    return {key: values.get(FILTER_PREFIX + key, "") for key in keys if values.get(FILTER_PREFIX + key)}
