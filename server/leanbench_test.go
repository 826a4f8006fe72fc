package server_test

// The HTTP benchmark of issue 13 (make bench-http): ours (authenticated by the administrator's
// bearer token) and the lean hand-written server of leanbaseline_test.go, both real TCP servers
// (httptest.NewServer) in this process, over the same PostgreSQL database, loaded by turns by a
// Go load generator in the same process: keep-alive clients, 32 concurrent connections, a fixed
// duration per request class and server, split into rounds in which the two servers take turns
// (ours first in one round, the lean server first in the next); ours logs as the serve command
// does, a JSON line per request into a file. Whatever else the machine does over a class's time
// (a neighbour's load, PostgreSQL's own background work) then weighs on both alike: one server
// after the other, runs of the same code moved the ratio by ±0.08; in rounds of 1 s, on the ninth
// session's machine, still by ±0.07 (0.75–0.89 for the account); in rounds of 200 ms, the
// default, by ±0.02.
//
//	(a benchmark: make bench-* runs it once; make test and make bench do not)
//	WEBAPI_BENCH_HTTP_DB            the database, kept between runs (default
//	                                postgres://postgres@127.0.0.1:5432/http_bench?sslmode=disable;
//	                                created when missing, seeded when it has no accounts)
//	WEBAPI_BENCH_HTTP_SCALE         demo data scale when seeding (default 50)
//	WEBAPI_BENCH_HTTP_SECONDS       seconds of load per class and server (default 5)
//	WEBAPI_BENCH_HTTP_ROUNDS        rounds those seconds are split into (default 25: 200 ms each)
//	WEBAPI_BENCH_HTTP_CONNS         concurrent connections (default 32)
//	WEBAPI_BENCH_HTTP_CPUPROFILE    a file: the CPU profile of the whole process while ours
//	                                serves the profiled class, in a run of its own before the
//	                                measured rounds, as long as they are together (go tool
//	                                pprof -top -cum FILE)
//	WEBAPI_BENCH_HTTP_LEAN_CPUPROFILE  the same while the lean server serves it
//	WEBAPI_BENCH_HTTP_PROFILE_CLASS the name of the profiled class (default page10; the names
//	                                are those of leanCases, e.g. post_account, patch_account)
//	WEBAPI_BENCH_HTTP_ONLY          a regular expression: only the classes whose name matches
//
// RSS is the whole test process (both servers and the load generator): VmRSS after a server's
// last round and the peak VmHWM. CPU per request is this process's (both servers and the load generator)
// and that of the PostgreSQL backends of the database, during each run: on a machine that is
// busy with other work, it says more than requests per second. Next to the ratio of the whole
// run, the middle half of the rounds' own ratios (the 25th to the 75th percentile of ours / lean
// in each round): how far the machine's noise moves a round, in the run itself.
//
// Each class starts on new database connections of both servers (freshConnections), and the log
// gives the PostgreSQL backends' minor page faults per request: on glibc, a backend whose free
// memory at the top of its heap passes the trim threshold (128 KiB) after a statement gives it
// back to the system and faults it in again on the next one, which made the same plans cost 3-5
// times the database's CPU; whether it does depends on the order of the statements it runs, so
// it struck ours or the lean server's by chance. Classes with a fault or more a request are named
// under the table (POSTGRESQL REFAULTED ITS HEAP). The README's runs raise the threshold for
// PostgreSQL (MALLOC_TRIM_THRESHOLD_ in /etc/postgresql/15/main/environment, then a restart).
//
// The write classes run last. POST creates accounts named "HTTP bench <run> <n>", every one
// distinct; PATCH changes the description of accounts of the run's own (created through ours
// before its first run, one per connection, so that no two connections wait for one row's lock).
// Both servers do the same: the same requests, by turns. At the end the run
// deletes every account it created, with its search index row, so the database the GET classes
// read stays as it was (the accounts were at the end of the id order, which no GET class reads).

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/server/logwriter"
	"webapi/store"
	"webapi/store/storetest"
)

const defaultHTTPBenchDB = "postgres://postgres@127.0.0.1:5432/http_bench?sslmode=disable"

// loadResult is what runs of the load generator measured, one run or several (add); the rest
// is derived from it.
type loadResult struct {
	all     []time.Duration // every request's latency
	elapsed time.Duration
	bytes   uint64 // the process allocated (both servers and the load generator)
	cpu     cpuUse
	rss     int64 // KiB, VmRSS after the last run
}

// add is r and a later run of the same server and class together.
func (r loadResult) add(next loadResult) loadResult {
	return loadResult{all: append(r.all, next.all...), elapsed: r.elapsed + next.elapsed, bytes: r.bytes + next.bytes,
		cpu: cpuUse{r.cpu.process + next.cpu.process, r.cpu.postgres + next.cpu.postgres, r.cpu.faults + next.cpu.faults}, rss: next.rss}
}

func (r loadResult) requests() int { return len(r.all) }

func (r loadResult) rps() float64 { return float64(len(r.all)) / r.elapsed.Seconds() }

// alloc is the bytes allocated per request.
func (r loadResult) alloc() int64 { return int64(r.bytes) / int64(max(len(r.all), 1)) }

func BenchmarkLoadHTTP(b *testing.B) {
	var t testing.TB = b // the body runs once: a load run, not b.N iterations (make bench-*: -benchtime 1x)
	scale := benchEnvInt(t, "WEBAPI_BENCH_HTTP_SCALE", 50)
	seconds := benchEnvInt(t, "WEBAPI_BENCH_HTTP_SECONDS", 5)
	rounds := benchEnvInt(t, "WEBAPI_BENCH_HTTP_ROUNDS", 25)
	conns := benchEnvInt(t, "WEBAPI_BENCH_HTTP_CONNS", 32)
	dbURL := os.Getenv("WEBAPI_BENCH_HTTP_DB")
	if dbURL == "" {
		dbURL = defaultHTTPBenchDB
	}
	db := storetest.KeptDemo(t, dbURL, scale)
	var database string // whose backends' CPU is counted
	if err := db.Gorm.Raw("SELECT current_database()").Scan(&database).Error; err != nil {
		t.Fatal(err)
	}

	// ours logs as the serve command does (a JSON access line per request appended by hand,
	// collected by logwriter), into a file: what users run, system calls included
	logFile, err := os.Create(filepath.Join(t.TempDir(), "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	logs := logwriter.New(logFile, logwriter.Interval)
	defer func() { _ = logs.Close(); _ = logFile.Close() }()
	e, token := newServer(t, db, server.Config{Logger: slog.New(slog.NewJSONHandler(logs, nil)), AccessLog: logs})
	pool, _ := openBaselinePool(t, storetest.Backend{Name: "postgres", URL: dbURL}, db)
	// The write classes of earlier runs leave their deleted accounts and index rows behind as dead
	// rows, which every read passes over until a vacuum, and autovacuum may be off (it was on the
	// machine of the README's run): 100,000 of them made a page of ten read twice as slowly.
	if _, err := pool.Exec(context.Background(), "VACUUM ANALYZE"); err != nil {
		t.Fatal(err)
	}
	oursSrv := httptest.NewServer(e)
	defer oursSrv.Close()
	leanSrv := httptest.NewServer(leanHandler(pool))
	defer leanSrv.Close()

	transport := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	duration := time.Duration(seconds) * time.Second

	var table strings.Builder
	fmt.Fprintf(&table, "\nscale %d, %d connections, %s per class and server in %d rounds, GOMAXPROCS %d, %s\n\n", scale, conns, duration, rounds, runtime.GOMAXPROCS(0), time.Now().UTC().Format("2 Jan 2006"))
	table.WriteString("| request | ours req/s | lean req/s | ours / lean | … by round, middle half | ours p50 / p99 ms | lean p50 / p99 ms | CPU µs/req ours / lean (process + PostgreSQL) | RSS after ours / lean MiB |\n")
	table.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	only := regexp.MustCompile(os.Getenv("WEBAPI_BENCH_HTTP_ONLY"))
	profileClass := os.Getenv("WEBAPI_BENCH_HTTP_PROFILE_CLASS")
	if profileClass == "" {
		profileClass = "page10"
	}
	if !slices.ContainsFunc(leanCases, func(c leanCase) bool { return c.name == profileClass }) {
		t.Fatalf("WEBAPI_BENCH_HTTP_PROFILE_CLASS %q: no such class", profileClass)
	}

	// what the write classes create is named after the run, and deleted when it ends
	writes := &loadWrites{tag: fmt.Sprintf("HTTP bench %d", time.Now().UnixNano())}
	b.Cleanup(func() {
		var n int64
		err := pool.QueryRow(context.Background(), `WITH gone AS (DELETE FROM accounts WHERE starts_with(name, $1) RETURNING id),
			unindexed AS (DELETE FROM search_index WHERE entity_type = 'accounts' AND record_id IN (SELECT id::text FROM gone))
			SELECT count(*) FROM gone`, writes.tag+" ").Scan(&n)
		if err != nil {
			t.Errorf("delete the accounts of the run: %v", err)
			return
		}
		if n > 0 {
			t.Logf("deleted the %d accounts the run created, with their index rows", n)
		}
	})

	var idle []string      // the classes during which the machine was not busy
	var refaulted []string // the classes during which PostgreSQL faulted its memory in again and again
	for _, c := range leanCases {
		if !only.MatchString(c.name) {
			continue
		}
		if c.method == http.MethodPatch && writes.ids == nil {
			writes.ids = patchTargets(t, client, oursSrv.URL, token, writes.tag, conns)
		}
		run := func(base, auth string, d time.Duration, profile string) loadResult {
			var stop func()
			if profile != "" {
				f, err := os.Create(profile)
				if err != nil {
					t.Fatal(err)
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					t.Fatal(err)
				}
				stop = func() { pprof.StopCPUProfile(); _ = f.Close() }
			}
			r := loadRun(t, client, database, base, auth, &c, writes, conns, d)
			if stop != nil {
				stop()
				t.Logf("CPU profile while serving %s: %s", c.name, profile)
			}
			return r
		}
		freshConnections(t, db, pool)
		// warm-up: connections, statement caches, the token cache
		run(oursSrv.URL, token, time.Second, "")
		run(leanSrv.URL, "", time.Second, "")
		if c.name == profileClass { // profiled in runs of their own, as long as the measured ones
			run(oursSrv.URL, token, duration, os.Getenv("WEBAPI_BENCH_HTTP_CPUPROFILE"))
			run(leanSrv.URL, "", duration, os.Getenv("WEBAPI_BENCH_HTTP_LEAN_CPUPROFILE"))
		}
		// the servers take turns, ours first in even rounds, the lean server first in odd ones
		var ours, lean loadResult
		byRound := make([]float64, rounds) // ours / lean in each round
		round := duration / time.Duration(rounds)
		for i := range rounds {
			var o, l loadResult
			serveOurs := func() { o = run(oursSrv.URL, token, round, "") }
			serveLean := func() { l = run(leanSrv.URL, "", round, "") }
			if i%2 == 0 {
				serveOurs()
				serveLean()
			} else {
				serveLean()
				serveOurs()
			}
			ours, lean, byRound[i] = ours.add(o), lean.add(l), o.rps()/l.rps()
		}
		slices.Sort(byRound)
		ol, ll := latencyStats(ours.all), latencyStats(lean.all)
		t.Logf("%s: ours %d requests, %s, %d B allocated per request, %.1f CPUs busy, %.2f PostgreSQL page faults per request; lean %d requests, %s, %d B, %.1f CPUs busy, %.2f faults", c.name,
			ours.requests(), ol, ours.alloc(), ours.cpusBusy(), ours.faultsPerRequest(), lean.requests(), ll, lean.alloc(), lean.cpusBusy(), lean.faultsPerRequest())
		if busy := min(ours.cpusBusy(), lean.cpusBusy()); busy < 0.75*float64(runtime.NumCPU()) {
			idle = append(idle, fmt.Sprintf("%s (%.1f of %d)", c.name, busy, runtime.NumCPU()))
		}
		if f := max(ours.faultsPerRequest(), lean.faultsPerRequest()); f >= 1 {
			refaulted = append(refaulted, fmt.Sprintf("%s (%.1f / %.1f)", c.name, ours.faultsPerRequest(), lean.faultsPerRequest()))
		}
		op, od := ours.perRequest()
		lp, ld := lean.perRequest()
		fmt.Fprintf(&table, "| %s`%s`%s | %.0f | %.0f | %.2f | %.2f–%.2f | %.1f / %.1f | %.1f / %.1f | %.0f + %.0f / %.0f + %.0f | %.0f / %.0f |\n",
			leanMethod(c.method), c.path, leanXInclude(c.xInclude), ours.rps(), lean.rps(), ours.rps()/lean.rps(),
			byRound[rounds/4], byRound[(3*rounds-1)/4],
			msf(ol.p50), msf(ol.p99), msf(ll.p50), msf(ll.p99),
			op, od, lp, ld, float64(ours.rss)/1024, float64(lean.rss)/1024)
	}
	fmt.Fprintf(&table, "\npeak RSS of the process (VmHWM): %.0f MiB\n", float64(procStatusKiB("VmHWM"))/1024)
	if idle != nil {
		// a loaded class keeps the CPUs busy (the two servers, PostgreSQL and the load generator
		// share them): one that did not was waiting on something else, and its ratio says little
		fmt.Fprintf(&table, "\nNOT CPU-BOUND, ratios not representative: %s CPUs busy\n", strings.Join(idle, ", "))
	}
	if refaulted != nil {
		// see the file's comment: raise glibc's trim threshold for PostgreSQL to compare the
		// servers' work (README, Performance)
		fmt.Fprintf(&table, "\nPOSTGRESQL REFAULTED ITS HEAP, ratios not representative: %s page faults a request ours / lean\n", strings.Join(refaulted, ", "))
	}
	t.Log(table.String())
}

// freshConnections closes the idle database connections of both servers (all of them, between
// classes), so that each class starts on new PostgreSQL backends, whose heaps no earlier class
// has shaped (see the file's comment: which backends refaulted their heap, and so which server
// paid for it, depended on the statements they had run before).
func freshConnections(t testing.TB, db *store.DB, pool *pgxpool.Pool) {
	t.Helper()
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	idle := sqlDB.Stats().MaxOpenConnections // the store keeps as many idle as it may open
	sqlDB.SetMaxIdleConns(0)                 // closes the idle ones
	sqlDB.SetMaxIdleConns(idle)
	pool.Reset()
}

func leanXInclude(v string) string {
	if v == "" {
		return ""
	}
	return " (`X-Include: " + v + "`)"
}

func leanMethod(m string) string {
	if m == "" {
		return ""
	}
	return m + " "
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadWrites is what the runs of the write classes share: the prefix of the names of the
// accounts they create, the accounts the PATCH class changes (one per connection) and the count
// of write requests, which numbers them (so that every POST creates a distinct name, and every
// PATCH really changes its account).
type loadWrites struct {
	tag string
	ids []string
	n   atomic.Int64
}

// patchTargets creates n accounts through ours, for the PATCH class to change, and returns their ids.
func patchTargets(t testing.TB, client *http.Client, base, token, tag string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		body := fmt.Sprintf(`{"data":{"type":"accounts","attributes":{"name":"%s patched %d","description":"to be patched"}}}`, tag, i)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/accounts", strings.NewReader(body))
		req.Header.Set("Authorization", token)
		req.Header.Set("Content-Type", "application/vnd.api+json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusCreated || !strings.Contains(loc, "/api/accounts/") {
			t.Fatalf("create an account to patch: status %d, Location %q", resp.StatusCode, loc)
		}
		ids[i] = loc[strings.LastIndexByte(loc, '/')+1:]
	}
	return ids
}

// loadRun sends the requests of class c to the server at base from conns goroutines (one
// keep-alive connection each) for d and returns the throughput, the latencies and the
// process's RSS after the run. A PATCH of connection k changes the account writes.ids[k].
func loadRun(t testing.TB, client *http.Client, database, base, auth string, c *leanCase, writes *loadWrites, conns int, d time.Duration) loadResult {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	cpu0 := readCPU(database)
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	alloc0 := mem.TotalAlloc
	start := time.Now()
	all, err := apitest.Load(conns, d, func(k int) error {
		id, url := "", base+c.path
		if method == http.MethodPatch {
			id = writes.ids[k]
			url = base + strings.Replace(c.path, "{id}", id, 1)
		}
		var body io.Reader
		if c.body != nil {
			body = strings.NewReader(c.body(writes.tag, id, writes.n.Add(1)))
		}
		req, _ := http.NewRequest(method, url, body)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		if c.xInclude != "" {
			req.Header.Set("X-Include", c.xInclude)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/vnd.api+json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err == nil && resp.StatusCode != c.status() {
			err = fmt.Errorf("%s %s: status %d", method, url, resp.StatusCode)
		}
		return err
	})
	elapsed := time.Since(start)
	cpu := readCPU(database).since(cpu0)
	runtime.ReadMemStats(&mem)
	if err != nil {
		t.Fatal(err)
	}
	return loadResult{all: all, elapsed: elapsed, bytes: mem.TotalAlloc - alloc0, cpu: cpu, rss: procStatusKiB("VmRSS")}
}

// procStatusKiB reads a "kB" field of /proc/self/status (0 where there is none).
func procStatusKiB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			var n int64
			_, _ = fmt.Sscanf(strings.TrimSpace(rest), "%d", &n)
			return n
		}
	}
	return 0
}

// cpuUse is CPU time spent by this process (both servers and the load generator) and by the
// local PostgreSQL's processes. Per request it is a measure of cost that holds on a busy machine,
// where requests per second also depend on what else runs. faults counts the minor page faults
// of PostgreSQL's processes: a few a request mean their heap is given back to the system after
// statements and faulted in again (see freshConnections), a cost of the allocator, not the SQL.
type cpuUse struct {
	process, postgres time.Duration
	faults            int64
}

func (c cpuUse) since(before cpuUse) cpuUse {
	return cpuUse{c.process - before.process, c.postgres - before.postgres, c.faults - before.faults}
}

// faultsPerRequest is the minor page faults of PostgreSQL's processes per request.
func (r loadResult) faultsPerRequest() float64 {
	return float64(r.cpu.faults) / float64(max(r.requests(), 1))
}

// cpusBusy is how many CPUs the process and PostgreSQL kept busy on average during the runs.
func (r loadResult) cpusBusy() float64 {
	return float64(r.cpu.process+r.cpu.postgres) / float64(max(r.elapsed, 1))
}

// perRequest is the CPU time per request in microseconds: this process, PostgreSQL.
func (r loadResult) perRequest() (process, postgres float64) {
	n := float64(max(r.requests(), 1))
	return float64(r.cpu.process.Microseconds()) / n, float64(r.cpu.postgres.Microseconds()) / n
}

// readCPU reads utime+stime of /proc/self/stat and of the PostgreSQL backends connected to the
// database (their process title is "postgres: [<cluster>: ]<user> <database> <client> <state>"; a backend
// that ends between two readings is not counted, but the pools keep theirs open).
func readCPU(database string) cpuUse {
	c := cpuUse{process: procCPU("/proc/self").cpu}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		title, err := os.ReadFile("/proc/" + d.Name() + "/cmdline")
		f := strings.Fields(string(title))
		if err != nil || len(f) < 3 || f[0] != "postgres:" {
			continue
		}
		if strings.HasSuffix(f[1], ":") { // Debian's title names the cluster: "15/main:"
			f = f[1:]
		}
		if len(f) > 2 && f[2] == database {
			backend := procCPU("/proc/" + d.Name())
			c.postgres += backend.cpu
			c.faults += backend.faults
		}
	}
	return c
}

// procStat is what procCPU reads of a process.
type procStat struct {
	cpu    time.Duration
	faults int64
}

// procCPU is utime+stime of a /proc/<pid>/stat, in clock ticks of 10 ms (USER_HZ on Linux), and
// its minor page faults.
func procCPU(dir string) procStat {
	b, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return procStat{}
	}
	// the fields after the command name, which is in parentheses and may hold spaces
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return procStat{}
	}
	var faults, user, sys int64
	_, _ = fmt.Sscan(f[7], &faults)
	_, _ = fmt.Sscan(f[11], &user)
	_, _ = fmt.Sscan(f[12], &sys)
	return procStat{time.Duration(user+sys) * 10 * time.Millisecond, faults}
}
