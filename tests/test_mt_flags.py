"""``numbers_missing`` without false alarms: a number counts as translated whatever its spelling."""

import pytest

from pipeline.mt.flags import quality_flags, word_number_values


def missing(source: str, translation: str) -> list[str]:
    return [f for f in quality_flags(source, translation) if f.startswith("numbers_missing")]


@pytest.mark.parametrize(
    "source, translation, expected",
    [
        # the same number, spelled differently: no flag
        ("الساعة 12", "at 12.00", []),
        ("الساعة 12.00", "at 12 o'clock", []),
        ("في 12:00 ظهرا", "at 12 noon", []),
        ("عددهم ١٩ شخصا", "nineteen people", []),
        ("قتل 25 شخصا", "twenty-five people were killed", []),
        ("قتل 25 شخصا", "twenty five people were killed", []),
        ("قدم 205 طعون", "two hundred and five appeals were filed", []),
        ("قدم 1500 شكوى", "1,500 complaints", []),
        ("قدم 1٬500 شكوى", "1,500 complaints", []),
        ("بلغت النسبة 3٫75 بالمئة", "the rate reached 3.75 percent", []),
        ("بلغ عدد الناخبين 1500000", "1.5 million voters", []),
        ("في 03/05", "on 3 May", []),
        ("رقم (45) لسنة 2013", "No. 45 of 2013", []),
        # a number really missing or changed: flagged
        ("رقم (45) لسنة 2013", "No. 54 of 2013", ["numbers_missing:45"]),
        ("لسنة 2013", "of 2031", ["numbers_missing:2013"]),
        ("قتل 25 شخصا", "twenty people were killed", ["numbers_missing:25"]),
        ("قتل 19 شخصا", "ninety people were killed", ["numbers_missing:19"]),
        ("الساعة 12.30", "at 12 o'clock", ["numbers_missing:12.3"]),
    ],
)
def test_numbers_missing_only_when_a_number_is_missing(source, translation, expected):
    assert missing(source, translation) == expected


@pytest.mark.parametrize(
    "text, values",
    [
        ("nineteen", {"19"}),
        ("one hundred and twelve voters", {"112"}),
        ("two thousand and eighteen", {"2018"}),
        ("3 thousand", {"3000"}),
        ("twelve or thirteen", {"12", "13"}),
        ("one of them", set()),  # one digit: matches by chance, not counted
        ("the twenty", {"20"}),
    ],
)
def test_spelled_out_numbers(text, values):
    assert word_number_values(text) == values
