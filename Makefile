# Saring — every command a newcomer needs. `make run` and `make test` install what they need.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
EMULATOR_PORT ?= 0
SMTP_PORT ?= 2525
DATA_DIR ?= .local-data
SNAPSHOT_SECONDS ?= 300

.PHONY: verify-evidence run test lint typecheck unit integration e2e infra synth bench soak eval mutate import-claims sync-claims key clean help

help:
	@echo "make run    the local stack: API and public page on 127.0.0.1:$(PORT), SMTP on $(SMTP_PORT) (PORT, SMTP_PORT, EMULATOR_PORT, DATA_DIR, SNAPSHOT_SECONDS)"
	@echo "make test   lint, type-check and run every test suite"
	@echo "make synth  the AWS CloudFormation template in cdk.out (offline; STAGE=dev|prod, MAIL_DOMAIN=…), checked by cdk-nag and cfn-lint"
	@echo "make bench  cold imports, latency, the claim index beside tantivy, freshness, the picture worker, a short soak"
	@echo "make eval   claim matching on the shared fact-checks at 5k and 100k claims, beside plain BM25, and pictures (ARGS=\"--scale 5k --no-pictures\")"
	@echo "make soak   a busy day on the local stack with SIGKILLs and a Ctrl-C: is anything lost, stuck, counted twice?"
	@echo "make mutate apply each listed mutant alone; the tests guarding it must fail (prints the score)"
	@echo "make verify-evidence FILE=package.zip KEY=evidence-key.pem   check a referral's evidence package offline"

# Debian packages: the picture worker's (Tesseract with its Indonesian model, DejaVu fonts for the
# synthetic pictures) and the browser the page tests drive (chromium, chromium-driver); installed
# when missing, which needs root.
DEBIAN_PACKAGES := tesseract-ocr-ind fonts-dejavu-core chromium chromium-driver

$(STAMP): requirements.txt requirements-pictures.txt requirements-dev.txt
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "run as root, or: sudo apt-get install $$missing"; exit 1; fi; \
	fi
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip<26.3"
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip check
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m infra.local --port $(PORT) --emulator-port $(EMULATOR_PORT) \
		--data-dir $(DATA_DIR) --snapshot-seconds $(SNAPSHOT_SECONDS) --smtp-port $(SMTP_PORT)

# Two workers, a test file each at a time (a file's fixtures, like the synthesised stack, are built once).
test: lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

infra: $(STAMP)
	$(BIN)/python -m pytest tests/infra

synth: $(STAMP)
	AWS_REGION=$${AWS_REGION:-ap-southeast-3} $(BIN)/python -m infra.aws --stage $${STAGE:-dev} --out cdk.out \
		$(if $(MAIL_DOMAIN),--mail-domain $(MAIL_DOMAIN))
	$(BIN)/cfn-lint cdk.out/saring-$${STAGE:-dev}.template.json

bench: $(STAMP)
	$(BIN)/python -m bench

# Verify an evidence package offline: FILE=the ZIP, KEY=the PEM from GET /v1/evidence-key (saved once)
verify-evidence: $(STAMP)
	@test -n "$(FILE)" -a -n "$(KEY)" || (echo "usage: make verify-evidence FILE=package.zip KEY=evidence-key.pem"; exit 2)
	$(BIN)/python tools/verify_evidence.py "$(FILE)" "$(KEY)"

import-claims: $(STAMP)
	@test -n "$(FILE)" || (echo "usage: make import-claims FILE=claims.jsonl|.csv|.json [ARGS=--aws]"; exit 2)
	$(BIN)/python -m infra.cli import-claims "$(FILE)" --data-dir $(DATA_DIR) $(ARGS)

sync-claims: $(STAMP)
	$(BIN)/python -m infra.cli sync-claims --data-dir $(DATA_DIR) $(ARGS)

key: $(STAMP)
	@test -n "$(ARGS)" || (echo "usage: make key ARGS='create-key --partner kabar-app --roles partner' | ARGS=list-keys | ARGS='revoke-key key_…'"; exit 2)
	$(BIN)/python -m infra.cli $(ARGS) --data-dir $(DATA_DIR)

soak: $(STAMP)
	$(BIN)/python -m bench.soak $(ARGS)

eval: $(STAMP)
	$(BIN)/python -m bench.eval $(ARGS)

mutate: $(STAMP)
	$(BIN)/python -m bench.mutate $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache cdk.out chalice.out
