package main

// The benchmark of the batch API (issue 11, item 6): 100,000 accounts through the asynchronous
// API on a fresh PostgreSQL schema, written by 1 and then by 2 `webapi worker` processes
// (`webapi serve --workers 0` takes the request). It measures the records per second from the
// submission (the PATCH sent) to the operation's success, and each worker process's peak RSS
// (VmHWM of /proc/<pid>/status, read before it is stopped). Run by make bench-batch:
//
//	WEBAPI_BENCH_BATCH=1     run it (make test skips it)
//	WEBAPI_BENCH_RECORDS     records of the batch (default 100000)
//	WEBAPI_BENCH_WORKERS     --workers of each worker process (default 4, the command's default)
//	WEBAPI_BENCH_PROCESSES   the runs, worker processes of each (default "1,2")

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"webapi/store"
	"webapi/store/storetest"
)

func TestBatchBenchmark(t *testing.T) {
	if os.Getenv("WEBAPI_BENCH_BATCH") != "1" {
		t.Skip("the batch benchmark runs with WEBAPI_BENCH_BATCH=1 (make bench-batch)")
	}
	records := envInt(t, "WEBAPI_BENCH_RECORDS", 100_000)
	perProcess := envInt(t, "WEBAPI_BENCH_WORKERS", 4)
	runs := []int{1, 2}
	if v := os.Getenv("WEBAPI_BENCH_PROCESSES"); v != "" {
		runs = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				t.Fatalf("WEBAPI_BENCH_PROCESSES=%q", v)
			}
			runs = append(runs, n)
		}
	}
	var pg *storetest.Backend
	for _, b := range storetest.Backends(t) {
		if b.Name == string(store.Postgres) {
			pg = &b
		}
	}
	if pg == nil {
		t.Fatal("the batch benchmark needs PostgreSQL (WEBAPI_TEST_POSTGRES)")
	}
	bin := webapiBinary(t)

	var body bytes.Buffer
	body.WriteString(`{"data":[`)
	for i := range records {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"type":"accounts","attributes":{"name":"bench-%07d"}}`, i)
	}
	body.WriteString(`]}`)

	type result struct {
		processes        int
		submit, total    time.Duration
		aggregate        int
		rate, workerRate float64
		rss              []int64
		serveRSS         int64
	}
	var results []result
	for _, procs := range runs {
		t.Run(fmt.Sprintf("%d_processes", procs), func(t *testing.T) {
			db := storetest.OpenEmpty(t, *pg)
			dbURL := storetest.URL(t, *pg, db)
			logs := t.TempDir()
			api, serve := batchServer(t, bin, dbURL, logs, "--body-limit", fmt.Sprint(512<<20),
				"--batch-max-records", fmt.Sprint(max(records, 100_000)), "--request-timeout", "10m", "--read-timeout", "10m")
			defer serve.stop(t)
			workers := make([]*proc, procs)
			for i := range workers {
				workers[i] = newProc(t, fmt.Sprintf("worker%d", i+1), bin, logs, "worker", "--database="+dbURL,
					"--workers", fmt.Sprint(perProcess))
				workers[i].start(t)
			}
			for _, w := range workers { // started (migrated, River running) before the clock starts
				waitForLog(t, w, `"msg":"working"`, 60*time.Second)
			}
			start := time.Now()
			id := api.submitBatch(t, "accounts", body.Bytes())
			submitted := time.Now()
			op, ended := api.waitOperation(t, id, 20*time.Minute, 50*time.Millisecond)
			done := time.Now()
			r := result{processes: procs, submit: submitted.Sub(start), total: done.Sub(start), serveRSS: serve.peakRSS()}
			for _, w := range workers {
				r.rss = append(r.rss, w.peakRSS())
			}
			for _, w := range workers {
				w.stop(t)
			}
			if !ended || op.Status != "success" {
				t.Fatalf("the operation: %s", op)
			}
			if op.Summary["createCount"] != records || op.Summary["errorCount"] != 0 {
				t.Fatalf("summary %v, want %d created", op.Summary, records)
			}
			var n int64
			if err := db.Gorm.Raw("SELECT COUNT(*) FROM accounts WHERE name LIKE 'bench-%'").Scan(&n).Error; err != nil || n != int64(records) {
				t.Fatalf("%d accounts stored (%v), want %d", n, err, records)
			}
			r.aggregate = op.Summary["aggregateTime"]
			r.rate = float64(records) / r.total.Seconds()
			r.workerRate = float64(records) / done.Sub(submitted).Seconds()
			t.Logf("%d worker process(es): 202 after %s, success after %s: %.0f records/s (%.0f/s after the 202); aggregateTime %d ms; peak RSS %v KiB, serve %d KiB",
				procs, r.submit.Round(time.Millisecond), r.total.Round(time.Millisecond), r.rate, r.workerRate, r.aggregate, r.rss, r.serveRSS)
			results = append(results, r)
		})
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%d accounts, webapi worker --workers %d, PostgreSQL, %d cores\n\n", records, perProcess, runtime.NumCPU())
	table.WriteString("| worker processes | 202 after | success after | records/s | peak RSS per worker | serve's peak RSS |\n")
	table.WriteString("|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		var rss []string
		for _, k := range r.rss {
			rss = append(rss, fmt.Sprintf("%.0f MiB", float64(k)/1024))
		}
		fmt.Fprintf(&table, "| %d | %.1f s | %.1f s | %.0f | %s | %.0f MiB |\n", r.processes, r.submit.Seconds(), r.total.Seconds(),
			r.rate, strings.Join(rss, ", "), float64(r.serveRSS)/1024)
	}
	fmt.Print(table.String())
}

// waitForLog waits until the process's log holds want as often as the process was started.
func waitForLog(t testing.TB, p *proc, want string, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		b, _ := os.ReadFile(p.log)
		if strings.Count(string(b), want) >= p.starts {
			return
		}
		if time.Now().After(deadline) || !p.running() {
			t.Fatalf("%s did not log %s: %s", p.name, want, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
