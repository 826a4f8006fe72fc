package server_test

import (
	"context"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/server/settings"
	"webapi/store"
	"webapi/store/demo"
	"webapi/store/storetest"
)

// countStatements counts every SQL statement the database handle runs from now on.
func countStatements(t testing.TB, db *store.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	inc := func(*gorm.DB) { n.Add(1) }
	db.OnQuery(func(string) { n.Add(1) }) // the engine's reads, which bypass GORM
	t.Cleanup(func() { db.OnQuery(nil) })
	cb := db.Gorm.Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("test:count_query", inc),
		"row":    cb.Row().After("gorm:row").Register("test:count_row", inc),
		"raw":    cb.Raw().After("gorm:raw").Register("test:count_raw", inc),
		"create": cb.Create().After("gorm:create").Register("test:count_create", inc),
		"update": cb.Update().After("gorm:update").Register("test:count_update", inc),
		"delete": cb.Delete().After("gorm:delete").Register("test:count_delete", inc),
	} {
		if err != nil {
			t.Fatalf("register %s callback: %v", name, err)
		}
	}
	return &n
}

// statementLog keeps the text of every statement the engine runs (store.DB.OnQuery) until the
// test ends.
type statementLog struct {
	mu  sync.Mutex
	ran []string
}

func logStatements(t testing.TB, db *store.DB) *statementLog {
	l := &statementLog{}
	db.OnQuery(func(q string) { l.mu.Lock(); l.ran = append(l.ran, q); l.mu.Unlock() })
	t.Cleanup(func() { db.OnQuery(nil) })
	return l
}

// since returns the statements run since the last call, and forgets them.
func (l *statementLog) since() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ran := l.ran
	l.ran = nil
	return ran
}

// A GET runs 1 statement plus one per include path segment (plus one for totalCount), whatever
// the page size: no N+1. A page of a to-many subresource or relationship checks its parent in
// its own statement; only an empty one reads the parent (to tell 404 and 403 from it).
// Authentication adds none once the principal is cached, and one (the check that the cached
// principal is still current, auth.Resolver) after this process wrote what a principal is
// made of (a user), none after it wrote anything else (an account).
// (The caches' ages are an hour here, so that a slow machine does not expire them mid-test.)
func TestStatementsPerGet(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			env := apitest.NewWith(t, b, store.DefaultLimits, server.Config{AuthMaxAge: time.Hour, Settings: &settings.Cache{MaxAge: time.Hour}})
			if err := demo.Seed(context.Background(), env.DB, 1, nil); err != nil {
				t.Fatal(err)
			}
			env.Do(apitest.Request{Path: "/api/accounts/1"}).ExpectStatus(t, 200) // the principal is loaded once
			var linked string                                                     // an account with contacts
			if err := env.DB.Gorm.Raw("SELECT CAST(MIN(account_id) AS TEXT) FROM account_contacts").Scan(&linked).Error; err != nil || linked == "" {
				t.Fatalf("an account with contacts: %q %v", linked, err)
			}
			lonely := create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"No contacts"}}}`)
			env.Do(apitest.Request{Path: "/api/accounts/1"}).ExpectStatus(t, 200) // after the write: the principal is current
			n := countStatements(t, env.DB)
			for _, tc := range []struct {
				path   string
				header map[string]string
				want   int64
			}{
				{"/api/accounts?page[size]=1", nil, 1},
				{"/api/accounts?page[size]=100", nil, 1},
				{"/api/accounts?page[size]=1&include=contacts.accounts.owner", nil, 4},
				{"/api/accounts?page[size]=100&include=contacts.accounts.owner", nil, 4},
				{"/api/accounts?page[size]=100&include=contacts.accounts.owner,owner", nil, 5},
				{"/api/accounts?page[size]=100&include=contacts", map[string]string{"X-Include": "totalCount"}, 3},
				{"/api/accounts/1?include=contacts.accounts.owner", nil, 4},
				{"/api/contacts?page[size]=100&include=accounts,source,owner", nil, 4},
				{"/api/accounts/" + linked + "/contacts", nil, 1},
				{"/api/accounts/" + linked + "/relationships/contacts", nil, 1},
				{"/api/accounts/" + lonely + "/contacts", nil, 2},
				{"/api/accounts/" + lonely + "/relationships/contacts", nil, 2},
				{"/api/accounts/" + linked + "/contacts", map[string]string{"X-Include": "totalCount"}, 3},
			} {
				n.Store(0)
				res := env.Do(apitest.Request{Path: tc.path, Header: tc.header})
				res.ExpectStatus(t, 200)
				if got := n.Load(); got != tc.want {
					t.Errorf("%s: %d statements, want %d", tc.path, got, tc.want)
				}
			}
			// The insert and the update return the record on PostgreSQL, which the response
			// shows; on SQLite (whose RETURNING reads plain columns only) what the search index
			// needs, and the record is read back once.
			readBack := int64(0)
			if env.DB.Dialect == store.SQLite {
				readBack = 1
			}
			n.Store(0)
			written := create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Written"}}}`)
			if got, want := n.Load(), 2+readBack; got != want {
				t.Errorf("POST of an account: %d statements, want %d (insert, index row, read back on SQLite)", got, want)
			}
			n.Store(0)
			env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + written,
				Body: `{"data":{"type":"accounts","id":"` + written + `","attributes":{"name":"Rewritten"}}}`}).ExpectStatus(t, 200)
			if got, want := n.Load(), 3+readBack; got != want {
				t.Errorf("PATCH of an account: %d statements, want %d (locked read, update, index row, read back on SQLite)", got, want)
			}
			// a write that links the record after its statement reads it back: the statement
			// returned it without the links
			n.Store(0)
			res := env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + written,
				Body: `{"data":{"type":"accounts","id":"` + written + `","relationships":{"contacts":{"data":[{"type":"contacts","id":"1"}]}}}}`})
			res.ExpectStatus(t, 200)
			doc, _ := res.JSON(t).(map[string]any)
			data, _ := doc["data"].(map[string]any)
			rels, _ := data["relationships"].(map[string]any)
			contacts, _ := rels["contacts"].(map[string]any)
			if want := []any{map[string]any{"type": "contacts", "id": "1"}}; !reflect.DeepEqual(contacts["data"], want) {
				t.Errorf("PATCH of an account's contacts answers the contacts %#v, want %#v", contacts["data"], want)
			}
			if got, want := n.Load(), int64(8); got != want {
				t.Errorf("PATCH of an account's contacts: %d statements, want %d (locked read, the contact checked, update, unlink, link, the default contact read by the hook, index row, read back)", got, want)
			}
			n.Store(0)
			env.Do(apitest.Request{Path: "/api/accounts?page[size]=1"}).ExpectStatus(t, 200)
			if got := n.Load(); got != 1 {
				t.Errorf("after a write of an account: %d statements, want 1 (no authentication check)", got)
			}
			env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/users/1",
				Body: `{"data":{"type":"users","id":"1","attributes":{"firstName":"Renamed"}}}`}).ExpectStatus(t, 200)
			n.Store(0)
			env.Do(apitest.Request{Path: "/api/accounts?page[size]=1"}).ExpectStatus(t, 200)
			if got := n.Load(); got != 2 {
				t.Errorf("after a write of a user: %d statements, want 1 and the authentication check", got)
			}
		})
	}
}

// The engine reads a record by its id (and what the caller may do to it) with one row's
// statement: an equality, no order and no limit. What the caller may do is one column, the sum of
// the bits of jsonapi.Allowed (view 1, edit 4, delete 8), and what it may do to every record of
// its organization is a constant of that sum, not a condition on each row: the administrator's
// 13; for a role that may view the organization's accounts, edit its own and delete none, 1 and
// the edit bit's condition. The answers are those of the access tests (TestAccessLevels); this
// test holds the statement to its shape.
func TestStatementOfARecordByID(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newAccessWorld(t, env)
		w.setPermissions(t, `"accounts":{"VIEW":"organization","CREATE":"none","EDIT":"user","DELETE":"none"}`)
		statements := logStatements(t, env.DB)
		// every column (a GET, a DELETE) or the id alone (the locked read of a PATCH), then what
		// the caller may do: the constant bits and the conditional ones
		byID := regexp.MustCompile(`^SELECT t\.id(?:, .*)?, (\d+)((?: \+ CASE WHEN .* THEN \d+ ELSE 0 END)?)` +
			` FROM accounts t WHERE \(.*\) AND \(t\.id = (?:\?|\$\d+)\)(?: FOR (?:NO KEY )?UPDATE OF t)?$`)
		bit := regexp.MustCompile(` \+ CASE WHEN .*? THEN (\d+) ELSE 0 END`)
		may := func(c *apitest.Env, req apitest.Request, status int) (string, []string) {
			t.Helper()
			statements.since()
			c.Do(req).ExpectStatus(t, status)
			ran := statements.since()
			for _, q := range ran {
				if m := byID.FindStringSubmatch(q); m != nil {
					var bits []string
					for _, b := range bit.FindAllStringSubmatch(m[2], -1) {
						bits = append(bits, b[1])
					}
					return m[1], bits
				}
			}
			t.Fatalf("%s %s: no read of one account among %q", req.Method, req.Path, ran)
			return "", nil
		}
		want := func(always string, conditional ...string) func(string, []string) {
			return func(gotAlways string, gotConditional []string) {
				t.Helper()
				if gotAlways != always || !slices.Equal(gotConditional, conditional) {
					t.Errorf("may: %s and the conditional bits %q, want %s and %q", gotAlways, gotConditional, always, conditional)
				}
			}
		}
		admins := "/api/accounts/" + w.accounts["admin"]
		want("13")(may(w.admin, apitest.Request{Path: admins}, http.StatusOK))
		want("1", "4")(may(w.caller, apitest.Request{Path: admins}, http.StatusOK))
		patch := func(id string) apitest.Request {
			return apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + id,
				Body: `{"data":{"type":"accounts","id":"` + id + `","attributes":{"description":"edited"}}}`}
		}
		want("1", "4")(may(w.caller, patch(w.accounts["admin"]), http.StatusForbidden))
		want("1", "4")(may(w.caller, patch(w.accounts["caller"]), http.StatusOK))
		want("13")(may(w.admin, patch(w.accounts["caller"]), http.StatusOK))
		may(w.caller, apitest.Request{Method: http.MethodDelete, Path: "/api/accounts/" + w.accounts["caller"]}, http.StatusForbidden)
	})
}

// A page reads one record more than its size only where the document prints a link to the next
// page: with X-Include: noHateoas, and in the plain format, nothing asks whether there is one.
// The pages themselves are the same either way: the first records of the order, as many as the
// size (TestLinks and the protocol tests hold the links).
func TestPageReadsOneMoreForItsNextLinkOnly(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		if err := demo.Seed(context.Background(), env.DB, 1, nil); err != nil {
			t.Fatal(err)
		}
		var linked string // an account with more than two contacts
		if err := env.DB.Gorm.Raw("SELECT CAST(account_id AS TEXT) FROM account_contacts GROUP BY account_id HAVING COUNT(*) > 2 ORDER BY account_id LIMIT 1").Scan(&linked).Error; err != nil || linked == "" {
			t.Fatalf("an account with three contacts: %q %v", linked, err)
		}
		statements := logStatements(t, env.DB)
		limit := regexp.MustCompile(` LIMIT (\d+)(?: OFFSET \d+)?$`)
		noHateoas := map[string]string{"X-Include": "noHateoas"}
		plain := map[string]string{"Accept": "application/json"}
		for _, tc := range []struct {
			path   string
			header map[string]string
			limit  string // of the page's statement
			ids    int    // what the page answers
		}{
			{"/api/accounts?page[size]=2", nil, "3", 2},
			{"/api/accounts?page[size]=2", noHateoas, "2", 2},
			{"/api/accounts?page[size]=2", plain, "2", 2},
			{"/api/accounts?page[size]=2&page[number]=2&fields[accounts]=name", noHateoas, "2", 2},
			{"/api/accounts?page[size]=2&include=contacts", noHateoas, "2", 2},
			{"/api/accounts/" + linked + "/contacts?page[size]=2", nil, "3", 2},
			{"/api/accounts/" + linked + "/contacts?page[size]=2", noHateoas, "2", 2},
			{"/api/accounts/" + linked + "/relationships/contacts?page[size]=2", nil, "3", 2},
			{"/api/accounts/" + linked + "/relationships/contacts?page[size]=2", noHateoas, "2", 2},
			{"/api/accounts/" + linked + "/relationships/contacts?page[size]=2", plain, "2", 2},
		} {
			statements.since()
			res := env.Do(apitest.Request{Path: tc.path, Header: tc.header})
			res.ExpectStatus(t, http.StatusOK)
			first := ""
			if ran := statements.since(); len(ran) > 0 {
				first = ran[0]
			}
			if m := limit.FindStringSubmatch(first); m == nil || m[1] != tc.limit {
				t.Errorf("%s %v: the page's statement %q, want LIMIT %s", tc.path, tc.header, first, tc.limit)
			}
			doc := res.JSON(t)
			data := doc
			if m, ok := doc.(map[string]any); ok {
				data = m["data"]
				if _, hasLinks := m["links"]; hasLinks != (tc.header == nil) {
					t.Errorf("%s %v: links %v", tc.path, tc.header, m["links"])
				}
			}
			if list, _ := data.([]any); len(list) != tc.ids {
				t.Errorf("%s %v: %d records, want %d: %s", tc.path, tc.header, len(list), tc.ids, res.Body)
			}
		}
	})
}
