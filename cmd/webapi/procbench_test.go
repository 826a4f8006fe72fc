package main

// The process benchmark of issue 13 (items 3 and 4, and the peak RSS of item 2): the real
// binary as a child process, measured from the outside (the clock of this process, and
// /proc/<pid>/status of the server). Run by make bench-proc:
//
//  1. Start and idle, on an existing SQLite database (the demo data, seeded once per run): the
//     time from the exec to the first 200 on /readyz and to the first 200 on an authenticated
//     GET /api/accounts, then VmRSS after a few requests and 2 s idle; several starts (after one
//     unmeasured start that takes the token and warms the page cache), median and max.
//  2. Streaming: GET /api/accounts?page[size]=-1 on PostgreSQL over the kept database (demo data
//     and 100,000 generated accounts): time to the first byte, total time, bytes, the records of
//     the document (each decoded, and as many as the database holds), and the server's RSS
//     before and its peak during the requests (3, one after the other). Then the same with a slow reader (64 KiB every
//     10 ms for a few seconds, then the rest at full speed) on a server whose pool has one
//     connection, while other requests are sent on another connection.
//  3. Peak RSS under load: 32 keep-alive connections for a few seconds per class of GET, with the
//     administrator's bearer token, on the same database.
//
// Each phase starts a fresh `webapi serve` with its defaults (the SQLite one: `--workers` 2 and
// all). Peaks are VmHWM, reset through /proc/<pid>/clear_refs when a phase begins, so that the
// start's own transient peak is not counted in a later phase's (it is reported by itself).
// Timings are reported, not asserted; a non-200 answer or a wrong record count fails.
//
//	(a benchmark: make bench-proc runs it once; make test and make bench do not)
//	WEBAPI_BENCH_PROC_STARTS    measured starts on SQLite (default 5)
//	WEBAPI_BENCH_PROC_SCALE     demo data scale of the SQLite database (default 1)
//	WEBAPI_BENCH_PROC_DB        the PostgreSQL database, kept between runs (default
//	                            postgres://postgres@127.0.0.1:5432/stream_bench?sslmode=disable;
//	                            created when missing, the demo data at scale 1 and the generated
//	                            accounts added when missing: dropdb stream_bench to start afresh)
//	WEBAPI_BENCH_PROC_ROWS      generated accounts (default 100000)
//	WEBAPI_BENCH_PROC_STREAMS   fast reads of the unpaged collection (default 3)
//	WEBAPI_BENCH_PROC_SLOW      seconds of slow reading (default 5)
//	WEBAPI_BENCH_PROC_SECONDS   seconds of load per request class (default 5)
//	WEBAPI_BENCH_PROC_CONNS     concurrent connections of the load (default 32)
//	WEBAPI_BENCH_PROC_LOGS      a folder to keep the servers' logs in (serve.log, appended to; the
//	                            servers inherit the environment: GODEBUG=gctrace=1 traces their
//	                            collections there)

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"webapi/server/apitest"
	"webapi/store/storetest"
)

const defaultProcBenchDB = "postgres://postgres@127.0.0.1:5432/stream_bench?sslmode=disable"

// procClasses are the requests of the load phase; the idle phase sends each 3 times too.
var procClasses = []struct{ name, path string }{
	{"page of 10", "/api/accounts"},
	{"page of 10, include=contacts", "/api/accounts?include=contacts"},
	{"one account", "/api/accounts/5"},
	{"page[size]=100", "/api/accounts?page%5Bsize%5D=100"},
}

func BenchmarkLoadProcess(b *testing.B) {
	var t testing.TB = b // the body runs once: a load run, not b.N iterations (make bench-*: -benchtime 1x)
	if _, ok := storetest.Postgres(t); !ok {
		t.Fatal("the process benchmark needs PostgreSQL (WEBAPI_TEST_POSTGRES)")
	}
	bin := webapiBinary(t)
	logs := os.Getenv("WEBAPI_BENCH_PROC_LOGS")
	if logs == "" {
		logs = t.TempDir()
	}
	dbURL := os.Getenv("WEBAPI_BENCH_PROC_DB")
	if dbURL == "" {
		dbURL = defaultProcBenchDB
	}
	// prepared here rather than in a phase, so that -bench can pick any phase
	expected := keptStreamDB(t, bin, dbURL, envInt(t, "WEBAPI_BENCH_PROC_ROWS", 100_000))
	id, secret := prepareAPI(t, bin, dbURL)

	var report procReport
	b.Run("start_idle_sqlite", func(b *testing.B) { benchStartIdle(b, bin, logs, &report) })
	b.Run("stream_postgres", func(b *testing.B) { benchStream(b, bin, logs, dbURL, id, secret, expected, &report) })
	b.Run("slow_reader_postgres", func(b *testing.B) { benchSlowReader(b, bin, logs, dbURL, id, secret, expected, &report) })
	b.Run("load_postgres", func(b *testing.B) { benchPeakUnderLoad(b, bin, logs, dbURL, id, secret, &report) })

	t.Log(report.table())
}

// procReport collects the rows of the table the benchmark prints (the phases run one after the
// other).
type procReport struct {
	rows [][3]string // what, measured, goal
}

func (r *procReport) add(what, measured, goal string) {
	r.rows = append(r.rows, [3]string{what, measured, goal})
}

func (r *procReport) table() string {
	var s strings.Builder
	fmt.Fprintf(&s, "\n%d cores, GOMAXPROCS %d, %s, %s\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), time.Now().UTC().Format("2 Jan 2006"))
	s.WriteString("| measure | result | goal (issue 13) |\n|---|---:|---|\n")
	for _, row := range r.rows {
		fmt.Fprintf(&s, "| %s | %s | %s |\n", row[0], row[1], row[2])
	}
	return s.String()
}

// benchStartIdle is phase 1: starts on an existing SQLite database.
func benchStartIdle(b *testing.B, bin, logs string, report *procReport) {
	var t testing.TB = b
	starts := envInt(t, "WEBAPI_BENCH_PROC_STARTS", 5)
	scale := envInt(t, "WEBAPI_BENCH_PROC_SCALE", 1)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "webapi.db")
	runBinary(t, bin, "seed", "demo", "--scale", fmt.Sprint(scale), "--database="+dbURL)
	id, secret := prepareAPI(t, bin, dbURL)
	var token string
	var ready, firstAPI, startCPU []time.Duration
	var rss, anon, file, startPeak []int64
	for i := 0; i <= starts; i++ { // start 0 takes the token and is not measured
		t0 := time.Now()
		serve, c := serveProc(t, bin, dbURL, logs)
		waitReady(t, serve, c, 30*time.Second)
		tReady := time.Since(t0)
		cpu := serve.cpuTime() // what the start cost, whatever else the machine was doing
		if token == "" {
			token = c.fetchToken(t, id, secret)
		}
		c.token = token
		mustGet(t, c, "/api/accounts")
		tAPI := time.Since(t0)
		peak := serve.peakRSS() // the start's own peak: its heap before settle() gave it back
		for range 3 {
			for _, cl := range procClasses {
				mustGet(t, c, cl.path)
			}
		}
		time.Sleep(2 * time.Second)
		if i > 0 {
			ready, firstAPI, startCPU = append(ready, tReady), append(firstAPI, tAPI), append(startCPU, cpu)
			rss, anon, file = append(rss, serve.statusKiB("VmRSS")), append(anon, serve.statusKiB("RssAnon")), append(file, serve.statusKiB("RssFile"))
			startPeak = append(startPeak, peak)
			t.Logf("start %d: ready after %s (CPU %s), first API 200 after %s; idle VmRSS %d KiB (anon %d, file %d); VmHWM at the first request %d KiB",
				i, tReady.Round(time.Millisecond), cpu, tAPI.Round(time.Millisecond), rss[len(rss)-1], anon[len(anon)-1], file[len(file)-1], peak)
		}
		serve.stop(t)
	}
	report.add(fmt.Sprintf("start → `/readyz` 200, SQLite, demo data scale %d (%d starts: median / max)", scale, starts),
		fmt.Sprintf("%s / %s", msMedian(ready), msMax(ready)), "< 1 s")
	report.add("… the CPU time of the process until ready (user + system, median / max)",
		fmt.Sprintf("%s / %s", msMedian(startCPU), msMax(startCPU)), "")
	report.add("start → first authenticated `GET /api/accounts` 200 (median / max)",
		fmt.Sprintf("%s / %s", msMedian(firstAPI), msMax(firstAPI)), "")
	report.add("idle VmRSS after 13 requests and 2 s (median / max)",
		fmt.Sprintf("%s / %s", mib(medianOf(rss)), mib(slices.Max(rss))), "< 50 MiB")
	report.add("… of which anonymous / file-backed (the binary's pages), median",
		fmt.Sprintf("%s / %s", mib(medianOf(anon)), mib(medianOf(file))), "")
	report.add("the start's own peak (VmHWM at the first request), median",
		mib(medianOf(startPeak)), "")
}

// keptStreamDB makes the kept PostgreSQL database hold the demo data at scale 1 (accounts with
// contacts, for include=contacts) and rows generated accounts, all in the organization of admin,
// adding what is missing, and returns how many accounts it holds.
func keptStreamDB(t testing.TB, bin, dbURL string, rows int) int64 {
	t.Helper()
	db := storetest.KeptDemo(t, dbURL, 1)
	ctx := context.Background()
	var have int64
	if err := db.Gorm.Raw("SELECT COUNT(*) FROM accounts WHERE name LIKE 'stream-%'").Row().Scan(&have); err != nil {
		t.Fatal(err)
	}
	if have < int64(rows) {
		start := time.Now()
		// one statement: the rows need nothing the write pipeline derives except the search
		// index, which the next open of the database (prepareAPI's migrate) builds
		err := db.Gorm.Exec(`INSERT INTO accounts (name, description, owner_id, organization_id, created_at, updated_at)
			SELECT 'stream-' || lpad(g::text, 7, '0'), 'An account generated for the streaming benchmark, number ' || g,
			       (SELECT id FROM users WHERE username = 'admin'), 1, now(), now()
			FROM generate_series(?::int, ?::int) AS g`, have+1, rows).Error
		if err == nil {
			err = db.Gorm.Exec("ANALYZE accounts").Error
		}
		if err == nil {
			err = db.SetReindex(ctx, true)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d accounts generated in %s", int64(rows)-have, time.Since(start).Round(time.Millisecond))
		start = time.Now()
		runBinary(t, bin, "migrate", "--database="+dbURL) // builds the search index
		t.Logf("search index built in %s", time.Since(start).Round(time.Second))
	}
	var total, foreign int64
	if err := db.Gorm.Raw("SELECT COUNT(*), COUNT(*) FILTER (WHERE organization_id <> 1) FROM accounts").Row().Scan(&total, &foreign); err != nil {
		t.Fatal(err)
	}
	if foreign != 0 {
		t.Fatalf("%d accounts of another organization than admin's: the count of the stream would differ", foreign)
	}
	return total
}

// benchStream is the first half of phase 2: one client reading as fast as it can, a few times
// one after the other on the same server.
func benchStream(b *testing.B, bin, logs, dbURL, id, secret string, expected int64, report *procReport) {
	var t testing.TB = b
	runs := envInt(t, "WEBAPI_BENCH_PROC_STREAMS", 3)
	serve, c := serveProc(t, bin, dbURL, logs)
	defer serve.stop(t)
	waitReady(t, serve, c, 60*time.Second)
	c.token = c.fetchToken(t, id, secret)
	mustGet(t, c, "/api/accounts") // warm: the token's check, the statement caches
	before := serve.statusKiB("VmRSS")
	resetPeak(t, serve)
	var first, total []time.Duration
	var s streamResult
	for range runs {
		cpu0 := serve.cpuTime()
		s = streamAccounts(t, c, nil)
		cpu := serve.cpuTime() - cpu0
		if s.records != expected {
			t.Fatalf("the stream has %d records, the database %d accounts", s.records, expected)
		}
		first, total = append(first, s.firstByte), append(total, s.total)
		t.Logf("%d records, %d bytes: first byte after %s, all after %s; RSS %d KiB, peak so far %d KiB; the server's CPU %s",
			s.records, s.bytes, s.firstByte.Round(time.Microsecond), s.total.Round(time.Millisecond), serve.statusKiB("VmRSS"), serve.peakRSS(), cpu)
	}
	peak := serve.peakRSS()
	report.add(fmt.Sprintf("`page[size]=-1`, %d accounts (PostgreSQL), %d runs: first byte, median / max", s.records, runs),
		fmt.Sprintf("%s / %s", msMedian(first), msMax(first)), "< 100 ms")
	report.add("… all of it (the client decodes every record), median / bytes",
		fmt.Sprintf("%.2f s / %.0f MiB", medianOf(total).Seconds(), float64(s.bytes)/(1<<20)), "")
	report.add("… server's RSS before → peak of the runs (growth)",
		fmt.Sprintf("%s → %s (**+%s**)", mib(before), mib(peak), mib(peak-before)), "growth < 50 MiB")
}

// benchSlowReader is the second half of phase 2: a client that reads slowly, on a server whose
// pool has a single connection, while another client sends requests.
func benchSlowReader(b *testing.B, bin, logs, dbURL, id, secret string, expected int64, report *procReport) {
	var t testing.TB = b
	slow := time.Duration(envInt(t, "WEBAPI_BENCH_PROC_SLOW", 5)) * time.Second
	serve, c := serveProc(t, bin, dbURL, logs, "--db-max-conns", "1")
	defer serve.stop(t)
	waitReady(t, serve, c, 60*time.Second)
	c.token = c.fetchToken(t, id, secret)
	mustGet(t, c, "/api/accounts")
	before := serve.statusKiB("VmRSS")
	resetPeak(t, serve)
	// the other client: its own connection, one request after the other while the reader is slow
	other := &apiClient{base: c.base, token: c.token, http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}}}
	slowUntil := time.Now().Add(slow)
	var lat []time.Duration
	var otherErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; time.Now().Before(slowUntil); i++ {
			path := procClasses[i%len(procClasses)].path
			t0 := time.Now()
			res, body, err := other.get(path)
			if err == nil && res.StatusCode != http.StatusOK {
				err = fmt.Errorf("GET %s: %s: %.500s", path, res.Status, body)
			}
			if err != nil {
				otherErr = err
				return
			}
			lat = append(lat, time.Since(t0))
			time.Sleep(20 * time.Millisecond)
		}
	}()
	s := streamAccounts(t, c, &pacing{until: slowUntil, chunk: 64 << 10, every: 10 * time.Millisecond})
	<-done
	peak := serve.peakRSS()
	if otherErr != nil {
		t.Fatalf("a request while the reader was slow: %v", otherErr)
	}
	if s.records != expected {
		t.Fatalf("the stream has %d records, the database %d accounts", s.records, expected)
	}
	slices.Sort(lat)
	t.Logf("slow for %s (%d bytes read by then), then the rest: %d records in %s; RSS before %d KiB, peak %d KiB; %d other requests, latency p50 %s, max %s",
		slow, s.slowBytes, s.records, s.total.Round(time.Millisecond), before, peak, len(lat), lat[len(lat)/2], lat[len(lat)-1])
	report.add(fmt.Sprintf("slow reader (64 KiB / 10 ms for %s, then the rest), `--db-max-conns 1`: RSS before → peak (growth)", slow),
		fmt.Sprintf("%s → %s (**+%s**)", mib(before), mib(peak), mib(peak-before)), "growth < 50 MiB")
	report.add("… other requests meanwhile on the one-connection pool: 200s, p50 / max",
		fmt.Sprintf("%d of %d, %s / %s", len(lat), len(lat), ms1(lat[len(lat)/2]), ms1(lat[len(lat)-1])), "no connection held while writing")
}

// benchPeakUnderLoad is phase 3.
func benchPeakUnderLoad(b *testing.B, bin, logs, dbURL, id, secret string, report *procReport) {
	var t testing.TB = b
	seconds := envInt(t, "WEBAPI_BENCH_PROC_SECONDS", 5)
	conns := envInt(t, "WEBAPI_BENCH_PROC_CONNS", 32)
	serve, c := serveProc(t, bin, dbURL, logs)
	defer serve.stop(t)
	waitReady(t, serve, c, 60*time.Second)
	c.token = c.fetchToken(t, id, secret)
	for _, cl := range procClasses {
		mustGet(t, c, cl.path)
	}
	before := serve.statusKiB("VmRSS")
	resetPeak(t, serve)
	transport := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer transport.CloseIdleConnections()
	load := &apiClient{base: c.base, token: c.token, http: &http.Client{Transport: transport, Timeout: 60 * time.Second}}
	var perClass []string
	for _, cl := range procClasses {
		n, lat, err := load.hammer(cl.path, conns, time.Duration(seconds)*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(lat)
		rps := float64(n) / float64(seconds)
		t.Logf("%s: %d requests (%.0f/s), p50 %s, p99 %s; VmRSS %d KiB, VmHWM %d KiB",
			cl.path, n, rps, lat[len(lat)/2], lat[len(lat)*99/100], serve.statusKiB("VmRSS"), serve.peakRSS())
		perClass = append(perClass, fmt.Sprintf("%s %.0f", cl.name, rps))
	}
	peak := serve.peakRSS()
	t.Logf("after the load: RssAnon %d KiB, RssFile %d KiB", serve.statusKiB("RssAnon"), serve.statusKiB("RssFile"))
	report.add(fmt.Sprintf("peak RSS under load: %d keep-alive connections, %d s per class, bearer token (PostgreSQL)", conns, seconds),
		fmt.Sprintf("%s → **%s**", mib(before), mib(peak)), "≤ 60 MiB")
	report.add("… requests per second", strings.Join(perClass, "; "), "")
}

// waitReady polls /readyz every 2 ms until it answers 200.
func waitReady(t testing.TB, p *proc, c *apiClient, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		res, err := c.http.Get(c.base + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) || !p.running() {
			t.Fatalf("%s is not ready (%v): see %s", p.name, err, p.log)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// mustGet sends an authenticated GET and fails the test unless it answers 200.
func mustGet(t testing.TB, c *apiClient, path string) {
	t.Helper()
	if res, body := c.do(t, http.MethodGet, path, nil, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %.1000s", path, res.Status, body)
	}
}

// get is an authenticated GET that returns its error rather than failing the test (for
// goroutines).
func (c *apiClient) get(path string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, body, err
}

// hammer sends GET path from conns goroutines, one request after the other each, for d, and
// returns how many were answered and their latencies; any answer other than 200 is an error.
func (c *apiClient) hammer(path string, conns int, d time.Duration) (int, []time.Duration, error) {
	all, err := apitest.Load(conns, d, func(int) error {
		res, body, err := c.get(path)
		if err == nil && res.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s: %.500s", path, res.Status, body)
		}
		return err
	})
	return len(all), all, err
}

// resetPeak resets the process's VmHWM to its current RSS (Linux: 5 to /proc/<pid>/clear_refs),
// so that the next peakRSS is the peak of what follows.
func resetPeak(t testing.TB, p *proc) {
	t.Helper()
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.pid()), []byte("5"), 0); err != nil {
		t.Fatalf("reset the peak RSS of %s: %v", p.name, err)
	}
}

// streamResult is one read of the unpaged collection.
type streamResult struct {
	firstByte, total time.Duration
	bytes, slowBytes int64
	records          int64
}

// pacing makes a reader slow until a moment: at most chunk bytes per read, a read every
// interval.
type pacing struct {
	until time.Time
	chunk int
	every time.Duration
}

// pacedReader counts what it reads and, while its pacing lasts, reads slowly.
type pacedReader struct {
	r     io.Reader
	pace  *pacing
	n     int64
	slowN int64 // bytes read while slow

	window   time.Time // the start of the current interval, and what was read in it
	inWindow int
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if p.pace == nil || time.Now().After(p.pace.until) {
		n, err := p.r.Read(b)
		p.n += int64(n)
		return n, err
	}
	// the JSON decoder asks for what its buffer has room for, often less than a chunk: the pace
	// is counted in bytes, a chunk per interval
	if p.window.IsZero() || p.inWindow >= p.pace.chunk {
		if !p.window.IsZero() {
			time.Sleep(time.Until(p.window.Add(p.pace.every)))
		}
		p.window, p.inWindow = time.Now(), 0
	}
	if room := p.pace.chunk - p.inWindow; len(b) > room {
		b = b[:room]
	}
	n, err := p.r.Read(b)
	p.n += int64(n)
	p.inWindow += n
	p.slowN = p.n
	return n, err
}

// streamAccounts reads GET /api/accounts?page[size]=-1 (at the pace given, if any) and decodes
// it as it comes: every element of data must be an account with an id not seen before, and the
// document must end well.
func streamAccounts(t testing.TB, c *apiClient, pace *pacing) streamResult {
	t.Helper()
	var r streamResult
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotFirstResponseByte: func() { r.firstByte = time.Since(start) }})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/accounts?page%5Bsize%5D=-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 2000))
		t.Fatalf("the stream: %s: %s", res.Status, b)
	}
	body := &pacedReader{r: res.Body, pace: pace}
	dec := json.NewDecoder(body)
	seen := make(map[string]bool, 1<<17)
	expect := func(want json.Delim) {
		if tok, err := dec.Token(); err != nil || tok != want {
			t.Fatalf("the stream: %v %v where %v was due", tok, err, want)
		}
	}
	expect('{')
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatalf("the stream: %v", err)
		}
		if key != "data" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatalf("the stream: %s: %v", key, err)
			}
			continue
		}
		expect('[')
		for dec.More() {
			var rec struct{ Type, ID string }
			if err := dec.Decode(&rec); err != nil {
				t.Fatalf("the stream, after %d records: %v", r.records, err)
			}
			if rec.Type != "accounts" || rec.ID == "" || seen[rec.ID] {
				t.Fatalf("the stream's record %d: %+v (seen before: %v)", r.records+1, rec, seen[rec.ID])
			}
			seen[rec.ID] = true
			r.records++
		}
		expect(']')
	}
	expect('}')
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("the stream goes on after its document: %v", err)
	}
	r.total, r.bytes, r.slowBytes = time.Since(start), body.n, body.slowN
	return r
}

func medianOf[T int64 | time.Duration](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func msMedian(d []time.Duration) string { return ms1(medianOf(d)) }
func msMax(d []time.Duration) string    { return ms1(slices.Max(d)) }
func ms1(d time.Duration) string        { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
func mib(kib int64) string              { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }
