"""The built-in chat page at / in a real headless browser (Debian's chromium and chromedriver via selenium),
against a live server with fake engines: a streamed answer with clickable citations, red flags shown first and
prominently, Chinese rendered. The test saves a screenshot (MEDKG_SCREENSHOT_DIR, default the test's tmp dir)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.limits import ApiLimits
from medkg.settings import Settings
from tests.unit.api.fakes import FakeAnswerEngine, FakeConsultation, FakeRetriever
from tests.unit.api.live import live_server


def _browser_or_skip() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium and chromium-driver are not installed (.ci/run installs them)", pytrace=False)
        pytest.skip("apt-get install -y chromium chromium-driver")
    return chromium, driver


class _ChineseConsultation(FakeConsultation):
    def consult(self, question: str, *, patient: str | None = None, roster: Any = None,
                narrate: bool = True) -> dict[str, Any]:
        out = super().consult(question, patient=patient)
        if any("\u4e00" <= ch <= "\u9fff" for ch in question):
            out["red_flags"] = []
            out["sentences"] = [{"text": "头痛伴发热可能是感染。", "citations": ["zhdlg:7"], "support": 0.6}]
            out["department"] = {"id": "medkg:dept:neurology", "name": "神经内科", "citations": []}
        return out


@pytest.fixture
def page(tmp_path: Path) -> Iterator[tuple[Any, str]]:
    chromium, driver_path = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    settings = Settings(home=tmp_path / "home", store="embedded", _env_file=None)
    app = create_app(settings, limits=ApiLimits(anonymous_rate=100, anonymous_burst=100),
                     answer_factory=lambda s, sv: FakeAnswerEngine(delay=0.05),
                     consult_factory=lambda s, sv: _ChineseConsultation(),
                     retriever_factory=lambda s, sv: FakeRetriever())
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1500", f"--user-data-dir={tmp_path / 'chromium'}"):
        opts.add_argument(arg)
    with live_server(app) as url:
        browser = webdriver.Chrome(service=Service(driver_path), options=opts)
        try:
            browser.set_page_load_timeout(30)
            browser.get(url + "/")
            yield browser, url
        finally:
            browser.quit()


def _ask(browser: Any, text: str, n: int) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    box = browser.find_element(By.ID, "q")
    box.send_keys(text)
    browser.find_element(By.CSS_SELECTOR, "button.send").click()
    WebDriverWait(browser, 20).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, ".msg.assistant[data-done]")) >= n)
    return browser.find_elements(By.CSS_SELECTOR, ".msg.assistant")[n - 1]


def test_chat_page_streams_cites_flags_and_renders_chinese(page: tuple[Any, str], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser, _ = page
    assert browser.title == "medkg chat"

    urgent = _ask(browser, "I have chest pain and I am sweating", 1)
    first = urgent.find_elements(By.XPATH, "./*")[0]
    assert "redflag" in first.get_attribute("class") and first.text.startswith("⚠ URGENT: Call 999 now.")
    assert first.value_of_css_property("color") in ("rgba(176, 0, 32, 1)", "rgb(176, 0, 32)")

    answer = _ask(browser, "Does metformin lower HbA1c?", 2)
    assert answer.get_attribute("data-done") == "ok"
    markers = answer.find_elements(By.CSS_SELECTOR, "button.cite")
    assert [m.text for m in markers][:3] == ["1", "2", "1"]
    markers[1].click()
    assert browser.find_element(By.ID, "source-id").text.startswith("[2] medquad:42")
    assert "lifestyle change and metformin" in browser.find_element(By.ID, "source-text").text

    zh = _ask(browser, "我头痛发烧三天了", 3)
    assert "头痛伴发热可能是感染" in zh.text and "神经内科" in zh.text
    user_bubbles = browser.find_elements(By.CSS_SELECTOR, ".msg.user")
    assert user_bubbles[-1].text == "我头痛发烧三天了"
    # rendered with a real glyph width (not collapsed): four ideographs are wider than one
    width = browser.execute_script(
        "const s=document.createElement('span'); s.textContent='头痛发烧'; document.body.appendChild(s);"
        "const w=s.getBoundingClientRect().width; s.remove(); return w;")
    assert width > 30

    shots = Path(os.environ.get("MEDKG_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / "chat_page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
