package server_test

// Tests of the batch API (api.md sections 12 and 13) on every backend.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/server/batch"
	"webapi/store"
	"webapi/store/storetest"
)

// batchEnv is a server whose batch workers run in the test's process, polling often.
func batchEnv(t *testing.T, b storetest.Backend, cfg server.Config) *apitest.Env {
	cfg.Jobs = batch.Config{Workers: 2, PollInterval: 20 * time.Millisecond}
	return apitest.NewWith(t, b, store.DefaultLimits, cfg)
}

// eachBatch runs fn in parallel on every backend with batchEnv.
func eachBatch(t *testing.T, cfg server.Config, fn func(t *testing.T, env *apitest.Env)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, batchEnv(t, b, cfg))
		})
	}
}

// operation is the state of an asynchronous operation as the API shows it.
type operation struct {
	ID         string
	Status     string
	Progress   *float64
	Summary    map[string]int
	EntityType string
}

func readOperation(t testing.TB, env *apitest.Env, id string) operation {
	t.Helper()
	res := env.Do(apitest.Request{Method: http.MethodGet, Path: "/api/asyncoperations/" + id})
	res.ExpectStatus(t, http.StatusOK)
	var doc struct {
		Data struct {
			ID         string `json:"id"`
			Attributes struct {
				Status     string         `json:"status"`
				Progress   *float64       `json:"progress"`
				Summary    map[string]int `json:"summary"`
				EntityType string         `json:"entityType"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Data.Attributes
	return operation{ID: doc.Data.ID, Status: a.Status, Progress: a.Progress, Summary: a.Summary, EntityType: a.EntityType}
}

// submit sends an asynchronous batch and returns the id of its operation (202 and
// Content-Location asserted).
func submit(t testing.TB, env *apitest.Env, typ, body string) string {
	t.Helper()
	res := env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/" + typ, Body: body})
	res.ExpectStatus(t, http.StatusAccepted)
	var doc struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if got, want := res.Header.Get("Content-Location"), apiHost+"/api/asyncoperations/"+doc.Data.ID; got != want {
		t.Fatalf("Content-Location %q, want %q", got, want)
	}
	return doc.Data.ID
}

// finish waits until the operation has ended and returns it.
func finish(t testing.TB, env *apitest.Env, id string) operation {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		op := readOperation(t, env, id)
		if op.Status != "new" && op.Status != "running" {
			return op
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation %s still %s after 60 s", id, op.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBatchSmoke(t *testing.T) {
	eachBatch(t, server.Config{}, func(t *testing.T, env *apitest.Env) {
		id := submit(t, env, "accounts", `{"data":[{"type":"accounts","attributes":{"name":"A1"}},{"type":"accounts","attributes":{"name":"x"},"relationships":{"owner":{"data":{"type":"users","id":"999"}}}}]}`)
		op := finish(t, env, id)
		fmt.Printf("%+v\n", op)
		res := env.Do(apitest.Request{Method: http.MethodGet, Path: "/api/asyncoperations/" + id + "/errors"})
		fmt.Println(res.Status, string(res.Body))
		res = env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Header: map[string]string{"X-Mode": "sync"},
			Body: `{"data":[{"type":"accounts","id":"x","attributes":{"name":"S1"}},{"type":"accounts","attributes":{"name":"S2"}}]}`})
		fmt.Println(res.Status, string(res.Body))
	})
}
