# Every set-up step lives here: a fresh clone needs only Python 3.11+, pip and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL ?= selfie_segmentation
STAMP := $(VENV)/.installed
DEFAULT_MODEL := models/selfie_segmentation.onnx
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: install model goldens test test-unit demo serve lint bench build deploy apikey clean

$(STAMP): requirements-dev.txt layers/common/requirements.txt layers/common/pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
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

clean:
	rm -rf $(VENV) .venv-* out .aws-sam models/*.onnx
