"""Furniture rules fire only on furniture: news sentences that share its words are kept.

The sentences kept are FLORES-200 devtest English (../shared/data, not this project's corpus) that talk
about comments, policies, approvals and sources, and news-style sentences of the shapes the rules once
removed; beside them, the furniture each rule must still catch."""

import pytest

from pipeline.ingest.furniture import LineContext, classify_line

OUTSIDE = LineContext(position=5, total=20, in_comment_section=False, previous_kept=3)
INSIDE = LineContext(position=15, total=20, in_comment_section=True, previous_kept=10)


@pytest.mark.parametrize(
    "sentence",
    [
        # the shapes the rules used to delete
        "The electoral commission declined to comment on the new policy, approved by the Federal Supreme Court",
        "Source: the commission said 1,500 complaints were filed",
        "Sources: the ministry rejected the results in three provinces",
        '"We will not comment on the policy until it is approved," the minister said.',
        "Comments by the speaker were rejected by the Kurdish parties.",
        "المصدر: المفوضية قالت إن 1500 شكوى قدمت",
        # FLORES-200 devtest (eng_Latn) lines 46, 291, 132, 88, 54
        'When asked for comment, Miller said, "Mike talks a lot during the hearing...I was getting ready so I '
        "wasn't really hearing what he was saying.\"",
        "Crown Office, which is in overall charge of prosecutions, has indicated to journalists that no further "
        "comment will be made at least until indictment.",
        "She came to this conclusion due to the multitude of positive comments and encouragement sent to her by "
        "both female and male individuals urging that contraception medication be considered a medical necessity.",
        "The community irritation led to current efforts to draft a policy regarding sexual content for the site "
        "which hosts millions of openly-licensed media.",
        "The Report is highly critical of almost every aspect of the present policy of the Executive towards Iraq "
        "and it urges an immediate change of direction.",
    ],
)
def test_news_is_kept(sentence):
    assert classify_line(sentence, OUTSIDE) is None


@pytest.mark.parametrize(
    "line, context, rule",
    [
        ("We moderate all comments according to our community guidelines.", OUTSIDE, "comment_policy"),
        ("Comments are moderated and will be approved before publication.", OUTSIDE, "comment_policy"),
        ("Your comment will be published after it is approved.", OUTSIDE, "comment_policy"),
        ("Comments that do not meet our guidelines will be rejected.", INSIDE, "comment_section"),
        ("Source: Iraqi News Agency", OUTSIDE, "source_line"),
        ("Source: AFP, Reuters", OUTSIDE, "source_line"),
        ("Sources: Ministry of Defence", OUTSIDE, "source_line"),
        ("Via: @IHEC_Iraq", OUTSIDE, "source_line"),
        ("المصدر: وكالات", OUTSIDE, "source_line"),
        ("المصدر: وكالة الأنباء العراقية", OUTSIDE, "source_line"),
    ],
)
def test_furniture_is_still_removed(line, context, rule):
    found = classify_line(line, context)
    assert found is not None and found.name == rule
