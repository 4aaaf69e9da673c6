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

# The exact versions (with sha256 hashes) behind the committed notebook outputs: base + dev.
# pyproject.toml keeps the loose ranges, so `pip install -e ".[dev]"` still works without it.
LOCK := requirements/dev.txt
# The other lock files, each layered on $(LOCK): pip install --require-hashes -r $(LOCK) -r FILE
EXTRA_LOCKS := embeddings scale bench
# What the locks target; `make lock` resolves for it, whatever machine it runs on.
LOCK_PYTHON ?= 3.11.7
LOCK_PLATFORM ?= x86_64-manylinux_2_28
# Where the CPU build of torch lies on this kind of machine (see requirements/constraints.in).
TORCH_WHEELS ?= /opt/wheels
UV_VERSION ?= 0.13.9
# uv goes beside the venv's packages, not among them, so .venv holds exactly the lock.
UV := $(VENV)/lock-tools/bin/uv

# The scale extra (dask.distributed) comes too: `make test` runs reports on real Dask clusters.
DEV_LOCKS := $(LOCK) requirements/scale.txt

$(INSTALLED): $(DEV_LOCKS) pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet --require-hashes $(addprefix -r ,$(DEV_LOCKS))
	$(PYTHON) -m pip install --quiet --no-deps -e .
	$(PYTHON) -m pip check || { echo "$(LOCK) no longer fits pyproject.toml: run make lock"; exit 1; }
	touch $(INSTALLED)

venv: $(INSTALLED) ## Create .venv and install newsscope with its dev tools (done on first use)

# --upgrade only with UPGRADE=1: otherwise uv keeps the pins already in a lock file wherever
# pyproject.toml still allows them.
LOCK_FLAGS = --generate-hashes --python-version $(LOCK_PYTHON) --python-platform $(LOCK_PLATFORM) \
	--find-links $(TORCH_WHEELS) -c requirements/constraints.in \
	--custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade)
LOCK_TARGET = CPython $(LOCK_PYTHON) (3.11), Linux x86_64 ($(LOCK_PLATFORM))

lock: ## Re-resolve requirements/*.txt from pyproject.toml (UPGRADE=1: newest allowed versions)
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(UV) --version 2>/dev/null | grep -qE '^uv $(UV_VERSION)( |$$)' || $(PYTHON) -m pip install \
		--quiet --upgrade --target $(VENV)/lock-tools "uv==$(UV_VERSION)"
	$(UV) pip compile pyproject.toml --extra dev $(LOCK_FLAGS) -o $(LOCK)
	{ echo "# Locked for $(LOCK_TARGET): base + dev."; \
	  echo "# Installed by make venv; refreshed by make lock (see README)."; \
	  cat $(LOCK); } > $(LOCK).new && mv $(LOCK).new $(LOCK)
	for extra in $(EXTRA_LOCKS); do \
		out=requirements/$$extra.txt; \
		$(UV) pip compile pyproject.toml --extra dev --extra $$extra -c $(LOCK) $(LOCK_FLAGS) \
			$$(sed -n 's/^\([A-Za-z0-9._-]*\)==.*/--no-emit-package \1/p' $(LOCK)) -o $$out \
			|| exit 1; \
		{ echo "# Locked for $(LOCK_TARGET): what .[$$extra] adds to $(LOCK), at its pins"; \
		  echo "# (the packages of $(LOCK) are left out). Install both, with pip:"; \
		  echo "# pip install --require-hashes -r $(LOCK) -r $$out && pip install --no-deps -e ."; \
		  sed '/^# The following packages were excluded from the output:/,$$d' $$out; \
		  grep -q '^[A-Za-z]' $$out || echo "# Nothing: all of .[$$extra] is in $(LOCK) already."; \
		} > $$out.new && mv $$out.new $$out; \
	done
	@echo "Locks refreshed: run make notebooks and make test, then commit requirements/ and notebooks/."

report: $(INSTALLED) ## Build the versioned HTML report of the sample (SOURCES=... REPORT_OPTS=...)
	$(VENV)/bin/newsscope report $(SOURCES) --out $(REPORT_DIR) $(REPORT_OPTS)

test: $(INSTALLED) ## Run every test: unit, real-corpus, doctests and notebooks (nbval)
	$(PYTHON) -m pytest tests notebooks analysis --doctest-modules \
		--nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

# The notebooks' kernel is the venv's own "python3" (ipykernel's kernelspec in .venv/share/jupyter):
# the environment's kernels come before ~/.local ones, so no other Python runs them.
JUPYTER := JUPYTER_PREFER_ENV_PATH=1 $(VENV)/bin/jupyter
# When JupyterLab opens a notebook it writes its kernel's kernelspec (name, display_name,
# language) and language_info into the metadata. nbconvert writes language_info only; this
# writes the kernelspec the same way, so opening a committed notebook leaves it unmodified.
define WRITE_KERNELSPEC
import sys, nbformat
from jupyter_client.kernelspec import KernelSpecManager
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    name = nb.metadata.get("kernelspec", {}).get("name", "python3")
    spec = KernelSpecManager().get_kernel_spec(name)
    nb.metadata["kernelspec"] = {"name": name, "display_name": spec.display_name,
                                 "language": spec.language}
    nbformat.write(nb, path)
endef
export WRITE_KERNELSPEC

notebooks: $(INSTALLED) ## Re-run every notebook in place (outputs kept, volatile metadata stripped)
	cd notebooks && JUPYTER_PREFER_ENV_PATH=1 ../$(VENV)/bin/jupyter nbconvert --to notebook \
		--execute --inplace \
		--ClearMetadataPreprocessor.enabled=True \
		--ClearMetadataPreprocessor.preserve_cell_metadata_mask=tags \
		--ClearMetadataPreprocessor.preserve_cell_metadata_mask=alt \
		--ClearMetadataPreprocessor.preserve_nb_metadata_mask=kernelspec \
		--ClearMetadataPreprocessor.preserve_nb_metadata_mask=language_info *.ipynb
	JUPYTER_PREFER_ENV_PATH=1 $(PYTHON) -c "$$WRITE_KERNELSPEC" notebooks/*.ipynb

lab: $(INSTALLED) ## Open JupyterLab at the repository root (notebooks/, reports/) on the venv's kernel
	$(JUPYTER) lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks

lint: $(INSTALLED) ## Check style with ruff
	$(VENV)/bin/ruff check analysis tests benchmarks

bench: $(INSTALLED) ## Run every benchmark (slow, ~15 min; record results in benchmarks/RESULTS.md)
	PYTHONPATH=. $(PYTHON) benchmarks/bench_ingest.py --markdown
	PYTHONPATH=. $(PYTHON) benchmarks/textdump_f1.py
	PYTHONPATH=. $(PYTHON) benchmarks/bench_topics.py --markdown
	PYTHONPATH=. $(PYTHON) benchmarks/bench_trends.py --markdown
	PYTHONPATH=. $(PYTHON) benchmarks/bench_kauto.py --markdown
	PYTHONPATH=. $(PYTHON) benchmarks/bench_short_texts.py --markdown

clean: ## Remove caches and generated reports (keeps .venv)
	rm -rf data/processed/cache .pytest_cache $(REPORT_DIR)/*.html $(REPORT_DIR)/*/.build-*

.PHONY: help venv lock report test notebooks lab lint bench clean
