"""Documents in another language than the one they are given as are refused by name, whatever their
script; --no-language-check lets a user who knows better run them. (UDHR articles 1 and 3.)"""

import pytest

from conftest import ROOT, run_cli
from pipeline.errors import PipelineError
from pipeline.ingest.language import wrong_language
from pipeline.run import RunConfig, load_inputs

ENGLISH = ROOT / "corpus" / "raw" / "003_0bc7bc607c2ae275.txt"
ARABIC = ROOT / "corpus" / "raw" / "002_fb358afb9b89a1aa.txt"

TEXTS = {
    "ar": "يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق. وهم قد وهبوا العقل والوجدان وعليهم أن يعامل "
    "بعضهم بعضًا بروح الإخاء.\nلكل فرد الحق في الحياة والحرية وسلامة شخصه.\n",
    "en": "All human beings are born free and equal in dignity and rights. They are endowed with reason and "
    "conscience and should act towards one another in a spirit of brotherhood.\nEveryone has the right to "
    "life, liberty and security of person.\n",
    "fa": "تمام افراد بشر آزاد به دنیا می‌آیند و از لحاظ حیثیت و حقوق با هم برابرند. همه دارای عقل و وجدان "
    "هستند و باید نسبت به یکدیگر با روح برادری رفتار کنند.\nهر کس حق زندگی، آزادی و امنیت شخصی دارد.\n",
    "ur": "تمام انسان آزاد اور حقوق و عزت کے اعتبار سے برابر پیدا ہوئے ہیں۔ انہیں ضمیر اور عقل ودیعت ہوئی ہے۔ "
    "اس لئے انہیں ایک دوسرے کے ساتھ بھائی چارے کا سلوک کرنا چاہئے۔\n"
    "ہر شخص کو اپنی جان، آزادی اور ذاتی تحفظ کا حق ہے۔\n",
    "ckb": "هەموو مرۆڤەکان بە ئازادی و یەکسانی لە ڕێز و مافەکاندا لەدایک دەبن. هەموویان ژیری و هۆشیان پێ "
    "بەخشراوە و دەبێ لەگەڵ یەکتردا بە ڕۆحی برایەتی ڕەفتار بکەن.\n"
    "هەموو کەسێک مافی ژیان و ئازادی و ئاسایشی کەسی خۆی هەیە.\n",
    "fr": "Tous les êtres humains naissent libres et égaux en dignité et en droits. Ils sont doués de raison et "
    "de conscience et doivent agir les uns envers les autres dans un esprit de fraternité.\nTout individu a "
    "droit à la vie, à la liberté et à la sûreté de sa personne.\n",
    "de": "Alle Menschen sind frei und gleich an Würde und Rechten geboren. Sie sind mit Vernunft und Gewissen "
    "begabt und sollen einander im Geist der Brüderlichkeit begegnen.\nJeder hat das Recht auf Leben, "
    "Freiheit und Sicherheit der Person.\n",
}


@pytest.mark.parametrize(
    "text, side, found",
    [
        ("ar", "ar", None),
        ("en", "en", None),
        ("fa", "ar", "Persian (fa"),
        ("ur", "ar", "Urdu (ur"),
        ("ckb", "ar", "Kurdish"),
        ("fr", "en", "French (fr"),
        ("de", "en", "German (de"),
    ],
)
def test_the_language_is_identified_not_the_script(text, side, found):
    result = wrong_language(TEXTS[text], side)
    assert result is None if found is None else found in result, result


def test_a_short_text_is_left_to_the_script_check():
    assert wrong_language("Tout individu a droit à la vie.", "en") is None


def test_the_corpus_documents_are_in_their_languages():
    from pipeline.ingest.corpus import load_manifest, read_entry

    for entry in load_manifest(ROOT / "corpus"):
        assert wrong_language(read_entry(entry).text, entry.lang) is None, entry.path


@pytest.mark.parametrize("text, side", [("fa", "ar"), ("ur", "ar"), ("fr", "en")])
def test_a_document_in_another_language_is_refused_by_name(tmp_path, text, side):
    bad = tmp_path / f"{text}.txt"
    bad.write_text(TEXTS[text], encoding="utf-8")
    files = {"ar": ARABIC, "en": ENGLISH, side: bad}
    result = run_cli("run", "--ar", files["ar"], "--en", files["en"], "--out", tmp_path / "out", "--mt-model", "none")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{bad}: expected {'Arabic' if side == 'ar' else 'English'} text (given as --{side}) but it looks like" in (
        result.stderr
    )
    assert "--no-language-check" in result.stderr and not (tmp_path / "out").exists()


def test_no_language_check_lets_a_user_who_knows_better_run_it(tmp_path):
    persian = tmp_path / "fa.txt"
    persian.write_text(TEXTS["fa"], encoding="utf-8")
    config = RunConfig(ar=[persian], en=[ENGLISH], out=tmp_path / "out")
    with pytest.raises(PipelineError, match="looks like Persian"):
        load_inputs(config)
    config.language_check = False
    assert [d.lang for d in load_inputs(config)] == ["ar", "en"]


def test_random_characters_are_refused_in_words(tmp_path):
    """Random base64 was refused as "reads as zxx", a code that means nothing to a user."""
    import base64
    import random

    junk = tmp_path / "junk.txt"
    rng = random.Random(4)
    junk.write_text(
        "\n".join(base64.b64encode(bytes(rng.randrange(256) for _ in range(57))).decode() for _ in range(200)) + "\n",
        encoding="utf-8",
    )
    result = run_cli("run", "--ar", ARABIC, "--en", junk, "--out", tmp_path / "out", "--mt-model", "none")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "but it looks like no natural language (random characters, code or encoded data)" in result.stderr
    assert "zxx" not in result.stderr
