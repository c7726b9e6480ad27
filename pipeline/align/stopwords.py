"""Function words of each language: words that say nothing about what a paragraph is about (left out of
dictionary matching and glosses)."""

from __future__ import annotations

from pipeline.text.normalize import arabic_key

EN_STOP = set(
    """a an the and or but of to in on at by for from with without as is are was were be been being has have
had do does did this that these those it its he she they them his her their we our you your i me my not no nor so than
then there here which who whom whose what when where why how all any both each few more most other some such only own
same very can will just should would could may might must shall also into over under about after before between
during through up down out off again further once said says say added told according while since until per
mr ms one two three first second new last next via using within among against""".split()
)
AR_STOP = {
    arabic_key(w)
    for w in """في من على إلى الى عن مع أن ان إن أو او و ثم قد لا ما لم لن هذا هذه ذلك تلك التي الذي الذين
هو هي هم كان كانت يكون تم تمت بعد قبل عند حيث كما كل أي اي بين غير لدى لها له لهم ب ل ف ك
وقد وأن وان وإن فقد كذلك أيضا ايضا الآتي خلال علما مع عبر حول ضمن منذ
حتى لكن بل اذا إذا وذلك وهي وهو وكان وكانت ومن وفي وعلى اما إما أما""".split()
}
