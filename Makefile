# `make` sets up .venv and runs the whole pipeline on corpus/ into outputs/; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
OUT    ?= outputs
GOLD   ?= $(OUT)/gold
SHARED ?= ../shared/data
# The MT model: a hub id or a local folder. When it is not in models/ (no network here), the run says so
# and continues without MT; MT_MODEL=none skips MT on purpose.
MT_MODEL   ?= Helsinki-NLP/opus-mt-ar-en
MT_BACKEND ?= transformers
MODELS     ?= $(MT_MODEL)
RUN_ARGS   ?=

.PHONY: all setup lock models run export eval bench bench-full lint test clean
all: run

setup: $(VENV)/.installed

# torch first, on its own: the CPU build (the PyPI default pulls CUDA packages), so it is not in the lock.
# Everything else comes from requirements.lock, hash-checked.
$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

# Regenerates requirements.lock (pinned, hashed) from requirements.txt and requirements-dev.txt (needs network).
lock: setup
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --no-strip-extras --no-emit-index-url \
	    --no-emit-find-links --output-file requirements.lock requirements.txt requirements-dev.txt

# Downloads MODELS (default MT_MODEL; several hub ids allowed) at their pinned revisions into models/ and converts it for CTranslate2 (needs network;
# says so plainly without it). `make` itself never downloads anything.
models: setup
	$(PY) -m pipeline models $(MODELS) --ctranslate2

run: setup
	$(PY) -m pipeline run --out $(OUT) --mt-model $(MT_MODEL) --mt-backend $(MT_BACKEND) $(RUN_ARGS)

export: setup
	$(PY) -m pipeline export --out $(OUT)

eval: setup
	$(PY) -m pipeline build-gold --data $(SHARED) --out $(GOLD)
	$(PY) -m pipeline eval suite --gold $(GOLD) --out $(OUT)/eval --shared $(SHARED) --mt-model $(MT_MODEL) --mt-backend $(MT_BACKEND)

# Speed: MT backends on a random-weight opus-mt-ar-en-shaped model; alignment time and how it grows.
bench: setup
	$(PY) -m pipeline bench mt --repeats 3 --json
	$(PY) -m pipeline bench align --flores $(SHARED)/flores200_devtest --json

lint: setup
	$(BIN)/ruff check pipeline tests scripts
	$(BIN)/ruff format --check pipeline tests scripts
	$(BIN)/mypy

# The same, with the alignment step alone up to 320,000 paragraphs a side and ingest up to 40,000 (long).
bench-full: setup
	$(PY) -m pipeline bench align --flores $(SHARED)/flores200_devtest --json \
	    --sizes 10000 20000 40000 80000 160000 320000 --exact-max 40000 --ingest-sizes 1000 2000 4000 10000 20000 40000

test: setup
	$(BIN)/pytest -q

clean:
	rm -rf $(OUT)/*.jsonl $(OUT)/*.tsv $(OUT)/*.tmx $(OUT)/*.html $(OUT)/parallel.* $(OUT)/manifest.json $(OUT)/gold $(OUT)/eval .cache
