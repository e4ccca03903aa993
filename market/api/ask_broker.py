"""请经纪人帮忙 in the API: an integration whose search found nothing asks the brokers of the caller's
region for help, as the list pages' button does (market.search.ask_broker decides: enterprise members
only, a verified address, the same question once a day)."""

from __future__ import annotations

from typing import Any

from market.api.auth import require_user
from market.api.bodies import check_shape, form_schema, json_object, validated
from market.api.spec import Body, operation
from market.i18n import gettext as _
from market.search import ask_broker as service
from market.search import services
from market.search.forms import AskBrokerApiForm

JSON = dict[str, Any]
RULE = "/search/ask-broker"
ANSWER: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["query", "kind", "told", "sent", "message"],
    "properties": {
        "query": {"type": "string", "description": "The question as the brokers read it"},
        "kind": {"type": "string", "enum": list(services.KINDS)},
        "told": {"type": "integer", "minimum": 0, "description": "How many brokers (or admins) were told"},
        "sent": {
            "type": "boolean",
            "description": "false: the same question was already sent today, nobody was told again",
        },
        "message": {"type": "string", "description": "What the page would say, in the reader's language"},
    },
}


def body_schema() -> JSON:
    return form_schema(
        AskBrokerApiForm,
        extra={"kind": {"description": "The list that found nothing: needs (default), providers, services"}},
    )


@operation(
    RULE,
    "POST",
    summary="请经纪人帮忙: tell the brokers of my organisation's region (the admins when it has none) what I "
    "searched for and could not find, as the list pages' button does (a search whose `search` object "
    "names this operation in `ask_broker`). Enterprise members only (403 otherwise, and for an unverified "
    "address); the same question is sent once a day (`sent` false after that)",
    tag="search",
    body=Body(body_schema, "query, kind"),
    response=ANSWER,
    errors=(403,),
)
def ask_broker() -> JSON:
    actor = require_user()
    payload = json_object()
    check_shape(payload, body_schema())
    form = validated(AskBrokerApiForm, payload)
    query = str(form.query.data or "")
    told = service.ask_broker(actor, query)
    return {
        "query": service.question(query),
        "kind": form.kind.data or services.NEEDS,
        "told": told,
        "sent": told > 0,
        "message": _("已通知本地区的技术经理人，他们会尽快与你联系。")
        if told
        else _("今天已就这个内容请过经纪人帮忙，他们会尽快与你联系。"),
    }
