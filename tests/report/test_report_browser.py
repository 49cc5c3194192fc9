"""The HTML report in a real browser: Debian's headless chromium loads it without errors,
every picture is in the rendered page, and the screenshot is not blank.

Skipped only when chromium is missing and the environment variable CI is not set; on CI
(where ``.ci/run`` installs chromium) a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bayesnet import (
    load,
    write_report,
)
from tests.analysis.test_sensitivity import SENS_SOURCES, TARGET, sens_codebook
from tests.helpers import ask, make_model_dir

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
