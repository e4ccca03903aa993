"""Providers (an expert, a society's member) register, fill in profile, achievements and services, submit."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.support import flash, main, nav, pick, searchable, shoot, status_badge, verify_address
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

EXPERTISE = "从事冷链物流保鲜材料与气调包装研究十余年，开发的相变蓄冷材料已在三家冷链企业应用。"


def open_registration(
    page: Page, *, kind: str, name: str, email: str, organisation: str, province: str
) -> None:
    page.goto("/")
    nav(page).get_by_role("link", name="注册").click()
    kind_block = page.locator("[data-show-when-role=provider]")
    expect(kind_block).to_be_hidden()
    page.get_by_label("我是").select_option("provider")
    expect(kind_block).to_be_visible()
    page.get_by_label("服务方类型").select_option(label=kind)
    page.get_by_label("姓名").fill(name)
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("企业 / 机构名称").fill(organisation)
    page.get_by_label("所在省份").select_option(label=province)
    page.get_by_label("密码（至少 10 位，含字母和数字）").fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)


def register(page: Page) -> None:
    main(page).get_by_role("button", name="注册").click()
    expect(flash(page)).to_have_text("注册成功。")
    expect(page.get_by_role("heading", name="编辑服务方资料")).to_be_visible()


def test_expert_registers_builds_a_profile_and_submits_it(page: Page, site: str, app: Flask) -> None:
    open_registration(
        page,
        kind="专家",
        name="孙立新",
        email="sun.lixin@njtech.example.edu.cn",
        organisation="南京工业大学食品与轻工学院",
        province="江苏省",
    )
    register(page)
    verify_address(page, app, "sun.lixin@njtech.example.edu.cn")  # before it may submit (docs/accounts.md)
    expect(page.get_by_label("名称 / 姓名")).to_have_value("孙立新")
    expect(page.get_by_label("所在单位")).to_have_value("南京工业大学食品与轻工学院")
    expect(page.get_by_label("省份")).to_have_value("32")
    expect(page.get_by_label("当前可接单")).to_be_checked()

    # Profile: too many fields first, then a valid choice.
    page.get_by_label("职称或资质").fill("教授、博士生导师")
    page.get_by_label("城市").select_option(label="南京市")
    fields = searchable(page, "技术领域（最多 3 个）")
    # The picker stops at 3; a client without script could send 4, and the server refuses them.
    fields.evaluate(
        "(s, names) => { for (const o of s.options) o.selected = names.includes(o.text); }",
        ["现代农业与食品", "新材料", "节能环保", "化工"],
    )
    page.get_by_label("专长与能力介绍").fill(EXPERTISE)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(fields).to_have_class(re.compile(r"is-invalid"))
    expect(main(page).locator(".invalid-feedback")).to_have_text(["最多选择 3 个领域。"])
    expect(page.get_by_label("专长与能力介绍")).to_have_value(EXPERTISE)
    expect(page.get_by_label("职称或资质")).to_have_value("教授、博士生导师")
    pick(page, "技术领域（最多 3 个）", "现代农业与食品", "新材料", clear=True)
    page.get_by_role("button", name="保存", exact=True).click()

    expect(flash(page)).to_have_text("资料已保存。提交审核通过后公开。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("孙立新")
    expect(status_badge(page)).to_have_text("草稿")
    expect(main(page)).to_contain_text("新材料、现代农业与食品")
    expect(main(page)).to_contain_text(EXPERTISE)

    main(page).get_by_role("link", name="添加成果").click()
    expect(page.get_by_role("heading", name="添加成果")).to_be_visible()
    page.get_by_label("成果类型").select_option(label="专利")
    page.get_by_label("成果名称").fill("一种果蔬冷链用相变蓄冷材料及其制备方法")
    page.get_by_label("成果简介").fill("相变温度可调至 0–8℃，已授权发明专利。")
    page.get_by_label("年份").fill("2022")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(flash(page)).to_have_text("成果已保存。")
    achievement = page.get_by_test_id("achievement")
    expect(achievement).to_have_count(1)
    expect(achievement).to_contain_text("一种果蔬冷链用相变蓄冷材料及其制备方法")
    expect(achievement).to_contain_text("(2022)")

    main(page).get_by_role("link", name="添加服务").click()
    expect(page.get_by_role("heading", name="添加服务")).to_be_visible()
    page.get_by_label("服务类别").select_option(label="检验检测")
    page.get_by_label("服务名称").fill("冷链包装保温性能检测")
    page.get_by_label("服务内容").fill("按国标方法测试包装箱保温时长和箱内温度分布，出具检测报告。")
    page.get_by_label("交付方式").select_option(label="线下")
    page.get_by_label("价格说明").fill("按样品计费，每组 3000 元")
    expect(page.get_by_label("上架（可被点单）")).to_be_checked()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(flash(page)).to_have_text("服务已保存。")
    service = page.get_by_test_id("service-item")
    expect(service).to_have_count(1)
    expect(service).to_contain_text("冷链包装保温性能检测")
    expect(service).to_contain_text("检验检测")
    expect(service).to_contain_text("线下 · 按样品计费，每组 3000 元")

    main(page).get_by_role("button", name="提交审核").click()
    expect(flash(page)).to_have_text("已提交审核。")
    expect(status_badge(page)).to_have_text("待审核")
    expect(main(page).locator(".alert-info")).to_have_text("资料审核中，审核通过后公开。")
    expect(main(page).get_by_role("button", name="撤回")).to_be_visible()
    shoot(page, "provider-mine")


def test_society_member_registers_with_its_organisation(page: Page, site: str, app: Flask) -> None:
    open_registration(
        page,
        kind="学会",
        name="钱秘书",
        email="office@zjifst.example.org",
        organisation="",
        province="浙江省",
    )
    main(page).get_by_role("button", name="注册").click()
    organisation = page.get_by_label("企业 / 机构名称")
    expect(organisation).to_have_class("form-control is-invalid")
    expect(main(page).locator(".invalid-feedback")).to_have_text(["请填写企业或机构名称。"])
    expect(page.locator("[data-show-when-role=provider]")).to_be_visible()
    expect(page.get_by_label("服务方类型")).to_have_value("society")
    expect(page.get_by_label("姓名")).to_have_value("钱秘书")
    expect(page.get_by_label("所在省份")).to_have_value("33")

    organisation.fill("浙江省食品科学技术学会")
    page.get_by_label("密码（至少 10 位，含字母和数字）").fill(PASSWORD)  # browsers never refill passwords
    page.get_by_label("确认密码").fill(PASSWORD)
    register(page)
    verify_address(page, app, "office@zjifst.example.org")
    expect(page.get_by_label("名称 / 姓名")).to_have_value("浙江省食品科学技术学会")
    pick(page, "技术领域（最多 3 个）", "现代农业与食品")
    page.get_by_label("专长与能力介绍").fill("组织省内食品领域专家开展企业技术诊断、团体标准制定和科普培训。")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("浙江省食品科学技术学会")
    expect(main(page)).to_contain_text("学会 · 浙江省 · 现代农业与食品")

    main(page).get_by_role("button", name="提交审核").click()
    expect(status_badge(page)).to_have_text("待审核")
    expect(nav(page).get_by_role("link", name="我的主页")).to_be_visible()
    expect(nav(page).get_by_role("link", name="钱秘书")).to_be_visible()
