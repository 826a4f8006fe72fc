package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/http/httpguts"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/store"
	"webapi/store/storetest"
)

// FuzzHTTP sends whole HTTP requests to the real server (server.New over SQLite, with the small
// data set fuzzData) and checks what api.md promises whatever a request is (sections 2–5 and
// 20; the checks are in fuzz_check_test.go):
//
//   - no 5xx but 503, and a 503 carries Retry-After; no panic;
//   - every 4xx carries an error document of its Content-Type (JSON:API, or the plain array when
//     the request negotiated application/json) that the document's error schemas accept; a 405
//     has Allow and no body; every answer under /api/ is one the document describes;
//   - a refused request (status >= 400) leaves every table unchanged, and so do reads and
//     validate-only writes;
//   - input that section 20 says can never be stored or is out of bounds is never accepted.
//
// The arguments are the parts of one request, each mutated on its own:
//
//	method  the request method, any token
//	path    the request target's path as sent on the wire (percent-encoded)
//	query   the raw query string as sent (the short operator forms are not key=value pairs)
//	header  header lines "Name: value" separated by "\n"; Host and Content-Length are added
//	        unless given (a Content-Length or Transfer-Encoding of the input's own frames
//	        the body: truncated and chunked bodies)
//	body    the body bytes
//
// Strings and bytes rather than an operation index: a failing input in testdata is the literal
// request, and stays the same request when the document gains operations.
//
// The request is assembled as HTTP/1.1 bytes and read by net/http's parser, with the checks
// net/http's server adds, so the handler sees exactly what a connection would give it;
// requests that net/http refuses itself (a malformed request line, a control byte in a header)
// never reach the handler and are skipped.
//
// One server and database serve a whole fuzzing process (FuzzHTTP runs once per worker). After
// a request that changed the data, the changed tables are copied back from a snapshot of the
// seeded database, so every input meets the same data and a failure reproduces from its input
// alone (in testdata, under plain go test, as under the fuzzing engine).
//
// Set WEBAPI_FUZZ_SURVEY to a directory to survey rather than stop: each new kind of failure is
// written there (a corpus file and the report beside it) and fuzzing goes on, so that one run
// finds more than the first failure.
func FuzzHTTP(f *testing.F) {
	doc, err := apitest.Document()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range fuzzSeeds(doc) {
		f.Add(s.Method, s.Path, s.Query, s.Header, []byte(s.Body))
	}
	env := newFuzzEnv(f)
	survey := newFuzzSurvey(os.Getenv("WEBAPI_FUZZ_SURVEY"))
	f.Fuzz(func(t *testing.T, method, path, query, header string, body []byte) {
		x, ok := wireRequest(method, path, query, header, body)
		if !ok {
			return
		}
		problems := env.exchange(t, x)
		if len(problems) == 0 {
			return
		}
		report := x.report(problems)
		if survey.record(t, problems, x.res.Status, method, path, query, header, body, report) {
			return
		}
		t.Fatal(report)
	})
}

// fuzzExchange is one request and the server's answer.
type fuzzExchange struct {
	req *http.Request
	// body is what the server can read of the request body (after Content-Length or chunked
	// framing), and bodyErr why it could not read the rest: the request's own Body is
	// consumed by the handler.
	body    []byte
	bodyErr error
	res     *apitest.Response
	log     string // the server's log of this request
	input   fuzzInput
}

// wireRequest assembles the request as a connection would carry it and reads it back with
// net/http. It reports false for requests that net/http's server answers itself.
func wireRequest(method, path, query, header string, body []byte) (*fuzzExchange, bool) {
	var b bytes.Buffer
	target := path
	if query != "" {
		target += "?" + query
	}
	b.WriteString(method + " " + target + " HTTP/1.1\r\n")
	var hasHost, framed bool
	for line := range strings.SplitSeq(header, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue // an empty line would end the header early
		}
		name, _, _ := strings.Cut(line, ":")
		switch textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name)) {
		case "Host":
			hasHost = true
		case "Content-Length", "Transfer-Encoding":
			framed = true
		}
		b.WriteString(line + "\r\n")
	}
	if !hasHost {
		b.WriteString("Host: api.test\r\n")
	}
	if !framed && (len(body) > 0 || method == http.MethodPost || method == http.MethodPatch || method == http.MethodPut) {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	wire := b.Bytes()

	read := func() (*http.Request, bool) {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(wire)))
		if err != nil {
			return nil, false
		}
		// what net/http's server checks after parsing (conn.readRequest; ReadRequest has
		// moved the Host header to req.Host)
		if req.Host == "" || !httpguts.ValidHostHeader(req.Host) {
			return nil, false
		}
		for k, vv := range req.Header {
			if !httpguts.ValidHeaderFieldName(k) {
				return nil, false
			}
			for _, v := range vv {
				if !httpguts.ValidHeaderFieldValue(v) {
					return nil, false
				}
			}
		}
		req.RemoteAddr = "192.0.2.1:40000"
		return req, true
	}
	req, ok := read()
	if !ok {
		return nil, false
	}
	// a second copy, to learn what the server could read of the body
	twin, _ := read()
	got, err := io.ReadAll(io.LimitReader(twin.Body, 16<<20))
	return &fuzzExchange{req: req, body: got, bodyErr: err,
		input: fuzzInput{Method: method, Path: path, Query: query, Header: header, Body: string(body)}}, true
}

// fuzzEnv is the server and database of one fuzzing process.
type fuzzEnv struct {
	dir      string // where the live database and the snapshot are
	snapshot string // the seeded database, copied back after a request changed the data
	db       *store.DB
	handler  http.Handler
	// watch is a connection of the live database's pool kept for the digest: its
	// PRAGMA data_version changes when another connection (the server's) commits, so an
	// unchanged version spares hashing every table after requests that wrote nothing.
	watch   *sql.Conn
	version int64
	auth    string       // the administrator's Authorization header, sent unless the input sends one
	log     lockedBuffer // the server log of the current request
	// every table but goose's version table and the full-text index's (kept by triggers from
	// search_index, whose rows the digest covers)
	tables []string
	seeded map[string][sha256.Size]byte
	dirty  []string // the tables that differ from the snapshot
}

// newFuzzEnv migrates a database (storetest's SQLite template), creates fuzzData through the
// API, and keeps a copy of the result to restore.
func newFuzzEnv(tb testing.TB) *fuzzEnv {
	tb.Helper()
	e := &fuzzEnv{dir: tb.TempDir()}
	// The server logs the cause of a 500 (and a recovered panic) through its logger: the
	// report of a failing input shows it.
	db := storetest.Open(tb, storetest.Backend{Name: string(store.SQLite)})
	var h http.Handler
	h, e.auth = newServer(tb, db, server.Config{Logger: slog.New(slog.NewTextHandler(&e.log, nil))})
	for _, d := range fuzzData {
		req := httptest.NewRequest(http.MethodPost, "http://api.test"+d.path, strings.NewReader(d.body))
		req.Header.Set("Content-Type", "application/vnd.api+json")
		req.Header.Set("Authorization", e.auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			tb.Fatalf("fuzz data: POST %s → %d\n%s", d.path, rec.Code, rec.Body)
		}
	}
	e.snapshot = filepath.Join(e.dir, "seeded.db")
	if err := db.Gorm.Exec("VACUUM INTO ?", e.snapshot).Error; err != nil {
		tb.Fatal(err)
	}
	if err := e.reopen(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = e.watch.Close()
		_ = e.db.Close()
	})
	rows, err := e.watch.QueryContext(context.Background(), `SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'goose_db_version'
		AND name NOT LIKE 'search_fts%' ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			tb.Fatal(err)
		}
		e.tables = append(e.tables, name)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	if e.seeded, err = e.digest(); err != nil {
		tb.Fatal(err)
	}
	return e
}

// reset brings the changed tables back to the seeded data: in place, by copying their rows
// from the snapshot (attached to the watch connection, whose foreign keys are off so that
// deleting rows cascades nothing; rows keep their order, and integer ids their values, so the
// next inserts get the same ids), which takes a millisecond where opening a new database and
// server takes five. The digest then must be the seeded one; if it is not, the live database is
// replaced after all.
func (e *fuzzEnv) reset() error {
	ctx := context.Background()
	err := func() error {
		if _, err := e.watch.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			return err
		}
		for _, table := range e.dirty {
			for _, q := range []string{`DELETE FROM main."` + table + `"`, `INSERT INTO main."` + table + `" SELECT * FROM seeded."` + table + `" ORDER BY rowid`} {
				if _, err := e.watch.ExecContext(ctx, q); err != nil {
					_, _ = e.watch.ExecContext(ctx, "ROLLBACK")
					return err
				}
			}
		}
		_, err := e.watch.ExecContext(ctx, "COMMIT")
		return err
	}()
	if err == nil {
		var now map[string][sha256.Size]byte
		if now, err = e.digest(); err == nil {
			for table, sum := range e.seeded {
				if now[table] != sum {
					err = fmt.Errorf("table %s differs after the reset", table)
				}
			}
		}
	}
	if err != nil {
		return e.reopen()
	}
	e.dirty = nil
	return nil
}

// reopen replaces the live database by a copy of the snapshot, and the server by a new one
// over it.
func (e *fuzzEnv) reopen() error {
	if e.db != nil {
		_ = e.watch.Close()
		if err := e.db.Close(); err != nil {
			return err
		}
	}
	live := filepath.Join(e.dir, "live.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(live + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	data, err := os.ReadFile(e.snapshot)
	if err != nil {
		return err
	}
	if err := os.WriteFile(live, data, 0o600); err != nil {
		return err
	}
	db, err := store.OpenWith(context.Background(), "sqlite:"+live, store.DefaultLimits)
	if err != nil {
		return err
	}
	cfg := server.Config{Logger: slog.New(slog.NewTextHandler(&e.log, nil))}
	if err := apitest.Secure(db, &cfg); err != nil {
		_ = db.Close()
		return err
	}
	h, err := server.New(db, cfg)
	if err != nil {
		_ = db.Close()
		return err
	}
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		_ = db.Close()
		return err
	}
	ctx := context.Background()
	watch, err := sqlDB.Conn(ctx)
	if err == nil {
		_, err = watch.ExecContext(ctx, "PRAGMA foreign_keys = OFF")
	}
	if err == nil {
		_, err = watch.ExecContext(ctx, "ATTACH DATABASE ? AS seeded", e.snapshot)
	}
	if err == nil {
		err = watch.QueryRowContext(ctx, "PRAGMA data_version").Scan(&e.version)
	}
	if err != nil {
		_ = db.Close()
		return err
	}
	e.db, e.handler, e.watch, e.dirty = db, h, watch, nil
	return nil
}

// changedTables lists the tables whose rows differ from the seeded data.
func (e *fuzzEnv) changedTables() ([]string, error) {
	var version int64
	if err := e.watch.QueryRowContext(context.Background(), "PRAGMA data_version").Scan(&version); err != nil {
		return nil, err
	}
	if version == e.version {
		return nil, nil // nothing committed since the data was last the seeded data
	}
	e.version = version
	after, err := e.digest()
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, table := range e.tables {
		if after[table] != e.seeded[table] {
			changed = append(changed, table)
		}
	}
	return changed, nil
}

// digest hashes every row of every table, in rowid order, per table.
func (e *fuzzEnv) digest() (map[string][sha256.Size]byte, error) {
	out := make(map[string][sha256.Size]byte, len(e.tables))
	for _, table := range e.tables {
		sum, err := digestTable(e.watch, table)
		if err != nil {
			return nil, fmt.Errorf("digest %s: %w", table, err)
		}
		out[table] = sum
	}
	return out, nil
}

func digestTable(conn *sql.Conn, table string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	rows, err := conn.QueryContext(context.Background(), `SELECT * FROM "`+table+`" ORDER BY rowid`)
	if err != nil {
		return sum, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return sum, err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return sum, err
		}
		for _, v := range vals {
			if v == nil {
				h.Write([]byte{0}) // NULL differs from ''
				continue
			}
			h.Write([]byte{1})
			h.Write(n[:binary.PutUvarint(n[:], uint64(len(v)))])
			h.Write(v)
		}
	}
	if err := rows.Err(); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// exchange serves the request over the seeded data and returns what is wrong with the answer
// and with what it did to the data.
func (e *fuzzEnv) exchange(t *testing.T, x *fuzzExchange) []string {
	if len(e.dirty) > 0 {
		if err := e.reset(); err != nil {
			t.Fatalf("restore the seeded data: %v", err)
		}
	}
	e.log.Reset()
	rec := httptest.NewRecorder()
	var problems []string
	func() {
		defer func() {
			if v := recover(); v != nil {
				problems = append(problems, fmt.Sprintf("panic outside echo's recovery: %v\n%s", v, debug.Stack()))
			}
		}()
		if _, ok := x.req.Header["Authorization"]; !ok {
			x.req.Header.Set("Authorization", e.auth)
		}
		e.handler.ServeHTTP(rec, x.req)
	}()
	x.res = &apitest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	x.log = e.log.String()
	problems = append(problems, x.check()...)

	changed, err := e.changedTables()
	if err != nil {
		t.Fatalf("digest: %v", err)
	}
	if len(changed) > 0 {
		e.dirty = changed
		if why := x.mustNotWrite(); why != "" {
			problems = append(problems, fmt.Sprintf("%s, but the tables %s changed", why, strings.Join(changed, ", ")))
		}
	}
	return problems
}

// report describes a failing exchange: the reproducer, the answer and the server's log.
func (x *fuzzExchange) report(problems []string) string {
	var b strings.Builder
	b.WriteString(strings.Join(problems, "\n"))
	fmt.Fprintf(&b, "\n\nrequest: %s %q query %q\nheader: %q\nbody: %q", x.input.Method, x.input.Path, x.input.Query, x.input.Header, truncated(x.input.Body, 2000))
	fmt.Fprintf(&b, "\nresponse: %d", x.res.Status)
	keys := make([]string, 0, len(x.res.Header))
	for k := range x.res.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s: %s", k, strings.Join(x.res.Header[k], ", "))
	}
	fmt.Fprintf(&b, "\n%s\nserver log:\n%s", truncated(string(x.res.Body), 2000), truncated(x.log, 6000))
	return b.String()
}

func truncated(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// lockedBuffer is a bytes.Buffer that the server's logger may write from any goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// fuzzSurvey records failures by kind instead of stopping at the first (WEBAPI_FUZZ_SURVEY).
type fuzzSurvey struct {
	dir  string
	mu   sync.Mutex
	seen map[string]bool
}

func newFuzzSurvey(dir string) *fuzzSurvey {
	if dir == "" {
		return nil
	}
	return &fuzzSurvey{dir: dir, seen: map[string]bool{}}
}

// record writes the failure when one of its problems is of a new kind (a kind per status; in
// this process, and files already in the directory count too, so that workers and later runs
// add only new kinds) and reports whether the survey took it.
func (s *fuzzSurvey) record(t *testing.T, problems []string, status int, method, path, query, header string, body []byte, report string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range problems {
		key := fmt.Sprintf("%d %s", status, problemKind(p))
		sum := sha256.Sum256([]byte(key))
		name := fmt.Sprintf("%x", sum[:6])
		if s.seen[name] {
			continue
		}
		s.seen[name] = true
		if _, err := os.Stat(filepath.Join(s.dir, name)); err == nil {
			continue // another worker, or an earlier run, found it
		}
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		entry := fmt.Sprintf("go test fuzz v1\nstring(%q)\nstring(%q)\nstring(%q)\nstring(%q)\n[]byte(%q)\n", method, path, query, header, body)
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte(entry), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.dir, name+".txt"), []byte(key+"\n\n"+report+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return true
}

// problemKind is the class of a problem for the survey: its first clause, without the values
// that differ between occurrences (quoted text, numbers).
func problemKind(p string) string {
	p, _, _ = strings.Cut(p, "\n")
	p, _, _ = strings.Cut(p, ":")
	var b strings.Builder
	inQuote := false
	for _, r := range p {
		switch {
		case r == '"':
			inQuote = !inQuote
		case inQuote:
		case r >= '0' && r <= '9':
			b.WriteByte('#')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
