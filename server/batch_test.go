package server_test

// Tests of the batch API (api.md sections 12 and 13) on every backend: the asynchronous mode
// with workers in the test's process, the synchronous mode, and the life of an operation step by
// step (chunks written one at a time, a stored request that cannot be read, the timeout, the
// purge).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/server/batch"
	"webapi/server/jsonapi"
	"webapi/store"
	"webapi/store/storetest"
)

// batchEnv is a server whose batch workers run in the test's process, polling often.
func batchEnv(t *testing.T, b storetest.Backend, cfg server.Config) *apitest.Env {
	if cfg.Jobs.Workers == 0 {
		cfg.Jobs.Workers = 2
	}
	cfg.Jobs.PollInterval = 20 * time.Millisecond
	return apitest.NewWith(t, b, store.DefaultLimits, cfg)
}

// eachBatch runs fn in parallel on every backend with batchEnv.
func eachBatch(t *testing.T, cfg server.Config, fn func(t *testing.T, env *apitest.Env)) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, batchEnv(t, b, cfg))
		})
	}
}

// operation is what the API shows of an asynchronous operation.
type operation struct {
	Status   string
	Progress *float64
	Summary  map[string]int
}

func readOperation(t testing.TB, env *apitest.Env, id string) operation {
	t.Helper()
	res := env.Do(apitest.Request{Path: "/api/asyncoperations/" + id})
	res.ExpectStatus(t, http.StatusOK)
	var doc struct {
		Data struct {
			Attributes struct {
				Status   string         `json:"status"`
				Progress *float64       `json:"progress"`
				Summary  map[string]int `json:"summary"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Data.Attributes
	delete(a.Summary, "aggregateTime") // milliseconds: not exact
	return operation{Status: a.Status, Progress: a.Progress, Summary: a.Summary}
}

// submit sends an asynchronous batch and returns the id of its operation, asserting the 202
// document and Content-Location.
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
	id := doc.Data.ID
	res.Expect(t, http.StatusAccepted, itemDoc("/api/asyncoperations/"+id, newOperation(id, typ, "1")))
	if got, want := res.Header.Get("Content-Location"), resURL("asyncoperations", id); got != want {
		t.Fatalf("Content-Location %q, want %q", got, want)
	}
	return id
}

// newOperation is the document of an operation just stored, owned by user owner.
func newOperation(id, typ, owner string) string {
	return resObject("asyncoperations", id, jsonMembers(map[string]any{"status": "new", "progress": nil, "createdAt": apitest.Any,
		"updatedAt": apitest.Any, "elapsedTime": 0, "entityType": typ, "summary": nil}),
		relData{"owner", ident("users", owner)}, relData{"organization", ident("organizations", "1")})
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

// summary is the expected summary of an operation (aggregateTime left out).
func summary(read, create, update, errs int) map[string]int {
	return map[string]int{"readCount": read, "writeCount": create + update, "createCount": create, "updateCount": update, "errorCount": errs}
}

func expectOperation(t testing.TB, got operation, status string, progress float64, want map[string]int) {
	t.Helper()
	if got.Status != status || got.Progress == nil || *got.Progress != progress || !reflect.DeepEqual(got.Summary, want) {
		p := "null"
		if got.Progress != nil {
			p = strconv.FormatFloat(*got.Progress, 'f', -1, 64)
		}
		t.Fatalf("operation: status %s, progress %s, summary %v; want %s, %v, %v", got.Status, p, got.Summary, status, progress, want)
	}
}

// opError is one expected error of an operation.
func opError(id string, status int, title, detail, source string) string {
	src := "null"
	if source != "" {
		src = source
	}
	return `{"type":"asyncoperationerrors","id":` + jsonText(id) + `,"attributes":{"status":` + strconv.Itoa(status) +
		`,"title":` + jsonText(title) + `,"detail":` + jsonText(detail) + `,"source":` + src + `}}`
}

// TestBatchAsync writes creates, updates and upserts in small chunks, with errors in primary and
// included records, and an included contact shared by records of two chunks.
func TestBatchAsync(t *testing.T) {
	eachBatch(t, server.Config{Batch: jsonapi.BatchConfig{ChunkSize: 2}}, func(t *testing.T, env *apitest.Env) {
		existing := create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Existing"}}}`)
		upserted := create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Upsert me"}}}`)
		body := `{"data":[
			{"type":"accounts","attributes":{"name":"A0"},"relationships":{"contacts":{"data":[{"type":"contacts","id":"c1"}]}}},
			{"type":"accounts","id":"` + existing + `","meta":{"update":true},"attributes":{"name":"Renamed"}},
			{"type":"accounts","meta":{"upsert":["name"]},"attributes":{"name":"Upsert me","description":"found"}},
			{"type":"accounts","attributes":{"name":"A3"},"relationships":{"owner":{"data":{"type":"users","id":"999"}}}},
			{"type":"accounts","attributes":{"name":"A4"},"relationships":{"contacts":{"data":[{"type":"contacts","id":"c1"}]}}},
			{"type":"accounts","attributes":{"name":"A5"},"relationships":{"contacts":{"data":[{"type":"contacts","id":"c2"}]}}},
			{"type":"accounts","meta":{"upsert":["name"]},"attributes":{"name":"New by upsert"}}
		],"included":[
			{"type":"contacts","id":"c1","attributes":{"firstName":"Shared","lastName":"Contact"}},
			{"type":"contacts","id":"c2","attributes":{"lastName":"Bad"},"relationships":{"source":{"data":{"type":"contactsources","id":"nope"}}}}
		]}`
		id := submit(t, env, "accounts", body)
		expectOperation(t, finish(t, env, id), "success", 1, summary(7, 3, 2, 2))
		// chunks of two records: [0 1] [2 3] [4 5] [6]
		env.Do(apitest.Request{Path: "/api/asyncoperations/" + id + "/errors"}).Expect(t, http.StatusOK, listDoc(selfLinks("/api/asyncoperations/"+id+"/errors"),
			opError(id+"-2-1", 400, "form constraint", "The entity does not exist.", atPointer("/data/3/relationships/owner/data")),
			opError(id+"-3-1", 400, "form constraint", "The entity does not exist.", atPointer("/included/1/relationships/source/data"))))

		names := accountNames(t, env)
		for _, want := range []string{"A0", "Renamed", "Upsert me", "A4", "New by upsert"} {
			if names[want] != 1 {
				t.Errorf("account %q written %d times, want once (all: %v)", want, names[want], names)
			}
		}
		for _, absent := range []string{"Existing", "A3", "A5"} {
			if names[absent] != 0 {
				t.Errorf("account %q exists", absent)
			}
		}
		// the upsert updated the record it found
		res := env.Do(apitest.Request{Path: "/api/accounts/" + upserted + "?fields[accounts]=description"})
		res.Expect(t, http.StatusOK, `{"data":{"type":"accounts","id":"`+upserted+`","links":{"self":"`+resURL("accounts", upserted)+`"},"attributes":{"description":"found"}},"links":{"self":"<any>"}}`)
		// the shared contact was created once, linked to the accounts of both chunks
		res = env.Do(apitest.Request{Path: "/api/contacts?filter[lastName]=Contact&fields[contacts]=accounts&include=accounts&fields[accounts]=name"})
		var doc struct {
			Data []struct {
				Relationships struct {
					Accounts struct {
						Data []struct{ ID string } `json:"data"`
					} `json:"accounts"`
				} `json:"relationships"`
			} `json:"data"`
			Included []struct {
				Attributes struct{ Name string } `json:"attributes"`
			} `json:"included"`
		}
		res.ExpectStatus(t, http.StatusOK)
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		var linked []string
		for _, inc := range doc.Included {
			linked = append(linked, inc.Attributes.Name)
		}
		slices.Sort(linked) // chunks run in any order
		if len(doc.Data) != 1 || len(doc.Data[0].Relationships.Accounts.Data) != 2 || strings.Join(linked, ",") != "A0,A4" {
			t.Fatalf("the shared contact: %s", res.Body)
		}
		if n := countRows(t, env, "contacts WHERE last_name = 'Bad'"); n != 0 {
			t.Fatalf("the invalid included contact was written %d times", n)
		}
	})
}

// accountNames counts the accounts by name.
func accountNames(t testing.TB, env *apitest.Env) map[string]int {
	t.Helper()
	rows, err := env.DB.Gorm.Raw("SELECT name FROM accounts").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[n]++
	}
	return out
}

func countRows(t testing.TB, env *apitest.Env, from string) int {
	t.Helper()
	var n int
	if err := env.DB.Gorm.Raw("SELECT COUNT(*) FROM " + from).Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBatchSync: request order, meta.dataId and meta.includeId, all or nothing with every error,
// the limits (also per type), and X-Mode values.
func TestBatchSync(t *testing.T) {
	cfg := server.Config{Batch: jsonapi.BatchConfig{Sync: jsonapi.SyncLimit{Data: 3, Included: 1},
		SyncPerType: map[string]jsonapi.SyncLimit{"contacts": {Data: 1, Included: 0}}}}
	eachBatch(t, cfg, func(t *testing.T, env *apitest.Env) {
		sync := map[string]string{"X-Mode": "sync"}
		existing := create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Existing"}}}`)
		res := env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Header: sync, Body: `{"data":[
			{"type":"accounts","id":"first","attributes":{"name":"S1"},"relationships":{"contacts":{"data":[{"type":"contacts","id":"k"}]}}},
			{"type":"accounts","id":"` + existing + `","meta":{"update":true},"attributes":{"name":"S2"}},
			{"type":"accounts","attributes":{"name":"S3"}}
		],"included":[{"type":"contacts","id":"k","attributes":{"firstName":"Kim"}}]}`})
		var doc struct {
			Data []struct{ ID string } `json:"data"`
		}
		res.ExpectStatus(t, http.StatusOK)
		if err := json.Unmarshal(res.Body, &doc); err != nil || len(doc.Data) != 3 {
			t.Fatalf("%v: %s", err, res.Body)
		}
		s1, s3 := doc.Data[0].ID, doc.Data[2].ID
		if doc.Data[1].ID != existing {
			t.Fatalf("the updated record is %s, want %s", doc.Data[1].ID, existing)
		}
		var incl struct {
			Included []struct{ ID string } `json:"included"`
		}
		if err := json.Unmarshal(res.Body, &incl); err != nil || len(incl.Included) != 1 {
			t.Fatalf("included: %v %s", err, res.Body)
		}
		k := incl.Included[0].ID
		res.Expect(t, http.StatusOK, `{"data":[`+
			incAccount(s1, `"dataId":"first"`, map[string]any{"name": "S1"}, idents("contacts", k), "null")+`,`+
			incAccount(existing, `"dataId":`+jsonText(existing), map[string]any{"name": "S2"}, "[]", "null")+`,`+
			incAccount(s3, "", map[string]any{"name": "S3"}, "[]", "null")+
			`],"included":[`+incContact(k, incMeta("k"), map[string]any{"firstName": "Kim"}, "null", idents("accounts", s1))+
			`],"links":{"self":"`+apiHost+`/api/accounts"}}`)

		// any error: nothing is stored, every error is reported
		before := accountNames(t, env)
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Header: sync, Body: `{"data":[
			{"type":"accounts","attributes":{"name":"Not stored"}},
			{"type":"accounts","attributes":{"name":"x"},"relationships":{"owner":{"data":{"type":"users","id":"999"}}}},
			{"type":"accounts","id":"999999","meta":{"update":true},"attributes":{"name":"Nobody"}}
		]}`}).Expect(t, http.StatusBadRequest, errorsDoc(
			invalid("/data/1/relationships/owner/data", "form constraint", "The entity does not exist."),
			invalid("/data/2/id", "form constraint", "The entity does not exist.")))
		if after := accountNames(t, env); !reflect.DeepEqual(before, after) {
			t.Fatalf("a failed synchronous batch changed the accounts: %v → %v", before, after)
		}

		four := `{"data":[` + strings.Repeat(`{"type":"accounts","attributes":{"name":"n"}},`, 3) + `{"type":"accounts","attributes":{"name":"n"}}]}`
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Header: sync, Body: four}).Expect(t, http.StatusBadRequest, errorsDoc(
			invalid("/data", "request data constraint", "The data limit for the synchronous operation exceeded. The maximum number of records that can be processed by the synchronous operation is 3.")))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Header: sync, Body: `{"data":[
			{"type":"accounts","attributes":{"name":"n"},"relationships":{"contacts":{"data":[{"type":"contacts","id":"a"},{"type":"contacts","id":"b"}]}}}],
			"included":[{"type":"contacts","id":"a","attributes":{"firstName":"A"}},{"type":"contacts","id":"b","attributes":{"firstName":"B"}}]}`}).Expect(t, http.StatusBadRequest, errorsDoc(
			invalid("/included", "request data constraint", `The data limit for the synchronous operation exceeded for the section "included". The maximum number of records that can be processed by the synchronous operation is 1.`)))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/contacts", Header: sync, Body: `{"data":[
			{"type":"contacts","attributes":{"firstName":"A"}},{"type":"contacts","attributes":{"firstName":"B"}}]}`}).Expect(t, http.StatusBadRequest, errorsDoc(
			invalid("/data", "request data constraint", "The data limit for the synchronous operation exceeded. The maximum number of records that can be processed by the synchronous operation is 1.")))
		// the asynchronous mode has no such limit
		id := submit(t, env, "accounts", four)
		expectOperation(t, finish(t, env, id), "success", 1, summary(4, 4, 0, 0))

		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Header: map[string]string{"X-Mode": "later"}, Invalid: true,
			Body: `{"data":[{"type":"accounts","attributes":{"name":"n"}}]}`}).Expect(t, http.StatusBadRequest, errorDoc(400, "value constraint",
			`The value of the "X-Mode" header should be "sync" or "async".`, atHeader("X-Mode")))
		id = func() string {
			res := env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Header: map[string]string{"X-Mode": "async"},
				Body: `{"data":[{"type":"accounts","attributes":{"name":"By async"}}]}`})
			res.ExpectStatus(t, http.StatusAccepted)
			return res.Header.Get("Content-Location")[len(resURL("asyncoperations", "")):]
		}()
		expectOperation(t, finish(t, env, id), "success", 1, summary(1, 1, 0, 0))
	})
}

// TestBatchShape: what is wrong with the document as a whole is a 400 before anything is
// stored.
func TestBatchShape(t *testing.T) {
	eachBatch(t, server.Config{}, func(t *testing.T, env *apitest.Env) {
		for _, c := range []struct {
			name, body string
			want       apiError
		}{
			{"object", `{"data":{"type":"accounts","attributes":{"name":"n"}}}`,
				invalid("/data", "request data constraint", "The primary data should be an array of resource objects.")},
			{"empty", `{"data":[]}`, invalid("/data", "request data constraint", "The primary data should not be empty.")},
			{"not an object", `{"data":[7]}`, invalid("/data/0", "request data constraint", "The resource object should be an object.")},
			{"unreachable", `{"data":[{"type":"accounts","attributes":{"name":"n"}}],"included":[{"type":"contacts","id":"x","attributes":{"firstName":"X"}}]}`,
				invalid("/included/0", "request data constraint", "The entity should have a relationship with the primary entity and this should be explicitly specified in the request.")},
			{"unknown included type", `{"data":[{"type":"accounts","attributes":{"name":"n"}}],"included":[{"type":"nothings","id":"x"}]}`,
				invalid("/included/0/type", "entity type constraint", "Unknown entity type: nothings.")},
		} {
			t.Run(c.name, func(t *testing.T) {
				env.For(t).Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Body: c.body, Invalid: c.name != "unreachable" && c.name != "unknown included type"}).
					Expect(t, http.StatusBadRequest, errorsDoc(c.want))
			})
		}
		// shared included resources copied into every chunk that needs them are bounded: 60
		// records of one chunk each (a unit needs more included ones than a chunk holds) would
		// store the 51 contacts 60 times
		var data, incl []string
		var contacts []string
		for i := range 51 {
			contacts = append(contacts, fmt.Sprintf(`{"type":"contacts","id":"k%d"}`, i))
			incl = append(incl, fmt.Sprintf(`{"type":"contacts","id":"k%d","attributes":{"firstName":"K%d"}}`, i, i))
		}
		for i := range 60 {
			data = append(data, fmt.Sprintf(`{"type":"accounts","attributes":{"name":"S%d"},"relationships":{"contacts":{"data":[%s]}}}`, i, strings.Join(contacts, ",")))
		}
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Body: `{"data":[` + strings.Join(data, ",") + `],"included":[` + strings.Join(incl, ",") + `]}`}).
			Expect(t, http.StatusBadRequest, errorsDoc(invalid("/included", "request data constraint",
				"The records of the batch need more shared included resources than its chunks can hold (50 per chunk): send them in separate batches.")))
		if n := countRows(t, env, "async_operations"); n != 0 {
			t.Fatalf("%d operations stored", n)
		}
		// a record of another type is the record's own error, not the document's
		res := env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Invalid: true, Tolerated: true,
			Body: `{"data":[{"type":"contacts","attributes":{"firstName":"X"}},{"type":"accounts","attributes":{"name":"Fine"}}]}`})
		res.ExpectStatus(t, http.StatusAccepted)
		id := res.Header.Get("Content-Location")[len(resURL("asyncoperations", "")):]
		expectOperation(t, finish(t, env, id), "success", 1, summary(2, 1, 0, 1))
		env.Do(apitest.Request{Path: "/api/asyncoperations/" + id + "/errors"}).Expect(t, http.StatusOK, listDoc(selfLinks("/api/asyncoperations/"+id+"/errors"),
			opError(id+"-1-1", 409, "conflict constraint", "The 'type' property of the primary data object does not match the requested resource type.", atPointer("/data/0/type"))))
		// a dry run has no meaning in a batch; a refusal (403) is the whole answer of a synchronous one
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Header: map[string]string{"X-Mode": "sync"},
			Body: `{"data":[{"type":"accounts","meta":{"validate":true},"attributes":{"name":"Dry"}}]}`}).Expect(t, http.StatusBadRequest,
			errorsDoc(invalid("/data/0/meta/validate", "value constraint", "The option is not supported.")))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/organizations", Header: map[string]string{"X-Mode": "sync"},
			Body: `{"data":[{"type":"organizations","attributes":{"name":"New"}},{"type":"organizations","id":"1","meta":{"update":true},"attributes":{"name":"Renamed"}}]}`}).
			Expect(t, http.StatusForbidden, forbidden("CREATE", "/data/0"))
	})
}

// TestBatchSyncTimeout: a synchronous batch that runs past its timeout is handed over to the
// asynchronous mode, and its records are written once.
func TestBatchSyncTimeout(t *testing.T) {
	eachBatch(t, server.Config{Batch: jsonapi.BatchConfig{SyncTimeout: time.Nanosecond}}, func(t *testing.T, env *apitest.Env) {
		res := env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Header: map[string]string{"X-Mode": "sync"},
			Body: `{"data":[{"type":"accounts","attributes":{"name":"Late 1"}},{"type":"accounts","attributes":{"name":"Late 2"}}]}`})
		res.ExpectStatus(t, http.StatusAccepted)
		loc := res.Header.Get("Content-Location")
		id := loc[strings.LastIndex(loc, "/")+1:]
		expectOperation(t, finish(t, env, id), "success", 1, summary(2, 2, 0, 0))
		if names := accountNames(t, env); names["Late 1"] != 1 || names["Late 2"] != 1 {
			t.Fatalf("accounts %v", names)
		}
	})
}

// TestBatchAccess: an operation is its owner's (and administrators'); it runs with the owner's
// permissions.
func TestBatchAccess(t *testing.T) {
	eachBatch(t, server.Config{}, func(t *testing.T, env *apitest.Env) {
		adminAccount := create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Admin's"}}}`)
		clerk := create(t, env, "users", `{"data":{"type":"users","attributes":{"username":"clerk","email":"clerk@example.com"},
			"relationships":{"roles":{"data":[{"type":"userroles","id":"2"}]}}}}`)
		other := create(t, env, "users", `{"data":{"type":"users","attributes":{"username":"other","email":"other@example.com"},
			"relationships":{"roles":{"data":[{"type":"userroles","id":"2"}]}}}}`)
		asClerk, asOther := env.As(mustInt(t, clerk)), env.As(mustInt(t, other))
		// the clerk may create accounts, and edit only its own (ROLE_USER: EDIT at the user level)
		res := asClerk.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Body: `{"data":[
			{"type":"accounts","attributes":{"name":"Clerk's"}},
			{"type":"accounts","id":"` + adminAccount + `","meta":{"update":true},"attributes":{"name":"Taken"}}]}`})
		res.ExpectStatus(t, http.StatusAccepted)
		var doc struct {
			Data struct{ ID string } `json:"data"`
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		id := doc.Data.ID
		res.Expect(t, http.StatusAccepted, itemDoc("/api/asyncoperations/"+id, newOperation(id, "accounts", clerk)))
		expectOperation(t, finish(t, asClerk, id), "success", 1, summary(2, 1, 0, 1))
		asClerk.Do(apitest.Request{Path: "/api/asyncoperations/" + id + "/errors"}).Expect(t, http.StatusOK, listDoc(selfLinks("/api/asyncoperations/"+id+"/errors"),
			opError(id+"-1-1", 403, "access denied exception", "No access by \"EDIT\" permission to the entity.", atPointer("/data/1"))))
		if names := accountNames(t, env); names["Taken"] != 0 || names["Clerk's"] != 1 {
			t.Fatalf("accounts %v", names)
		}
		// another user of the organization sees neither the operation nor its errors
		asOther.Do(apitest.Request{Path: "/api/asyncoperations/" + id}).Expect(t, http.StatusForbidden, forbidden("VIEW", ""))
		asOther.Do(apitest.Request{Path: "/api/asyncoperations/" + id + "/errors"}).Expect(t, http.StatusForbidden, forbidden("VIEW", ""))
		asOther.Do(apitest.Request{Path: "/api/asyncoperations"}).Expect(t, http.StatusOK, listDoc(selfLinks("/api/asyncoperations")))
		// the administrator does
		env.Do(apitest.Request{Path: "/api/asyncoperations/" + id}).ExpectStatus(t, http.StatusOK)
		// another organization's administrator: it does not exist
		outsider := newAdministrator(t, env, "Elsewhere")
		outsider.Env.Do(apitest.Request{Path: "/api/asyncoperations/" + id}).Expect(t, http.StatusNotFound, errorDoc(404, "not found http exception",
			"An entity with the requested identifier does not exist.", ""))
		outsider.Env.Do(apitest.Request{Path: "/api/asyncoperations/" + id + "/errors"}).ExpectStatus(t, http.StatusNotFound)
	})
}

// TestBatchConcurrentUpserts: two operations that upsert the same names at once create each
// record once.
func TestBatchConcurrentUpserts(t *testing.T) {
	eachBatch(t, server.Config{Batch: jsonapi.BatchConfig{ChunkSize: 5}, Jobs: batch.Config{Workers: 4}}, func(t *testing.T, env *apitest.Env) {
		var items []string
		for i := range 20 {
			items = append(items, fmt.Sprintf(`{"type":"accounts","meta":{"upsert":["name"]},"attributes":{"name":"u%02d"}}`, i))
		}
		body := `{"data":[` + strings.Join(items, ",") + `]}`
		reqs := []apitest.Request{{Method: http.MethodPatch, Path: "/api/accounts", Body: body}, {Method: http.MethodPatch, Path: "/api/accounts", Body: body}}
		var ids []string
		for _, res := range env.DoParallel(reqs) {
			res.ExpectStatus(t, http.StatusAccepted)
			loc := res.Header.Get("Content-Location")
			ids = append(ids, loc[strings.LastIndex(loc, "/")+1:])
		}
		creates, updates := 0, 0
		for _, id := range ids {
			op := finish(t, env, id)
			if op.Status != "success" || op.Summary["errorCount"] != 0 || op.Summary["readCount"] != 20 {
				t.Fatalf("operation %s: %+v", id, op)
			}
			creates += op.Summary["createCount"]
			updates += op.Summary["updateCount"]
		}
		if creates != 20 || updates != 20 {
			t.Fatalf("creates %d, updates %d; want 20 and 20", creates, updates)
		}
		names := accountNames(t, env)
		for i := range 20 {
			if n := names[fmt.Sprintf("u%02d", i)]; n != 1 {
				t.Fatalf("u%02d written %d times", i, n)
			}
		}
	})
}

// TestBatchLife follows an operation chunk by chunk with no workers running: progress, chunks
// that run again, a stored request that cannot be read, the timeout and the purge.
func TestBatchLife(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			cfg := server.Config{Batch: jsonapi.BatchConfig{ChunkSize: 2}}
			env := apitest.NewWith(t, b, store.DefaultLimits, cfg) // no workers
			_, svc, err := server.Engine(env.DB, cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			id := submit(t, env, "accounts", `{"data":[{"type":"accounts","attributes":{"name":"L1"}},{"type":"accounts","attributes":{"name":"L2"}},{"type":"accounts","attributes":{"name":"L3"}}]}`)
			op := mustInt(t, id)
			if got := readOperation(t, env, id); got.Status != "new" || got.Progress != nil || got.Summary != nil {
				t.Fatalf("a new operation: %+v", got)
			}
			for range 2 { // a chunk written again is left alone
				if err := svc.WriteChunk(ctx, op, 1); err != nil {
					t.Fatal(err)
				}
			}
			if got := readOperation(t, env, id); got.Status != "running" || got.Progress == nil || *got.Progress != 0.5 || got.Summary != nil {
				t.Fatalf("half done: %+v", got)
			}
			if err := svc.WriteChunk(ctx, op, 2); err != nil {
				t.Fatal(err)
			}
			expectOperation(t, readOperation(t, env, id), "success", 1, summary(3, 3, 0, 0))
			if names := accountNames(t, env); names["L1"] != 1 || names["L2"] != 1 || names["L3"] != 1 {
				t.Fatalf("accounts %v", names)
			}

			// a stored request that cannot be read fails the operation as a whole
			bad := submit(t, env, "accounts", `{"data":[{"type":"accounts","attributes":{"name":"B1"}}]}`)
			if err := env.DB.Gorm.Exec("UPDATE async_operation_chunks SET payload = '{' WHERE operation_id = ?", mustInt(t, bad)).Error; err != nil {
				t.Fatal(err)
			}
			if err := svc.WriteChunk(ctx, mustInt(t, bad), 1); err != nil {
				t.Fatal(err)
			}
			got := readOperation(t, env, bad)
			if got.Status != "failed" || !reflect.DeepEqual(got.Summary, summary(0, 0, 0, 1)) {
				t.Fatalf("an unreadable operation: %+v", got)
			}
			env.Do(apitest.Request{Path: "/api/asyncoperations/" + bad + "/errors"}).Expect(t, http.StatusOK, listDoc(selfLinks("/api/asyncoperations/"+bad+"/errors"),
				opError(bad+"-0-1", 500, "async operation exception", "The stored request cannot be read.", "")))

			// an operation running past the timeout fails; its other chunks then do nothing
			late := submit(t, env, "accounts", `{"data":[{"type":"accounts","attributes":{"name":"T1"}},{"type":"accounts","attributes":{"name":"T2"}},{"type":"accounts","attributes":{"name":"T3"}}]}`)
			if err := svc.WriteChunk(ctx, mustInt(t, late), 1); err != nil {
				t.Fatal(err)
			}
			if err := svc.Maintain(ctx, time.Now().Add(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := svc.WriteChunk(ctx, mustInt(t, late), 2); err != nil {
				t.Fatal(err)
			}
			if got := readOperation(t, env, late); got.Status != "failed" {
				t.Fatalf("a timed-out operation: %+v", got)
			}
			env.Do(apitest.Request{Path: "/api/asyncoperations/" + late + "/errors"}).Expect(t, http.StatusOK, listDoc(selfLinks("/api/asyncoperations/"+late+"/errors"),
				opError(late+"-0-1", 500, "async operation exception", "The operation did not finish within 3600 seconds.", "")))
			if names := accountNames(t, env); names["T3"] != 0 {
				t.Fatalf("a chunk of a failed operation was written: %v", names)
			}

			// after the retention, operations are purged with their chunks and errors
			if err := svc.Maintain(ctx, time.Now().Add(31*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			env.Do(apitest.Request{Path: "/api/asyncoperations/" + id}).ExpectStatus(t, http.StatusNotFound)
			for _, table := range []string{"async_operations", "async_operation_chunks", "async_operation_errors"} {
				if n := countRows(t, env, table); n != 0 {
					t.Fatalf("%d rows left in %s", n, table)
				}
			}
		})
	}
}

// TestBatchErrorsPaged: the errors of an operation page like a collection, by chunk, then
// position.
func TestBatchErrorsPaged(t *testing.T) {
	eachBatch(t, server.Config{Batch: jsonapi.BatchConfig{ChunkSize: 4}}, func(t *testing.T, env *apitest.Env) {
		var items []string
		for i := range 12 {
			items = append(items, fmt.Sprintf(`{"type":"accounts","attributes":{"name":"E%d"},"relationships":{"owner":{"data":{"type":"users","id":"99%d"}}}}`, i, i))
		}
		id := submit(t, env, "accounts", `{"data":[`+strings.Join(items, ",")+`]}`)
		expectOperation(t, finish(t, env, id), "success", 1, summary(12, 0, 0, 12))
		path := "/api/asyncoperations/" + id + "/errors"
		var pointers []string
		for page := 1; page <= 3; page++ {
			res := env.Do(apitest.Request{Path: fmt.Sprintf("%s?page[size]=5&page[number]=%d", path, page), Header: map[string]string{"X-Include": "totalCount"}})
			res.ExpectStatus(t, http.StatusOK)
			if got := res.Header.Get("X-Include-Total-Count"); got != "12" {
				t.Fatalf("X-Include-Total-Count %q", got)
			}
			var doc struct {
				Data []struct {
					ID         string `json:"id"`
					Attributes struct {
						Source struct{ Pointer string } `json:"source"`
					} `json:"attributes"`
				} `json:"data"`
				Links map[string]string `json:"links"`
			}
			if err := json.Unmarshal(res.Body, &doc); err != nil {
				t.Fatal(err)
			}
			if (page < 3) != (doc.Links["next"] != "") {
				t.Fatalf("page %d links %v", page, doc.Links)
			}
			for _, e := range doc.Data {
				pointers = append(pointers, e.ID+" "+e.Attributes.Source.Pointer)
			}
		}
		var want []string
		for i := range 12 {
			want = append(want, fmt.Sprintf("%s-%d-%d /data/%d/relationships/owner/data", id, i/4+1, i%4+1, i))
		}
		if !reflect.DeepEqual(pointers, want) {
			t.Fatalf("errors:\n%s\nwant\n%s", strings.Join(pointers, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestBatchHostile: oversized, malformed and unstorable documents are refused before anything
// is stored; many batches at once are each written exactly.
func TestBatchHostile(t *testing.T) {
	eachBatch(t, server.Config{Batch: jsonapi.BatchConfig{MaxRecords: 20}}, func(t *testing.T, env *apitest.Env) {
		var items []string
		for i := range 21 {
			items = append(items, fmt.Sprintf(`{"type":"accounts","attributes":{"name":"H%d"}}`, i))
		}
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Body: `{"data":[` + strings.Join(items, ",") + `]}`}).
			Expect(t, http.StatusBadRequest, errorsDoc(invalid("/data", "request data constraint", "A batch document may hold at most 20 resources (data and included).")))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Body: `{"data":[{"type":"accounts","attributes":{"name":"a\u0000b"}}]}`}).
			Expect(t, http.StatusBadRequest, errorsDoc(invalid("/data/0/attributes/name", "value constraint", "This value should be valid UTF-8 text without NUL characters.")))
		res := env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Invalid: true, Body: `{"data":[{"type":"accounts"`})
		res.ExpectStatus(t, http.StatusBadRequest)
		if n := countRows(t, env, "async_operations"); n != 0 {
			t.Fatalf("%d operations stored", n)
		}

		// 30 batches of 10 at once
		var reqs []apitest.Request
		for b := range 30 {
			var items []string
			for i := range 10 {
				items = append(items, fmt.Sprintf(`{"type":"accounts","attributes":{"name":"P%02d-%d"}}`, b, i))
			}
			reqs = append(reqs, apitest.Request{Method: http.MethodPatch, Path: "/api/accounts", Body: `{"data":[` + strings.Join(items, ",") + `]}`})
		}
		for _, res := range env.DoParallel(reqs) {
			res.ExpectStatus(t, http.StatusAccepted)
			loc := res.Header.Get("Content-Location")
			expectOperation(t, finish(t, env, loc[strings.LastIndex(loc, "/")+1:]), "success", 1, summary(10, 10, 0, 0))
		}
		names := accountNames(t, env)
		for b := range 30 {
			for i := range 10 {
				if n := names[fmt.Sprintf("P%02d-%d", b, i)]; n != 1 {
					t.Fatalf("P%02d-%d written %d times", b, i, n)
				}
			}
		}
	})
}
