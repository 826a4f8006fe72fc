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
