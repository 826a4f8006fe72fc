package server_test

// Tests of the search (api.md section 15) on every backend: the index kept in the transaction
// of every write, the simple and the advanced search, the JSON:API search, and access control.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"webapi/server"
	"webapi/server/apitest"
)

// searchResult is the answer of the plain endpoints.
type searchResult struct {
	RecordsCount int `json:"records_count"`
	Count        int `json:"count"`
	Data         []struct {
		EntityName   string         `json:"entity_name"`
		RecordID     int64          `json:"record_id"`
		RecordString string         `json:"record_string"`
		RecordURL    string         `json:"record_url"`
		SelectedData map[string]any `json:"selected_data"`
	} `json:"data"`
}

// found runs a plain search and returns "type id title" per record, in order, and the total.
func found(t testing.TB, env *apitest.Env, path string) ([]string, int) {
	t.Helper()
	res := env.Do(apitest.Request{Path: path})
	res.ExpectStatus(t, http.StatusOK)
	var r searchResult
	if err := json.Unmarshal(res.Body, &r); err != nil {
		t.Fatal(err)
	}
	if r.Count != len(r.Data) {
		t.Fatalf("count %d, %d records", r.Count, len(r.Data))
	}
	var out []string
	for _, d := range r.Data {
		if want := fmt.Sprintf("%s/api/%s/%d", apiHost, d.EntityName, d.RecordID); d.RecordURL != want {
			t.Fatalf("record_url %q, want %q", d.RecordURL, want)
		}
		out = append(out, fmt.Sprintf("%s %d %s", d.EntityName, d.RecordID, d.RecordString))
	}
	return out, r.RecordsCount
}

func simple(text string, more ...string) string {
	return "/api/rest/latest/search?search=" + url.QueryEscape(text) + strings.Join(more, "")
}

func advanced(q string) string {
	return "/api/rest/latest/search/advanced?query=" + url.QueryEscape(q)
}

func expectFound(t testing.TB, env *apitest.Env, path string, total int, want ...string) {
	t.Helper()
	got, n := found(t, env, path)
	if n != total || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("GET %s:\n got %d %q\nwant %d %q", path, n, got, total, want)
	}
}

// searchSeed creates accounts, contacts and calls through the API.
func searchSeed(t *testing.T, env *apitest.Env) map[string]string {
	ids := map[string]string{}
	ids["cloth"] = create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Cloth World","description":"Fabrics and yarn"}}}`)
	ids["world"] = create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"World of Steel","description":"Cloth? No: steel."}}}`)
	ids["acme"] = create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Acme"}}}`)
	ids["ann"] = create(t, env, "contacts", `{"data":{"type":"contacts","attributes":{"firstName":"Ann","lastName":"Clothier","primaryEmail":"ann@cloth-world.example","birthday":"1990-05-17"}}}`)
	ids["bob"] = create(t, env, "contacts", `{"data":{"type":"contacts","attributes":{"firstName":"Bob","lastName":"Builder"}}}`)
	for i := range 2 {
		create(t, env, "calls", fmt.Sprintf(`{"data":{"type":"calls","attributes":{"subject":"Call %d about steel","callDateTime":"2024-03-0%dT10:00:00Z","direction":"incoming"},
			"relationships":{"contact":{"data":{"type":"contacts","id":"%s"}}}}}`, i+1, i+1, ids["ann"]))
	}
	return ids
}

func TestSearchSimple(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		ids := searchSeed(t, env)
		// whole words, any case, every word; the records whose text holds the whole text first
		expectFound(t, env, simple("CLOTH"), 3,
			"accounts "+ids["cloth"]+" Cloth World", "accounts "+ids["world"]+" World of Steel", "contacts "+ids["ann"]+" Ann Clothier")
		expectFound(t, env, simple("steel cloth"), 1, "accounts "+ids["world"]+" World of Steel")
		expectFound(t, env, simple("world cloth"), 3, // no text holds "world cloth": by type and id
			"accounts "+ids["cloth"]+" Cloth World", "accounts "+ids["world"]+" World of Steel", "contacts "+ids["ann"]+" Ann Clothier")
		expectFound(t, env, simple("cloth", "&from=contacts"), 1, "contacts "+ids["ann"]+" Ann Clothier")
		expectFound(t, env, simple("cloth", "&offset=1&max_results=1"), 3, "accounts "+ids["world"]+" World of Steel")
		expectFound(t, env, simple("steel"), 3,
			"accounts "+ids["world"]+" World of Steel", "calls 1 Call 1 about steel", "calls 2 Call 2 about steel")
		expectFound(t, env, simple("nothing-like-this"), 0)
		// the index follows the writes: an update, a delete
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + ids["acme"],
			Body: `{"data":{"type":"accounts","id":"` + ids["acme"] + `","attributes":{"name":"Acme Cloth"}}}`}).ExpectStatus(t, http.StatusOK)
		env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/accounts/" + ids["world"]}).ExpectStatus(t, http.StatusNoContent)
		expectFound(t, env, simple("cloth", "&from=accounts"), 2,
			"accounts "+ids["cloth"]+" Cloth World", "accounts "+ids["acme"]+" Acme Cloth")
		// bad parameters: the plain error format
		env.Do(apitest.Request{Path: "/api/rest/latest/search?search=x&from=currencies", Invalid: true}).Expect(t, http.StatusBadRequest,
			`[{"code":400,"title":"entity type constraint","detail":"The entity type \"currencies\" is not searchable.","source":"from"}]`)
		env.Do(apitest.Request{Path: "/api/rest/latest/search?search=x&max_results=1001", Invalid: true}).Expect(t, http.StatusBadRequest,
			`[{"code":400,"title":"unexpected value exception","detail":"Expected an integer from 1 to 1000. Given \"1001\".","source":"max_results"}]`)
	})
}

func TestSearchAdvanced(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		ids := searchSeed(t, env)
		ann, cloth, world := "contacts "+ids["ann"]+" Ann Clothier", "accounts "+ids["cloth"]+" Cloth World", "accounts "+ids["world"]+" World of Steel"
		// the spec's example, shortened: words in all_text, an integer field (the calls made
		// Ann's timesContacted 2), a substring of a field; or, and, parentheses
		expectFound(t, env, advanced(`from (accounts, contacts) where (all_text ~ cloth and integer timesContacted > 1) or name like "world" order_by name desc`), 3,
			world, cloth, ann)
		expectFound(t, env, advanced(`where integer timesContacted in (2, 3)`), 1, ann)
		expectFound(t, env, advanced(`from contacts where datetime birthday < "1991-01-01 00:00:00"`), 1, ann)
		expectFound(t, env, advanced(`from calls where datetime callDateTime >= "2024-03-02" order_by datetime callDateTime desc`), 1, "calls 2 Call 2 about steel")
		expectFound(t, env, advanced(`where name = "cloth world"`), 1, cloth)
		expectFound(t, env, advanced(`from accounts where name !~ steel order_by name`), 2, "accounts "+ids["acme"]+" Acme", cloth)
		expectFound(t, env, advanced(`from accounts where all_text notlike "yarn" order_by name offset 1 max_results 1`), 2, world)
		// selected data: the values as stored, null where a type has no such field
		res := env.Do(apitest.Request{Path: advanced(`select (name, integer.timesContacted as times, firstName) from (accounts, contacts) where all_text ~ cloth and integer timesContacted >= 0`)})
		res.Expect(t, http.StatusOK, `{"records_count":3,"count":3,"data":[
			{"entity_name":"accounts","record_id":`+ids["cloth"]+`,"record_string":"Cloth World","record_url":"`+resURL("accounts", ids["cloth"])+`","selected_data":{"name":"Cloth World","times":0,"firstName":null}},
			{"entity_name":"accounts","record_id":`+ids["world"]+`,"record_string":"World of Steel","record_url":"`+resURL("accounts", ids["world"])+`","selected_data":{"name":"World of Steel","times":0,"firstName":null}},
			{"entity_name":"contacts","record_id":`+ids["ann"]+`,"record_string":"Ann Clothier","record_url":"`+resURL("contacts", ids["ann"])+`","selected_data":{"name":null,"times":2,"firstName":"Ann"}}]}`)
		// a malformed query: 400 naming the position
		env.Do(apitest.Request{Path: advanced(`where name ~`)}).Expect(t, http.StatusBadRequest,
			`[{"code":400,"title":"value constraint","detail":"<any>","source":"query"}]`)
		var errs []struct{ Detail string }
		if err := json.Unmarshal(env.Do(apitest.Request{Path: advanced(`where integer timesContacted like 5`)}).Body, &errs); err != nil || len(errs) != 1 ||
			!strings.HasPrefix(errs[0].Detail, "Malformed query at position 30: expected ") {
			t.Fatalf("errors %+v (%v)", errs, err)
		}
	})
}

func TestSearchJSONAPI(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		ids := searchSeed(t, env)
		item := func(typ, id, title string) string {
			return `{"type":"search","id":"` + typ + `-` + id + `","links":{"entityUrl":"` + resURL(typ, id) + `"},"attributes":{"entityName":` + jsonText(title) +
				`},"relationships":{"entity":{"data":{"type":"` + typ + `","id":"` + id + `"}}}}`
		}
		res := env.Do(apitest.Request{Path: "/api/search?filter[searchText]=cloth&page[size]=2", Header: map[string]string{"X-Include": "totalCount"}})
		res.Expect(t, http.StatusOK, `{"data":[`+item("accounts", ids["cloth"], "Cloth World")+`,`+item("accounts", ids["world"], "World of Steel")+`],
			"links":{"self":"`+uriOf(absolute("/api/search?filter[searchText]=cloth&page[size]=2"))+`","next":"`+uriOf(absolute("/api/search?filter[searchText]=cloth&page[size]=2&page[number]=2"))+`"}}`)
		if got := res.Header.Get("X-Include-Total-Count"); got != "3" {
			t.Fatalf("X-Include-Total-Count %q", got)
		}
		// the record itself, included; the condition language in a filter; the types
		res = env.Do(apitest.Request{Path: "/api/search?filter[searchQuery]=" + url.QueryEscape("integer timesContacted > 1") + "&filter[entities]=contacts&include=entity"})
		res.ExpectStatus(t, http.StatusOK)
		var doc struct {
			Data     []struct{ ID string } `json:"data"`
			Included []struct {
				Type       string         `json:"type"`
				ID         string         `json:"id"`
				Attributes map[string]any `json:"attributes"`
			} `json:"included"`
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Data) != 1 || doc.Data[0].ID != "contacts-"+ids["ann"] || len(doc.Included) != 1 || doc.Included[0].ID != ids["ann"] ||
			doc.Included[0].Attributes["firstName"] != "Ann" {
			t.Fatalf("%s", res.Body)
		}
		env.Do(apitest.Request{Path: "/api/search?filter[entities]=accounts"}).Expect(t, http.StatusBadRequest, errorsDoc(
			badParam("filter[searchText]", "filter constraint", `Either the "searchText" or the "searchQuery" filter must be given (one of them).`)))
		env.Do(apitest.Request{Path: "/api/search?filter[searchQuery]=" + url.QueryEscape("name ~")}).Expect(t, http.StatusBadRequest,
			`{"errors":[{"status":"400","title":"value constraint","detail":"<any>","source":{"parameter":"filter[searchQuery]"}}]}`)
	})
}

// TestSearchAccess: nobody finds, counts or selects a record they may not view.
func TestSearchAccess(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		ids := searchSeed(t, env)
		// a user with ROLE_USER views the whole organization; without roles, nothing; another
		// organization's administrator, nothing of this one
		clerk := create(t, env, "users", `{"data":{"type":"users","attributes":{"username":"clerk","email":"clerk@example.com"},
			"relationships":{"roles":{"data":[{"type":"userroles","id":"2"}]}}}}`)
		nobody := create(t, env, "users", `{"data":{"type":"users","attributes":{"username":"nobody","email":"nobody@example.com"}}}`)
		outsider := newAdministrator(t, env, "Elsewhere")
		create(t, outsider.Env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Elsewhere Cloth"}}}`)
		asClerk := env.As(mustInt(t, clerk))
		expectFound(t, asClerk, simple("cloth"), 3,
			"accounts "+ids["cloth"]+" Cloth World", "accounts "+ids["world"]+" World of Steel", "contacts "+ids["ann"]+" Ann Clothier")
		expectFound(t, env.As(mustInt(t, nobody)), simple("cloth"), 0)
		expectFound(t, env.As(mustInt(t, nobody)), advanced(`where integer timesContacted >= 0`), 0)
		expectFound(t, outsider.Env, simple("cloth"), 1, "accounts "+outsiderAccount(t, outsider.Env)+" Elsewhere Cloth")
		outsider.Env.Do(apitest.Request{Path: "/api/search?filter[searchText]=world"}).Expect(t, http.StatusOK,
			`{"data":[],"links":{"self":"`+uriOf(absolute("/api/search?filter[searchText]=world"))+`"}}`)
		// ROLE_USER edits at the user level but views the organization: a record owned by the
		// administrator is found; take VIEW down to user level and it is not
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/userroles/2", Body: `{"data":{"type":"userroles","id":"2","attributes":{"permissions":
			{"accounts":{"VIEW":"user","CREATE":"user","EDIT":"user","DELETE":"user"},"contacts":{"VIEW":"organization","CREATE":"user","EDIT":"user","DELETE":"user"}}}}}`}).ExpectStatus(t, http.StatusOK)
		expectFound(t, asClerk, simple("cloth"), 1, "contacts "+ids["ann"]+" Ann Clothier")
	})
}

func outsiderAccount(t testing.TB, env *apitest.Env) string {
	t.Helper()
	res := env.Do(apitest.Request{Path: "/api/accounts?fields[accounts]=name"})
	var doc struct {
		Data []struct{ ID string } `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil || len(doc.Data) != 1 {
		t.Fatalf("%v %s", err, res.Body)
	}
	return doc.Data[0].ID
}

// TestSearchIndexFollowsWrites: every path that writes keeps the index: relationship changes of
// the owner, the communication fields a call changes, batches, deletes by filter.
func TestSearchIndexFollowsWrites(t *testing.T) {
	eachBatch(t, server.Config{}, func(t *testing.T, env *apitest.Env) {
		ids := searchSeed(t, env)
		ann := "contacts " + ids["ann"] + " Ann Clothier"
		// a third call: Ann's timesContacted becomes 3 in the index too
		create(t, env, "calls", `{"data":{"type":"calls","attributes":{"subject":"Third","callDateTime":"2024-03-09T10:00:00Z","direction":"outgoing"},
			"relationships":{"contact":{"data":{"type":"contacts","id":"`+ids["ann"]+`"}}}}}`)
		expectFound(t, env, advanced(`where integer timesContacted = 3`), 1, ann)
		// a batch: its records are in the index when the operation ends
		id := submit(t, env, "accounts", `{"data":[{"type":"accounts","attributes":{"name":"Batch Cloth 1"}},{"type":"accounts","attributes":{"name":"Batch Cloth 2"}}]}`)
		finish(t, env, id)
		got, n := found(t, env, simple("batch cloth"))
		if n != 2 || !strings.Contains(strings.Join(got, "|"), "Batch Cloth 1") {
			t.Fatalf("after the batch: %v", got)
		}
		// a delete by filter
		env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/accounts?filter[name][contains]=Batch"}).ExpectStatus(t, http.StatusNoContent)
		expectFound(t, env, simple("batch"), 0)
		// the owner changed through the relationship endpoint: a user who sees only their own
		// accounts finds the account once it is theirs
		clerk := create(t, env, "users", `{"data":{"type":"users","attributes":{"username":"clerk","email":"clerk@example.com"},
			"relationships":{"roles":{"data":[{"type":"userroles","id":"2"}]}}}}`)
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/userroles/2", Body: `{"data":{"type":"userroles","id":"2","attributes":{"permissions":
			{"accounts":{"VIEW":"user","CREATE":"user","EDIT":"user","DELETE":"user"}}}}}`}).ExpectStatus(t, http.StatusOK)
		asClerk := env.As(mustInt(t, clerk))
		expectFound(t, asClerk, simple("acme"), 0)
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + ids["acme"] + "/relationships/owner",
			Body: `{"data":{"type":"users","id":"` + clerk + `"}}`}).ExpectStatus(t, http.StatusNoContent)
		expectFound(t, asClerk, simple("acme"), 1, "accounts "+ids["acme"]+" Acme")
	})
}

// TestSearchSparse: fields[search] and the fields of the records included.
func TestSearchSparse(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		ids := searchSeed(t, env)
		env.Do(apitest.Request{Path: "/api/search?filter[searchText]=bob&fields[search]=entity&include=entity&fields[contacts]=firstName,lastName",
			Header: map[string]string{"X-Include": "noHateoas"}}).Expect(t, http.StatusOK,
			`{"data":[{"type":"search","id":"contacts-`+ids["bob"]+`","relationships":{"entity":{"data":{"type":"contacts","id":"`+ids["bob"]+`"}}}}],
			"included":[{"type":"contacts","id":"`+ids["bob"]+`","attributes":{"firstName":"Bob","lastName":"Builder"}}]}`)
		env.Do(apitest.Request{Path: "/api/search?filter[searchText]=bob&fields[search]=name"}).Expect(t, http.StatusBadRequest, errorsDoc(
			badParam("fields[search]", "filter constraint", `The field "name" is not known for the entity type "search".`)))
	})
}

// TestSearchIndexUnderConcurrency: calls written at once for one contact leave its index row
// with the exact count (computed under the contact's row lock, like the field itself).
func TestSearchIndexUnderConcurrency(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		contact := create(t, env, "contacts", `{"data":{"type":"contacts","attributes":{"firstName":"Busy","lastName":"Line"}}}`)
		var reqs []apitest.Request
		for i := range 20 {
			reqs = append(reqs, apitest.Request{Method: http.MethodPost, Path: "/api/calls", Body: fmt.Sprintf(`{"data":{"type":"calls","attributes":
				{"subject":"Parallel %d","callDateTime":"2024-04-01T10:%02d:00Z","direction":"incoming"},"relationships":{"contact":{"data":{"type":"contacts","id":"%s"}}}}}`, i, i, contact)})
		}
		for _, res := range env.DoParallel(reqs) {
			res.ExpectStatus(t, http.StatusCreated)
		}
		expectFound(t, env, advanced(`from contacts where integer timesContacted = 20`), 1, "contacts "+contact+" Busy Line")
		if _, n := found(t, env, advanced(`from calls where subject like "parallel"`)); n != 20 {
			t.Fatalf("%d calls in the index, want 20", n)
		}
	})
}

// TestSearchHugeText: a record with megabytes of distinct words is written and found (the
// full-text index holds its first words; like finds the rest).
func TestSearchHugeText(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		var b strings.Builder
		for i := range 200_000 {
			fmt.Fprintf(&b, "w%d ", i)
		}
		b.WriteString("needleattheend")
		id := create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Huge","description":"`+b.String()+`"}}}`)
		expectFound(t, env, simple("w17"), 1, "accounts "+id+" Huge")
		expectFound(t, env, advanced(`where description like "needleattheend"`), 1, "accounts "+id+" Huge")
	})
}
