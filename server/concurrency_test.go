package server_test

// Concurrency (api.md section 20): real parallel requests on both backends. Each test would fail
// without the locks, retries and translations it names: lost updates through If-Match, duplicate
// upserts, drifting derived counts, constraint violations answered 500.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/store"
	"webapi/store/storetest"
)

// ccStatuses counts the statuses of responses.
func ccStatuses(res []*apitest.Response) map[int]int {
	out := map[int]int{}
	for _, r := range res {
		out[r.Status]++
	}
	return out
}

// ccExpectStatuses fails unless the responses have exactly the given statuses (status → count).
func ccExpectStatuses(t *testing.T, res []*apitest.Response, want map[int]int) {
	t.Helper()
	got := ccStatuses(res)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
}

// ccOnly fails when a response has a status outside allowed.
func ccOnly(t *testing.T, res []*apitest.Response, allowed ...int) {
	t.Helper()
	for _, r := range res {
		if !slices.Contains(allowed, r.Status) {
			t.Fatalf("status %d (allowed %v): %s", r.Status, allowed, r.Body)
		}
	}
}

func ccCount(t *testing.T, env *apitest.Env, path string) string {
	t.Helper()
	res := env.Do(apitest.Request{Method: http.MethodHead, Path: path, Header: map[string]string{"X-Include": "totalCount"}})
	res.ExpectStatus(t, http.StatusOK)
	return res.Header.Get("X-Include-Total-Count")
}

func TestConcurrentIfMatch(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		id := create(t, env, "accounts", writeDoc("accounts", "", `{"name":"Race"}`, ""))
		tag := env.Do(apitest.Request{Path: "/api/accounts/" + id}).Header.Get("ETag")
		const n = 20
		reqs := make([]apitest.Request, n)
		for i := range reqs {
			reqs[i] = apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + id, Header: map[string]string{"If-Match": tag},
				Body: fmt.Sprintf(`{"data":{"type":"accounts","id":%q,"attributes":{"name":"Writer %d"}}}`, id, i)}
		}
		res := env.DoParallel(reqs)
		ccExpectStatuses(t, res, map[int]int{200: 1, 412: n - 1})
		winner := ""
		for _, r := range res {
			if r.Status == 200 {
				winner = attrOf(t, r, "name").(string)
			} else {
				r.Expect(t, 412, errorDoc(412, "precondition failed exception",
					"The resource has been modified: its ETag does not match If-Match.", atHeader("If-Match")))
			}
		}
		if got := attrOf(t, env.Do(apitest.Request{Path: "/api/accounts/" + id}), "name"); got != winner {
			t.Fatalf("stored name %q, the successful PATCH wrote %q", got, winner)
		}

		// DELETE with the (new) ETag: one deletes, the others find it changed or gone
		tag = env.Do(apitest.Request{Path: "/api/accounts/" + id}).Header.Get("ETag")
		dels := make([]apitest.Request, 10)
		for i := range dels {
			dels[i] = apitest.Request{Method: http.MethodDelete, Path: "/api/accounts/" + id, Header: map[string]string{"If-Match": tag}}
		}
		res = env.DoParallel(dels)
		ccOnly(t, res, 204, 404, 412)
		if ccStatuses(res)[204] != 1 {
			t.Fatalf("statuses %v: want exactly one 204", ccStatuses(res))
		}
	})
}

func TestConcurrentUpsert(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		const n = 50
		reqs := make([]apitest.Request, n)
		for i := range reqs {
			reqs[i] = apitest.Request{Method: http.MethodPost, Path: "/api/accounts",
				Body: fmt.Sprintf(`{"data":{"type":"accounts","meta":{"upsert":["name"]},"attributes":{"name":"Upserted","description":"writer %d"}}}`, i)}
		}
		res := env.DoParallel(reqs)
		ccExpectStatuses(t, res, map[int]int{201: 1, 200: n - 1})
		ids := map[string]bool{}
		for _, r := range res {
			ids[dataOf(t, r)["id"].(string)] = true
		}
		if len(ids) != 1 {
			t.Fatalf("the upserts answered %d different records, want 1", len(ids))
		}
		if got := ccCount(t, env, "/api/accounts?filter[name]=Upserted"); got != "1" {
			t.Fatalf("%s accounts named Upserted, want 1", got)
		}
		// and the name stays upsertable (no permanent 409)
		env.Do(reqs[0]).ExpectStatus(t, http.StatusOK)

		// upsert by a client-assigned id: one creates, the others update
		for i := range reqs {
			reqs[i] = apitest.Request{Method: http.MethodPost, Path: "/api/weightunits",
				Body: fmt.Sprintf(`{"data":{"type":"weightunits","id":"stone","meta":{"upsert":true},"attributes":{"conversionRates":{"kg":%d}}}}`, i)}
		}
		res = env.DoParallel(reqs[:20])
		ccExpectStatuses(t, res, map[int]int{201: 1, 200: 19})
	})
}

func TestConcurrentUniqueValues(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		const n = 20
		reqs := make([]apitest.Request, n)
		for i := range reqs {
			reqs[i] = apitest.Request{Method: http.MethodPost, Path: "/api/users",
				Body: fmt.Sprintf(`{"data":{"type":"users","attributes":{"username":"twin","email":"twin%d@example.com"}}}`, i)}
		}
		res := env.DoParallel(reqs)
		ccExpectStatuses(t, res, map[int]int{201: 1, 400: n - 1})
		for _, r := range res {
			if r.Status == 400 {
				r.Expect(t, 400, errorDoc(400, "unique entity constraint", "This value is already used.", atPointer("/data/attributes/username")))
			}
		}
		// a client-assigned id created twice at once: one 201, the others 409
		for i := range reqs {
			reqs[i] = apitest.Request{Method: http.MethodPost, Path: "/api/weightunits",
				Body: `{"data":{"type":"weightunits","id":"grain","attributes":{"conversionRates":{}}}}`}
		}
		res = env.DoParallel(reqs)
		ccExpectStatuses(t, res, map[int]int{201: 1, 409: n - 1})
		for _, r := range res {
			if r.Status == 409 {
				r.Expect(t, 409, errorDoc(409, "conflict constraint", "The entity already exists.", atPointer("/data/id")))
			}
		}
	})
}

func TestConcurrentCallsKeepCountsExact(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		account := create(t, env, "accounts", writeDoc("accounts", "", `{"name":"Busy"}`, ""))
		contact := create(t, env, "contacts", writeDoc("contacts", "", `{"firstName":"Busy"}`, ""))
		const n = 100
		reqs := make([]apitest.Request, n)
		for i := range reqs {
			dir := "incoming"
			if i%4 == 0 {
				dir = "outgoing"
			}
			reqs[i] = apitest.Request{Method: http.MethodPost, Path: "/api/calls",
				Body: fmt.Sprintf(`{"data":{"type":"calls","attributes":{"subject":"Call %d","direction":%q,"callDateTime":"2024-05-01T10:%02d:%02dZ"},
					"relationships":{"account":{"data":{"type":"accounts","id":%q}},"contact":{"data":{"type":"contacts","id":%q}}}}}`,
					i, dir, i/60, i%60, account, contact)}
		}
		res := env.DoParallel(reqs)
		ccExpectStatuses(t, res, map[int]int{201: n})
		for _, path := range []string{"/api/accounts/" + account, "/api/contacts/" + contact} {
			r := env.Do(apitest.Request{Path: path})
			for name, want := range map[string]float64{"timesContacted": n, "timesContactedIn": 75, "timesContactedOut": 25} {
				if got := attrOf(t, r, name); got != want {
					t.Errorf("%s %s = %v, want %v", path, name, got, want)
				}
			}
			if got := attrOf(t, r, "lastContactedDate"); got != "2024-05-01T10:01:39Z" {
				t.Errorf("%s lastContactedDate = %v", path, got)
			}
		}

		// and moving and deleting them concurrently keeps both sides exact
		other := create(t, env, "accounts", writeDoc("accounts", "", `{"name":"Other"}`, ""))
		var ids []string
		for _, r := range res {
			ids = append(ids, dataOf(t, r)["id"].(string))
		}
		reqs = reqs[:0]
		for i, id := range ids {
			if i%2 == 0 {
				reqs = append(reqs, apitest.Request{Method: http.MethodDelete, Path: "/api/calls/" + id})
			} else {
				reqs = append(reqs, apitest.Request{Method: http.MethodPatch, Path: "/api/calls/" + id,
					Body: fmt.Sprintf(`{"data":{"type":"calls","id":%q,"relationships":{"account":{"data":{"type":"accounts","id":%q}}}}}`, id, other)})
			}
		}
		res = env.DoParallel(reqs)
		ccExpectStatuses(t, res, map[int]int{204: n / 2, 200: n / 2})
		for path, want := range map[string]float64{"/api/accounts/" + account: 0, "/api/accounts/" + other: n / 2, "/api/contacts/" + contact: n / 2} {
			if got := attrOf(t, env.Do(apitest.Request{Path: path}), "timesContacted"); got != want {
				t.Errorf("%s timesContacted = %v, want %v", path, got, want)
			}
		}
	})
}

// Writes racing deletes of the same or related records answer 404 or 400 with a pointer,
// never 500, and leave no reference to a deleted record.
func TestConcurrentWritesAndDeletes(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		const n = 15
		var reqs []apitest.Request
		var accounts, contacts []string
		for i := 0; i < n; i++ {
			accounts = append(accounts, create(t, env, "accounts", writeDoc("accounts", "", fmt.Sprintf(`{"name":"A%d"}`, i), "")))
			contacts = append(contacts, create(t, env, "contacts", writeDoc("contacts", "", fmt.Sprintf(`{"firstName":"C%d"}`, i), "")))
		}
		for i := 0; i < n; i++ {
			a, c := accounts[i], contacts[i]
			reqs = append(reqs,
				// PATCH racing DELETE of the same record
				apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + a,
					Body: fmt.Sprintf(`{"data":{"type":"accounts","id":%q,"attributes":{"description":"patched"},
						"relationships":{"defaultContact":{"data":{"type":"contacts","id":%q}}}}}`, a, c)},
				apitest.Request{Method: http.MethodDelete, Path: "/api/accounts/" + a},
				// a default contact deleted in the same instant
				apitest.Request{Method: http.MethodDelete, Path: "/api/contacts/" + c},
				// links to a record being deleted
				apitest.Request{Method: http.MethodPost, Path: "/api/contacts/" + c + "/relationships/accounts",
					Body: fmt.Sprintf(`{"data":[{"type":"accounts","id":%q}]}`, a)},
				apitest.Request{Method: http.MethodPost, Path: "/api/calls",
					Body: fmt.Sprintf(`{"data":{"type":"calls","attributes":{"subject":"S","direction":"incoming","callDateTime":"2024-01-01T00:00:00Z"},
						"relationships":{"account":{"data":{"type":"accounts","id":%q}},"contact":{"data":{"type":"contacts","id":%q}}}}}`, a, c)},
			)
		}
		res := env.DoParallel(reqs)
		ccOnly(t, res, 200, 201, 204, 400, 404)
		for _, r := range res {
			if r.Status == 400 {
				var doc struct {
					Errors []struct {
						Title  string
						Source struct{ Pointer string }
					}
				}
				_ = json.Unmarshal(r.Body, &doc)
				for _, e := range doc.Errors {
					if e.Title != "form constraint" || !strings.HasPrefix(e.Source.Pointer, "/data") {
						t.Errorf("a 400 without a pointer to the missing record: %s", r.Body)
					}
				}
			}
		}
		// every deleted record is gone, and nothing refers to one
		ccExpect := func(path, want string) {
			t.Helper()
			if got := ccCount(t, env, path); got != want {
				t.Errorf("%s: %s, want %s", path, got, want)
			}
		}
		ccExpect("/api/accounts?filter[id]="+strings.Join(accounts, ","), "0")
		ccExpect("/api/contacts?filter[id]="+strings.Join(contacts, ","), "0")
		ccExpect("/api/calls?filter[account][exists]=true", "0")
		ccExpect("/api/calls?filter[contact][exists]=true", "0")
	})
}

// Adding the same members to a to-many relationship at once: every request succeeds.
func TestConcurrentRelationshipAdds(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		a := create(t, env, "accounts", writeDoc("accounts", "", `{"name":"Shared"}`, ""))
		c1 := create(t, env, "contacts", writeDoc("contacts", "", `{"firstName":"One"}`, ""))
		c2 := create(t, env, "contacts", writeDoc("contacts", "", `{"firstName":"Two"}`, ""))
		reqs := make([]apitest.Request, 20)
		for i := range reqs {
			reqs[i] = apitest.Request{Method: http.MethodPost, Path: "/api/accounts/" + a + "/relationships/contacts",
				Body: fmt.Sprintf(`{"data":[{"type":"contacts","id":%q},{"type":"contacts","id":%q}]}`, c1, c2)}
			if i%2 == 1 {
				reqs[i] = apitest.Request{Method: http.MethodPost, Path: "/api/contacts/" + c1 + "/relationships/accounts",
					Body: fmt.Sprintf(`{"data":[{"type":"accounts","id":%q}]}`, a)}
			}
		}
		ccExpectStatuses(t, env.DoParallel(reqs), map[int]int{204: 20})
		if got := ccCount(t, env, "/api/accounts/"+a+"/contacts"); got != "2" {
			t.Fatalf("%s contacts, want 2", got)
		}
	})
}

// SQLite's single writer: parallel writers wait their turn rather than fail; past the queue's
// bound they get 503 with Retry-After, never 500, and every 201 is a stored record.
func TestSQLiteWriterQueue(t *testing.T) {
	t.Parallel()
	b := storetest.Backend{Name: string(store.SQLite)}
	post := func(i int) apitest.Request {
		return apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: fmt.Sprintf(`{"data":{"type":"accounts","attributes":{"name":"Q%d"}}}`, i)}
	}
	t.Run("waits", func(t *testing.T) {
		t.Parallel()
		env := apitest.New(t, b)
		reqs := make([]apitest.Request, 200)
		for i := range reqs {
			reqs[i] = post(i)
		}
		ccExpectStatuses(t, env.DoParallel(reqs), map[int]int{201: 200})
		if got := ccCount(t, env, "/api/accounts"); got != "200" {
			t.Fatalf("%s accounts, want 200", got)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		t.Parallel()
		env := apitest.NewWith(t, b, store.Limits{WriteQueue: 2, WriteWait: 1}, server.Config{})
		reqs := make([]apitest.Request, 100)
		for i := range reqs {
			reqs[i] = post(i)
		}
		res := env.DoParallel(reqs)
		ccOnly(t, res, 201, 503)
		st := ccStatuses(res)
		if st[503] == 0 {
			t.Fatalf("statuses %v: a queue of 2 waiting at most 1 ns should refuse some of 100 parallel writers", st)
		}
		for _, r := range res {
			if r.Status == 503 {
				if r.Header.Get("Retry-After") != "1" {
					t.Fatalf("503 without Retry-After: %v", r.Header)
				}
				var doc struct{ Errors []struct{ Title string } }
				_ = json.Unmarshal(r.Body, &doc)
				if len(doc.Errors) != 1 || doc.Errors[0].Title != "service unavailable" {
					t.Fatalf("503 body %s", r.Body)
				}
			}
		}
		if got := ccCount(t, env, "/api/accounts"); got != fmt.Sprint(st[201]) {
			t.Fatalf("%s accounts stored, %d answered 201", got, st[201])
		}
	})
}

// Many requests at once — writes with included resources, and reads of products, whose
// localized names need a second query — all succeed: no request waits for a second database
// connection while it holds one, so the capped pool cannot deadlock.
func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		env.Do(apitest.Request{Method: "POST", Path: "/api/products",
			Body: `{"data":{"type":"products","attributes":{"sku":"P-1","names":[{"localization":null,"value":"Chair"},{"localization":"2","value":"Stuhl"}]}}}`}).ExpectStatus(t, 201)
		t.Run("parallel", func(t *testing.T) {
			for i := range 40 {
				t.Run(fmt.Sprint(i), func(t *testing.T) {
					t.Parallel()
					e := env.For(t)
					e.Do(apitest.Request{Method: "POST", Path: "/api/accounts", Body: fmt.Sprintf(`{"data":{"type":"accounts","attributes":{"name":"A%d"},
						"relationships":{"contacts":{"data":[{"type":"contacts","id":"c"}]}}},
						"included":[{"type":"contacts","id":"c","attributes":{"firstName":"C%d"}}]}`, i, i)}).ExpectStatus(t, 201)
					res := e.Do(apitest.Request{Path: "/api/products/1?fields[products]=name", Header: map[string]string{"X-Localization-ID": "2"}})
					res.Expect(t, 200, `{"data":{"type":"products","id":"1","links":{"self":"http://api.test/api/products/1"},"attributes":{"name":"Stuhl"}},
						"links":{"self":"http://api.test/api/products/1?fields%5Bproducts%5D=name"}}`)
				})
			}
		})
		res := env.Do(apitest.Request{Path: "/api/accounts?page[size]=1", Header: map[string]string{"X-Include": "totalCount"}})
		res.ExpectStatus(t, 200)
		if got := res.Header.Get("X-Include-Total-Count"); got != "40" {
			t.Fatalf("%s accounts, want 40", got)
		}
	})
}
