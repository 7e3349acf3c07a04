# StudySprint. `make run` serves on :8080; `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PG_ADMIN_URL      ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
TEST_DATABASE_URL ?= $(PG_ADMIN_URL)
VET_DATABASE_URL  ?= postgres://postgres@127.0.0.1:5432/studysprint_vet?sslmode=disable
SCHEMA_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/studysprint_schema?sslmode=disable

# sqlc is pinned here and built from its own module (its go.mod, not ours:
# as a tool of our module it got our newer ncruces/go-sqlite3 and printed a
# deprecation line on every run). It always runs with its wasm parser, so no
# C toolchain is needed and `sqlc diff` is stable.
SQLC_VERSION := v1.31.1
SQLC    := CGO_ENABLED=0 go run github.com/sqlc-dev/sqlc/cmd/sqlc@$(SQLC_VERSION)
BIN     := bin/studysprint
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

export TEST_DATABASE_URL

.PHONY: all run build test test-short bench loadtest loadtest-short eval-estimates fuzz generate sqlc-diff sqlc-vet lint fmt vet migrate seed schema schema-check ci clean

all: build

## build: compile bin/studysprint
build:
	CGO_ENABLED=0 go build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/studysprint

## run: build, create and migrate the database if needed, serve on :8080 (reads .env if present)
run: build
	set -a; if [ -f .env ]; then . ./.env; fi; set +a; exec ./$(BIN) serve

## test: the full test suite against the local PostgreSQL, race detector on
test:
	go test -race -count=1 -timeout 15m ./...

## test-short: the suite without the slow tests
test-short:
	go test -short -count=1 ./...

## bench: the Go benchmarks (results go to BENCHMARKS.md)
bench:
	go test -run '^$$' -bench . -benchmem -count=1 -timeout 30m ./...

## loadtest: the whole service under load beside a floor server (about 7 minutes): a fresh database
## (LOADTEST_DB, dropped and recreated), seeded; bin/studysprint and the floor as child processes on
## loopback; prints a table and rewrites the loadtest section of BENCHMARKS.md
## (LOADTEST_FLAGS: -duration 20s -clients 16 -scenarios me,floor-me -server-env BCRYPT_CONCURRENCY=2 ...; bin/loadtest -h)
LOADTEST_FLAGS ?=
LOADTEST_DB    ?= studysprint_loadtest
loadtest: build
	go build -o bin/loadtest ./cmd/loadtest
	./bin/loadtest -server $(BIN) -admin-url '$(PG_ADMIN_URL)' -db '$(LOADTEST_DB)' -benchmarks BENCHMARKS.md \
	  -command "make loadtest$(if $(LOADTEST_FLAGS), LOADTEST_FLAGS='$(LOADTEST_FLAGS)')" $(LOADTEST_FLAGS)

## loadtest-short: the same harness for a few seconds per scenario on a tiny seed (CI: does it work?); judges nothing, writes nothing
loadtest-short: build
	go build -o bin/loadtest ./cmd/loadtest
	./bin/loadtest -short -server $(BIN) -admin-url '$(PG_ADMIN_URL)' -db '$(LOADTEST_DB)_short' $(LOADTEST_FLAGS)

## eval-estimates: the time-to-finish estimator on generated reading logs fed through the real timer into a test database (EVAL_FLAGS: -eval.seed 3 -eval.students 20 -eval.pdfs 8 -eval.oracle 40 (0: no oracle) -eval.analysis -eval.ablation -eval.effects -eval.without LIST -eval.pipeline reference)
EVAL_FLAGS ?=
eval-estimates:
	go test -count=1 -timeout 60m -run '^TestFullEvaluation$$' -v ./internal/estimate/eval/ -args -eval.run $(EVAL_FLAGS)

## fuzz: run every fuzz target for FUZZTIME each (minimisation off: it stalls on 2 cores)
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$(go list ./...); do \
	  for f in $$(go test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 0 $$pkg || exit 1; \
	  done; \
	done

## generate: regenerate dbgen/ from sql/ with sqlc
generate:
	$(SQLC) generate
	UPDATE_OPENAPI_JSON=1 go test -count=1 -run '^TestOpenAPIJSONFresh$$' ./api/ >/dev/null

## sqlc-diff: fail when dbgen/ is stale
sqlc-diff:
	$(SQLC) diff

## sqlc-vet: prepare every query against a freshly migrated database and apply our rules
sqlc-vet: build
	psql -q -v ON_ERROR_STOP=1 '$(PG_ADMIN_URL)' -c 'DROP DATABASE IF EXISTS studysprint_vet WITH (FORCE)' 2>/dev/null
	DATABASE_URL='$(VET_DATABASE_URL)' ./$(BIN) migrate up >/dev/null
	SQLC_DATABASE_URL='$(VET_DATABASE_URL)' $(SQLC) vet

## migrate: create the database if needed and apply pending migrations
migrate: build
	set -a; if [ -f .env ]; then . ./.env; fi; set +a; ./$(BIN) migrate up

## seed: migrate DATABASE_URL and fill it with USERS users and DAYS days of generated study history (SEED_FLAGS: --user-prefix demo --seed 2 --until 2026-12-01 ...)
USERS      ?= 10
DAYS       ?= 90
SEED_FLAGS ?=
seed: build
	set -a; if [ -f .env ]; then . ./.env; fi; set +a; ./$(BIN) migrate up >/dev/null && ./$(BIN) seed --users $(USERS) --days $(DAYS) $(SEED_FLAGS)

## schema: rewrite sql/schema.sql from a scratch database migrated from zero (needs pg_dump)
schema: build
	psql -q -v ON_ERROR_STOP=1 '$(PG_ADMIN_URL)' -c 'DROP DATABASE IF EXISTS studysprint_schema WITH (FORCE)' -c 'CREATE DATABASE studysprint_schema TEMPLATE template0'
	DATABASE_URL='$(SCHEMA_DATABASE_URL)' ./$(BIN) migrate up >/dev/null
	DATABASE_URL='$(SCHEMA_DATABASE_URL)' ./$(BIN) migrate dump sql/schema.sql >/dev/null

## schema-check: fail when sql/schema.sql differs from what the migrations produce
schema-check: build
	psql -q -v ON_ERROR_STOP=1 '$(PG_ADMIN_URL)' -c 'DROP DATABASE IF EXISTS studysprint_schema WITH (FORCE)' -c 'CREATE DATABASE studysprint_schema TEMPLATE template0'
	DATABASE_URL='$(SCHEMA_DATABASE_URL)' ./$(BIN) migrate up >/dev/null
	tmp=$$(mktemp); trap 'rm -f $$tmp' EXIT; \
	DATABASE_URL='$(SCHEMA_DATABASE_URL)' ./$(BIN) migrate dump $$tmp >/dev/null; \
	if ! diff -u sql/schema.sql $$tmp; then echo "sql/schema.sql is stale: run 'make schema'" >&2; exit 1; fi

## fmt: gofmt the tree
fmt:
	gofmt -w $$(git ls-files '*.go')

## vet: go vet
vet:
	go vet ./...

## lint: gofmt check, go vet and staticcheck
lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go tool staticcheck ./...

## ci: everything CI runs (see .ci/run)
ci: lint test sqlc-diff sqlc-vet schema-check

clean:
	rm -rf bin
