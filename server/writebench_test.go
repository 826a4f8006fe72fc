package server_test

// The write side of the search benchmark (issue 12, item 6): what keeping the search index in
// every write's transaction costs. POST /api/accounts and POST /api/contacts, one at a time
// through the whole server (in process, the administrator's bearer token), on a fresh
// PostgreSQL schema holding the demo data (scale 200 by default: 40,000 accounts and 100,000
// contacts, with their search index built where this tree has one). Run by make bench-search:
//
//	(a benchmark: make bench-* runs it once; make test and make bench do not)
//	WEBAPI_BENCH_WRITE_SCALE      demo data scale of the schema (default 200)
//	WEBAPI_BENCH_WRITE_N          requests of each kind after the warm-up (default 1000)
//
// This file compiles without the search code, so that it can be copied into a checkout of the
// commit before the search work ("before"); in this tree searchbench_test.go sets
// benchSearchIndex, which builds the index after the demo data is loaded ("after").

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"webapi/server"
	"webapi/store"
	"webapi/store/demo"
	"webapi/store/storetest"
)

// benchSearchIndex builds the search index of db (nil in a tree without one).
var benchSearchIndex func(ctx context.Context, db *store.DB) error

func BenchmarkLoadWrite(b *testing.B) {
	var t testing.TB = b // the body runs once: a load run, not b.N iterations (make bench-*: -benchtime 1x)
	scale := benchEnvInt(t, "WEBAPI_BENCH_WRITE_SCALE", 200)
	n := benchEnvInt(t, "WEBAPI_BENCH_WRITE_N", 1000)
	pg := benchPostgres(t)
	ctx := context.Background()
	db := storetest.Open(t, pg)
	start := time.Now()
	if err := demo.Seed(ctx, db, scale, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo data at scale %d loaded in %s", scale, time.Since(start).Round(time.Second))
	index := "no search index (this tree has none)"
	if benchSearchIndex != nil {
		start = time.Now()
		if err := benchSearchIndex(ctx, db); err != nil {
			t.Fatal(err)
		}
		index = fmt.Sprintf("search index built in %s", time.Since(start).Round(time.Second))
	}
	t.Log(index)
	e, token := newServer(t, db, server.Config{})
	statements := countStatements(t, db)

	firsts := []string{"Sarah", "James", "Olivia", "Lukas", "Chloe", "Harry", "Manon", "Felix"}
	lasts := []string{"Miller", "Schmidt", "Garcia", "Dubois", "Wright", "Becker", "Nelson", "Lopez"}
	cases := []struct {
		name, path string
		body       func(i int) string
	}{
		{"POST /api/accounts", "/api/accounts", func(i int) string {
			return fmt.Sprintf(`{"data":{"type":"accounts","attributes":{"name":"Bench Trading %06d","description":"Wholesale of office furniture and supplies, account %d"}}}`, i, i)
		}},
		{"POST /api/contacts", "/api/contacts", func(i int) string {
			f, l := firsts[i%len(firsts)], lasts[i/len(firsts)%len(lasts)]
			return fmt.Sprintf(`{"data":{"type":"contacts","attributes":{"firstName":"%s","lastName":"%s","primaryEmail":"%s.%s.%d@bench.example.com","primaryPhone":"+49 30 %07d","jobTitle":"Purchasing Manager"}}}`,
				f, l, strings.ToLower(f), strings.ToLower(l), i, i)
		}},
	}
	const warmup = 50
	var table strings.Builder
	fmt.Fprintf(&table, "\nwrites, demo data at scale %d on PostgreSQL, %s, %d cores, %d requests each after %d\n\n", scale, index, runtime.NumCPU(), n, warmup)
	table.WriteString("| request | mean | p50 | p99 | max | statements |\n|---|---:|---:|---:|---:|---:|\n")
	for _, c := range cases {
		d := make([]time.Duration, 0, n)
		for i := range warmup + n {
			if i == warmup {
				statements.Store(0)
			}
			req := httptest.NewRequest(http.MethodPost, "http://bench.test"+c.path, strings.NewReader(c.body(i)))
			req.Header.Set("Authorization", token)
			req.Header.Set("Content-Type", "application/vnd.api+json")
			w := httptest.NewRecorder()
			t0 := time.Now()
			e.ServeHTTP(w, req)
			took := time.Since(t0)
			if w.Code != http.StatusCreated {
				t.Fatalf("%s: status %d: %s", c.name, w.Code, w.Body)
			}
			if i >= warmup {
				d = append(d, took)
			}
		}
		s := latencyStats(d)
		perRequest := float64(statements.Load()) / float64(n)
		t.Logf("%s: %s; %.1f statements", c.name, s, perRequest)
		fmt.Fprintf(&table, "| `%s` | %s | %s | %s | %s | %.1f |\n", c.name, ms(s.mean), ms(s.p50), ms(s.p99), ms(s.max), perRequest)
	}
	fmt.Print(table.String())
}

// benchPostgres is the PostgreSQL backend of the benchmarks (WEBAPI_TEST_POSTGRES), required.
func benchPostgres(t testing.TB) storetest.Backend {
	t.Helper()
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Fatal("this benchmark needs PostgreSQL (WEBAPI_TEST_POSTGRES)")
	}
	return pg
}

// benchEnvInt reads a positive integer from the environment, def when unset.
func benchEnvInt(t testing.TB, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// stats are the mean and percentiles of latencies.
type stats struct{ mean, p50, p99, max time.Duration }

func (s stats) String() string {
	return fmt.Sprintf("mean %s, p50 %s, p99 %s, max %s", ms(s.mean), ms(s.p50), ms(s.p99), ms(s.max))
}

// latencyStats summarizes d (nearest-rank percentiles).
func latencyStats(d []time.Duration) stats {
	if len(d) == 0 {
		return stats{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return stats{mean: sum / time.Duration(len(s)), p50: rank(0.50), p99: rank(0.99), max: s[len(s)-1]}
}

// ms is a duration in milliseconds with two decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
