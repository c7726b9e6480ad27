"""report.html rendered from hand-made RunResults: what it shows for the fields the aligner and the
sentence aligner may add (probability, reason, matched sentences, shared terms, glosses, sentence pairs),
and that it tolerates their absence. The browser test (test_report_browser.py) checks the controls."""

import re

import pytest

from pipeline.export.html import highlight, render_report
from pipeline.export.reasons import link_reason, shown_value
from pipeline.run import RunResult

AR = "قالت المفوضية إن عصا الذاكرة سلمت. وأضافت أن النتائج ستعلن في 12 أيار."
EN_SHORT = "The commission said the memory sticks were handed over."
EN = "Officials met on Monday. " + EN_SHORT


def segment(pid, lang, text, **extra):
    doc = pid.split(":")[0]
    return {"id": pid, "doc": doc, "lang": lang, "index": 0, "n": 1, "kind": "paragraph", "text": text, **extra}


def rich_result(**link_extra) -> RunResult:
    """One Arabic paragraph linked to one English one with every optional field, one Arabic paragraph
    with no counterpart (near miss with a probability) and one English paragraph with no Arabic."""
    ar_sentence = (0, AR.index(".") + 1)
    en_sentence = (EN.index(EN_SHORT), len(EN))
    link = {
        "ar_id": "stmt:1",
        "ar_text": AR,
        "mt_text": None,
        "en_doc": "news",
        "en_id": "news:1",
        "en_text": EN,
        "score": 0.61,
        "label": "related",
        "probability": 0.87,
        "evidence": {
            "cosine": 0.55,
            "margin": 1.1,
            "reason": "Both say the memory sticks were handed over (matched sentence 0.74 alike).",
            "sentences": {"ar": list(ar_sentence), "en": list(en_sentence), "similarity": 0.74},
            "terms": [
                {
                    "kind": "phrase",
                    "ar": "عصا الذاكرة",
                    "en": "memory sticks",
                    "ar_spans": [[AR.index("عصا"), AR.index("عصا") + len("عصا الذاكرة")]],
                    "en_spans": [[EN.index("memory"), EN.index("memory") + len("memory sticks")]],
                }
            ],
        },
        **link_extra,
    }
    segments = [
        segment("stmt:1", "ar", AR, glosses=[{"ar": "المفوضية", "span": [5, 13], "en": ["commission", "board"]}]),
        segment("stmt:2", "ar", "نص آخر بلا مقابل"),
        segment("news:1", "en", EN),
        segment("news:2", "en", "A paragraph nobody in Arabic talks about."),
    ]
    unaligned = [
        {
            "ar_id": "stmt:2",
            "ar_text": "نص آخر بلا مقابل",
            "mt_text": None,
            "best_en_id": "news:2",
            "best_score": 0.12,
            "best_probability": 0.04,
        }
    ]
    manifest = {
        "inputs": [
            {"id": "stmt", "lang": "ar", "outlet": "IHEC", "date": "2018-05"},
            {"id": "news", "lang": "en", "outlet": "Rudaw", "date": "2021-11"},
        ],
        "parameters": {"mode": "comparable"},
        "translation": {"model": "Helsinki-NLP/opus-mt-ar-en", "status": "missing: 404 Client Error: hub said no"},
        "counts": {"links": 1, "links_related": 1, "unaligned": 1},
    }
    result = RunResult(segments, [], [link], unaligned, manifest)
    result.sentences = [  # as sentences.jsonl rows: sentence ids <paragraph id>#<k>
        {
            "ar_ids": ["stmt:1#0"],
            "en_ids": ["news:1#1"],
            "ar_text": AR[: AR.index(".") + 1],
            "en_text": EN_SHORT,
            "score": 0.74,
        }
    ]
    return result


def test_contract_fields_are_shown():
    html = render_report(rich_result())
    assert "Both say the memory sticks were handed over" in html  # evidence.reason, as given
    assert "probability 0.87" in html  # probability, the 0–1 value shown
    assert '<mark class="term term-phrase">memory sticks</mark>' in html
    assert re.search(r'<mark class="[^"]*term term-phrase[^"]*">عصا الذاكرة</mark>', html)
    # the matched English sentence, with the shared phrase inside it
    assert (
        '<span class="sent">The commission said the </span><mark class="sent term term-phrase">memory sticks</mark>'
        in html
    )
    assert "Matched Arabic sentence:" in html
    assert "dictionary glosses (not a translation)" in html and "commission, board" in html
    assert re.search('<span class="gloss[^"]*">المفوضية</span>', html)  # the glossed word, marked in the text
    assert "Nearest miss: news:2, probability 0.04" in html
    assert "Sentence pairs (1)" in html and EN_SHORT in html
    assert "No Arabic counterpart." in html  # news:2 in the English-article view
    assert "IHEC · <time>2018-05</time>" in html and "Rudaw · <time>2021-11</time>" in html


def test_missing_mt_is_said_once_in_plain_words():
    html = render_report(rich_result())
    assert html.count("No machine translation in this run") == 1
    assert "hub said no" not in html and "404" not in html  # the hub's error text stays in the manifest
    # What links rest on, as the aligner decides them: names, numbers and phrases are evidence shown, not
    # what decides (issue 23).
    assert "Links rest on the cross-lingual encoder and, where it is installed, the Arabic–English dictionary" in html
    assert "names, numbers and phrases" not in html


def test_absent_optional_fields_are_tolerated():
    result = rich_result()
    link = result.links[0]
    del link["probability"]
    link["evidence"] = {
        "cosine": 0.55,
        "margin": 1.1,
        "anchors": [{"kind": "phrase", "ar": "عصا الذاكرة", "en": "memory sticks"}],
        "best_of_row": True,
        "best_of_column": False,
    }
    for row in result.segments:
        row.pop("glosses", None)
    result.unaligned[0].pop("best_probability")
    del result.sentences
    html = render_report(result)
    assert "similarity 0.55" in html and "probability 0." not in html
    assert "Shares a specific point" in html and "the phrase “memory sticks” (عصا الذاكرة)" in html
    assert '<mark class="term term-phrase">memory sticks</mark>' in html  # anchors located in the text
    assert (
        "Nearest miss: news:2, too weak to link" in html
        and "aligner score 0.120" in html
        and "Sentence pairs" not in html
    )


def test_text_is_escaped_everywhere():
    result = rich_result()
    result.links[0]["en_text"] = result.segments[2]["text"] = "<script>alert(1)</script> & <b>"
    result.links[0]["evidence"]["reason"] = "<img src=x onerror=alert(1)>"
    result.manifest["inputs"][1]["outlet"] = "<i>Outlet</i>"
    html = render_report(result)
    assert "<script>alert" not in html and "<img" not in html and "<i>Outlet" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        ("abcdef", [], "abcdef"),
        ("abcdef", [(1, 3, "term term-name")], 'a<mark class="term term-name">bc</mark>def'),
        (
            "abcdef",
            [(0, 4, "sent"), (2, 6, "term term-date")],
            '<span class="sent">ab</span><mark class="sent term term-date">cd</mark>'
            '<mark class="term term-date">ef</mark>',
        ),
        ("a<b>", [(1, 4, "sent")], 'a<span class="sent">&lt;b&gt;</span>'),
        (
            "abc",
            [(2, 99, "sent"), (-5, 1, "sent"), (2, 2, "sent")],
            '<span class="sent">a</span>b<span class="sent">c</span>',
        ),
    ],
)
def test_highlight(text, spans, expected):
    assert str(highlight(text, spans)) == expected


@pytest.mark.parametrize(
    "link, value",
    [
        ({"score": 0.9, "probability": 0.42, "evidence": {"cosine": 0.8}}, (0.42, "probability")),
        ({"score": 0.9, "evidence": {"cosine": 0.8}}, (0.8, "similarity")),
        ({"score": 0.9, "evidence": {"cosine": -0.1}}, (0.0, "similarity")),
        ({"score": 1.3, "evidence": {"bead": "1-2", "bead_cosine": 0.71}}, (0.71, "similarity")),
    ],
)
def test_shown_value_is_on_a_0_1_scale(link, value):
    assert shown_value(link) == value


@pytest.mark.parametrize(
    "link, words",
    [
        (
            {
                "label": "equivalent",
                "score": 0.9,
                "evidence": {"cosine": 0.88, "best_of_row": True, "best_of_column": True},
            },
            ["Says the same thing", "0.88 alike", "each is the other's closest match"],
        ),
        (
            {
                "label": "related",
                "score": 0.4,
                "evidence": {"cosine": 0.4, "anchors": [{"kind": "number", "ar": "1500", "en": "1,500"}]},
            },
            ["Shares a specific point", "the number “1,500” (1500)"],
        ),
        ({"label": "related", "score": 0.4, "evidence": {"cosine": 0.4}}, ["nothing specific shared"]),
        (
            {"label": "equivalent", "score": 0.7, "evidence": {"bead": "1-2", "bead_cosine": 0.7}},
            ["document order", "English split over two paragraphs", "0.70 alike"],
        ),
        (
            {"label": "related", "score": 0.4, "evidence": {"reason": "Given by the aligner."}},
            ["Given by the aligner."],
        ),
    ],
)
def test_link_reason_in_plain_words(link, words):
    reason = link_reason(link)
    assert all(w in reason for w in words), reason


THEME_TERM = {
    "kind": "theme",
    "source": "encoder",
    "ar": "عصا الذاكرة",
    "en": "memory sticks",
    "ar_spans": [[AR.index("عصا"), AR.index("عصا") + len("عصا الذاكرة")]],
    "en_spans": [[EN.index("memory"), EN.index("memory") + len("memory sticks")]],
    "gloss": ["stick"],
}


@pytest.mark.parametrize(
    "mt_text, terms, shown, not_shown",
    [
        # no MT, matched terms: the terms and their glosses
        (None, [THEME_TERM], "≈ “memory sticks” (dictionary: stick)", "its key words"),
        # no MT, decided on the sentences alone: the paragraph's key words, glossed
        (None, [], "its key words (dictionary glosses", "≈ “"),
        # MT: the translation, never glosses
        ("The commission said the memory stick was handed over.", [], "machine translation", "its key words"),
    ],
)
def test_the_theme_index_says_in_english_what_the_statement_says(mt_text, terms, shown, not_shown):
    result = rich_result(label="theme")
    link = result.links[0]
    link["mt_text"] = mt_text
    link["evidence"] |= {"theme": "theme-1", "theme_name": "memory sticks", "terms": terms}
    result.segments[0]["mt_text"] = mt_text
    result.themes = [
        {
            "id": "theme-1",
            "name": "memory sticks",
            "en_terms": ["memory sticks"],
            "ar_terms": ["عصا الذاكرة"],
            "members": {"stmt": ["stmt:1"], "news": ["news:1"]},
            "links": 1,
        }
    ]
    html = render_report(result)
    index = html[html.index('id="theme-index"') : html.index("</section>", html.index('id="theme-index"'))]
    assert shown in index and not_shown not in index
    if not mt_text and not terms:
        assert "المفوضية</span> → commission, board" in index
