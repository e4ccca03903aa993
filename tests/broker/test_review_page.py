"""The review page: everything a reviewer checks (confidential details, attachments, the organisation)
and both decisions; the queue sends needs with hidden parts there instead of approving blind."""

from __future__ import annotations

import hashlib

from flask import Flask

from market.attachments.models import NeedAttachment
from market.db import db
from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.providers.models import Provider
from tests.factories import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _attach(app: Flask, need_id: int, uploader: int, name: str = "工况数据.pdf") -> int:
    with app.app_context():
        row = NeedAttachment(
            need_id=need_id,
            uploaded_by=uploader,
            filename=name,
            kind="pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
            confidential=True,
            data=PDF,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def _events(app: Flask, need_id: int) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.target_id == need_id)
            .order_by(ModerationEvent.id)
        )
        return [e.action for e in rows]


def test_review_page_shows_everything_and_approves(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    need_id = make.need(owner, status="pending", confidential_details="客户为某快递公司，电芯型号 XK-21。")
    file_id = _attach(app, need_id, owner)
    broker = login(app.test_client(), make.user("broker", regions=("32",)))

    queue = broker.get("/review/").get_data(as_text=True)
    review_url = f"/broker/review/need/{need_id}"
    assert review_url in queue
    assert f"/review/need/{need_id}/approve" not in queue  # no blind approval from the queue

    page = broker.get(review_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "客户为某快递公司" in html and 'data-testid="review-confidential"' in html
    assert "工况数据.pdf" in html and f"/attachments/{file_id}" in html
    assert 'data-testid="review-organisation"' in html
    assert f"{review_url}/approve" in html and f"{review_url}/return" in html
    assert broker.get(f"/attachments/{file_id}").data == PDF  # the link downloads the file

    # The need's own page points the reviewer at the review page.
    assert review_url in broker.get(f"/needs/{need_id}").get_data(as_text=True)

    response = broker.post(f"{review_url}/approve")
    assert response.status_code == 302 and response.headers["Location"].endswith("/review/")
    assert make.get(Need, need_id).status == "approved"
    assert _events(app, need_id)[-1] == "approve"
    after = broker.get(review_url).get_data(as_text=True)
    assert 'data-testid="not-pending"' in after and 'data-testid="review-actions"' not in after
    assert broker.post(f"{review_url}/approve").status_code == 409


def test_return_needs_a_reason_on_the_same_page(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    need_id = make.need(make.user("enterprise"), status="pending")
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    url = f"/broker/review/need/{need_id}/return"
    blank = broker.post(url, data={"reason": "   "})
    assert blank.status_code == 422
    html = blank.get_data(as_text=True)
    assert 'data-testid="review-error"' in html and "保密细节" in html  # the page again, not a bare error
    assert html.count("请填写退回原因") == 1 and "退回时必须填写原因" not in html  # said once
    assert make.get(Need, need_id).status == "pending"
    assert broker.post(url, data={"reason": "请补充目标指标"}).status_code == 302
    need = make.get(Need, need_id)
    assert need.status == "returned" and need.review_note == "请补充目标指标"


def test_only_reviewers_of_the_region(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    owner = make.user("enterprise")
    need_id = make.need(owner, status="pending", province="32")
    url = f"/broker/review/need/{need_id}"
    outsider = login(app.test_client(), make.user("broker", regions=("44",)))
    assert outsider.get(url).status_code == 403
    assert outsider.post(f"{url}/approve").status_code == 403
    for role in ("enterprise", "provider"):
        assert login(app.test_client(), make.user(role)).get(url).status_code == 403
    assert login(app.test_client(), owner).get(url).status_code == 403
    assert app.test_client().get(url).status_code in (302, 401)
    admin = login(app.test_client(), make.user("admin"))
    assert admin.get(url).status_code == 200
    assert admin.get("/broker/review/need/999999").status_code == 404
    assert admin.get(f"/broker/review/other/{need_id}").status_code == 404
    assert make.get(Need, need_id).status == "pending"


def test_needs_without_hidden_parts_and_profiles_keep_queue_approval(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    plain = make.need(make.user("enterprise"), status="pending", confidential_details="")
    user = make.user("provider")
    provider_id = make.provider_id_of(user)
    login(app.test_client(), user).post("/me/profile/submit")
    broker = login(app.test_client(), make.user("broker", regions=("32",)))
    queue = broker.get("/review/").get_data(as_text=True)
    assert f"/review/need/{plain}/approve" in queue and f"/broker/review/need/{plain}" in queue
    assert f"/broker/review/provider/{provider_id}" in queue
    page = broker.get(f"/broker/review/provider/{provider_id}")
    assert page.status_code == 200 and 'data-testid="review-actions"' in page.get_data(as_text=True)
    assert broker.post(f"/broker/review/provider/{provider_id}/approve").status_code == 302
    assert make.get(Provider, provider_id).status == "approved"
