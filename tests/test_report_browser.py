"""report.html in a real browser (Debian's headless Chromium through selenium): it loads without console
errors, the Arabic is laid out right-to-left on the right, the filters work, and a screenshot is written.

Needs the Debian packages chromium and chromium-driver (.ci/run installs them); skipped where they are
not installed, with the reason shown by ``pytest -ra``. The screenshot goes to $REPORT_SCREENSHOT when set,
else into the test's temporary folder.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import run_cli, run_flores_fixture

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


@pytest.fixture(scope="module")
def linked_run(tmp_path_factory):
    """A run with links of both labels: the held-out FLORES fixture as a mixed set."""
    return run_flores_fixture(tmp_path_factory.mktemp("linked"), "linked", both=0.3)


VISIBLE = "return [...document.querySelectorAll(arguments[0])].filter(e => e.offsetParent !== null).length;"


def header_counts(browser):
    return browser.execute_script(
        "return ['n-links', 'n-equivalent', 'n-related', 'n-unaligned']"
        ".map(id => +document.getElementById(id).textContent);"
    )


def set_value(browser, element_id, value):
    browser.execute_script(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        "e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change'));",
        element_id,
        value,
    )


@pytest.fixture
def page(browser, linked_run):
    browser.set_window_size(1400, 1000)
    browser.get((linked_run / "report.html").resolve().as_uri())
    return browser


def test_report_filters_hide_links_and_the_header_counts_follow(page, linked_run):
    from selenium.webdriver.common.by import By

    links = read_jsonl(linked_run / "alignments.jsonl")
    unaligned = read_jsonl(linked_run / "unaligned.jsonl")
    related = sum(link["label"] == "related" for link in links)
    theme = sum(link["label"] == "theme" for link in links)
    assert page.execute_script(VISIBLE, "#view-ar .link") == len(links) > 0
    assert header_counts(page) == [len(links), len(links) - related - theme, related, len(unaligned)]
    page.find_element(By.CSS_SELECTOR, "input[name=label][value=related]").click()
    assert page.execute_script(VISIBLE, ".link.related") == 0
    assert header_counts(page)[:3] == [len(links) - related, len(links) - related - theme, 0]
    page.find_element(By.CSS_SELECTOR, "input[name=label][value=related]").click()
    values = sorted(
        float(v)
        for v in page.execute_script(
            "return [...document.querySelectorAll('#view-ar .link')].map(l => l.dataset.value);"
        )
    )
    cut = values[len(values) // 2]  # the median of the 0–1 values shown: some links above, some below
    set_value(page, "minvalue", cut)
    above = sum(v >= cut for v in values)
    assert 0 < page.execute_script(VISIBLE, "#view-ar .link") == above < len(links)
    assert header_counts(page)[0] == above
    page.find_element(By.CSS_SELECTOR, "input[name=label][value=none]").click()
    assert header_counts(page)[3] == 0 and page.execute_script(VISIBLE, ".pair") < len(links)
    assert not page.find_element(By.ID, "nothing").is_displayed()
    set_value(page, "minvalue", 0)
    for label in ("equivalent", "related", "theme"):  # with "none" already off, nothing is left to show
        page.find_element(By.CSS_SELECTOR, f"input[name=label][value={label}]").click()
    assert page.execute_script(VISIBLE, ".pair") == 0 and header_counts(page)[0] == 0
    assert "Nothing matches" in page.find_element(By.ID, "nothing").text


def test_search_and_document_filter(page, linked_run):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    links = read_jsonl(linked_run / "alignments.jsonl")
    doc = max({l["en_doc"] for l in links}, key=lambda d: sum(l["en_doc"] == d for l in links))
    Select(page.find_element(By.ID, "doc")).select_by_value(doc)
    shown = page.execute_script(
        "return [...document.querySelectorAll('#view-ar .link')].filter(e => e.offsetParent).map(e => e.dataset.enDoc);"
    )
    assert shown == [l["en_doc"] for l in links if l["en_doc"] == doc]
    assert (
        header_counts(page)[0] == len(shown) and header_counts(page)[3] == 0
    )  # no-counterpart rows belong to no document
    Select(page.find_element(By.ID, "doc")).select_by_value("")
    word = re.findall(r"[a-z]{6,}", links[0]["en_text"].lower())[0]  # a word of a linked English paragraph
    page.find_element(By.ID, "search").send_keys(word)
    shown = page.execute_script(
        "return [...document.querySelectorAll('#view-ar .pair')].filter(e => e.offsetParent)"
        ".map(e => [e.dataset.ar, e.textContent.toLowerCase()]);"
    )
    expected = {l["ar_id"] for l in links if word in l["en_text"].lower()}
    # every paragraph shown holds the word (in a link's English, reason or sentence pairs); none that does is hidden
    assert expected and expected <= {ar for ar, _ in shown} and all(word in text for _, text in shown)
    page.find_element(By.ID, "search").send_keys("zzzqqq")
    assert page.find_element(By.ID, "nothing").is_displayed() and header_counts(page)[0] == 0


def test_arabic_search_ignores_hamza_and_diacritics(page, linked_run):
    from selenium.webdriver.common.by import By

    def plain(text):  # the page's folding: no diacritics or tatweel, one alef, ta marbuta as ha, ya
        text = re.sub("[\u064b-\u0652\u0670\u0640]", "", text)
        return (
            re.sub("[\u0622\u0623\u0625\u0671]", "\u0627", text).replace("\u0629", "\u0647").replace("\u0649", "\u064a")
        )

    arabic = [s for s in read_jsonl(linked_run / "segments.jsonl") if s["lang"] == "ar"]
    # A word the text writes with a hamza on its alef, searched without it.
    written = next(
        w for s in arabic for w in re.findall("[\u0621-\u064a]*\u0623[\u0621-\u064a]+", s["text"]) if len(w) > 4
    )
    searched = written.replace("\u0623", "\u0627")
    expected = [s["id"] for s in arabic if plain(searched) in plain(s["text"])]
    assert expected and searched != written
    page.find_element(By.ID, "search").send_keys(searched)
    shown = page.execute_script(
        "return [...document.querySelectorAll('#view-ar .pair')].filter(e => e.offsetParent).map(e => e.dataset.ar);"
    )
    assert shown == expected


def test_english_article_view_lists_paragraphs_without_arabic(browser, related_run):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    page = browser
    page.set_window_size(1400, 1000)
    page.get((related_run / "report.html").resolve().as_uri())
    segments = read_jsonl(related_run / "segments.jsonl")
    links = read_jsonl(related_run / "alignments.jsonl")
    english = [s for s in segments if s["lang"] == "en"]
    linked = {l["en_id"] for l in links}
    page.find_element(By.CSS_SELECTOR, "input[name=view][value=en]").click()
    assert page.execute_script(VISIBLE, ".pair") == 0
    assert page.execute_script(VISIBLE, ".article") == len({s["doc"] for s in english})
    assert page.execute_script(VISIBLE, ".en-para") == len(english)
    lonely = [s for s in english if s["id"] not in linked]
    assert page.execute_script(VISIBLE, ".en-para .none") == len(lonely) > 0
    assert header_counts(page)[3] == len(lonely) and header_counts(page)[0] == len(links)
    assert "English paragraphs with no Arabic counterpart" in page.find_element(By.ID, "counts").text
    doc = english[0]["doc"]
    Select(page.find_element(By.ID, "doc")).select_by_value(doc)
    assert page.execute_script(VISIBLE, ".article") == 1
    assert page.execute_script(VISIBLE, ".en-para") == sum(s["doc"] == doc for s in english)
    arabic = page.execute_script(
        "const p = document.querySelector('#view-en .link p.src'); return p && getComputedStyle(p).direction;"
    )
    assert arabic in ("rtl", None)


def test_columns_stack_on_a_narrow_screen_and_print_hides_controls(page, tmp_path):
    page.set_window_size(600, 1000)
    page.refresh()
    boxes = page.execute_script(
        "const p = [...document.querySelectorAll('.pair')].find(p => p.querySelector('.link'));"
        "const a = p.querySelector('.ar').getBoundingClientRect();"
        "const l = p.querySelector('.links').getBoundingClientRect();"
        "return {arTop: a.top, linksTop: l.top, arWidth: a.width, pairWidth: p.getBoundingClientRect().width};"
    )
    assert boxes["linksTop"] > boxes["arTop"] and boxes["arWidth"] > 0.8 * boxes["pairWidth"]
    assert page.save_screenshot(str(Path(os.environ.get("REPORT_SCREENSHOT_NARROW", tmp_path / "narrow.png"))))
    page.set_window_size(1400, 1000)
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert page.execute_script("return getComputedStyle(document.querySelector('.controls')).display;") == "none"
        assert page.execute_script("return getComputedStyle(document.querySelector('.pair')).breakInside;") == "avoid"
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_decisions_download_as_corrections_that_export_applies(page, linked_run, tmp_path):
    from selenium.webdriver.common.by import By

    out = shutil.copytree(linked_run, tmp_path / "run")
    links = read_jsonl(out / "alignments.jsonl")
    buttons = page.find_elements(By.CSS_SELECTOR, "#view-ar .link .decide button")
    buttons[1].click()  # reject the first link
    buttons[2].click()  # accept the second
    assert page.find_element(By.ID, "n-decisions").text == "2" and page.find_element(By.ID, "download").is_enabled()
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(page.execute_script("return window.correctionsText();"), encoding="utf-8")
    result = run_cli("export", "--out", out, "--corrections", corrections)
    assert result.returncode == 0, result.stderr
    after = read_jsonl(out / "alignments.jsonl")
    assert [(l["ar_id"], l["en_id"]) for l in after] == [(l["ar_id"], l["en_id"]) for l in links[1:]]
    assert after[0]["review"] == "accepted"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["links"] == len(links) - 1 and manifest["corrections"]["rejected"] == 1


def test_contract_fields_render_in_the_browser(browser, tmp_path):
    """A hand-made RunResult with every optional field (see test_report.py): highlights land on the
    shared phrase in both paragraphs and the sentence pairs open on demand."""
    from selenium.webdriver.common.by import By
    from test_report import rich_result

    from pipeline.export.html import render_report

    path = tmp_path / "rich.html"
    path.write_text(render_report(rich_result()), encoding="utf-8")
    browser.set_window_size(1400, 1000)
    browser.get(path.resolve().as_uri())
    assert [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")] == []
    marks = browser.execute_script(
        "return [...document.querySelectorAll('#view-ar mark.term-phrase')].map(m => m.textContent);"
    )
    assert marks == ["عصا الذاكرة", "memory sticks"]
    details = browser.find_element(By.CSS_SELECTOR, "details.sentences")
    assert not browser.find_element(By.CSS_SELECTOR, "details.sentences table").is_displayed()
    details.find_element(By.TAG_NAME, "summary").click()
    assert browser.find_element(By.CSS_SELECTOR, "details.sentences table").is_displayed()
    assert "probability 0.87" in browser.find_element(By.CSS_SELECTOR, "#view-ar .link").text
    assert "minimum probability" in browser.find_element(By.CSS_SELECTOR, ".controls").text
    assert browser.save_screenshot(str(Path(os.environ.get("REPORT_SCREENSHOT_RICH", tmp_path / "rich.png"))))


def test_a_link_the_aligner_missed_can_be_added_in_the_report_and_export_applies_it(page, linked_run, tmp_path):
    """✓ could only confirm a link the aligner made (issue 23). Under an Arabic paragraph with no link the
    reader names an English paragraph and a label; the corrections file carries it as added by hand, and
    export puts it into alignments.jsonl and the files made from it, marked as added by hand."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    out = shutil.copytree(linked_run, tmp_path / "run")
    links = read_jsonl(out / "alignments.jsonl")
    lonely = read_jsonl(out / "unaligned.jsonl")[0]["ar_id"]
    linked = {l["en_id"] for l in links}
    english = next(r["id"] for r in read_jsonl(out / "segments.jsonl") if r["lang"] == "en" and r["id"] not in linked)
    item = page.find_element(By.CSS_SELECTOR, f'#view-ar .item[data-ar="{lonely}"]')
    item.find_element(By.CSS_SELECTOR, ".add-link summary").click()
    item.find_element(By.CSS_SELECTOR, ".add-en").send_keys("no-such-paragraph")
    item.find_element(By.CSS_SELECTOR, ".add").click()
    assert "No English paragraph no-such-paragraph" in item.find_element(By.CSS_SELECTOR, ".add-message").text
    item.find_element(By.CSS_SELECTOR, ".add-en").clear()
    item.find_element(By.CSS_SELECTOR, ".add-en").send_keys(english)
    Select(item.find_element(By.CSS_SELECTOR, ".add-label")).select_by_value("equivalent")
    item.find_element(By.CSS_SELECTOR, ".add").click()
    assert f"added by hand: {english} (equivalent)" in item.find_element(By.CSS_SELECTOR, ".added").text
    assert page.find_element(By.ID, "n-decisions").text == "1"
    text = page.execute_script("return window.correctionsText();")
    assert json.loads(text) == {"ar_id": lonely, "en_id": english, "decision": "add", "label": "equivalent"}
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(text, encoding="utf-8")
    for _ in range(2):  # applying it twice changes nothing more
        result = run_cli("export", "--out", out, "--corrections", corrections)
        assert result.returncode == 0, result.stderr
    after = read_jsonl(out / "alignments.jsonl")
    added = [l for l in after if (l["ar_id"], l["en_id"]) == (lonely, english)]
    assert len(after) == len(links) + 1 and len(added) == 1
    assert added[0]["review"] == "added" and added[0]["label"] == "equivalent" and added[0]["score"] is None
    assert lonely not in [r["ar_id"] for r in read_jsonl(out / "unaligned.jsonl")]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corrections"]["already_added"] == 1 and manifest["counts"]["links"] == len(links) + 1
    assert "added by hand" in (out / "alignments.tmx").read_text(encoding="utf-8")  # a bead of its own
    report = (out / "report.html").read_text(encoding="utf-8")
    assert '<span class="value">added by hand</span>' in report
