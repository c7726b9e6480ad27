"""Rules that recognise page furniture in web captures: a reader can see each rule and add more.

Two kinds of rule:
- a ``LineRule`` decides that a whole paragraph is furniture (a breadcrumb, a comment prompt, ...);
- a ``TrimRule`` cuts furniture off a paragraph and keeps the rest (a headline glued to the text, a
  trailing photo credit).
Rules match shapes (separators, URL forms, date forms, phrase families), never the exact strings of
one corpus. Each removal is kept, with the rule's reason, in ``removed.jsonl``.
Duplicates and repeated titles depend on other paragraphs and are handled in :mod:`pipeline.ingest.stage`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from pipeline.text.normalize import arabic_key
from pipeline.text.script import script_ratio


@dataclass(frozen=True)
class LineContext:
    """What a line rule may look at besides the paragraph's own (cleaned) text."""

    position: int  # 0-based among the document's non-empty lines
    total: int  # number of non-empty lines in the document
    in_comment_section: bool
    previous_kept: int  # how many paragraphs of this document were kept before this one
    lang: str = ""  # the document's language ("ar", "en"), for the other-language rule


@dataclass(frozen=True)
class LineRule:
    name: str
    reason: str
    matches: Callable[[str, LineContext], bool]


@dataclass(frozen=True)
class TrimRule:
    """``find(raw_line, title)`` returns the (start, end) span to cut from the raw line, or None."""

    name: str
    reason: str
    find: Callable[[str, str | None], tuple[int, int] | None]


_SENTENCE_END = ".!?؟…:"
_URL = r"(?:https?://|www\.)\S+|(?:pic\.twitter\.com|twitter\.com|x\.com|t\.co|bit\.ly)/\S*"
_TWEET_HOSTS = re.compile(r"(?:pic\.)?twitter\.com|(?:^|//|www\.)x\.com|t\.co/", re.I)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_TIMESTAMP_RE = re.compile(
    rf"""(?ix)
    (?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}
       |(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}})?
    \s*[,|-]?\s*
    (?:\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s*(?:[ap]\.?m\.?)?)?"""
)
_DIGIT = re.compile(r"\d")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_BREADCRUMB_SEPARATOR = re.compile(r"\s(?:/|›|»|>|\||::)\s")
# The root a breadcrumb starts from ("Home / News"), on the matching key: one separator is enough after it.
_BREADCRUMB_ROOT = re.compile(r"(?:الرييسيه|الصفحه الرييسيه|home|homepage|home page)\s(?:/|›|»|>|\||::)\s", re.I)
# Comment prompts and comment-section headings, in English and Arabic (matched on the matching key, so
# tanwin, hamza and alef spellings do not matter).
_COMMENT_PROMPT_RE = re.compile(
    r"(?:leave|post|add|write|submit)\s+(?:a|your)\s+(?:comment|reply)|comments?(?:\s*\(\d+\))?|"
    r"(?:\d+\s+)?comments|(?:اترك|اضف|اكتب)\s+(?:تعليقا?|ردا?)|التعليقات|تعليقات|شارك برايك",
    re.I,
)
_COMMENT_HEADING_RE = re.compile(r"comments?(?:\s*\(\d+\))?|التعليقات|تعليقات", re.I)
_COMMENT_POLICY_RE = re.compile(
    r"\bcomments?\b.*\b(?:moderat\w*|guidelines?|approv\w*|reject\w*|publication|policy|edited)\b", re.I
)
_TWEET_ATTRIBUTION_RE = re.compile(
    rf"[-—–]\s*[^()]{{1,80}}\(@\w{{1,30}}\)\s+(?:(?:{_MONTHS})\s+\d{{1,2}},\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}})",
    re.I,
)
_SOURCE_LINE_RE = re.compile(r"(?:sources?|via|المصدر|مصدر)\s*[:：/]\s*(.{1,100})", re.I)
# Comment-policy text outside a comment section must speak as the site ("we moderate", "your comment",
# "Comments are ...") and not be reported speech: a news sentence on a court's comment on a policy is news.
_SITE_VOICE_RE = re.compile(
    r"\b(?:we|our|us|you|your)\b|^(?:all\s+|reader\s+|user\s+)?comments?\s+(?:are|is|will|must|may|should|that|which|"
    r"posted|submitted|containing)\b",
    re.I,
)
_REPORTED_SPEECH_RE = re.compile(r"[\"“”«»]|\b(?:said|says|told|stated|declined|announced)\b", re.I)
# Words a name-like attribution may have in lower case ("Ministry of Defence", "al-Sumaria").
_NAME_CONNECTORS = {"of", "the", "and", "for", "in", "on", "at", "via", "de", "du", "al", "el", "bin", "ibn", "&"}
_PHOTO_CREDIT_RE = re.compile(
    r"(?<=[.!?)])\s*(?:photo|photograph|image|picture)(?:\s+credit)?\s*:\s*[^.!?]{1,80}$", re.I
)


def _is_breadcrumb(text: str, ctx: LineContext) -> bool:
    if len(text) > 250 or text[-1] in _SENTENCE_END:
        return False
    return len(_BREADCRUMB_SEPARATOR.findall(text)) >= 2 or _BREADCRUMB_ROOT.match(arabic_key(text)) is not None


def _is_other_language(text: str, ctx: LineContext) -> bool:
    # Most of its letters in the other language's script: "Most read" or "© 2021 Example News" inside an
    # Arabic page, an Arabic line inside an English one (names and acronyms inside a line do not count).
    if ctx.lang not in ("ar", "en") or not (_LATIN if ctx.lang == "ar" else _ARABIC).search(text):
        return False  # no letter of the other script at all (most lines): nothing to count
    ratio = script_ratio(text)
    own = ratio["arabic"] if ctx.lang == "ar" else ratio["latin"]
    other = ratio["latin"] if ctx.lang == "ar" else ratio["arabic"]
    return ratio["letters"] > 0 and own < 0.5 and other > 0


def _is_bare_link(text: str, ctx: LineContext) -> bool:
    return re.fullmatch(rf"(?:{_URL})(?:\s+(?:{_URL}))*", text, re.I) is not None and not _TWEET_HOSTS.search(text)


def _is_tweet_link(text: str, ctx: LineContext) -> bool:
    return re.fullmatch(rf"(?:{_URL})(?:\s+(?:{_URL}))*", text, re.I) is not None and bool(_TWEET_HOSTS.search(text))


def _is_timestamp(text: str, ctx: LineContext) -> bool:
    return len(text) <= 60 and _DIGIT.search(text) is not None and _TIMESTAMP_RE.fullmatch(text.strip()) is not None


def _is_comment_prompt(text: str, ctx: LineContext) -> bool:
    return len(text) <= 60 and _COMMENT_PROMPT_RE.fullmatch(arabic_key(text).strip(" .:!")) is not None


def _is_comment_section(text: str, ctx: LineContext) -> bool:
    return ctx.in_comment_section


def _is_comment_policy(text: str, ctx: LineContext) -> bool:
    if _COMMENT_POLICY_RE.search(text) is None:
        return False
    return ctx.in_comment_section or (
        _SITE_VOICE_RE.search(text) is not None and _REPORTED_SPEECH_RE.search(text) is None
    )


def _is_bare_attribution(name: str) -> bool:
    """A source's name ("Iraqi News Agency", "AFP, Reuters", "وكالات"), not a sentence that starts
    with "Source:": short, no digits, and in Latin script every word capitalised but connectors."""
    words = re.findall(r"[^\s,;/()|]+", name.rstrip(". "))
    if not words or len(words) > 6 or any(ch.isdigit() for ch in name) or name.rstrip()[-1:] in "!?؟:":
        return False
    for word in words:
        bare = word.strip("-'’.")
        if bare[:1].isascii() and bare[:1].islower() and bare.split("-")[0].lower() not in _NAME_CONNECTORS:
            return False
    return True


def _is_source_line(text: str, ctx: LineContext) -> bool:
    match = _SOURCE_LINE_RE.fullmatch(text)
    return match is not None and _is_bare_attribution(match.group(1))


def _is_leading_section_label(text: str, ctx: LineContext) -> bool:
    # A one- or two-word line before any kept text is a section label ("Iraq", "Politics"), not prose.
    return (
        ctx.previous_kept == 0
        and ctx.position + 1 < ctx.total
        and len(text.split()) <= 2
        and not any(ch.isdigit() for ch in text)
        and text[-1] not in _SENTENCE_END
    )


LINE_RULES: list[LineRule] = [
    LineRule("comment_section", "comment section (everything after a 'Comments' heading)", _is_comment_section),
    LineRule(
        "breadcrumb",
        "breadcrumb navigation (two or more ' / ' or '›' separators, or one after 'Home', no sentence end)",
        _is_breadcrumb,
    ),
    LineRule(
        "other_language",
        "a line in the other language (most of its letters in the other script: a site's English menu "
        "or footer inside an Arabic page)",
        _is_other_language,
    ),
    LineRule("tweet_link", "tweet link (a line that is only a twitter/x.com URL)", _is_tweet_link),
    LineRule("bare_link", "bare link (a line that is only URLs)", _is_bare_link),
    LineRule(
        "tweet_attribution",
        "tweet attribution ('- Name (@handle) Month D, YYYY')",
        lambda text, ctx: _TWEET_ATTRIBUTION_RE.fullmatch(text) is not None,
    ),
    LineRule("timestamp", "bare timestamp (a line that is only a date and/or time)", _is_timestamp),
    LineRule(
        "comment_prompt", "comment prompt ('leave a comment', 'اترك تعليقاً', 'Post a comment')", _is_comment_prompt
    ),
    LineRule("comment_policy", "comment-policy text (comments and moderation/guidelines)", _is_comment_policy),
    LineRule("source_line", "'Source: …' line", _is_source_line),
    LineRule(
        "section_label", "leading section label (one or two words before the text starts)", _is_leading_section_label
    ),
]


def starts_comment_section(text: str) -> bool:
    """A heading such as 'Comments' opens the page's comment section: what follows it is not the article."""
    return _COMMENT_HEADING_RE.fullmatch(arabic_key(text).strip(" .:")) is not None


def _alnum_key(ch: str) -> str:
    return arabic_key(ch) if ch.isalnum() else ""


def find_glued_title(raw: str, title: str | None) -> tuple[int, int] | None:
    """The span of ``title`` at the start of ``raw`` when more text follows it with no paragraph break.

    Letters and digits are compared on the matching key and punctuation is ignored, so a capture that
    dropped an apostrophe ("Al-Kazemis office") still matches its title ("Al-Kazemi’s office").
    """
    if not title:
        return None
    wanted = "".join(_alnum_key(ch) for ch in title)
    if len(wanted) < 12:
        return None
    got, pos = 0, 0
    while pos < len(raw) and got < len(wanted):
        key = _alnum_key(raw[pos])
        if key:
            if wanted.startswith(key, got):
                got += len(key)
            else:
                return None
        pos += 1
    rest = raw[pos:]
    if got < len(wanted) or len(rest.split()) < 3:
        return None
    return (0, pos)


def find_photo_credit(raw: str, title: str | None) -> tuple[int, int] | None:
    match = _PHOTO_CREDIT_RE.search(raw)
    return (match.start(), len(raw)) if match else None


TRIM_RULES: list[TrimRule] = [
    TrimRule(
        "glued_headline", "headline glued to the first paragraph (title text run into the body)", find_glued_title
    ),
    TrimRule("photo_credit", "photo credit at the end of a caption ('Photo: …')", find_photo_credit),
]


def classify_line(text: str, ctx: LineContext) -> LineRule | None:
    """The first line rule that marks ``text`` as furniture, or None when it is content."""
    for rule in LINE_RULES:
        if rule.matches(text, ctx):
            return rule
    return None
