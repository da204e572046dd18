# Two commands on a fresh machine: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_DIR := tests/sandbox/node
MCP_NODE_DIR := tests/adapters/node
A11Y_NODE_DIR := tests/server/dashboard/node
HOST ?= 127.0.0.1
PORT ?= 8700
SANDBOX_PORT ?= 8600

.PHONY: run test lint bench node-deps clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd $(NODE_DIR) && npm ci --silent --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the Node client tests will skip"; fi

# The MCP Inspector CLI (tests/adapters/test_mcp_inspector.py); install scripts stay off, the CLI needs none.
$(MCP_NODE_DIR)/node_modules/.installed: $(MCP_NODE_DIR)/package.json $(MCP_NODE_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd $(MCP_NODE_DIR) && npm ci --silent --no-audit --no-fund --ignore-scripts && touch node_modules/.installed; \
	else echo "npm not found: the MCP Inspector test will skip"; fi

$(A11Y_NODE_DIR)/node_modules/.installed: $(A11Y_NODE_DIR)/package.json $(A11Y_NODE_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd $(A11Y_NODE_DIR) && npm ci --silent --no-audit --no-fund --ignore-scripts && touch node_modules/.installed; \
	else echo "npm not found: the dashboard's accessibility check will skip"; fi

node-deps: $(NODE_DIR)/node_modules/.installed $(MCP_NODE_DIR)/node_modules/.installed $(A11Y_NODE_DIR)/node_modules/.installed

# The service with the sandbox CRMs beside it, a demo tenant and key, both integrations wired (prints what to curl).
run: $(STAMP)
	$(BIN)/crmbridge serve --demo --host $(HOST) --port $(PORT) --sandbox-port $(SANDBOX_PORT)

test: $(STAMP) node-deps
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench.sandbox_latency
	$(BIN)/python -m bench.cold_start
	$(BIN)/python -m bench.tool_calls
	$(BIN)/python -m bench.duplicates
	$(BIN)/python -m bench.service
	$(BIN)/python -m bench.mcp_calls
	$(BIN)/python -m bench.interactions

clean:
	rm -rf $(VENV) $(NODE_DIR)/node_modules $(MCP_NODE_DIR)/node_modules $(A11Y_NODE_DIR)/node_modules
