package server_test

// The search benchmark (issue 12, item 6): the latency of the search endpoints (api.md section
// 15) over the demo data at scale 200 (100,000 contacts) on PostgreSQL, each request sent
// sequentially through the whole server (in process, the administrator's bearer token), and
// each query's statements once under EXPLAIN ANALYZE. Run by make bench-search:
//
//	(a benchmark: make bench-* runs it once; make test and make bench do not)
//	WEBAPI_BENCH_SEARCH_DB         the database, kept between runs (default
//	                               postgres://postgres@127.0.0.1:5432/search_bench?sslmode=disable;
//	                               created when missing, seeded when it has no accounts)
//	WEBAPI_BENCH_SEARCH_SCALE      demo data scale when seeding (default 200)
//	WEBAPI_BENCH_SEARCH_N          requests of each query after the warm-up (default 300)
//	WEBAPI_BENCH_SEARCH_PLANS=1    print each statement's plan in full
//
// Seeding scale 200 and building its index takes minutes, so the database is kept: drop it
// (dropdb search_bench) to start afresh.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"webapi/server"
	"webapi/store"
	"webapi/store/storetest"
)

func init() {
	benchSearchIndex = func(ctx context.Context, db *store.DB) error {
		if err := server.Reindex(ctx, db, nil, nil); err != nil {
			return err
		}
		return db.Gorm.WithContext(ctx).Exec("ANALYZE search_index").Error
	}
}

const defaultSearchBenchDB = "postgres://postgres@127.0.0.1:5432/search_bench?sslmode=disable"

func BenchmarkLoadSearch(b *testing.B) {
	var t testing.TB = b // the body runs once: a load run, not b.N iterations (make bench-*: -benchtime 1x)
	scale := benchEnvInt(t, "WEBAPI_BENCH_SEARCH_SCALE", 200)
	n := benchEnvInt(t, "WEBAPI_BENCH_SEARCH_N", 300)
	dbURL := os.Getenv("WEBAPI_BENCH_SEARCH_DB")
	if dbURL == "" {
		dbURL = defaultSearchBenchDB
	}
	ctx := context.Background()
	db := storetest.KeptDemo(t, dbURL, scale)
	var contacts int64
	if needed, err := db.NeedsReindex(ctx); err != nil {
		t.Fatal(err)
	} else if needed {
		start := time.Now()
		if err := benchSearchIndex(ctx, db); err != nil {
			t.Fatal(err)
		}
		t.Logf("search index built (and analyzed) in %s", time.Since(start).Round(time.Second))
	}
	var indexed int64
	if err := db.Gorm.Raw("SELECT COUNT(*) FROM contacts").Row().Scan(&contacts); err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm.Raw("SELECT COUNT(*) FROM search_index").Row().Scan(&indexed); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d contacts, %d rows in the search index", contacts, indexed)

	e, token := newServer(t, db, server.Config{})
	capture := captureStatements(t, db.Gorm)

	cases := []struct{ name, path string }{
		{"text, two words", "/api/rest/latest/search?search=" + url.QueryEscape("Sarah Miller")},
		{"like all_text", "/api/rest/latest/search/advanced?query=" + url.QueryEscape(`where all_text like "chmid"`)},
		{"like lastName", "/api/rest/latest/search/advanced?query=" + url.QueryEscape(`from contacts where lastName like "son"`)},
		{"integer range", "/api/rest/latest/search/advanced?query=" + url.QueryEscape(`from contacts where integer timesContacted > 3 and integer timesContacted < 6`)},
		{"JSON:API searchText", "/api/search?filter%5BsearchText%5D=" + url.QueryEscape("Sarah Miller")},
	}
	const warmup = 30
	type row struct {
		name, path string
		found      int
		s          stats
		plans      []string
	}
	var rows []row
	for _, c := range cases {
		do := func() *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, "http://bench.test"+c.path, nil)
			req.Header.Set("Authorization", token)
			req.Header.Set("X-Include", "totalCount")
			w := httptest.NewRecorder()
			e.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Fatalf("%s: status %d: %s", c.path, w.Code, w.Body)
			}
			return w
		}
		r := row{name: c.name, path: c.path, found: searchTotal(t, do())}
		d := make([]time.Duration, 0, n)
		for i := range warmup + n {
			t0 := time.Now()
			do()
			if i >= warmup {
				d = append(d, time.Since(t0))
			}
		}
		r.s = latencyStats(d)
		// once more, capturing the statements on the search index, each then explained
		capture.on()
		do()
		for _, st := range capture.off() {
			r.plans = append(r.plans, explain(t, db, st))
		}
		t.Logf("%s %s: %d found; %s", c.name, c.path, r.found, r.s)
		rows = append(rows, r)
	}

	var out strings.Builder
	fmt.Fprintf(&out, "\nsearch, demo data: %d contacts, %d rows in the index; PostgreSQL, %d cores; %d sequential requests each after %d\n\n", contacts, indexed, runtime.NumCPU(), n, warmup)
	out.WriteString("| query | found | p50 | p99 | mean | index use (each statement) |\n|---|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		var use []string
		for _, p := range r.plans {
			use = append(use, planSummary(p))
		}
		fmt.Fprintf(&out, "| %s `%s` | %d | %s | %s | %s | %s |\n", r.name, r.path, r.found, ms(r.s.p50), ms(r.s.p99), ms(r.s.mean), strings.Join(use, "; "))
	}
	if os.Getenv("WEBAPI_BENCH_SEARCH_PLANS") == "1" {
		for _, r := range rows {
			fmt.Fprintf(&out, "\n### %s\n", r.name)
			for _, p := range r.plans {
				out.WriteString("\n" + p + "\n")
			}
		}
	}
	fmt.Print(out.String())
}

// searchTotal is the total a search answered: records_count of the plain endpoints, the
// X-Include-Total-Count header of the JSON:API one.
func searchTotal(t testing.TB, w *httptest.ResponseRecorder) int {
	t.Helper()
	if h := w.Header().Get("X-Include-Total-Count"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			t.Fatalf("X-Include-Total-Count: %q", h)
		}
		return n
	}
	var doc struct {
		RecordsCount *int `json:"records_count"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || doc.RecordsCount == nil {
		t.Fatalf("no total (%v) in %s", err, w.Body)
	}
	return *doc.RecordsCount
}

// statement is one SQL statement as sent, with its arguments.
type statement struct {
	sql  string
	args []any
}

// statementCapture records the statements on the search index that run while it is on.
type statementCapture struct {
	mu   sync.Mutex
	rec  bool
	seen []statement
}

func (c *statementCapture) on() { c.mu.Lock(); c.rec, c.seen = true, nil; c.mu.Unlock() }

func (c *statementCapture) off() []statement {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rec = false
	return c.seen
}

func captureStatements(t testing.TB, db *gorm.DB) *statementCapture {
	t.Helper()
	c := &statementCapture{}
	grab := func(tx *gorm.DB) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if sql := tx.Statement.SQL.String(); c.rec && strings.Contains(sql, "search_index") {
			c.seen = append(c.seen, statement{sql, append([]any(nil), tx.Statement.Vars...)})
		}
	}
	cb := db.Callback()
	if err := cb.Row().Before("gorm:row").Register("bench:search_row", grab); err != nil {
		t.Fatal(err)
	}
	if err := cb.Raw().Before("gorm:raw").Register("bench:search_raw", grab); err != nil {
		t.Fatal(err)
	}
	if err := cb.Query().Before("gorm:query").Register("bench:search_query", grab); err != nil {
		t.Fatal(err)
	}
	return c
}

// explain runs a statement under EXPLAIN (ANALYZE, BUFFERS) and returns the plan with the
// statement above it.
func explain(t testing.TB, db *store.DB, st statement) string {
	t.Helper()
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sqlDB.Query("EXPLAIN (ANALYZE, BUFFERS) "+st.sql, st.args...)
	if err != nil {
		t.Fatalf("explain %s: %v", st.sql, err)
	}
	defer rows.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  -- %v\n", st.sql, st.args)
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var execTime = regexp.MustCompile(`Execution Time: ([0-9.]+) ms`)

// planSummary says how a plan reads the search index, and how long it ran.
func planSummary(plan string) string {
	var how []string
	for _, k := range []struct{ needle, say string }{
		{"idx_search_index_tsv", "GIN tsv"},
		{"idx_search_index_trgm", "trigram GIN"},
		{"search_index_pkey", "primary key"},
		{"idx_search_index_organization", "organization index"},
		{"Seq Scan on search_index", "seq scan"},
	} {
		if strings.Contains(plan, k.needle) {
			how = append(how, k.say)
		}
	}
	if len(how) == 0 {
		how = append(how, "?")
	}
	s := strings.Join(how, "+")
	if m := execTime.FindStringSubmatch(plan); m != nil {
		s += " " + m[1] + " ms"
	}
	return s
}
