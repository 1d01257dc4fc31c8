# Two entry points: `make demo` plays out the built-in Ukraine-style scenario and
# writes its report; `make test` lints and runs the whole test suite.
# Both create the virtual environment in .venv on first use.
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean chromium

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || (echo "no Python >= 3.12 found" >&2; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ip4sim run ukraine_response --rule caucus --seed 7 --out runs/demo

# The browser test drives the operating system's Chromium (never a downloaded browser).
chromium:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update && apt-get install -y chromium chromium-driver)

test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.runs
	$(BIN)/python -m benchmarks.publics
	$(BIN)/python -m benchmarks.hotspots
	$(BIN)/python -m benchmarks.growth
	$(BIN)/python -m benchmarks.cli

clean:
	rm -rf $(VENV) runs
