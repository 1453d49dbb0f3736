"""The browser suite: the real `rapport serve` (started as the black-box suite starts it) driven by
Debian's headless Chromium through chromedriver and Selenium.

Every page a test visits is saved as a screenshot under RAPPORT_BROWSER_ARTIFACTS (default
`<repo>/artifacts/browser`), numbered in visiting order, so a run leaves a picture book of the UI.

Environment: the black-box suite's (RAPPORT_BIN, RAPPORT_TEST_DATABASE_URL), plus
CHROMIUM_BIN / CHROMEDRIVER_BIN (defaults: /usr/bin/chromium, /usr/bin/chromedriver).
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import re
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

REPO = Path(__file__).resolve().parents[2]

# The server fixture is the black-box suite's own (one way to start the binary).
_spec = importlib.util.spec_from_file_location("rapport_blackbox_conftest", REPO / "tests" / "blackbox" / "conftest.py")
_blackbox = importlib.util.module_from_spec(_spec)
assert _spec.loader is not None
sys.modules[_spec.name] = _blackbox
_spec.loader.exec_module(_blackbox)
server = _blackbox.server  # noqa: F401  (a pytest fixture, re-exported)

ARTIFACTS = Path(os.environ.get("RAPPORT_BROWSER_ARTIFACTS", str(REPO / "artifacts" / "browser")))
_counter = itertools.count(1)


@dataclass
class Person:
    id: str
    email: str
    password: str
    name: str
    role: str


def cn_mobile() -> str:
    """A random, valid mainland-China mobile number."""
    return "13" + str(secrets.randbelow(10)) + f"{secrets.randbelow(10**8):08d}"


class Admin:
    """The API as the session's administrator, for setting the scene (users, leads, pools)."""

    def __init__(self, base_url: str, token: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, expect: int | tuple[int, ...] = (200, 201), **kwargs) -> requests.Response:
        response = self.session.request(method, self.base_url + "/api/v1" + path, timeout=60, **kwargs)
        expected = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in expected, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response

    def team(self, name: str | None = None, parent: str | None = None) -> dict:
        """A new team (returned as the API shows it: `id`, `key`, …)."""
        key = "t-" + secrets.token_hex(4)
        body = {"key": key, "name": name or f"Team {key}"}
        if parent:
            body["parent_id"] = parent
        return self.call("POST", "/teams", json=body).json()

    def pool(self, team: dict, holding: int = 20, claims: int = 50, object: str = "lead") -> dict:
        """A new pool of `object`s whose members are `team`'s people."""
        return self.call("POST", "/pools", json={
            "key": "p-" + secrets.token_hex(4), "name": f"Pool {secrets.token_hex(2)}", "object": object, "member_teams": [team["key"]],
            "rules": {"holding_limit": {"default": holding}, "claims_per_day": {"default": claims}, "time_zone": "Asia/Shanghai"},
        }).json()

    def lead(self, name: str, pool: dict | None = None, owner: Person | None = None, **fields) -> dict:
        """A new lead, waiting in `pool` or owned by `owner`."""
        body = {"name": name, "phone": cn_mobile(), "source": "web", **fields}
        if pool:
            body["pool_id"] = pool["id"]
        if owner:
            body["owner_id"] = owner.id
        return self.call("POST", "/leads", json=body).json()["lead"]

    def user(self, role: str = "rep", name: str | None = None, team: dict | None = None, locale: str | None = None) -> Person:
        """A new user who can sign in with a password."""
        suffix = secrets.token_hex(4)
        email = f"{role}-{suffix}@example.com"
        password = "pw-" + secrets.token_urlsafe(12)
        body = {"email": email, "name": name or f"{role.title()} {suffix}", "role": role, "password": password}
        if team:
            body["team_id"] = team["id"]
        if locale:
            body["locale"] = locale
        created = self.call("POST", "/users", json=body).json()
        return Person(created["id"], email, password, created["name"], role)


class Browser:
    """One headless Chromium tab, speaking one language, that photographs every page it lands on."""

    def __init__(self, driver: webdriver.Chrome, base_url: str, label: str):
        self.driver = driver
        self.base_url = base_url
        self.label = label

    # Navigation -------------------------------------------------------------------------------
    def go(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        self.shot()

    def click(self, css: str) -> None:
        """Clicks the element (a link or a submit button) and photographs where it leads."""
        self.find(css).click()
        self.shot()

    def nav(self, href: str) -> None:
        """Follows the header's link to `href`, first opening the menu that holds it (as a person
        would), photographed open."""
        link = self.find(f"header nav a[href='{href}']")
        if not link.is_displayed():
            link.find_element(By.XPATH, "ancestor::details[1]/summary").click()
            self.shot()
        link.click()
        self.shot()

    def submit(self, form_css: str, fields: dict[str, str] | None = None, button: str = "button[type=submit]") -> None:
        """Fills a form's fields (by name) and presses its submit button."""
        form = self.find(form_css)
        for name, value in (fields or {}).items():
            element = form.find_element(By.NAME, name)
            tag = element.tag_name.lower()
            if tag == "select":
                from selenium.webdriver.support.select import Select
                Select(element).select_by_value(value)
            elif element.get_attribute("type") in ("checkbox", "radio"):
                if not element.is_selected():
                    element.click()
            else:
                element.clear()
                element.send_keys(value)
        form.find_element(By.CSS_SELECTOR, button).click()
        self.shot()

    def shot(self) -> Path:
        """Saves a screenshot of the current page (numbered, named after its path), and checks
        what every page must be: in a declared language, every control labelled, under 100 KB."""
        path = re.sub(r"[^A-Za-z0-9]+", "-", self.driver.current_url.replace(self.base_url, "")).strip("-") or "root"
        target = ARTIFACTS / f"{next(_counter):03d}-{self.label}-{path[:60]}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(target))
        self.check_page()
        return target

    def check_page(self) -> None:
        """Every page: a `lang`, a label for every shown control, and well under 100 KB."""
        if not self.driver.current_url.startswith(self.base_url) or "text/html" not in self.driver.execute_script("return document.contentType"):
            return
        unlabelled = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('input:not([type=hidden]):not([type=submit]), select, textarea'))"
            ".filter(e => e.getClientRects().length > 0 && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))"
            ".map(e => e.name || e.id || e.outerHTML.slice(0, 80))")
        assert not unlabelled, f"{self.path}: controls without a label: {unlabelled}"
        assert self.driver.execute_script("return document.documentElement.lang"), f"{self.path}: no lang"
        weight = len(self.driver.page_source.encode())
        assert weight < 100_000, f"{self.path} weighs {weight} bytes"

    # Reading ------------------------------------------------------------------------------------
    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    @property
    def path(self) -> str:
        return self.driver.current_url.replace(self.base_url, "")

    @property
    def text(self) -> str:
        return self.find("body").text

    @property
    def source(self) -> str:
        return self.driver.page_source

    # Sessions ------------------------------------------------------------------------------------
    def sign_in(self, person: Person) -> None:
        self.go("/login")
        self.submit("form[action='/login']", {"email": person.email, "password": person.password})
        assert self.path.startswith("/workbench"), f"sign-in did not reach the workbench: {self.path}\n{self.text[:500]}"

    def sign_out(self) -> None:
        self.click("form[action='/logout'] button")
        assert self.path.startswith("/login"), self.path

    def cookie(self, name: str) -> str | None:
        found = self.driver.get_cookie(name)
        return found["value"] if found else None


def _driver(language: str, width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}",
                     f"--lang={language}", "--disable-extensions", "--no-first-run"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    if width < 600:  # a phone: headless windows cannot be narrower than 500 px, so emulate the screen
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    return driver


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts() -> None:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def admin(server) -> Admin:
    return Admin(server.base_url, server.admin_token)


@pytest.fixture(scope="session")
def admin_person(server) -> Person:
    return Person(server.admin_id, server.admin_email, server.admin_password, "admin", "admin")


@pytest.fixture
def browser(server) -> Iterator[Callable[..., Browser]]:
    """A factory of browsers: `browser("zh-CN")`, `browser("en", width=390)` (a phone)."""
    opened: list[webdriver.Chrome] = []

    def make(language: str = "en", width: int = 1280, height: int = 900) -> Browser:
        driver = _driver(language, width, height)
        opened.append(driver)
        return Browser(driver, server.base_url, f"{language}-{width}")

    yield make
    for driver in opened:
        driver.quit()
