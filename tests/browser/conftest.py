"""Real-browser tests: a real ``jangteo web`` process paying through a real localstripe,
driven by Debian's headless Chromium through the system chromedriver (selenium).

Without chromium, chromedriver or selenium the tests are skipped, unless
``JANGTEO_TEST_REQUIRE_SERVICES=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from infra.settings import Settings
from tests.processes import WebProcess, running_web
from tests.shop.conftest import Shop, pay_settings, shop  # noqa: F401 - fixtures

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

REQUIRE_SERVICES = os.environ.get("JANGTEO_TEST_REQUIRE_SERVICES") == "1"
INSTALL_HINT = "apt-get install -y chromium chromium-driver fonts-noto-cjk; pip install -e '.[dev]'"
#: How long any one page may take to show what a step waits for.
WAIT_S = 10.0
#: What chromedriver may say, instead of "stale element", about a node of a page being left.
MID_NAVIGATION = "does not belong to the document"


def _executable(name: str, fallback: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    return fallback if os.access(fallback, os.X_OK) else None


@dataclass(frozen=True)
class BrowserTools:
    chromium: str
    chromedriver: str


@pytest.fixture(scope="session")
def browser_tools() -> BrowserTools:
    missing = []
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (Python package)")
    chromium = _executable("chromium", "/usr/bin/chromium")
    chromedriver = _executable("chromedriver", "/usr/bin/chromedriver")
    if chromium is None:
        missing.append("chromium")
    if chromedriver is None:
        missing.append("chromedriver")
    if missing:
        reason = f"browser tests need {', '.join(missing)} ({INSTALL_HINT})"
        if REQUIRE_SERVICES:
            pytest.fail(f"JANGTEO_TEST_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    assert chromium is not None and chromedriver is not None
    return BrowserTools(chromium, chromedriver)


@pytest.fixture(autouse=True)
def _browser_or_skip(browser_tools: BrowserTools) -> None:
    """Skip (or fail, in CI) before any server or database work when there is no browser."""


#: The web process under test, and where its log goes.
Site = WebProcess


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web process's own directory: its log and its search index (``search``), which a
    test may fill with a second engine, as the worker would."""
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="module")
def site(settings: Settings, localstripe_url: str, site_dir: Path) -> Iterator[Site]:
    """One web process per module (starting one costs seconds); each test still gets a clean
    database (``session_factory`` truncates) and a browser of its own."""
    with running_web(settings.with_(search_path=site_dir / "search"), site_dir / "web.log",
                     JANGTEO_STRIPE_API_BASE=localstripe_url) as web:
        yield web


@pytest.fixture
def browser(browser_tools: BrowserTools, tmp_path: Path) -> Iterator[WebDriver]:
    """A fresh headless Chromium (own profile, so no cookies from another test). At the end
    the last page is saved as ``final.png`` in the test's tmp_path."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser_tools.chromium
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,1600", "--lang=ko-KR", "--no-first-run",
        "--disable-extensions", "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console, for failures
    service = Service(executable_path=browser_tools.chromedriver,
                      log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        with contextlib.suppress(Exception):  # a screenshot must never hide the real failure
            driver.save_screenshot(str(tmp_path / "final.png"))
        driver.quit()


class Page:
    """Small waits with failures that say where the browser was and what it showed."""

    def __init__(self, driver: WebDriver, site: Site, tmp_path: Path) -> None:
        self.driver = driver
        self.site = site
        self.tmp_path = tmp_path

    def open(self, path: str) -> None:
        self.driver.get(self.site.url + path)

    def _explain(self, what: str) -> str:
        from selenium.webdriver.common.by import By

        try:
            body = self.driver.find_element(By.TAG_NAME, "body").text
        except Exception:
            body = "(no body)"
        try:
            logs = "\n".join(str(e) for e in self.driver.get_log("browser"))  # type: ignore[attr-defined]
        except Exception:
            logs = ""
        return (
            f"waited {WAIT_S:.0f}s for {what}\n"
            f"url: {self.driver.current_url}\npage text:\n{body[:1500]}\n"
            f"browser console:\n{logs[:1500]}\n"
            f"screenshot: {self.tmp_path / 'final.png'}\n"
            f"web log tail:\n{self.site.log_tail()}"
        )

    def until(self, what: str, condition: Any) -> Any:
        from selenium.common.exceptions import TimeoutException, WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def settled(driver: WebDriver) -> Any:
            try:
                return condition(driver)
            except WebDriverException as exc:
                if MID_NAVIGATION in str(exc):  # an element of the page being left
                    return False
                raise

        try:
            return WebDriverWait(self.driver, WAIT_S, poll_frequency=0.05).until(settled)
        except TimeoutException:
            raise AssertionError(self._explain(what)) from None

    def element(self, css: str) -> WebElement:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        return self.until(f"a visible {css!r}",
                          ec.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def heading(self, text: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        self.until(f"the heading {text!r}",
                   ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), text))

    def click_and_leave(self, css: str) -> None:
        """Click something that loads a new page, and wait until the old one is gone."""
        from selenium.common.exceptions import (
            StaleElementReferenceException,
            WebDriverException,
        )

        element = self.element(css)
        element.click()

        def gone(_: WebDriver) -> bool:
            try:
                element.is_enabled()
            except StaleElementReferenceException:
                return True
            except WebDriverException as exc:
                # Mid-navigation chromedriver may say this instead of "stale element";
                # anything else (no execution context yet, ...) means: ask again.
                return MID_NAVIGATION in str(exc)
            return False

        self.until(f"the page to change after clicking {css!r}", gone)

    def fill(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            field = self.element(f"#f-{name}")
            field.clear()
            field.send_keys(value)


@pytest.fixture
def page(
    shop: Shop,  # noqa: F811 - the test's world is in the database before the browser starts
    browser: WebDriver, site: Site, tmp_path: Path,
) -> Page:
    return Page(browser, site, tmp_path)
