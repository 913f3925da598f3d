"""On a phone (390 px wide) the search filters fold behind a button and the category menu
scrolls sideways instead of being cut off (issue 14 item 8), in a real headless Chromium."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Page

pytestmark = pytest.mark.slow


async def test_filters_fold_behind_a_button_and_the_category_menu_scrolls(page: Page) -> None:
    page.driver.set_window_size(390, 844)
    page.open("/search?q=쿠키")
    page.heading("검색 결과")
    facets = page.driver.find_element("css selector", "form.facets")  # hidden: no waiting
    button = page.element("label.filters-button")
    assert not facets.is_displayed() and button.is_displayed()
    button.click()
    page.until("the filters to open", lambda d: facets.is_displayed())

    menu = page.element("nav.cat-nav")
    width, scroll_width, overflow = page.driver.execute_script(
        "const n = arguments[0]; return [n.clientWidth, n.scrollWidth,"
        " getComputedStyle(n).overflowX];", menu)
    assert scroll_width > width and overflow == "auto"  # more links than fit: it scrolls
    assert page.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.driver.set_window_size(1280, 1600)  # a desktop shows them without the button
    page.open("/search?q=쿠키")
    assert page.element("form.facets").is_displayed()
    assert not page.driver.find_element("css selector", "label.filters-button").is_displayed()
