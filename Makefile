# `make` sets up .venv and runs the whole pipeline on corpus/ into outputs/; `make test` runs the tests.
# `make help` lists the targets: the first line of the comment above each target, so keep it one line.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
OUT    ?= outputs
GOLD   ?= $(OUT)/gold
SHARED ?= ../shared/data
# The MT model: a hub id or a local folder. Empty: the CLI's own default (Helsinki-NLP/opus-mt-ar-en,
# pipeline/config.py), so `make` and `python -m pipeline run` use one default. `make` fetches it into models/
# at its pinned commit when it is not there (mt-model); where the hub cannot be reached it says so in one
# line and the run continues without MT. MT_MODEL=none skips MT on purpose.
MT_MODEL   ?=
MT_BACKEND ?= transformers
MODELS     ?= $(MT_MODEL)
MT_ARG      = $(if $(MT_MODEL),--mt-model $(MT_MODEL))
RUN_ARGS   ?=
# A vecalign executable (installed apart, see docs/evaluation.md) runs beside the sentence aligner in `make eval`.
VECALIGN   ?=
# Where `make eval` and `make bench` write their tables as Markdown; `make docs` copies them into the docs.
GENERATED  ?= docs/generated

.PHONY: help all setup dictionary distributed lock models mt-model run export eval calibrate bench bench-full \
    bench-scale bench-archive docs screenshot lint test clean

# The default: set up .venv, fetch the MT model where the hub answers, run the pipeline on corpus/ into outputs/.
all: run

# This list: each target with the first line of the comment above it.
help:
	@awk '/^# / { if (!summary) summary = substr($$0, 3); next } \
	  /^[a-z][a-z-]*:/ && summary { split($$0, t, ":"); printf "  make %-12s %s\n", t[1], summary } \
	  /^$$/ { summary = "" }' $(firstword $(MAKEFILE_LIST))

# Create .venv from the hashed lock (no resolution) and install the optional Debian dictionary and WordNet.
setup: $(VENV)/.installed dictionary

# Install the Debian dictionary and English WordNet when root (optional: runs are decided without them).
# The Arabic→English dictionary behind the lexical link feature and the glosses (Debian package; optional:
# without it the aligner says so and uses the link model trained without it), and English WordNet for the
# theme layer's synonyms (pipeline.align.glossary.english_synonyms; optional too). Installed when we are root.
DICTIONARY ?= /usr/share/dictd/freedict-ara-eng.index
WORDNET    ?= /usr/share/wordnet/data.noun
dictionary:
	@test -f $(DICTIONARY) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dict-freedict-ara-eng >/dev/null 2>&1; } \
	  || echo "dictionary: $(DICTIONARY) missing and not installable here (apt-get install dict-freedict-ara-eng): links are decided without it"; }
	@test -f $(WORDNET) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wordnet-base >/dev/null 2>&1; } \
	  || echo "dictionary: $(WORDNET) missing and not installable here (apt-get install wordnet-base): no English synonyms"; }

# .venv itself: the lock installed exactly as listed, torch pinned beside it, the project editable.
# The install never resolves anything: every package is pinned with its sha256 in requirements.lock and
# installed exactly as listed (--no-deps: pip reads no package's own requirements, so a new release on the
# index cannot change what lands; --only-binary: no source build, which would fetch build tools unpinned),
# then `pip check` proves the set complete. torch is the one exception: its wheel differs by machine (the
# CPU build from PyTorch's CPU index, or a local copy of it; PyPI's Linux torch is the CUDA build, gigabytes),
# so it is pinned by version and installed --no-deps too; its own requirements are in the lock.
PIP_LOCKED    = $(BIN)/pip install -q --no-deps --require-hashes --only-binary :all:
TORCH_VERSION ?= 2.13.0
TORCH_INDEX   ?= https://download.pytorch.org/whl/cpu
# The CPU index only where it answers within 3 s: without it, pip would retry it for a minute.
TORCH_INDEX_ARG = $$($(PY) -c "import socket,sys,urllib.parse as u; h=u.urlsplit(sys.argv[1]).hostname; \
    socket.create_connection((h, 443), 3).close(); print('--extra-index-url', sys.argv[1])" $(TORCH_INDEX) 2>/dev/null)
$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP_LOCKED) -r requirements.lock
	$(BIN)/pip install -q --no-deps torch==$(TORCH_VERSION) $(TORCH_INDEX_ARG)
	PYTHONWARNINGS=ignore $(BIN)/pip install -q --no-deps --no-build-isolation -e .  # no setuptools notices
	$(BIN)/pip check
	touch $@

# Install the optional Ray engine (extra [distributed]) from its own lock, the same way, over .venv.
distributed: setup
	$(PIP_LOCKED) -r requirements-distributed.lock
	$(BIN)/pip check

# Regenerate the locks (pinned, hashed) from requirements*.txt (needs network): the only step that resolves.
# Existing pins are kept unless an input asks otherwise (pip-compile --upgrade-package P moves one).
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
    --no-emit-find-links
lock: setup
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt requirements-dev.txt
	$(PIP_COMPILE) -c requirements.lock --output-file requirements-distributed.lock requirements-distributed.txt

# Download MODELS (default MT_MODEL) at their pinned commits into models/, with CTranslate2 conversions.
# Several hub ids are allowed; it needs the network and says so plainly without it.
models: setup
	$(PY) -m pipeline models $(MODELS) --ctranslate2

# Fetch MT_MODEL into models/ only when it is missing (what `make` runs first); offline, one line and go on.
# Its CTranslate2 conversion too when MT_BACKEND=ctranslate2, with progress. The run itself never touches
# the network.
mt-model: setup
	$(PY) -m pipeline models --if-missing $(MT_MODEL) $(if $(filter ctranslate2,$(MT_BACKEND)),--ctranslate2)

# Run the whole pipeline on corpus/ into OUT (outputs/); RUN_ARGS adds flags (`python -m pipeline run --help`).
run: setup mt-model
	$(PY) -m pipeline run --out $(OUT) $(MT_ARG) --mt-backend $(MT_BACKEND) $(RUN_ARGS)

# Re-export OUT from its JSONL without recomputing (after editing alignments.jsonl).
export: setup
	$(PY) -m pipeline export --out $(OUT)

# Every held-out measurement (docs/evaluation.md); the tables go to GENERATED and into the docs.
# Gold sets from SHARED (build-gold), the link suite, the sentence suite (with vecalign when VECALIGN= names
# one) and the theme layer.
eval: setup
	$(PY) -m pipeline build-gold --data $(SHARED) --out $(GOLD)
	$(PY) -m pipeline eval suite --gold $(GOLD) --out $(OUT)/eval --shared $(SHARED) $(MT_ARG) --mt-backend $(MT_BACKEND) \
	    --markdown $(GENERATED)/eval-suite.md --headline $(GENERATED)/eval-headline.md
	$(PY) -m pipeline eval align --sentences --data $(SHARED) --out $(OUT)/eval/sentences $(if $(VECALIGN),--vecalign $(VECALIGN)) \
	    --markdown $(GENERATED)/eval-sentences.md
	$(PY) -m pipeline eval themes --gold $(GOLD) --out $(OUT)/eval/themes --markdown $(GENERATED)/themes.md
	$(PY) scripts/refresh_docs.py

# Re-derive the shipped settings from the tune gold sets (pipeline/align/calibrated.json and the themes').
# Re-derive the shipped settings (weights, thresholds, link models; the theme layer's from the theme runs'
# tune half, pipeline/evaluation/theme_calibrate.py) from the tune gold sets only (with the
# extra draws of the document tune sets that build-gold writes to tune-draws/: gold.TUNE_DRAWS, and the
# corpus-shaped bundles of tune-bundles/: gold.flores_bundles).
TUNE_DRAWS := 2 3 4 5
calibrate: setup
	$(PY) -m pipeline build-gold --data $(SHARED) --out $(GOLD)
	$(PY) -m pipeline calibrate --gold $(GOLD)/flores-articles-tune.gold.tsv $(GOLD)/flores-chunks-tune.gold.tsv \
	  $(GOLD)/flores-related-tune.gold.tsv $(GOLD)/flores-mixed-tune.gold.tsv \
	  $(foreach n,$(TUNE_DRAWS),$(GOLD)/tune-draws/flores-related-tune-draw$(n).gold.tsv $(GOLD)/tune-draws/flores-mixed-tune-draw$(n).gold.tsv) \
	  $(GOLD)/tune-bundles --write pipeline/align/calibrated.json --force
	$(PY) -m pipeline calibrate-themes --gold $(GOLD)/theme-runs-tune --write pipeline/themes/calibrated.json --force

# Time the headline configurations, a few minutes (docs/scale.md); the tables go to GENERATED and the docs.
# MT backends on a random-weight opus-mt-ar-en-shaped model (batch 8, both backends); the whole path, ingest
# and the alignment step (10,000 and 20,000 paragraphs a side, exact search against the inverted file);
# the align stage with theme links on and the theme layer's term relations (10,000 to 40,000 a side);
# sentence alignment.
bench: setup
	$(PY) -m pipeline bench mt --batch-sizes 8 --repeats 3 --json --markdown $(GENERATED)/bench-mt.md
	$(PY) -m pipeline bench align --flores $(SHARED)/flores200_devtest --sizes 10000 20000 --exact-max 20000 --json \
	    --markdown $(GENERATED)/bench-align.md
	$(PY) -m pipeline bench align --flores $(SHARED)/flores200_devtest --parts themes --sizes 10000 20000 40000 --json \
	    --markdown $(GENERATED)/bench-themes.md
	$(PY) -m pipeline bench sentences --flores $(SHARED)/flores200_devtest --sizes 1000 2000 5000 --json \
	    --markdown $(GENERATED)/bench-sentences.md
	$(PY) scripts/refresh_docs.py

# Time every configuration of docs/scale.md's tables (long: up to 320,000 paragraphs a side).
bench-full: setup
	$(PY) -m pipeline bench mt --repeats 3 --json --markdown $(GENERATED)/bench-full-mt.md
	$(PY) -m pipeline bench align --flores $(SHARED)/flores200_devtest --json --dense-max 5000 \
	    --sizes 10000 20000 40000 80000 160000 320000 --exact-max 40000 --ingest-sizes 1000 2000 4000 10000 20000 40000 \
	    --markdown $(GENERATED)/bench-full-align.md
	$(PY) -m pipeline bench sentences --flores $(SHARED)/flores200_devtest --json --markdown $(GENERATED)/bench-full-sentences.md
	$(PY) scripts/refresh_docs.py

# Time the Ray engine's embedding in 1, 2, 4, 8 partitions on a local Ray instance (needs `make distributed`).
# Paragraphs per partition, task CPU seconds, Ray's fixed overhead.
bench-scale: setup
	$(PY) -m pipeline bench scale --flores $(SHARED)/flores200_devtest --partitions 1 2 4 8 --json \
	    --markdown $(GENERATED)/bench-scale.md
	$(PY) scripts/refresh_docs.py

# Time the statement against archives of 1,000 and 3,000 English documents built from FLORES (docs/scale.md).
# ~50 Arabic paragraphs: wall, CPU, peak memory, related P/R/F1 against the planted same-story documents, and
# the share of an exact run's right links at 1,000. Inputs, embedding cache and runs in $(BENCH_ARCHIVE).
BENCH_ARCHIVE ?= .cache/bench-archive
bench-archive: setup
	$(PY) -m pipeline bench archive --data $(SHARED) --sizes 1000 3000 --exact-max 1000 --work $(BENCH_ARCHIVE) --json \
	    --markdown $(GENERATED)/bench-archive.md
	$(PY) scripts/refresh_docs.py

# Copy the generated tables (GENERATED/*.md) into README.md and docs/ between their markers.
docs: setup
	$(PY) scripts/refresh_docs.py

# Run the pipeline on corpus/ and photograph OUT/report.html with headless Chromium into docs/report.png.
# CHROMIUM names the browser (Debian: apt-get install chromium); a throwaway profile, no network services.
CHROMIUM   ?= chromium
SCREENSHOT ?= docs/report.png
screenshot: run
	profile=$$(mktemp -d) && $(CHROMIUM) --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
	    --user-data-dir=$$profile --window-size=1300,1600 --screenshot=$(abspath $(SCREENSHOT)) \
	    file://$(abspath $(OUT))/report.html; status=$$?; rm -rf $$profile; exit $$status

# Lint: ruff check, ruff format --check and mypy, as configured in pyproject.toml.
lint: setup
	$(BIN)/ruff check pipeline tests scripts
	$(BIN)/ruff format --check pipeline tests scripts
	$(BIN)/mypy

# Run the test suite (pytest).
test: setup
	$(BIN)/pytest -q

# Remove the run's outputs, the evaluation runs and the translation cache (.cache).
clean:
	rm -rf $(OUT)/*.jsonl $(OUT)/*.tsv $(OUT)/*.tmx $(OUT)/*.html $(OUT)/parallel.* $(OUT)/manifest.json $(OUT)/gold $(OUT)/eval .cache
