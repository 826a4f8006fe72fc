GO ?= go
PKGS = ./...

.PHONY: generate verify build test test-sqlite test-postgres bench bench-batch bench-search bench-http bench-proc crashtest fuzz run lint lint-doc check-client check-doc check-live check-sandbox

## generate: bundle openapi/ into gen/ and generate the Go server, types and client
generate:
	$(GO) run ./openapi/bundle -src openapi -out gen
	$(GO) run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config openapi/codegen.yaml gen/openapi.yaml

## verify: regenerate and fail if the committed gen/ differs
verify: generate
	git diff --exit-code -- gen/
	@test -z "$$(git status --porcelain -- gen/)" || (git status --porcelain -- gen/; exit 1)

build:
	CGO_ENABLED=0 $(GO) build -o bin/webapi ./cmd/webapi

## test: every test; the PostgreSQL suite runs when WEBAPI_TEST_POSTGRES (default below) is reachable
test:
	CGO_ENABLED=0 $(GO) test -count=1 $(PKGS)

lint:
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/'))" || (gofmt -l $$(git ls-files '*.go' | grep -v '^gen/'); exit 1)

## lint-doc: Redocly lint and Spectral (spectral:oas) over gen/openapi.yaml and gen/openapi.json,
## no error and no warning (the Node tools pinned in .ci/node, installed there by npm ci)
lint-doc:
	.ci/node/check install
	.ci/node/check lint

## check-client: the TypeScript client generated from gen/openapi.json compiles with --strict,
## with the expectations of .ci/node/client-check.ts
check-client:
	.ci/node/check install
	.ci/node/check client

## check-doc: both (what .ci/run runs after the Go tests)
check-doc:
	.ci/node/check all

## check-live: the Go and TypeScript clients against a live server (serve --demo), and Prism's
## validating proxy in front of one (README, Clients)
check-live:
	.ci/node/check live

## check-sandbox: the browser test of /api/doc (Debian's chromium, installed when missing, driven
## by playwright-core pinned in .ci/browser; what .ci/run runs after the contract checks)
check-sandbox:
	.ci/browser/run all

run:
	$(GO) run ./cmd/webapi serve --demo

bench:
	CGO_ENABLED=0 $(GO) test -run '^$$' -bench . -skip '^BenchmarkLoad' -benchmem $(PKGS)

## crashtest: the batch API's crash test at full size (issue 11): 20,000 records written by
## `webapi worker` processes killed with SIGKILL at random moments and restarted, 10 rounds, on
## SQLite and PostgreSQL (required here unless WEBAPI_REQUIRE_POSTGRES=0; the server is
## WEBAPI_TEST_POSTGRES). `make test` runs the same test at a small size (5,000 records, 3 rounds).
crashtest:
	WEBAPI_CRASH_RECORDS=$${WEBAPI_CRASH_RECORDS:-20000} WEBAPI_CRASH_ROUNDS=$${WEBAPI_CRASH_ROUNDS:-10} \
	WEBAPI_REQUIRE_POSTGRES=$${WEBAPI_REQUIRE_POSTGRES:-1} \
	CGO_ENABLED=0 $(GO) test -count=1 -timeout 30m -run '^TestBatchSurvivesKills$$' -v ./cmd/webapi/

## bench-batch: 100,000 accounts through the asynchronous batch API on a fresh PostgreSQL schema
## (WEBAPI_TEST_POSTGRES), with 1 and with 2 `webapi worker` processes: records per second from
## the submission to success, and each worker's peak RSS (README, Performance, Batch API).
## WEBAPI_BENCH_RECORDS and WEBAPI_BENCH_WORKERS (per process, default 4) change the run.
bench-batch:
	CGO_ENABLED=0 $(GO) test -count=1 -timeout 30m -run '^$$' -bench '^BenchmarkLoadBatch$$' -benchtime 1x -v ./cmd/webapi/

## bench-search: the search benchmark (issue 12; README, Performance, Search) on PostgreSQL. First
## p50/p99 of the search endpoints over the demo data at scale 200 in the database search_bench
## (WEBAPI_BENCH_SEARCH_DB; created and seeded when missing, then kept: dropdb search_bench to start
## afresh), each query's statements under EXPLAIN ANALYZE (WEBAPI_BENCH_SEARCH_PLANS=1 prints the
## plans). Then the write overhead of the index: POST /api/accounts and /api/contacts over a fresh
## scale-200 schema (WEBAPI_TEST_POSTGRES), in a temporary worktree of SEARCH_BEFORE (the commit
## before the search work; empty: skip) and in this tree. WEBAPI_BENCH_SEARCH_N (default 300) and
## WEBAPI_BENCH_WRITE_N (default 1000) are the requests of each kind.
SEARCH_BEFORE ?= f4d7638
bench-search:
	CGO_ENABLED=0 $(GO) test -count=1 -timeout 60m -run '^$$' -bench '^BenchmarkLoadSearch$$' -benchtime 1x -v ./server/
	@if [ -n "$(SEARCH_BEFORE)" ]; then \
	  dir=$$(mktemp -d)/before; \
	  git worktree add --detach $$dir $(SEARCH_BEFORE) >/dev/null && cp server/writebench_test.go $$dir/server/ && \
	  echo "--- before: $(SEARCH_BEFORE)" && \
	  (cd $$dir && CGO_ENABLED=0 $(GO) test -count=1 -timeout 30m -run '^$$' -bench '^BenchmarkLoadWrite$$' -benchtime 1x -v ./server/); \
	  rc=$$?; git worktree remove --force $$dir; rmdir $$(dirname $$dir); exit $$rc; \
	fi
	@echo "--- after: $$(git rev-parse --short HEAD)"
	CGO_ENABLED=0 $(GO) test -count=1 -timeout 30m -run '^$$' -bench '^BenchmarkLoadWrite$$' -benchtime 1x -v ./server/

## bench-http: issue 13's comparison (README, Performance, Against a lean hand-written server):
## ours (with the administrator's bearer token) and the lean hand-written net/http + pgx server of
## server/leanbaseline_test.go, both real TCP servers, under a Go load generator (32 keep-alive
## connections, WEBAPI_BENCH_HTTP_SECONDS per request class and server, default 5, in
## WEBAPI_BENCH_HTTP_ROUNDS rounds, default 25, in which the two servers take turns) over the demo
## data at scale 50 in the database http_bench (WEBAPI_BENCH_HTTP_DB; created and seeded when
## missing, then kept: dropdb http_bench to start afresh; the write classes, POST and PATCH of
## accounts, run last and delete the accounts they created). Prints a markdown table; the CPU
## profile of ours serving the class WEBAPI_BENCH_HTTP_PROFILE_CLASS in a run of its own (default page10, the page of
## 10 accounts; e.g. post_account, patch_account) goes to BENCH_HTTP_PROFILE (go tool pprof -top -cum).
## Each class starts on new database connections; a class during which PostgreSQL's backends
## faulted their heap in again on every statement is named under the table (README: glibc's trim
## threshold for PostgreSQL).
BENCH_HTTP_PROFILE ?= /tmp/webapi-bench-http.cpu.pprof
bench-http:
	WEBAPI_BENCH_HTTP_CPUPROFILE=$(abspath $(BENCH_HTTP_PROFILE)) CGO_ENABLED=0 \
	$(GO) test -count=1 -timeout 30m -run '^$$' -bench '^BenchmarkLoadHTTP$$' -benchtime 1x -v ./server/

## bench-proc: issue 13's process measures (README, Performance, Process), with the binary as a
## child process: start to ready and idle RSS on an existing SQLite database (the demo data, 5
## starts), `page[size]=-1` over 100,000 accounts on PostgreSQL (first byte, RSS growth; then a
## slow reader on a one-connection pool while other requests go on), and the peak RSS under 32
## keep-alive connections with a bearer token. The PostgreSQL database stream_bench
## (WEBAPI_BENCH_PROC_DB) is created and filled when missing, then kept: dropdb stream_bench to
## start afresh. Prints a markdown table; WEBAPI_BENCH_PROC_* change the run (procbench_test.go).
bench-proc:
	CGO_ENABLED=0 $(GO) test -count=1 -timeout 30m -run '^$$' -bench '^BenchmarkLoadProcess$$' -benchtime 1x -v ./cmd/webapi/

## fuzz: run every fuzz target of the project, each for FUZZTIME: a duration (default 60s) or a
## number of executions such as 20000x. A failing input is written to the package's
## testdata/fuzz/<target>/ and stops the run. Go 1.26 can end a run limited by a duration with
## a bare "context deadline exceeded" that is not a finding (golang/go#75804, fixed in Go 1.27):
## such an ending is reported and skipped; a count never races that way.
## WEBAPI_FUZZ_SURVEY=<dir> makes FuzzHTTP record each kind of failure there and go on.
FUZZTIME ?= 60s
fuzz:
	@failed=0; log=$$(mktemp); \
	for pkg in $$($(GO) list $(PKGS)); do \
	  for target in $$(CGO_ENABLED=0 $(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "--- $$target ($$pkg, $(FUZZTIME))"; \
	    (CGO_ENABLED=0 $(GO) test $$pkg -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -timeout 0; echo $$? >$$log.rc) 2>&1 | tee $$log; \
	    if [ "$$(cat $$log.rc)" != 0 ]; then \
	      if ! grep -q 'Failing input written' $$log && tail -n 5 $$log | grep -q 'context deadline exceeded'; then \
	        echo "--- $$target: the run ended with Go's fuzztime race (golang/go#75804), not a finding"; \
	      else failed=1; fi; \
	    fi; \
	  done; \
	done; rm -f $$log $$log.rc; exit $$failed
