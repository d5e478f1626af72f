# The README's commands. Each one bootstraps .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: venv test lint typecheck unit local synth bench soak clean

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
	PYTHONPATH=layer/python:lambdas $(PY) -m bench.relay_costs
	PYTHONPATH=layer/python $(PY) -m bench.chatjs_compare
	PYTHONPATH=layer/python $(PY) -m bench.relay_roundtrip
	PYTHONPATH=layer/python:lambdas $(PY) -m bench.flood

# The long run: fuzzing with many examples, then 200 chats x 50 messages through the local stack (figures printed).
soak: venv
	HYPOTHESIS_PROFILE=soak $(VENV)/bin/pytest -q -p no:cacheprovider tests/integration/test_relay_fuzz.py
	PYTHONPATH=layer/python:lambdas $(PY) -m bench.soak

# Synthesizes the CDK app (no AWS credentials, no Docker) into $(CDK_OUT), with the example ids infra/README.md
# shows; offline once .cache/ holds the dependencies layer's pinned wheels (the first run downloads them).
SYNTH_CONTEXT := -c connectInstanceId=11111111-2222-3333-4444-555555555555 -c contactFlowId=66666666-7777-8888-9999-000000000000
CDK_OUT ?= cdk.out
# jsii and the CLI's AWS SDK warn about the running Node release on every call (jsii's banner comes out as
# Python bytes); infra/README.md names the Node versions this project supports, so the synth output stays to the point.
NODE_MAJOR = $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
SYNTH_ENV = JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=$(NODE_MAJOR) JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 \
	JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1 AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
	AWS_EC2_METADATA_DISABLED=true CDK_DISABLE_CLI_TELEMETRY=true

synth: venv
	@test -x node_modules/.bin/cdk || npm ci --no-audit --no-fund --loglevel=error
	@$(SYNTH_ENV) npx cdk synth --no-notices --quiet --output $(CDK_OUT) $(SYNTH_CONTEXT)
	@$(PY) -c 'import json, sys; out = sys.argv[1]; artifacts = json.load(open(out + "/manifest.json"))["artifacts"]; \
	[print("Synthesized " + name + ": " + out + "/" + a["properties"]["templateFile"]) \
	for name, a in artifacts.items() if a["type"] == "aws:cloudformation:stack"]' $(CDK_OUT)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache cdk.out
