import re
import json

import pytest

from pipeline.records import Document
from pipeline.ingest.furniture import LineContext, classify_line, find_glued_title
from pipeline.ingest.stage import ingest_documents


def ctx(position=5, total=20, in_comments=False, kept=3, lang=""):
    return LineContext(position, total, in_comments, kept, lang)


@pytest.mark.parametrize(
    "line, rule",
    [
        ("الرئيسية / اخبار ساخنة / المفوضية ترد", "breadcrumb"),
        ("Home › World › Middle East", "breadcrumb"),
        ("pic.twitter.com/PTJWWpacsZ", "tweet_link"),
        ("https://twitter.com/someone/status/123456", "tweet_link"),
        ("https://example.org/page", "bare_link"),
        ("- Muqtada al-Sadr (@Mu_AlSadr) October 13, 2021", "tweet_attribution"),
        ("— Some Person (@handle) 3 May 2020", "tweet_attribution"),
        ("2021-09-01 05:57", "timestamp"),
        ("12/05/2018", "timestamp"),
        ("October 13, 2021 10:30 am", "timestamp"),
        ("Leave a comment", "comment_prompt"),
        ("Post a comment", "comment_prompt"),
        ("اترك تعليقاً", "comment_prompt"),
        ("أضف تعليقا", "comment_prompt"),
        ("We moderate all comments according to our community guidelines.", "comment_policy"),
        ("Source: Iraqi News Agency", "source_line"),
        ("المصدر: وكالات", "source_line"),
        # Standalone, as a user saves them on their own (issue 23): one separator after the site's root,
        # the prompt without its tanwin alef.
        ("الرئيسية / اخبار ساخنة", "breadcrumb"),
        ("الصفحة الرئيسية › سياسة", "breadcrumb"),
        ("Home / Politics", "breadcrumb"),
        ("اترك تعليق", "comment_prompt"),
        ("اكتب ردا", "comment_prompt"),
    ],
)
def test_furniture_lines(line, rule):
    found = classify_line(line, ctx(lang="ar" if re.search("[\u0600-\u06ff]", line) else "en"))
    assert found is not None and found.name == rule


@pytest.mark.parametrize(
    "line, lang, removed",
    [
        ("Most read", "ar", True),
        ("© 2021 Example News", "ar", True),
        ("تابعونا على تويتر", "en", True),
        # Names and acronyms inside a line of the document's own language stay.
        ("قال رئيس الوزراء إن IHEC ستعلن النتائج خلال أيام", "ar", False),
        ("The commission (المفوضية العليا المستقلة للانتخابات) announced the results.", "en", False),
        ("2021", "ar", False),  # no letters: not a language
    ],
)
def test_lines_in_the_other_language_are_removed(line, lang, removed):
    found = classify_line(line, ctx(lang=lang))
    assert (found is not None and found.name == "other_language") is removed


@pytest.mark.parametrize(
    "line",
    [
        "اولا / ان تجهيزات المعدات والبرامجيات والاجهزة الالكترونية التي تم استخدامها نجحت بشكل كامل.",
        "The office said in a statement received by Shafaq News Agency, that its services succeeded.",
        "Manual sort",
        "The source said the commission will announce the results on 12 May 2018.",
        "Al-Sadr, whose current won 73 seats - in a tweet - stressed that it is not important who wins.",
    ],
)
def test_content_is_kept(line):
    assert classify_line(line, ctx()) is None


def test_everything_after_comments_heading_is_removed():
    assert classify_line("We will not tolerate profanity or threats.", ctx(in_comments=True)).name == "comment_section"


def test_leading_section_label_only_at_start():
    assert classify_line("Iraq", ctx(position=0, kept=0)).name == "section_label"
    assert classify_line("Iraq", ctx(position=4, kept=3)) is None


def test_glued_title_matches_without_apostrophe():
    title = "Standing behind it are political figures.. Al-Kazemi’s office reveals details of a rig attempt"
    raw = (
        "Standing behind it are political figures.. Al-Kazemis office reveals details of a rig attempt"
        "Shafaq News/ The office said more."
    )
    span = find_glued_title(raw, title)
    assert span is not None and raw[span[1] :].startswith("Shafaq News/")
    assert find_glued_title("Something else entirely, with enough words here.", title) is None


def doc(doc_id, lang, text):
    return Document(doc_id, lang, f"{doc_id}.txt", text, "", {})


def test_ids_offsets_and_removals():
    text = (
        "Home / News / Title of the story here\n\nTitle of the story here\n\n2021-09-01 05:57\n\n"
        "Title of the story hereFirst paragraph says a thing. It has two sentences.\n\n"
        "Second paragraph.\n\nSecond paragraph.\n\nLeave a comment\n"
    )
    result = ingest_documents([doc("d", "en", text)])
    kept = {s.id: s for s in result.segments}
    assert list(kept) == ["d:2", "d:4", "d:5"]
    assert kept["d:2"].kind == "title"
    assert kept["d:4"].text == "First paragraph says a thing. It has two sentences."
    for s in result.segments:  # offsets point into the raw file
        assert text[s.start : s.end] == s.text
        assert [x["text"] for x in s.sentences] == [s.text[x["start"] : x["end"]] for x in s.sentences]
    assert len(kept["d:4"].sentences) == 2
    rules = [(r.n, r.rule) for r in result.removed]
    assert rules == [
        (1, "breadcrumb"),
        (3, "timestamp"),
        (4, "glued_headline"),
        (6, "duplicate"),
        (7, "comment_prompt"),
    ]


def test_near_duplicates_across_documents():
    a = "The Iraqi parliamentary elections were held on October 10 and were widely considered the fairest."
    b = "The Iraqi parliamentary elections were held on 10 October and were widely considered the fairest."
    result = ingest_documents([doc("x", "en", a + "\n"), doc("y", "en", b + "\nA different paragraph entirely.\n")])
    assert [s.id for s in result.segments] == ["x:1", "y:2"]
    assert result.removed[0].rule == "near_duplicate" and "x:1" in result.removed[0].reason


def test_corpus_has_no_furniture_or_duplicates(corpus_run):
    segments = [json.loads(l) for l in (corpus_run / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    removed = [json.loads(l) for l in (corpus_run / "removed.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [s["text"] for s in segments]
    assert len(texts) == len(set(s["key"] for s in segments)), "duplicate paragraphs left in"
    joined = "\n".join(texts)
    for furniture in (
        "pic.twitter.com",
        "(@Mu_AlSadr)",
        "Leave a comment",
        "اترك تعليق",
        "Post a comment",
        "Source: Iraqi News Agency",
        "2021-09-01 05:57",
        "moderates all comments",
        "الرئيسية /",
        "electionsShafaq",
    ):
        assert furniture not in joined, furniture
    rudaw = [s for s in segments if s["doc"] == "rudaw"]
    assert len(rudaw) == 11 and sum("duplicate" in r["rule"] for r in removed if r["doc"] == "rudaw") == 9
    shafaq_first = next(s for s in segments if s["doc"] == "shafaq" and s["kind"] == "paragraph")
    assert shafaq_first["text"].startswith("Shafaq News/ The office")
    for s in segments:
        assert {"id", "doc", "lang", "index", "text", "start", "end", "sentences"} <= set(s)
        assert s["id"] == f'{s["doc"]}:{s["n"]}'
    assert {r["rule"] for r in removed} >= {
        "breadcrumb",
        "comment_prompt",
        "repeated_title",
        "timestamp",
        "glued_headline",
        "tweet_link",
        "tweet_attribution",
        "source_line",
        "duplicate",
        "comment_section",
    }
    assert all(r["reason"] for r in removed)
