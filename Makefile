# The README's commands. Each one bootstraps .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: venv test lint typecheck unit local synth bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

test: lint typecheck
	$(VENV)/bin/pytest -q

unit: venv
	$(VENV)/bin/pytest -q tests/unit

local: venv
	$(PY) -m local

# Benchmarks: measured and printed, never asserted.
bench: venv
	PYTHONPATH=layer/python $(PY) -m bench.protocol_core
	PYTHONPATH=layer/python $(PY) -m bench.chatjs_compare
	PYTHONPATH=layer/python $(PY) -m bench.relay_roundtrip

# Synthesizes the CDK app offline (no AWS credentials, no Docker) with the README's example ids.
SYNTH_CONTEXT := -c connectInstanceId=11111111-2222-3333-4444-555555555555 -c contactFlowId=66666666-7777-8888-9999-000000000000

synth: venv
	test -x node_modules/.bin/cdk || npm ci --no-audit --no-fund --loglevel=error
	AWS_EC2_METADATA_DISABLED=true CDK_DISABLE_CLI_TELEMETRY=true npx cdk synth --no-notices --quiet $(SYNTH_CONTEXT)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache cdk.out
