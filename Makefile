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

.PHONY: all setup models run translate align export eval bench bench-full test clean
all: run

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

# Downloads MODELS (default MT_MODEL; several hub ids allowed) at their pinned revisions into models/ and converts it for CTranslate2 (needs network;
# says so plainly without it). `make` itself never downloads anything.
models: setup
	$(PY) -m pipeline models $(MODELS) --ctranslate2

run: setup
	$(PY) -m pipeline run --out $(OUT) --mt-model $(MT_MODEL) --mt-backend $(MT_BACKEND) $(RUN_ARGS)

# The stages share one run (each reads the corpus); translate and align write the same outputs as run.
translate: run
align: run

export: setup
	$(PY) -m pipeline export --out $(OUT)

eval: setup
	$(PY) -m pipeline build-gold --data $(SHARED) --out $(GOLD)
	$(PY) -m pipeline.evaluation.suite --gold $(GOLD) --out $(OUT)/eval --shared $(SHARED) --mt-model $(MT_MODEL) --mt-backend $(MT_BACKEND)

# Speed: MT backends on a random-weight opus-mt-ar-en-shaped model; alignment time and how it grows.
bench: setup
	$(PY) -m pipeline bench-mt --repeats 3 --json
	$(PY) -m pipeline bench-align --flores $(SHARED)/flores200_devtest --json

# The same, with the alignment step alone up to 320,000 paragraphs a side and ingest up to 40,000 (long).
bench-full: setup
	$(PY) -m pipeline bench-align --flores $(SHARED)/flores200_devtest --json \
	    --sizes 10000 20000 40000 80000 160000 320000 --exact-max 40000 --ingest-sizes 1000 2000 4000 10000 20000 40000

test: setup
	$(BIN)/pytest -q

clean:
	rm -rf $(OUT)/*.jsonl $(OUT)/*.tsv $(OUT)/*.tmx $(OUT)/*.html $(OUT)/parallel.* $(OUT)/manifest.json $(OUT)/gold $(OUT)/eval .cache
