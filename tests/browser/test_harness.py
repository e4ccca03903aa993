"""The harness itself: the page watch really catches what the walks rely on it to catch."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import PageWatch

pytestmark = pytest.mark.browser


def test_page_watch_reports_csp_violations_script_errors_and_missing_files(
    browser: Browser, site: str
) -> None:
    context = browser.new_context(base_url=site, locale="zh-CN")
    try:
        page = context.new_page()
        watch = PageWatch(page)
        page.goto("/")
        assert watch.problems == []
        # What an inline <script> in a template would do: the CSP (script-src 'self') refuses it.
        page.evaluate("""() => {
            const script = document.createElement('script');
            script.textContent = 'window.inlineRan = true';
            document.body.appendChild(script);
            const img = document.createElement('img');
            img.src = '/static/img/missing.png';
            document.body.appendChild(img);
            setTimeout(() => { throw new Error('boom from a page script'); }, 0);
        }""")
        page.wait_for_timeout(300)
        assert page.evaluate("window.inlineRan === undefined")
        found = "\n".join(watch.problems)
        assert "Content Security Policy" in found
        assert "404" in found
        assert "boom from a page script" in found
    finally:
        context.close()
