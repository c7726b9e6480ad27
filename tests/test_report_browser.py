"""report.html in a real browser (Debian's headless Chromium through selenium): it loads without console
errors, the Arabic is laid out right-to-left on the right, the filters work, and a screenshot is written.

Needs the Debian packages chromium and chromium-driver (.ci/run installs them); skipped where they are
not installed, with the reason shown by ``pytest -ra``. The screenshot goes to $REPORT_SCREENSHOT when set,
else into the test's temporary folder.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from pipeline.fileio import read_jsonl

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="headless Chromium not installed (apt-get install chromium chromium-driver)"
)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def report_with_mt(corpus_run, tmp_path_factory):
    """The corpus run again with precomputed translations, so the report shows MT under the Arabic."""
    tmp = tmp_path_factory.mktemp("report")
    ids = [r["id"] for r in read_jsonl(corpus_run / "segments.jsonl") if r["lang"] == "ar"]
    translations = tmp / "mt.jsonl"
    translations.write_text("".join(json.dumps({"id": pid, "mt_text": f"Translation of {pid}"}) + "\n" for pid in ids))
    result = run_cli("run", "--out", tmp / "out", "--translations", translations)
    assert result.returncode == 0, result.stderr
    return tmp / "out"


def test_report_renders_arabic_right_to_left_without_console_errors(browser, report_with_mt, tmp_path):
    browser.get((report_with_mt / "report.html").resolve().as_uri())
    errors = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    layout = browser.execute_script("""
        const ar = document.querySelector('p.src[lang=ar]');
        const pair = ar.closest('.pair');
        return {direction: getComputedStyle(ar).direction,
                arLeft: pair.querySelector('.ar').getBoundingClientRect().left,
                linksLeft: pair.querySelector('.links').getBoundingClientRect().left,
                mtDirection: getComputedStyle(pair.querySelector('.mt') || document.body).direction,
                pairs: document.querySelectorAll('.pair').length};
    """)
    assert layout["direction"] == "rtl"
    assert layout["arLeft"] > layout["linksLeft"]  # Arabic on the right, English links on the left
    assert layout["mtDirection"] == "ltr"
    arabic = [r for r in read_jsonl(report_with_mt / "segments.jsonl") if r["lang"] == "ar"]
    assert layout["pairs"] == len(arabic)
    screenshot = Path(os.environ.get("REPORT_SCREENSHOT", tmp_path / "report.png"))
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 10_000


def test_report_filters_hide_links_by_label_and_score(browser, corpus_run):
    from selenium.webdriver.common.by import By

    browser.get((corpus_run / "report.html").resolve().as_uri())
    visible = "return [...document.querySelectorAll(arguments[0])].filter(e => e.offsetParent !== null).length;"
    links = len(read_jsonl(corpus_run / "alignments.jsonl"))
    assert browser.execute_script(visible, ".link") == links > 0
    browser.find_element(By.CSS_SELECTOR, "input[name=label][value=related]").click()
    assert browser.execute_script(visible, ".link.related") == 0
    browser.find_element(By.CSS_SELECTOR, "input[name=label][value=related]").click()
    scores = sorted(link["score"] for link in read_jsonl(corpus_run / "alignments.jsonl"))
    cut = round(scores[len(scores) // 2], 2)  # the median: some links above, some below
    browser.execute_script(
        "const r = document.getElementById('minscore'); r.value = arguments[0];r.dispatchEvent(new Event('input'));",
        cut,
    )
    above = [link for link in read_jsonl(corpus_run / "alignments.jsonl") if link["score"] >= cut]
    assert 0 < browser.execute_script(visible, ".link") == len(above) < links
    browser.find_element(By.CSS_SELECTOR, "input[name=label][value=none]").click()
    assert browser.execute_script(visible, ".pair") == len({link["ar_id"] for link in above})
