import pytest

from pipeline.text.sentences import split_sentences
from pipeline.text.normalize import arabic_key, clean_text
from pipeline.text.script import script_ratio


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("a\u200bb", "ab"),  # zero-width space
        ("\u200fمرحبا\u200e", "مرحبا"),  # bidi marks
        ("الانتخـــابات", "الانتخابات"),  # tatweel
        ("Cafe\u0301", "Café"),  # NFC
        ("  two\u00a0 spaces\t", "two spaces"),
        ("كتَبَ", "كتَبَ"),  # diacritics stay in the text
    ],
)
def test_clean_text(raw, cleaned):
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(
    "text, key",
    [
        ("أحمد وإبراهيم وآمنة", "احمد وابراهيم وامنه"),  # alef forms, ta marbuta
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("كَتَبَ", "كتب"),  # diacritics removed
        ("٢٠١٨ و۱۲", "2018 و12"),  # Arabic-Indic and Persian digits
        ("مسؤول وهيئة", "مسوول وهييه"),  # hamza seats
    ],
)
def test_arabic_key(text, key):
    assert arabic_key(text) == key


def test_script_ratio():
    assert script_ratio("مفوضية الانتخابات IHEC")["arabic"] > 0.7
    assert script_ratio("The electoral commission")["latin"] == 1.0
    assert script_ratio("123 456")["letters"] == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("He left. She stayed!", ["He left.", "She stayed!"]),
        (
            "Mr. Smith met Dr. Jones in the U.S. today. Then he left.",
            ["Mr. Smith met Dr. Jones in the U.S. today.", "Then he left."],
        ),
        ("The rate was 3.5 percent. Fine.", ["The rate was 3.5 percent.", "Fine."]),  # no split inside 3.5
        ("هل هذا صحيح؟ نعم هو صحيح.", ["هل هذا صحيح؟", "نعم هو صحيح."]),
        (
            "قال الوزير، إن الخطة جاهزة، وأضاف أنها نجحت.",
            ["قال الوزير، إن الخطة جاهزة، وأضاف أنها نجحت."],
        ),  # no split on ،
        ("(المستقلة)…. ردت المفوضية على الاتهامات.", ["(المستقلة)…. ردت المفوضية على الاتهامات."]),
        ("He said “it is over.” Then he left.", ["He said “it is over.”", "Then he left."]),
    ],
)
def test_split_sentences(text, expected):
    assert [text[s:e] for s, e in split_sentences(text)] == expected
