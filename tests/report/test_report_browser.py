"""The HTML report in a real browser: Debian's headless chromium loads it without errors,
every picture is in the rendered page, and the screenshot is not blank; and, at 1,280 x 800,
the default model's report reads at a glance: the headline box is on the first screen, the
text of the causal web is at least 10 pixels high, no table is wider than the page. The
first screen is kept in tests/artifacts/report/ (git-ignored) for a person to look at.

Measuring needs a script, and the report has none: the test measures a copy of the page with
a script added at its end, which writes what it measured into the page that chromium dumps.

Skipped only when chromium is missing and the environment variable CI is not set; on CI
(where ``.ci/run`` installs chromium) a missing browser fails the test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bayesnet import (
    load,
    posterior,
    question,
    write_report,
)
from tests.analysis.test_sensitivity import SENS_SOURCES, TARGET, sens_codebook
from tests.helpers import REPO, ask, make_model_dir

pytestmark = pytest.mark.browser

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PROBLEMS = ("Uncaught", ":CONSOLE", "CONSOLE(", "Failed to load resource", "net::ERR_", "Not allowed to load")
WIDTH, HEIGHT = 1280, 800
"""The screen the report must read well on."""
ARTIFACTS = REPO / "tests" / "artifacts" / "report"
"""Where the screenshots are kept for review (git-ignored)."""
MEASURE = """
<script>
window.addEventListener("load", () => {
  const page = document.documentElement.clientWidth;
  const box = document.querySelector("section.headline").getBoundingClientRect();
  const web = document.querySelector("figure.wide");
  const texts = [...web.querySelectorAll("svg text")].map(t => ({
    text: t.textContent,
    px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
    height: t.getBoundingClientRect().height,
  }));
  const tables = [...document.querySelectorAll("table")].map(t => ({
    id: (t.closest("section, div, body").previousElementSibling || {}).id || "",
    heading: (() => { let e = t; while (e && e.tagName !== "H2") { e = e.previousElementSibling; } return e ?
      e.textContent : ""; })(),
    scrollWidth: t.scrollWidth, right: t.getBoundingClientRect().right,
  }));
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({
    page, innerWidth: window.innerWidth, innerHeight: window.innerHeight,
    pageScrollWidth: document.documentElement.scrollWidth,
    headline: {top: box.top, bottom: box.bottom, right: box.right},
    web: {clientWidth: web.clientWidth, scrollWidth: web.scrollWidth, texts},
    tables,
  });
  document.body.appendChild(out);
});
</script>
"""


def chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed, and CI is set: .ci/run should have installed it")
    pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")


def run(browser: str, tmp: Path, *extra: str, url: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *extra, url],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp,
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    model = load(
        make_model_dir(tmp_path_factory.mktemp("browser") / "m", sources=SENS_SOURCES, codebook=sens_codebook())
    )
    return write_report(
        *ask(model, TARGET, scenario="voluntary", draws=200),
        tmp_path_factory.mktemp("browser-out") / "report",
        quiet=True,
    )


def test_page_loads_without_errors_with_every_picture(page, tmp_path):
    browser = chromium()
    done = run(browser, tmp_path, "--dump-dom", url=page.html.resolve().as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "</html>" in dom and "What matters for Collaborative behaviour = high" in dom
    expected = 4 if page.note is None else 3
    assert dom.count("<svg") == expected
    for problem in PROBLEMS:
        assert problem not in done.stderr, [ln for ln in done.stderr.splitlines() if problem in ln]


def test_screenshot_is_not_blank(page, tmp_path):
    from PIL import Image

    browser = chromium()
    shot = tmp_path / "page.png"
    done = run(browser, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", url=page.html.resolve().as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    for problem in PROBLEMS:
        assert problem not in done.stderr
    with Image.open(shot) as img:
        rgb = img.convert("RGB")
        assert rgb.size == (1280, 2000)
        colours = rgb.getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50  # text, bars and lines, not one flat colour
        pixels = rgb.width * rgb.height
        white = sum(n for n, c in colours if min(c) >= 250)
        assert white < 0.97 * pixels
        # the report's green (levers) or blue (mechanisms) bars are drawn somewhere on the first screen
        assert any(n > 20 and c[1] > c[0] + 30 and c[1] > c[2] + 10 for n, c in colours) or any(
            n > 20 and c[2] > c[0] + 60 for n, c in colours
        )


@pytest.fixture(scope="module")
def default_report(tmp_path_factory):
    """The default model's report for an integrated care system (the issue's command)."""
    model = load()
    q = question(model, "collaborative_behaviour", scenario="integrated_care_system")
    return write_report(q, posterior(model, draws=300), tmp_path_factory.mktemp("browser-ics") / "report",
                        quiet=True)


@pytest.fixture(scope="module")
def measured(default_report, tmp_path_factory):
    """What chromium measured of the default report at 1,280 x 800."""
    if default_report.note is not None:
        pytest.skip(f"no causal web to measure: {default_report.note}")
    browser = chromium()
    copy = default_report.folder / "measure.html"
    copy.write_text(default_report.html.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
                    encoding="utf-8")
    tmp = tmp_path_factory.mktemp("browser-measure")
    done = run(browser, tmp, "--dump-dom", f"--window-size={WIDTH},{HEIGHT}", "--virtual-time-budget=10000",
               url=copy.resolve().as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, flags=re.S)
    assert found, done.stdout[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
                      .replace("&amp;", "&"))


def test_the_first_screen_shows_the_headline_box(measured):
    # --dump-dom gives a viewport of the window's width but less than its height (its own
    # chrome): the page's layout depends only on the width, and the box must end above 800 px
    assert measured["innerWidth"] == WIDTH
    box = measured["headline"]
    assert 0 <= box["top"] < box["bottom"] <= HEIGHT, box  # the whole box, without scrolling
    assert box["right"] <= measured["page"]


def test_the_causal_web_text_is_at_least_10_pixels_high(measured):
    texts = measured["web"]["texts"]
    assert len(texts) > 20  # every name and condition of the picture is a text element
    small = [t for t in texts if t["px"] < 10 or t["height"] < 10]
    assert not small, small[:5]
    assert measured["web"]["scrollWidth"] <= measured["web"]["clientWidth"]  # and it fits: no sideways scroll


def test_no_table_is_wider_than_the_page(measured):
    page = measured["page"]
    assert measured["pageScrollWidth"] <= page  # the page itself never scrolls sideways
    assert len(measured["tables"]) >= 8
    wide = [t for t in measured["tables"] if t["scrollWidth"] > page or t["right"] > page]
    assert not wide, wide


def test_screenshot_of_the_first_screen_is_kept_for_review(default_report, tmp_path):
    """tests/artifacts/report/first-screen.png: the report as a planner first sees it."""
    from PIL import Image

    browser = chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "first-screen.png"
    shot.unlink(missing_ok=True)
    done = run(browser, tmp_path, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}",
               url=default_report.html.resolve().as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    with Image.open(shot) as img:
        rgb = img.convert("RGB")
        assert rgb.size == (WIDTH, HEIGHT)
        colours = rgb.getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50
        # the headline box's blue border is on the first screen
        assert sum(n for n, c in colours if c[2] > c[0] + 60 and c[2] > c[1] + 30) > 500
