package server_test

// The HTTP benchmark of issue 13 (make bench-http): ours (authenticated by the administrator's
// bearer token) and the lean hand-written server of leanbaseline_test.go, both real TCP servers
// (httptest.NewServer) in this process, over the same PostgreSQL database, loaded one after the
// other by a Go load generator in the same process: keep-alive clients, 32 concurrent
// connections, a fixed duration per request class and server.
//
//	(a benchmark: make bench-* runs it once; make test and make bench do not)
//	WEBAPI_BENCH_HTTP_DB            the database, kept between runs (default
//	                                postgres://postgres@127.0.0.1:5432/http_bench?sslmode=disable;
//	                                created when missing, seeded when it has no accounts)
//	WEBAPI_BENCH_HTTP_SCALE         demo data scale when seeding (default 50)
//	WEBAPI_BENCH_HTTP_SECONDS       seconds of load per class and server (default 5)
//	WEBAPI_BENCH_HTTP_CONNS         concurrent connections (default 32)
//	WEBAPI_BENCH_HTTP_CPUPROFILE    a file: the CPU profile of the whole process while ours
//	                                serves the page of 10 accounts (go tool pprof -top -cum FILE)
//	WEBAPI_BENCH_HTTP_LEAN_CPUPROFILE  the same while the lean server serves it
//	WEBAPI_BENCH_HTTP_ONLY          a regular expression: only the classes whose name matches
//
// RSS is the whole test process (both servers and the load generator): VmRSS after each run
// and the peak VmHWM.

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"webapi/server"
	"webapi/store/storetest"
)

const defaultHTTPBenchDB = "postgres://postgres@127.0.0.1:5432/http_bench?sslmode=disable"

// loadResult is one run of the load generator.
type loadResult struct {
	requests int
	rps      float64
	lat      stats
	rss      int64 // KiB, VmRSS after the run
}

func BenchmarkLoadHTTP(b *testing.B) {
	var t testing.TB = b // the body runs once: a load run, not b.N iterations (make bench-*: -benchtime 1x)
	scale := benchEnvInt(t, "WEBAPI_BENCH_HTTP_SCALE", 50)
	seconds := benchEnvInt(t, "WEBAPI_BENCH_HTTP_SECONDS", 5)
	conns := benchEnvInt(t, "WEBAPI_BENCH_HTTP_CONNS", 32)
	dbURL := os.Getenv("WEBAPI_BENCH_HTTP_DB")
	if dbURL == "" {
		dbURL = defaultHTTPBenchDB
	}
	db := storetest.KeptDemo(t, dbURL, scale)

	e, token := newServer(t, db, server.Config{})
	pool, _ := openBaselinePool(t, storetest.Backend{Name: "postgres", URL: dbURL}, db)
	oursSrv := httptest.NewServer(e)
	defer oursSrv.Close()
	leanSrv := httptest.NewServer(leanHandler(pool))
	defer leanSrv.Close()

	transport := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	duration := time.Duration(seconds) * time.Second

	var table strings.Builder
	fmt.Fprintf(&table, "\nscale %d, %d connections, %s per class and server, GOMAXPROCS %d, %s\n\n", scale, conns, duration, runtime.GOMAXPROCS(0), time.Now().UTC().Format("2 Jan 2006"))
	table.WriteString("| request | ours req/s | lean req/s | ours / lean | ours p50 / p99 ms | lean p50 / p99 ms | RSS after ours / lean MiB |\n")
	table.WriteString("|---|---:|---:|---:|---:|---:|---:|\n")
	only := regexp.MustCompile(os.Getenv("WEBAPI_BENCH_HTTP_ONLY"))
	for _, c := range leanCases {
		if !only.MatchString(c.name) {
			continue
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
			r := loadRun(t, client, base+c.path, auth, c.xInclude, conns, d)
			if stop != nil {
				stop()
				t.Logf("CPU profile while serving %s: %s", c.path, profile)
			}
			return r
		}
		// warm-up: connections, statement caches, the token cache
		run(oursSrv.URL, token, time.Second, "")
		run(leanSrv.URL, "", time.Second, "")
		profile, leanProfile := "", ""
		if c.name == "page10" {
			profile, leanProfile = os.Getenv("WEBAPI_BENCH_HTTP_CPUPROFILE"), os.Getenv("WEBAPI_BENCH_HTTP_LEAN_CPUPROFILE")
		}
		ours := run(oursSrv.URL, token, duration, profile)
		lean := run(leanSrv.URL, "", duration, leanProfile)
		t.Logf("%s: ours %d requests, %s; lean %d requests, %s", c.name, ours.requests, ours.lat, lean.requests, lean.lat)
		fmt.Fprintf(&table, "| `%s`%s | %.0f | %.0f | %.2f | %.1f / %.1f | %.1f / %.1f | %.0f / %.0f |\n",
			c.path, leanXInclude(c.xInclude), ours.rps, lean.rps, ours.rps/lean.rps,
			msf(ours.lat.p50), msf(ours.lat.p99), msf(lean.lat.p50), msf(lean.lat.p99),
			float64(ours.rss)/1024, float64(lean.rss)/1024)
	}
	fmt.Fprintf(&table, "\npeak RSS of the process (VmHWM): %.0f MiB\n", float64(procStatusKiB("VmHWM"))/1024)
	t.Log(table.String())
}

func leanXInclude(v string) string {
	if v == "" {
		return ""
	}
	return " (`X-Include: " + v + "`)"
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadRun sends GET url from conns goroutines (one keep-alive connection each) for d and
// returns the throughput, the latencies and the process's RSS after the run.
func loadRun(t testing.TB, client *http.Client, url, auth, xInclude string, conns int, d time.Duration) loadResult {
	t.Helper()
	var (
		mu     sync.Mutex
		all    []time.Duration
		failed error
		wg     sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				if auth != "" {
					req.Header.Set("Authorization", auth)
				}
				if xInclude != "" {
					req.Header.Set("X-Include", xInclude)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s: status %d", url, resp.StatusCode)
					}
				}
				if err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
					return
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if failed != nil {
		t.Fatal(failed)
	}
	return loadResult{requests: len(all), rps: float64(len(all)) / elapsed.Seconds(), lat: latencyStats(all), rss: procStatusKiB("VmRSS")}
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
