# newsscope — run `make help` for the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-dev
SOURCES ?= data/sample
REPORT_DIR ?= reports
# The sample's own options; a report on other SOURCES uses REPORT_OPTS="--title ... --freq ...".
ifeq ($(SOURCES),data/sample)
REPORT_OPTS ?= --title "Sample corpus" --freq M --since 2023-01-01 --tz Asia/Baku \
	--terms measles "election*" pipeline "traffick*"
endif

help: ## Show the targets and what they do
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

venv: $(INSTALLED) ## Create .venv and install newsscope with its dev tools (done on first use)

report: $(INSTALLED) ## Build the versioned HTML report of the sample (SOURCES=... REPORT_OPTS=...)
	$(VENV)/bin/newsscope report $(SOURCES) --out $(REPORT_DIR) $(REPORT_OPTS)

test: $(INSTALLED) ## Run every test: unit, real-corpus, doctests and notebooks (nbval)
	$(PYTHON) -m pytest tests notebooks analysis --doctest-modules \
		--nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

notebooks: $(INSTALLED) ## Re-run every notebook in place (outputs kept, volatile metadata stripped)
	cd notebooks && ../$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
		--ClearMetadataPreprocessor.enabled=True \
		--ClearMetadataPreprocessor.preserve_cell_metadata_mask=tags \
		--ClearMetadataPreprocessor.preserve_cell_metadata_mask=alt \
		--ClearMetadataPreprocessor.preserve_nb_metadata_mask=kernelspec \
		--ClearMetadataPreprocessor.preserve_nb_metadata_mask=language_info *.ipynb

lab: $(INSTALLED) ## Open JupyterLab on notebooks/ with a "newsscope" kernel
	$(PYTHON) -m ipykernel install --user --name newsscope --display-name "newsscope"
	$(VENV)/bin/jupyter lab notebooks/

lint: $(INSTALLED) ## Check style with ruff
	$(VENV)/bin/ruff check analysis tests benchmarks

bench: $(INSTALLED) ## Run every benchmark (slow, ~15 min; record results in benchmarks/RESULTS.md)
	PYTHONPATH=. $(PYTHON) benchmarks/bench_ingest.py --markdown
	PYTHONPATH=. $(PYTHON) benchmarks/textdump_f1.py
	PYTHONPATH=. $(PYTHON) benchmarks/bench_topics.py --markdown
	PYTHONPATH=. $(PYTHON) benchmarks/bench_trends.py --markdown

clean: ## Remove caches and generated reports (keeps .venv)
	rm -rf data/processed/cache .pytest_cache $(REPORT_DIR)/*.html $(REPORT_DIR)/*/.build-*

.PHONY: help venv report test notebooks lab lint bench clean
