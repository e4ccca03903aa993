"""A broker in the browser: the board and its 待办 list, the deal reports, bulk import of needs."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from market.db import db
from market.needs.models import Need
from market.orders.models import FollowUp
from tests.broker import helpers
from tests.browser.data import approved_need, email_of
from tests.browser.support import flash, log_in, main, nav, shoot, styled
from tests.factories import Factory
from tests.orders.world import World, build_world

pytestmark = pytest.mark.browser

STALE = "电池极片涂布厚度不均"
ELSEWHERE = "广州地铁隧道渗漏水监测"
PENDING = "换电站电池健康度评估"
NOTE = "已电话联系服务方，对方承诺本周五前答复。"


def broker_world(app: Flask, make: Factory) -> World:
    """The order tests' cast in 江苏 (32); its broker_in works 江苏 only."""
    return build_world(app, make)


def open_workspace(page: Page, make: Factory, broker: int) -> None:
    page.goto("/")
    log_in(page, email_of(make, broker))
    nav(page).get_by_role("link", name="工作台").click()
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()


def column_count(page: Page, kind: str, state: str) -> str | None:
    return page.locator(f"[data-testid={kind}-column][data-state={state}]").get_attribute("data-count")


def test_board_lists_stale_need_and_waiting_order_and_the_broker_reminds_and_notes(
    page: Page, app: Flask, make: Factory
) -> None:
    world = broker_world(app, make)
    stale = approved_need(make, world.owner, STALE, field_code="ev", hours_ago=10 * 24)
    approved_need(make, world.owner, ELSEWHERE, field_code="ev", hours_ago=10 * 24, province="44")
    make.need(world.owner, status="pending", title=PENDING)
    waiting = world.order("ordered")  # on world.need (approved, has an order: not "stale")
    helpers.backdate_order(world, waiting, 9)
    fresh = world.order("ordered", need=helpers.need(world, approved_days_ago=2))  # asked a day ago
    helpers.backdate_order(world, fresh, 1)

    open_workspace(page, make, world.broker_in)

    # Columns with counts: only 江苏's needs (广东's is someone else's), drafts are nobody's business.
    expect(page.locator("[data-testid=need-column]")).to_have_count(5)
    assert column_count(page, "need", "pending") == "1"
    assert column_count(page, "need", "solved") == "0"
    assert column_count(page, "need", "approved") == "3"
    assert column_count(page, "need", "returned") == "0"
    assert column_count(page, "order", "ordered") == "2"
    board_needs = page.get_by_test_id("board-needs")
    expect(board_needs.get_by_test_id("need-card").filter(has_text=STALE)).to_have_count(1)
    expect(board_needs.get_by_test_id("need-card").filter(has_text=PENDING)).to_have_count(1)
    expect(board_needs).not_to_contain_text(ELSEWHERE)
    expect(page.get_by_test_id("board-orders").get_by_test_id("order-card")).to_have_count(2)

    # 待办: the need public for 10 days without an order, the order unanswered for 9 days.
    attention = page.get_by_test_id("attention")
    stale_needs = attention.get_by_test_id("stale-need")
    expect(stale_needs).to_have_count(1)
    expect(stale_needs).to_contain_text(STALE)
    expect(stale_needs.get_by_role("link", name="派单")).to_have_attribute(
        "href", f"/orders/dispatch/{stale}"
    )
    expect(attention).not_to_contain_text(ELSEWHERE)
    waiting_orders = attention.get_by_test_id("waiting-order")
    expect(waiting_orders).to_have_count(1)
    expect(waiting_orders).to_have_attribute("data-order", str(waiting))
    expect(waiting_orders).to_contain_text(f"#{waiting}")
    shoot(page, "broker-board")

    waiting_orders.get_by_role("button", name="提醒服务方").click()
    expect(flash(page)).to_have_text("已提醒服务方。")
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()  # back on the board

    item = page.get_by_test_id("waiting-order")
    item.locator("summary", has_text="添加跟进").click()
    item.get_by_label("跟进内容").fill(NOTE)
    item.get_by_role("button", name="保存").click()
    expect(flash(page)).to_have_text("跟进记录已添加。")

    with app.app_context():
        kinds = db.session.scalars(
            select(FollowUp.kind).where(FollowUp.order_id == waiting).order_by(FollowUp.id)
        ).all()
    assert kinds == ["reminder", "note"]

    # The order's page shows both entries in its follow-up history.
    page.get_by_test_id("waiting-order").get_by_role("link", name=re.compile(f"#{waiting} ")).click()
    history = page.get_by_test_id("follow-ups")
    expect(history).to_contain_text("已提醒服务方答复")
    expect(history).to_contain_text(NOTE)


def test_reports_show_totals_draw_charts_and_download_csv(page: Page, app: Flask, make: Factory) -> None:
    world = broker_world(app, make)
    ev, ai, ev2 = helpers.need(world), helpers.need(world, field_code="ai"), helpers.need(world)
    helpers.order(world, ev, "signed", deal=helpers.deal("10.5", "develop", date(2025, 1, 15)))
    helpers.order(world, ai, "delivered", deal=helpers.deal("20", "license", date(2025, 1, 28)))
    helpers.order(world, ev2, "signed", deal=helpers.deal("5.25", "develop", date(2025, 3, 3)))
    helpers.order(world, helpers.need(world), "accepted")  # no deal: not counted

    open_workspace(page, make, world.broker_in)
    main(page).get_by_role("link", name="成交报表").click()
    expect(page).to_have_title(re.compile("成交报表"))

    month = page.get_by_test_id("report-month")
    month_rows = month.locator("tbody tr")
    expect(month_rows).to_have_count(3)
    expect(month_rows.nth(0).locator("td")).to_have_text(["2025-01", "2", "30.50"])
    expect(month_rows.nth(1).locator("td")).to_have_text(["2025-03", "1", "5.25"])
    expect(month_rows.nth(2).locator("td")).to_have_text(["合计", "3", "35.75"])
    field_rows = page.get_by_test_id("report-field").locator("tbody tr")
    expect(field_rows).to_have_count(3)
    expect(field_rows.filter(has_text="合计").locator("td")).to_have_text(["合计", "3", "35.75"])
    expect(page.get_by_test_id("report-contract").locator("tbody tr").last.locator("td")).to_have_text(
        ["合计", "3", "35.75"]
    )

    # Chart.js (vendored, CSP-safe) drew both charts, and finished animating them (else the shot
    # would show bars still growing).
    page.wait_for_function(
        """() => window.Chart && ['chart-month', 'chart-funnel'].every(id => {
            const chart = window.Chart.getChart(document.getElementById(id));
            return chart && !window.Chart.animator.running(chart);
        })"""
    )
    bar_tops = page.evaluate(
        """() => {
            const chart = window.Chart.getChart(document.getElementById('chart-month'));
            const scale = chart.scales.value;
            return chart.getDatasetMeta(0).data.map((bar, i) =>
                Math.abs(bar.y - scale.getPixelForValue(chart.data.datasets[0].data[i])));
        }"""
    )
    assert len(bar_tops) == 2 and max(bar_tops) < 1, f"bars not at their values: {bar_tops}"
    for chart in ("chart-month", "chart-funnel"):
        canvas = page.locator(f"canvas#{chart}")
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50, f"{chart}: {box}"
        size = page.evaluate(
            f"() => {{ const c = document.getElementById('{chart}'); return [c.width, c.height]; }}"
        )
        assert size[0] > 0 and size[1] > 0
    labels = page.evaluate("() => window.Chart.getChart(document.getElementById('chart-month')).data.labels")
    assert labels == ["2025-01", "2025-03"]
    shoot(page, "broker-reports", doc=True)

    with page.expect_download() as download_info:
        month.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "deals-month.csv"
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["月份", "成交数", "成交额（万元）"]
    assert rows[1:] == [["2025-01", "2", "30.50"], ["2025-03", "1", "5.25"], ["合计", "3", "35.75"]]


GOOD = (
    "物流园区冷库能耗偏高",
    "冷库夜间压缩机频繁启停，年电费超过三百万元，希望找到节能改造和智能控制方案。",
)
GOOD_2 = (
    "焊装车间焊点质量在线检测",
    "目前焊点质量依靠人工抽检破拆，效率低且漏检率高，希望引入在线无损检测方法。",
)
BAD_DESCRIPTION = "太短了"


def needs_csv(path: Path, header: list[str], rows: list[dict[str, str]], hint: list[str]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow(hint)  # the template's "# ..." hint row stays in: import skips it
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))
    return path


def need_row(title: str, description: str) -> dict[str, str]:
    return {
        "企业名称": "苏州速达新能源物流有限公司",
        "需求标题": title,
        "需求描述": description,
        "技术领域": "新能源汽车与动力电池",
        "省份": "江苏",
        "城市": "苏州",
        "预算下限（万元）": "20",
        "预算上限（万元）": "80",
        "截止日期": (date.today() + timedelta(days=90)).isoformat(),
        "合作方式": "技术开发",
        "公开摘要": f"{title}，寻求技术方案。",
        "揭榜挂帅": "否",
    }


def needs_in_db(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Need)) or 0)


def upload(page: Page, file: Path) -> None:
    card = page.get_by_test_id("import-needs")
    card.locator("input[type=file]").set_input_files(str(file))
    card.get_by_role("button", name="上传并校验").click()
    # import.js validates step by step, then reloads the page with the result.
    expect(page.get_by_test_id("batch-status")).to_have_text(re.compile("有错误|可导入"), timeout=20_000)
    styled(page)


def test_import_needs_shows_row_errors_then_imports_a_corrected_file(
    page: Page, app: Flask, make: Factory, tmp_path: Path
) -> None:
    world = broker_world(app, make)
    before = needs_in_db(app)

    open_workspace(page, make, world.broker_in)
    nav(page).get_by_role("link", name="导入导出").click()
    expect(page.get_by_role("heading", name="批量导入导出")).to_be_visible()

    card = page.get_by_test_id("import-needs")
    with page.expect_download() as download_info:
        card.get_by_role("link", name="CSV").first.click()
    template = download_info.value
    assert template.suggested_filename == "needs-template.csv"
    header, hint = list(csv.reader(io.StringIO(Path(template.path()).read_bytes().decode("utf-8-sig"))))
    assert header[:3] == ["企业名称", "需求标题", "需求描述"] and "省份" in header
    assert hint[0].startswith("#")

    # Lines: 1 header, 2 hint, 3 and 4 good, 5 bad (description too short).
    bad = needs_csv(
        tmp_path / "needs-bad.csv",
        header,
        [need_row(*GOOD), need_row(*GOOD_2), need_row("电池包气密性检测效率低", BAD_DESCRIPTION)],
        hint,
    )
    upload(page, bad)
    expect(page.get_by_test_id("batch-status")).to_have_text("有错误")
    expect(page.get_by_test_id("error-count")).to_have_text("1")
    errors = page.get_by_test_id("row-errors").locator("tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.locator("td").nth(0)).to_have_text("5")
    expect(errors.locator("td").nth(1)).to_contain_text("需求描述")
    expect(main(page)).to_contain_text("本批次不会写入任何数据")
    expect(main(page).get_by_role("button", name="确认导入")).to_have_count(0)
    expect(main(page).locator("tr.table-danger")).to_contain_text(BAD_DESCRIPTION)
    shoot(page, "broker-import-errors")
    assert needs_in_db(app) == before

    # Fix line 5 and upload again.
    main(page).get_by_role("link", name="批量导入导出").click()
    fixed_row = need_row(
        "电池包气密性检测效率低", "每个电池包气密性检测需要十五分钟，成为产线瓶颈，希望缩短到三分钟以内。"
    )
    good = needs_csv(tmp_path / "needs.csv", header, [need_row(*GOOD), need_row(*GOOD_2), fixed_row], hint)
    upload(page, good)
    expect(page.get_by_test_id("batch-status")).to_have_text("可导入")
    expect(page.get_by_test_id("error-count")).to_have_text("0")
    expect(main(page)).to_contain_text("全部 3 行校验通过，可以导入。")
    assert needs_in_db(app) == before
    main(page).get_by_role("button", name="确认导入").click()
    expect(flash(page)).to_contain_text("导入完成：3 条需求")
    expect(page.get_by_test_id("committed")).to_be_visible()
    expect(page.get_by_test_id("batch-status")).to_have_text("已导入")
    assert needs_in_db(app) == before + 3

    # Imported as public: on the broker's board and in the public needs list.
    nav(page).get_by_role("link", name="工作台").click()
    approved = page.locator("[data-testid=need-column][data-state=approved]")
    for title in (GOOD[0], GOOD_2[0], "电池包气密性检测效率低"):
        expect(approved.get_by_test_id("need-card").filter(has_text=title)).to_have_count(1)
    nav(page).get_by_role("link", name="技术需求").click()
    cards = page.get_by_test_id("need-card")
    for title in (GOOD[0], GOOD_2[0]):
        expect(cards.filter(has_text=title)).to_have_count(1)


def test_import_preview_shows_each_row_on_one_line(
    page: Page, app: Flask, make: Factory, tmp_path: Path
) -> None:
    world = broker_world(app, make)
    header = ["企业名称", "需求标题", "需求描述", "技术领域", "省份", "城市", "合作方式"]
    file = needs_csv(tmp_path / "needs.csv", header, [need_row(*GOOD)], ["# 说明"])
    open_workspace(page, make, world.broker_in)
    nav(page).get_by_role("link", name="导入导出").click()
    upload(page, file)
    cells = main(page).locator("table.kc-preview tbody tr").first.locator("td")
    expect(cells).to_have_count(len(header) + 2)  # 行号, 所属机构 and the file's columns
    expect(cells.nth(1)).to_have_text("新建机构")
    tops = [box["y"] for box in (cells.nth(i).bounding_box() for i in range(len(header) + 2)) if box]
    assert max(tops) - min(tops) < 2, f"preview cells are not side by side: tops {tops}"
