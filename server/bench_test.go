package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"webapi/server"
	"webapi/store/demo"
	"webapi/store/storetest"
)

// benchScale is the demo data scale of the benchmarks (WEBAPI_BENCH_SCALE, default 10: 2,000
// accounts, 5,000 contacts, 10,000 calls).
func benchScale() int {
	if n, err := strconv.Atoi(os.Getenv("WEBAPI_BENCH_SCALE")); err == nil && n > 0 {
		return n
	}
	return 10
}

// BenchmarkList measures whole requests through the server (routing, middleware, query, encoding)
// on each backend, and reports the SQL statements each request runs.
func BenchmarkList(b *testing.B) {
	for _, be := range storetest.Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			db := storetest.Open(b, be)
			if err := demo.Seed(context.Background(), db, benchScale(), nil); err != nil {
				b.Fatal(err)
			}
			e, token := newServer(b, db, server.Config{})
			statements := countStatements(b, db)
			benchRequests(b, e, token, statements, []benchCase{
				{"page10", "/api/accounts"},
				{"page10_include_contacts", "/api/accounts?include=contacts"},
				{"page100_filter", "/api/contacts?page[size]=100&filter[lastName]~son"},
				{"page10_filter", "/api/contacts?filter[lastName][contains]=son"},
				{"item", "/api/accounts/5"},
			})
		})
	}
}

// benchCase is one request of a benchmark.
type benchCase struct{ name, path string }

// benchRequests runs each request as a sub-benchmark through h, with the Authorization header
// auth (a bearer token, as clients send; "" for the hand-written baseline, which reads none),
// reporting the statements per request that statements counts.
func benchRequests(b *testing.B, h http.Handler, auth string, statements *atomic.Int64, cases []benchCase) {
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "http://bench.test"+bc.path, nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			statements.Store(0)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
			b.ReportMetric(float64(statements.Load())/float64(b.N), "stmts/op")
		})
	}
}
