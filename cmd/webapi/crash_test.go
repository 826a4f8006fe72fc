package main

// The crash test of the batch API (issue 11, item 5; api.md section 12): one asynchronous batch
// of accounts — creates, updates by id, upserts by name, and about 2% invalid records — written by
// `webapi worker` processes that are killed with SIGKILL at random moments and restarted. Every
// valid record must end up written exactly once, and the summary and the errors must be exact.
//
//	WEBAPI_CRASH_RECORDS  records of the batch (default 5000: the workers are still busy at the
//	                      first kills, 0.1 to 0.7 s into the operation)
//	WEBAPI_CRASH_ROUNDS   rounds of kills (default 3)
//	WEBAPI_CRASH_CHUNK    primary records per chunk, serve's --batch-chunk-size (default 10: many
//	                      chunks, so that kills land in the middle of some)
//	WEBAPI_CRASH_SEED     the random seed (default: the time; the log names it)
//	WEBAPI_CRASH_WAIT     how long the operation may take after the last round (default 3m)
//
// make crashtest runs it with 20,000 records and 10 rounds. On PostgreSQL two worker processes
// (--workers 2 each) share the work; on SQLite one process. The PostgreSQL backend follows
// store/storetest: required when WEBAPI_REQUIRE_POSTGRES=1, else skipped with a log line when
// unreachable.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"webapi/store"
	"webapi/store/storetest"
)

func TestBatchSurvivesKills(t *testing.T) {
	records := envInt(t, "WEBAPI_CRASH_RECORDS", 5000)
	rounds := envInt(t, "WEBAPI_CRASH_ROUNDS", 3)
	chunk := envInt(t, "WEBAPI_CRASH_CHUNK", 10)
	if records < 500 {
		t.Fatalf("WEBAPI_CRASH_RECORDS=%d: at least 500 (the batch holds 120 updates and upserts)", records)
	}
	wait := 3 * time.Minute
	if v := os.Getenv("WEBAPI_CRASH_WAIT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("WEBAPI_CRASH_WAIT: %v", err)
		}
		wait = d
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("WEBAPI_CRASH_SEED"); v != "" {
		if _, err := fmt.Sscan(v, &seed); err != nil {
			t.Fatalf("WEBAPI_CRASH_SEED: %v", err)
		}
	}
	bin := webapiBinary(t)
	// the backends in parallel: most of the time is spent waiting for River to rescue the chunks
	// of the killed workers (--batch-rescue-after 8s, and River looks every 30 s)
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			t.Logf("%d records in chunks of %d, %d rounds, WEBAPI_CRASH_SEED=%d", records, chunk, rounds, seed)
			crashRun(t, bin, b, records, chunk, rounds, wait, rand.New(rand.NewPCG(seed, 11)))
		})
	}
}

// crashBatch is the batch the crash test sends, and what it must leave behind.
type crashBatch struct {
	body []byte
	// pointers are the errors' pointers the batch must produce (each exactly once); titles
	// their titles
	pointers map[string]string
	// names are the names of the accounts named crash-… afterwards (each exactly once)
	names map[string]bool
	// renamed maps the ids updated by id to their new names; upserted the ids updated by an
	// upsert by name (their description becomes "upserted")
	renamed  map[string]string
	upserted []string
	creates  int
	updates  int
}

// The roles of the records of the batch.
const (
	roleCreate        = iota
	roleBadOwner      // an owner that does not exist: 400 form constraint
	roleBlankName     // an empty name: 400 not blank constraint
	roleUpdate        // an update by id of an account created before
	roleUpsertOld     // an upsert by name that finds an account created before
	roleUpsertNew     // an upsert by name that finds nothing: a create
	updatesByID       = 50
	upsertsOfExisting = 50
	upsertsOfNew      = 20
)

// newCrashBatch builds a batch of n records: about 2% invalid, 50 updates by id and 50 upserts
// of the 100 accounts pre (names crash-pre-000…099, ids preIDs), 20 upserts of new names, the
// rest creates, in a random order.
func newCrashBatch(n int, preIDs []string, rnd *rand.Rand) *crashBatch {
	invalid := n / 50
	roles := make([]int, 0, n)
	for i := range invalid {
		roles = append(roles, roleBadOwner+i%2)
	}
	for range updatesByID {
		roles = append(roles, roleUpdate)
	}
	for range upsertsOfExisting {
		roles = append(roles, roleUpsertOld)
	}
	for range upsertsOfNew {
		roles = append(roles, roleUpsertNew)
	}
	for len(roles) < n {
		roles = append(roles, roleCreate)
	}
	rnd.Shuffle(len(roles), func(i, j int) { roles[i], roles[j] = roles[j], roles[i] })

	b := &crashBatch{pointers: map[string]string{}, names: map[string]bool{}, renamed: map[string]string{}}
	for i := range 100 {
		if i >= updatesByID { // the upserted keep their names; the renamed get new ones below
			b.names[fmt.Sprintf("crash-pre-%03d", i)] = true
		}
	}
	type rel struct {
		Data map[string]string `json:"data"`
	}
	type record struct {
		Type          string         `json:"type"`
		ID            string         `json:"id,omitempty"`
		Meta          map[string]any `json:"meta,omitempty"`
		Attributes    map[string]any `json:"attributes"`
		Relationships map[string]rel `json:"relationships,omitempty"`
	}
	data := make([]record, n)
	nextUpdate, nextUpsert := 0, updatesByID
	for i, role := range roles {
		r := record{Type: "accounts", Attributes: map[string]any{}}
		switch role {
		case roleCreate:
			name := fmt.Sprintf("crash-%06d", i)
			r.Attributes["name"] = name
			b.names[name] = true
			b.creates++
		case roleBadOwner:
			r.Attributes["name"] = fmt.Sprintf("crash-bad-%06d", i)
			r.Relationships = map[string]rel{"owner": {Data: map[string]string{"type": "users", "id": "999999"}}}
			b.pointers[fmt.Sprintf("/data/%d/relationships/owner/data", i)] = "form constraint"
		case roleBlankName:
			r.Attributes["name"] = ""
			b.pointers[fmt.Sprintf("/data/%d/attributes/name", i)] = "not blank constraint"
		case roleUpdate:
			name := fmt.Sprintf("crash-upd-%03d", nextUpdate)
			r.ID, r.Meta = preIDs[nextUpdate], map[string]any{"update": true}
			r.Attributes["name"] = name
			b.renamed[r.ID] = name
			b.names[name] = true
			b.updates++
			nextUpdate++
		case roleUpsertOld:
			r.Meta = map[string]any{"upsert": []string{"name"}}
			r.Attributes["name"] = fmt.Sprintf("crash-pre-%03d", nextUpsert)
			r.Attributes["description"] = "upserted"
			b.upserted = append(b.upserted, preIDs[nextUpsert])
			b.updates++
			nextUpsert++
		case roleUpsertNew:
			name := fmt.Sprintf("crash-new-%06d", i)
			r.Meta = map[string]any{"upsert": []string{"name"}}
			r.Attributes["name"] = name
			b.names[name] = true
			b.creates++
		}
		data[i] = r
	}
	body, err := json.Marshal(map[string]any{"data": data})
	if err != nil {
		panic(err)
	}
	b.body = body
	return b
}

func crashRun(t *testing.T, bin string, b storetest.Backend, records, chunk, rounds int, wait time.Duration, rnd *rand.Rand) {
	began := time.Now()
	db := storetest.OpenEmpty(t, b)
	dbURL := storetest.URL(t, b, db)
	logs := t.TempDir()
	api, serve := batchServer(t, bin, dbURL, logs, "--batch-chunk-size", fmt.Sprint(chunk),
		"--body-limit", fmt.Sprint(64<<20), "--batch-max-records", fmt.Sprint(max(records, 100_000)))
	defer serve.stop(t)

	// 100 accounts created by a synchronous batch: the big batch updates them
	var pre strings.Builder
	pre.WriteString(`{"data":[`)
	for i := range 100 {
		if i > 0 {
			pre.WriteByte(',')
		}
		fmt.Fprintf(&pre, `{"type":"accounts","attributes":{"name":"crash-pre-%03d"}}`, i)
	}
	pre.WriteString(`]}`)
	res, body := api.do(t, http.MethodPatch, "/api/accounts", map[string]string{"X-Mode": "sync"}, []byte(pre.String()))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the synchronous batch: %s: %.2000s", res.Status, body)
	}
	var created struct {
		Data []struct {
			ID         string `json:"id"`
			Attributes struct {
				Name string `json:"name"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &created); err != nil || len(created.Data) != 100 {
		t.Fatalf("the synchronous batch answered %d records (%v)", len(created.Data), err)
	}
	preIDs := make([]string, 100)
	for i, d := range created.Data {
		if want := fmt.Sprintf("crash-pre-%03d", i); d.Attributes.Name != want {
			t.Fatalf("the synchronous batch's record %d is %q, want %q (request order)", i, d.Attributes.Name, want)
		}
		preIDs[i] = d.ID
	}

	batch := newCrashBatch(records, preIDs, rnd)
	submitted := time.Now()
	opID := api.submitBatch(t, "accounts", batch.body)
	t.Logf("setup %s; the batch (%d bytes) stored in %s: operation %s",
		submitted.Sub(began).Round(time.Millisecond), len(batch.body), time.Since(submitted).Round(time.Millisecond), opID)

	// the workers: two processes on PostgreSQL, one on SQLite; a chunk whose worker was killed
	// is given to another after --batch-rescue-after
	processes := 2
	if b.Name == string(store.SQLite) {
		processes = 1
	}
	workers := make([]*proc, processes)
	for i := range workers {
		workers[i] = newProc(t, fmt.Sprintf("worker%d", i+1), bin, logs, "worker", "--database="+dbURL, "--workers", "2",
			"--batch-chunk-timeout", "5s", "--batch-rescue-after", "8s")
		workers[i].start(t)
	}
	killedRunning := 0
	for round := 1; round <= rounds; round++ {
		time.Sleep(time.Duration(100+rnd.IntN(601)) * time.Millisecond)
		victims := workers
		if len(workers) > 1 {
			switch rnd.IntN(3) { // one of them, the other, or both
			case 0:
				victims = workers[:1]
			case 1:
				victims = workers[1:]
			}
		}
		var names []string
		for _, w := range victims {
			if !w.running() {
				t.Fatalf("round %d: %s exited by itself", round, w.name)
			}
			w.kill(t)
			names = append(names, w.name)
		}
		op := api.operation(t, opID)
		if op.Status == "new" || op.Status == "running" {
			killedRunning++
		}
		t.Logf("round %d at %5.1f s: killed %s; %s", round, time.Since(submitted).Seconds(), strings.Join(names, ", "), op)
		for _, w := range victims {
			w.start(t)
		}
	}
	if killedRunning == 0 {
		t.Errorf("the operation had ended before the first kill: the kills tested nothing (raise WEBAPI_CRASH_RECORDS)")
	}
	killsDone := time.Now()
	op, ended := api.waitOperation(t, opID, wait, 250*time.Millisecond)
	finished := time.Now()
	jobs := riverJobStates(t, db)
	for _, w := range workers {
		w.stop(t)
	}
	if !ended {
		t.Fatalf("the operation is still %s %s after the kills; River's chunk jobs: %s", op.Status, wait, jobs)
	}
	t.Logf("%s %.1f s after submission (%.1f s after the last kill); River's chunk jobs: %s",
		op.Status, finished.Sub(submitted).Seconds(), finished.Sub(killsDone).Seconds(), jobs)
	if op.Status != "success" {
		errs, _ := api.operationErrors(t, opID, 10)
		t.Fatalf("the operation ended %s; errors: %+v", op, errs)
	}

	// the summary
	invalid := len(batch.pointers)
	want := map[string]int{"readCount": records, "writeCount": batch.creates + batch.updates, "createCount": batch.creates,
		"updateCount": batch.updates, "errorCount": invalid}
	for k, v := range want {
		if op.Summary[k] != v {
			t.Errorf("summary.%s = %d, want %d (summary %v)", k, op.Summary[k], v, op.Summary)
		}
	}
	if op.Progress == nil || *op.Progress != 1 {
		t.Errorf("progress %v at the end, want 1", op.Progress)
	}

	// the records: every valid one exactly once
	var dups []struct {
		Name string
		N    int
	}
	if err := db.Gorm.Raw("SELECT name, COUNT(*) AS n FROM accounts WHERE name LIKE 'crash-%' GROUP BY name HAVING COUNT(*) > 1 ORDER BY name").Scan(&dups).Error; err != nil {
		t.Fatal(err)
	}
	if len(dups) > 0 {
		t.Errorf("%d names written more than once, such as %v", len(dups), dups[:min(len(dups), 10)])
	}
	var names []string
	if err := db.Gorm.Raw("SELECT name FROM accounts WHERE name LIKE 'crash-%'").Scan(&names).Error; err != nil {
		t.Fatal(err)
	}
	if len(names) != len(batch.names) {
		t.Errorf("%d accounts named crash-…, want %d (100 before the batch and %d created)", len(names), len(batch.names), batch.creates)
	}
	var missing, extra []string
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
		if !batch.names[n] {
			extra = append(extra, n)
		}
	}
	for n := range batch.names {
		if !seen[n] {
			missing = append(missing, n)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%d names missing (such as %v), %d unexpected (such as %v)", len(missing), missing[:min(len(missing), 10)], len(extra), extra[:min(len(extra), 10)])
	}
	var updated []struct {
		ID          string
		Name        string
		Description *string
	}
	if err := db.Gorm.Raw("SELECT CAST(id AS TEXT) AS id, name, description FROM accounts WHERE name LIKE 'crash-pre-%' OR name LIKE 'crash-upd-%'").Scan(&updated).Error; err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	described := map[string]bool{}
	for _, u := range updated {
		byID[u.ID] = u.Name
		described[u.ID] = u.Description != nil && *u.Description == "upserted"
	}
	for id, name := range batch.renamed {
		if byID[id] != name {
			t.Errorf("account %s is named %q, want %q (updated by id)", id, byID[id], name)
		}
	}
	for _, id := range batch.upserted {
		if !described[id] {
			t.Errorf("account %s (%q) was not updated by its upsert", id, byID[id])
		}
	}

	// the errors: exactly the invalid records, each once
	errs, total := api.operationErrors(t, opID, 100)
	if total != invalid || len(errs) != invalid {
		t.Errorf("%d errors listed (X-Include-Total-Count %d), want %d", len(errs), total, invalid)
	}
	ids := map[string]bool{}
	got := map[string]int{}
	last := -1
	for _, e := range errs {
		if ids[e.ID] {
			t.Errorf("the error id %s is listed twice", e.ID)
		}
		ids[e.ID] = true
		if !strings.HasPrefix(e.ID, opID+"-") || strings.Count(e.ID, "-") != 2 {
			t.Errorf("the error id %q is not {operation}-{chunk}-{n}", e.ID)
		}
		p := e.Attributes.Source.Pointer
		// ordered by chunk, then by position: here (no included records) by position
		var at int
		if _, err := fmt.Sscanf(p, "/data/%d/", &at); err == nil {
			if at <= last {
				t.Errorf("the error at %s is listed after the one at /data/%d (errors are ordered by chunk, then by position)", p, last)
			}
			last = at
		}
		got[p]++
		title, ok := batch.pointers[p]
		switch {
		case !ok:
			t.Errorf("unexpected error %s: %d %s: %s (pointer %q)", e.ID, e.Attributes.Status, e.Attributes.Title, e.Attributes.Detail, p)
		case got[p] > 1:
			t.Errorf("the error at %s is listed %d times", p, got[p])
		case e.Attributes.Status != 400 || e.Attributes.Title != title:
			t.Errorf("the error at %s: %d %q, want 400 %q", p, e.Attributes.Status, e.Attributes.Title, title)
		}
	}
	for p := range batch.pointers {
		if got[p] == 0 {
			t.Errorf("no error at %s", p)
		}
	}
	var kills, starts int
	for _, w := range workers {
		kills += w.kills
		starts += w.starts
	}
	t.Logf("%d records (%d created, %d updated, %d invalid): every check done; %d SIGKILLs (%d while the operation ran), %d worker starts; %.1f s in all",
		records, batch.creates, batch.updates, invalid, kills, killedRunning, starts, time.Since(began).Seconds())
}

// riverJobStates summarizes River's chunk jobs: how many in each state, and how many were
// attempted more than once (their worker was killed, or they failed).
func riverJobStates(t testing.TB, db *store.DB) string {
	t.Helper()
	var rows []struct {
		State string
		N     int
		Again int
	}
	if err := db.Gorm.Raw(`SELECT state, COUNT(*) AS n, SUM(CASE WHEN attempt > 1 THEN 1 ELSE 0 END) AS again
		FROM river_job WHERE kind = 'batch_chunk' GROUP BY state ORDER BY state`).Scan(&rows).Error; err != nil {
		return "(" + err.Error() + ")"
	}
	var parts []string
	for _, r := range rows {
		parts = append(parts, fmt.Sprintf("%s %d (%d attempted more than once)", r.State, r.N, r.Again))
	}
	return strings.Join(parts, ", ")
}
