GO ?= go
PKGS = ./...

.PHONY: generate verify build test test-sqlite test-postgres bench fuzz run lint

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

run:
	$(GO) run ./cmd/webapi serve --demo

bench:
	CGO_ENABLED=0 $(GO) test -run '^$$' -bench . -benchmem $(PKGS)
