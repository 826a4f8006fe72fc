package main

// The benchmark of the batch API (issue 11, item 6): 100,000 accounts through the asynchronous
// API on a fresh PostgreSQL schema, written by 1 and then by 2 `webapi worker` processes
// (`webapi serve --workers 0` takes the request). It measures the records per second from the
// submission (the PATCH sent) to the operation's success, and each worker process's peak RSS
// (VmHWM of /proc/<pid>/status, read before it is stopped). Run by make bench-batch:
//
//	(a benchmark: make bench-batch runs it once; make test and make bench do not)
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

	"webapi/store/storetest"
)

func BenchmarkLoadBatch(b *testing.B) {
	var t testing.TB = b // the body runs once: a load run, not b.N iterations (make bench-*: -benchtime 1x)
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
	pg, ok := storetest.Postgres(t)
	if !ok {
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
		cpu              []time.Duration
		serveRSS         int64
		serveCPU         time.Duration
		busy             float64 // the machine's CPU busy, all processes (PostgreSQL too)
	}
	var results []result
	for _, procs := range runs {
		b.Run(fmt.Sprintf("%d_processes", procs), func(b *testing.B) {
			var t testing.TB = b
			db := storetest.OpenEmpty(t, pg)
			dbURL := storetest.URL(t, pg, db)
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
			busy0, all0 := machineCPU()
			start := time.Now()
			id := api.submitBatch(t, "accounts", body.Bytes())
			submitted := time.Now()
			op, ended := api.waitOperation(t, id, 20*time.Minute, 50*time.Millisecond)
			done := time.Now()
			busy1, all1 := machineCPU()
			r := result{processes: procs, submit: submitted.Sub(start), total: done.Sub(start), serveRSS: serve.peakRSS(), serveCPU: serve.cpuTime()}
			if all1 > all0 {
				r.busy = float64(busy1-busy0) / float64(all1-all0)
			}
			for _, w := range workers {
				r.rss = append(r.rss, w.peakRSS())
				r.cpu = append(r.cpu, w.cpuTime())
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
			t.Logf("%d worker process(es): 202 after %s, success after %s: %.0f records/s (%.0f/s after the 202); aggregateTime %d ms; peak RSS %v KiB, serve %d KiB; CPU %v, serve %s; the machine's CPU %.0f%% busy",
				procs, r.submit.Round(time.Millisecond), r.total.Round(time.Millisecond), r.rate, r.workerRate, r.aggregate, r.rss, r.serveRSS, r.cpu, r.serveCPU, 100*r.busy)
			results = append(results, r)
		})
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%d accounts, webapi worker --workers %d, PostgreSQL, %d cores\n\n", records, perProcess, runtime.NumCPU())
	table.WriteString("| worker processes | 202 after | success after | records/s | peak RSS per worker | CPU per worker | serve's peak RSS, CPU | machine CPU busy |\n")
	table.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		var rss, cpu []string
		for i, k := range r.rss {
			rss = append(rss, fmt.Sprintf("%.0f MiB", float64(k)/1024))
			cpu = append(cpu, fmt.Sprintf("%.1f s", r.cpu[i].Seconds()))
		}
		fmt.Fprintf(&table, "| %d | %.1f s | %.1f s | %.0f | %s | %s | %.0f MiB, %.1f s | %.0f %% |\n", r.processes, r.submit.Seconds(), r.total.Seconds(),
			r.rate, strings.Join(rss, ", "), strings.Join(cpu, ", "), float64(r.serveRSS)/1024, r.serveCPU.Seconds(), 100*r.busy)
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

// machineCPU returns the busy and the total CPU time of the machine so far, in ticks, from the
// first line of /proc/stat (Linux; zeros elsewhere).
func machineCPU() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i >= 8 { // guest time is counted in user time already
			break
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}
