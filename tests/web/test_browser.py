"""The explorer in a real browser: Debian's chromium, driven through its chromedriver by
Selenium, against a real uvicorn server on a free local port.

The steps a planner takes: open the page, choose the ICS preset, set quick wins by
intervention, read the new answer and contrast (checked against the library's numbers to
the digits printed), open a link's sources, copy the address and reopen it to the same
what-if; and a bad address shown to the user in words. A screenshot of each step is kept
in tests/artifacts/web/ (git-ignored).

Skipped only when chromium or chromedriver is missing and CI is not set; on CI (where
.ci/run installs both) a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

import bayesnet
from tests.helpers import REPO

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "tests" / "artifacts" / "web"
CHROMIUM = ("/usr/bin/chromium", "chromium", "chromium-browser")
DRIVER = ("/usr/bin/chromedriver", "chromedriver")
ICS = "integrated_care_system"
WAIT = 90.0


def _found(candidates: tuple[str, ...]) -> str | None:
    for c in candidates:
        path = c if Path(c).is_file() else shutil.which(c)
        if path:
            return path
    return None


def _browser_paths() -> tuple[str, str]:
    browser, driver = _found(CHROMIUM), _found(DRIVER)
    if browser and driver:
        return browser, driver
    missing = "chromium" if not browser else "chromedriver"
    if os.environ.get("CI"):
        pytest.fail(f"{missing} is not installed, and CI is set: .ci/run should have installed it")
    pytest.skip(f"{missing} is not installed (apt-get install chromium chromium-driver); CI installs it")


@pytest.fixture(scope="module")
def server(model):
    import uvicorn

    from bayesnet.web import create_app
    from bayesnet.web.server import address, listen

    app = create_app(model)  # its own app: its thread limits belong to this server's event loop
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    app.state.explorer.warm()
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield address("127.0.0.1", port)
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def driver():
    browser, chromedriver = _browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1800"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    d.set_page_load_timeout(60)
    yield d
    d.quit()


def _settled(d) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(d, WAIT, poll_frequency=0.1).until(
        lambda x: x.execute_script("return document.body.dataset.busy === 'no'"))


def _shot(d, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    d.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def _text(d, css: str) -> str:
    from selenium.webdriver.common.by import By

    return d.find_element(By.CSS_SELECTOR, css).text.strip()


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "−") + f"{abs(x):.3f}"


def _severe(d) -> list[str]:
    return [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]


def test_a_planner_explores_an_ics_with_quick_wins(server, driver, model):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    d = driver
    started = time.monotonic()
    # 1. open: a blank what-if about collaborative behaviour
    d.get(server)
    _settled(d)
    assert "What-if explorer" in d.title
    blank = bayesnet.query(model, "collaborative_behaviour").distribution["collaborative"]
    assert _text(d, "#answer-probability") == f"{blank:.3f}"
    assert "starting situation" in _text(d, "#contrast")
    _shot(d, "1-open")

    # 2. choose the ICS preset: its description and the review's sentences appear
    Select(d.find_element(By.ID, "preset")).select_by_value(ICS)
    _settled(d)
    assert "ICS" in _text(d, "#preset-about") and "mandated" in _text(d, "#preset-about")
    assert f"preset={ICS}" in d.current_url
    _shot(d, "2-ics-preset")

    # 3. set quick wins by intervention (the choice is explained where it is made)
    assert "intervention" in _text(d, "#observe-vs-set")
    Select(d.find_element(By.CSS_SELECTOR, 'select[data-node="quick_wins"]')).select_by_value("do:present")
    _settled(d)
    assert "do.quick_wins=present" in d.current_url
    _shot(d, "3-quick-wins-set")

    # 4. the new answer, contrast and levers are the library's, to the digits printed
    post = bayesnet.posterior(model)
    q = bayesnet.question(model, "collaborative_behaviour", scenario=ICS, do={"quick_wins": "present"})
    start = bayesnet.question(model, "collaborative_behaviour", scenario=ICS)
    result = bayesnet.query(model, "collaborative_behaviour", scenario=ICS, do={"quick_wins": "present"})
    interval = result.interval.loc["collaborative"]
    assert _text(d, "#answer-probability") == f"{result.distribution['collaborative']:.3f}"
    assert f"[{interval['low']:.3f}, {interval['high']:.3f}]" in _text(d, "#answer-interval")
    row = bayesnet.contrast([q, start], post, names=["now", "start"], baseline=1).contrasts.iloc[0]
    assert _text(d, "#contrast-difference") == _signed(row["difference"])
    assert _text(d, "#contrast-interval") == f"[{_signed(row['low'])}, {_signed(row['high'])}]"
    assert _text(d, "#contrast-p-higher") == f"{row['p_higher']:.2f}"
    sets = bayesnet.levers(q, post, k=1).sets
    shown = d.find_elements(By.CSS_SELECTOR, "#levers tbody tr")
    assert len(shown) >= min(10, len(sets))
    for tr, (_, want) in zip(shown, sets.iterrows(), strict=False):
        cells = [c.text.strip() for c in tr.find_elements(By.TAG_NAME, "td")]
        assert f"{tr.get_attribute('data-lever')}={cells[2]}" == want["levers"]
        assert cells[0].split()[0] == str(int(want["rank"]))
        assert cells[3] == _signed(want["gain"])
        assert cells[4] == f"[{_signed(want['low'])}, {_signed(want['high'])}]"
        assert cells[5] == f"{want['p_best']:.2f}"
    assert d.find_elements(By.CSS_SELECTOR, "#tornado tbody tr")
    _shot(d, "4-answer-and-contrast")

    # 5. open a link's sources from the causal web: short citation, full citation, the review's quote
    d.find_element(By.CSS_SELECTOR, '#web g[data-node="quick_wins"]').click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(d, 20).until(lambda x: x.find_element(By.ID, "node-panel").is_displayed())
    assert _text(d, "#node-title") == model.codebook["quick_wins"].label
    link = d.find_element(By.CSS_SELECTOR, "#node-body li[data-link] > details > summary")
    link.click()
    source = d.find_element(By.CSS_SELECTOR, "#node-body li[data-link] li[data-source] summary")
    source.click()
    quote = d.find_element(By.CSS_SELECTOR, "#node-body li[data-link] li[data-source] blockquote q")
    assert quote.is_displayed() and len(quote.text) > 20
    link_id = int(d.find_element(By.CSS_SELECTOR, "#node-body li[data-link]").get_attribute("data-link"))
    sid = d.find_element(By.CSS_SELECTOR, "#node-body li[data-link] li[data-source]").get_attribute("data-source")
    assert sid in model.links.set_index("link").loc[link_id, "support_ids"] + model.links.set_index(
        "link").loc[link_id, "contradict_ids"]
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", quote)
    _shot(d, "5-link-sources")

    # 6. copy the address and reopen it: the same what-if, the same numbers
    d.find_element(By.ID, "copy").click()
    WebDriverWait(d, 10).until(lambda x: _text(x, "#copied"))
    link_text = d.find_element(By.ID, "share-url").get_attribute("value")
    assert link_text == d.current_url
    answer_before = _text(d, "#answer-probability"), _text(d, "#contrast-difference")
    d.get("about:blank")
    d.get(link_text)
    _settled(d)
    assert (_text(d, "#answer-probability"), _text(d, "#contrast-difference")) == answer_before
    assert Select(d.find_element(By.ID, "preset")).first_selected_option.get_attribute("value") == ICS
    qw = Select(d.find_element(By.CSS_SELECTOR, 'select[data-node="quick_wins"]'))
    assert qw.first_selected_option.get_attribute("value") == "do:present"
    _shot(d, "6-reopened-link")
    assert not _severe(d), _severe(d)
    assert time.monotonic() - started < 120


def test_a_bad_address_is_shown_to_the_user_in_words(server, driver):
    d = driver
    d.get(server + "?preset=integrated_care_system&do.quik_wins=present")
    _settled(d)
    error = _text(d, "#error")
    assert "cannot be answered" in error and "did you mean 'quick_wins'" in error
    assert "Traceback" not in d.page_source
    _shot(d, "7-bad-address")
