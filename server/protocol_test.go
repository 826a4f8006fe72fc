package server_test

// Scenario tests of the cross-cutting protocol (api.md sections 1-7 and 14): content negotiation,
// the plain format, methods, errors, conditional requests, paging, sorting, sparse fieldsets, meta,
// X-Include and the collection DELETE. Accounts serve as the ordinary writable type, currencies as
// a read-only one.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"webapi/server/apitest"
)

// protoAccount is the resource object of an account without calls, owned by the administrator.
func protoAccount(id int, name string) string {
	sid := fmt.Sprint(id)
	return fmt.Sprintf(`{"type":"accounts","id":"%s","links":{"self":"%s/api/accounts/%s"},
		"attributes":{"name":%s,"description":null,"lastContactedDate":null,"lastContactedDateIn":null,
			"lastContactedDateOut":null,"timesContacted":0,"timesContactedIn":0,"timesContactedOut":0,
			"createdAt":"<any>","updatedAt":"<any>"},
		"relationships":{"contacts":%s,"defaultContact":%s,"owner":%s,"organization":%s}}`,
		sid, apiHost, sid, jsonText(name),
		relationship("accounts", sid, "contacts", "[]"), relationship("accounts", sid, "defaultContact", "null"),
		relationship("accounts", sid, "owner", ident("users", "1")), relationship("accounts", sid, "organization", ident("organizations", "1")))
}

// protoAccountName is an account with fields[accounts]=name.
func protoAccountName(id int) string {
	return fmt.Sprintf(`{"type":"accounts","id":"%d","links":{"self":"%s/api/accounts/%d"},"attributes":{"name":"Account %02d"}}`, id, apiHost, id, id)
}

// protoAccountNames renders the accounts with the given ids as protoAccountName.
func protoAccountNames(ids ...int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = protoAccountName(id)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func protoSpan(from, to int) []int {
	var out []int
	for i := from; ; {
		out = append(out, i)
		if i == to {
			return out
		}
		if from < to {
			i++
		} else {
			i--
		}
	}
}

// protoCreateAccounts posts n accounts named "Account 01"… into a database without accounts and
// asserts each answer, so their ids are 1…n.
func protoCreateAccounts(t *testing.T, env *apitest.Env, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		res := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts",
			Body: fmt.Sprintf(`{"data":{"type":"accounts","attributes":{"name":"Account %02d"}}}`, i)})
		res.Expect(t, http.StatusCreated, `{"data":`+protoAccount(i, fmt.Sprintf("Account %02d", i))+`,"links":{"self":"`+apiHost+fmt.Sprintf("/api/accounts/%d", i)+`"}}`)
	}
}

func protoAccountBody(name string) string {
	return fmt.Sprintf(`{"data":{"type":"accounts","attributes":{"name":%s}}}`, jsonText(name))
}

const protoUnsupportedMedia = `The "Content-Type" request header must be "application/vnd.api+json" (without media type parameters other than "ext" and "profile") or "application/json".`

const protoNotAcceptable = `Only JSON representation of the requested resource is supported (the "Accept" header names none that is acceptable).`

func TestProtocolContentType(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 1)
		post := func(ct string) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Header: map[string]string{"Content-Type": ct}, Body: protoAccountBody("Acme")}
		}
		e415 := errorDoc(415, "unsupported media type http exception", protoUnsupportedMedia, atHeader("Content-Type"))
		// the document has no request body without a JSON media type
		invalid := func(r apitest.Request) apitest.Request { r.Invalid = true; return r }
		runCases(t, env, []apiCase{
			{name: "POST without Content-Type", req: invalid(post("")), status: 415, want: e415},
			{name: "POST text/plain", req: invalid(post("text/plain")), status: 415, want: e415},
			{name: "POST JSON:API with charset", req: post("application/vnd.api+json; charset=utf-8"), status: 415, want: e415},
			{name: "POST JSON:API with an unknown parameter", req: post("application/vnd.api+json; version=2"), status: 415, want: e415},
			{name: "PATCH text/plain", req: apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/1", Invalid: true,
				Header: map[string]string{"Content-Type": "text/plain"}, Body: `{"data":{"type":"accounts","id":"1","attributes":{"name":"X"}}}`},
				status: 415, want: e415},
			{name: "POST JSON:API with ext", req: post(`application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`), status: 201,
				want: itemDoc("/api/accounts/2", protoAccount(2, "Acme")), header: map[string]string{"Content-Type": "application/vnd.api+json", "Location": apiHost + "/api/accounts/2"}},
			{name: "POST JSON:API with profile", req: post(`application/vnd.api+json; profile="https://example.com/profile"`), status: 201,
				want: itemDoc("/api/accounts/3", protoAccount(3, "Acme")), header: map[string]string{"Content-Type": "application/vnd.api+json"}},
		})
		// nothing was created by the refused requests
		res := env.Do(apitest.Request{Path: "/api/accounts?fields[accounts]=name&page[size]=-1", Header: map[string]string{"X-Include": "noHateoas"}})
		res.Expect(t, 200, `{"data":[
			{"type":"accounts","id":"1","attributes":{"name":"Account 01"}},
			{"type":"accounts","id":"2","attributes":{"name":"Acme"}},
			{"type":"accounts","id":"3","attributes":{"name":"Acme"}}]}`)
	})
}

func TestProtocolAccept(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 1)
		account := itemDoc("/api/accounts/1", protoAccount(1, "Account 01"))
		e406 := errorDoc(406, "not acceptable http exception", protoNotAcceptable, "")
		get := func(accept string) apitest.Request {
			r := apitest.Request{Path: "/api/accounts/1"}
			if accept != "-" {
				r.Header = map[string]string{"Accept": accept}
			}
			return r
		}
		jsonAPI := map[string]string{"Content-Type": "application/vnd.api+json"}
		runCases(t, env, []apiCase{
			{name: "no Accept", req: get("-"), status: 200, want: account, header: jsonAPI},
			{name: "*/*", req: get("*/*"), status: 200, want: account, header: jsonAPI},
			{name: "application/*", req: get("application/*"), status: 200, want: account, header: jsonAPI},
			{name: "JSON:API", req: get("application/vnd.api+json"), status: 200, want: account, header: jsonAPI},
			{name: "JSON:API with q", req: get("application/vnd.api+json; q=0.9"), status: 200, want: account, header: jsonAPI},
			{name: "JSON:API with ext", req: get(`application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`), status: 200, want: account, header: jsonAPI},
			{name: "JSON:API with and without parameters", req: get("application/vnd.api+json; charset=utf-8, application/vnd.api+json"), status: 200, want: account, header: jsonAPI},
			{name: "JSON:API and JSON", req: get("application/json, application/vnd.api+json"), status: 200, want: account, header: jsonAPI},
			{name: "JSON:API with charset", req: get("application/vnd.api+json; charset=utf-8"), status: 406, want: e406, header: jsonAPI},
			{name: "every JSON:API entry with parameters", req: get("application/vnd.api+json; charset=utf-8, application/vnd.api+json; version=1"), status: 406, want: e406},
			{name: "parameters and a wildcard", req: get("application/vnd.api+json; charset=utf-8, */*"), status: 406, want: e406},
			{name: "nothing acceptable", req: get("text/html"), status: 406, want: e406},
		})
	})
}

func TestProtocolPlainFormat(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 2)
		plain := map[string]string{"Accept": "application/json"}
		plainBody := map[string]string{"Accept": "application/json", "Content-Type": "application/json"}
		plainAccount := func(id int, name, description string) string {
			return fmt.Sprintf(`{"id":%d,"name":%s,"description":%s,"lastContactedDate":null,"lastContactedDateIn":null,
				"lastContactedDateOut":null,"timesContacted":0,"timesContactedIn":0,"timesContactedOut":0,
				"createdAt":"<any>","updatedAt":"<any>","contacts":[],"defaultContact":null,"owner":1,"organization":1}`,
				id, jsonText(name), description)
		}
		isPlain := map[string]string{"Content-Type": "application/json"}
		runCases(t, env, []apiCase{
			{name: "collection", req: apitest.Request{Path: "/api/accounts", Header: plain}, status: 200,
				want: "[" + plainAccount(1, "Account 01", "null") + "," + plainAccount(2, "Account 02", "null") + "]", header: isPlain},
			{name: "item", req: apitest.Request{Path: "/api/accounts/2", Header: plain}, status: 200,
				want: plainAccount(2, "Account 02", "null"), header: isPlain},
			{name: "string ids", req: apitest.Request{Path: "/api/currencies?sort=-id&page[size]=2", Header: plain}, status: 200,
				want: `[{"id":"USD","name":"US Dollar","symbol":"$"},{"id":"JPY","name":"Japanese Yen","symbol":"¥"}]`, header: isPlain},
			{name: "sparse fields", req: apitest.Request{Path: "/api/accounts?fields[accounts]=name,owner", Header: plain}, status: 200,
				want: `[{"id":1,"name":"Account 01","owner":1},{"id":2,"name":"Account 02","owner":1}]`},
			{name: "create", req: apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Header: plainBody,
				Body: `{"name":"Plain Co","description":"flat","owner":1}`}, status: 201,
				want: plainAccount(3, "Plain Co", `"flat"`), header: map[string]string{"Content-Type": "application/json", "Location": apiHost + "/api/accounts/3"}},
			{name: "update", req: apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/3", Header: plainBody,
				Body: `{"description":null}`}, status: 200, want: plainAccount(3, "Plain Co", "null"), header: isPlain},
			{name: "read after update", req: apitest.Request{Path: "/api/accounts/3", Header: plain}, status: 200,
				want: plainAccount(3, "Plain Co", "null")},
			{name: "validation errors", req: apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Header: plainBody, Invalid: true,
				Body: `{"description":"no name","owner":99}`}, status: 400,
				want: `[{"code":400,"title":"not blank constraint","detail":"This value should not be blank.","source":"/name"},
					{"code":400,"title":"form constraint","detail":"The entity does not exist.","source":"/owner"}]`, header: isPlain},
			{name: "parameter error", req: apitest.Request{Path: "/api/accounts?sort=nope", Header: plain}, status: 400,
				want: `[{"code":400,"title":"sort constraint","detail":"Sorting by \"nope\" field is not supported.","source":"sort"}]`, header: isPlain},
			{name: "not found", req: apitest.Request{Path: "/api/accounts/99", Header: plain}, status: 404,
				want: `[{"code":404,"title":"not found http exception","detail":"An entity with the requested identifier does not exist."}]`, header: isPlain},
			{name: "header error", req: apitest.Request{Path: "/api/products", Header: map[string]string{"Accept": "application/json", "X-Currency": "XXX"}}, status: 400,
				want: `[{"code":400,"title":"value constraint","detail":"The currency \"XXX\" does not exist.","source":"X-Currency"}]`, header: isPlain},
		})
	})
}

func TestProtocolHeadAndOptions(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 12)
		for _, path := range []string{"/api/accounts", "/api/accounts?page[number]=2", "/api/accounts/3", "/api/accounts/99", "/api/currencies/EUR"} {
			t.Run("HEAD "+path, func(t *testing.T) {
				e := env.For(t)
				h := map[string]string{"X-Include": "totalCount"}
				get := e.Do(apitest.Request{Path: path, Header: h})
				head := e.Do(apitest.Request{Method: http.MethodHead, Path: path, Header: h})
				head.Expect(t, get.Status, "")
				if len(get.Body) == 0 {
					t.Fatalf("GET %s has no body", path)
				}
				get.Header.Del("X-Request-Id")
				head.Header.Del("X-Request-Id")
				if fmt.Sprint(get.Header) != fmt.Sprint(head.Header) {
					t.Fatalf("HEAD headers %v, GET headers %v", head.Header, get.Header)
				}
			})
		}
		options := func(path, allow string) apiCase {
			return apiCase{name: "OPTIONS " + path, req: apitest.Request{Method: http.MethodOptions, Path: path}, status: 200,
				header: map[string]string{"Allow": allow, "Cache-Control": "max-age=600, public", "Content-Type": ""}}
		}
		runCases(t, env, []apiCase{
			options("/api/accounts", "DELETE, GET, HEAD, OPTIONS, PATCH, POST"),
			options("/api/accounts/1", "DELETE, GET, HEAD, OPTIONS, PATCH"),
			options("/api/accounts/99", "DELETE, GET, HEAD, OPTIONS, PATCH"),
			options("/api/currencies", "GET, HEAD, OPTIONS"),
			options("/api/currencies/USD", "GET, HEAD, OPTIONS"),
		})
	})
}

func TestProtocolMethodNotAllowed(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 1)
		const coll, item, readOnly = "DELETE, GET, HEAD, OPTIONS, PATCH, POST", "DELETE, GET, HEAD, OPTIONS, PATCH", "GET, HEAD, OPTIONS"
		notAllowed := func(method, path, allow, body string) apiCase {
			return apiCase{name: method + " " + path, req: apitest.Request{Method: method, Path: path, Body: body}, status: 405,
				header: map[string]string{"Allow": allow, "Content-Type": ""}}
		}
		account := `{"data":{"type":"accounts","id":"1","attributes":{"name":"Put"}}}`
		runCases(t, env, []apiCase{
			notAllowed(http.MethodPut, "/api/accounts", coll, account),
			notAllowed(http.MethodPut, "/api/accounts/1", item, account),
			notAllowed(http.MethodPost, "/api/accounts/1", item, account),
			notAllowed(http.MethodTrace, "/api/accounts", coll, ""),
			notAllowed("PROPFIND", "/api/accounts/1", item, ""),
			notAllowed("FROBNICATE", "/api/accounts/1", item, ""),
			notAllowed("FROBNICATE", "/api/currencies", readOnly, ""),
			notAllowed(http.MethodPost, "/api/currencies", readOnly, `{"data":{"type":"currencies","id":"CHF","attributes":{"name":"Swiss Franc"}}}`),
			notAllowed(http.MethodDelete, "/api/currencies", readOnly, ""),
			notAllowed(http.MethodPatch, "/api/currencies/USD", readOnly, `{"data":{"type":"currencies","id":"USD","attributes":{"name":"Dollar"}}}`),
			notAllowed(http.MethodDelete, "/api/currencies/USD", readOnly, ""),
		})
		// the PUT changed nothing
		env.Do(apitest.Request{Path: "/api/accounts/1"}).Expect(t, 200, itemDoc("/api/accounts/1", protoAccount(1, "Account 01")))
	})
}

func TestProtocolNotFound(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 1)
		unknownType := errorDoc(404, "entity type constraint", "Unknown entity type: nope.", "")
		notFound := errorDoc(404, "not found http exception", "An entity with the requested identifier does not exist.", "")
		var cases []apiCase
		for _, r := range []apitest.Request{
			{Path: "/api/nope"},
			{Path: "/api/nope/1"},
			{Method: http.MethodPost, Path: "/api/nope", Body: `{"data":{"type":"nope","attributes":{"name":"x"}}}`},
			{Method: http.MethodDelete, Path: "/api/nope/1"},
		} {
			cases = append(cases, apiCase{name: r.Method + " " + r.Path, req: r, status: 404, want: unknownType})
		}
		for _, id := range []string{"99", "abc", "0", "-1", "1.5"} {
			patch := fmt.Sprintf(`{"data":{"type":"accounts","id":%q,"attributes":{"name":"x"}}}`, id)
			cases = append(cases,
				apiCase{name: "GET " + id, req: apitest.Request{Path: "/api/accounts/" + id}, status: 404, want: notFound},
				apiCase{name: "PATCH " + id, req: apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + id, Body: patch}, status: 404, want: notFound},
				apiCase{name: "DELETE " + id, req: apitest.Request{Method: http.MethodDelete, Path: "/api/accounts/" + id}, status: 404, want: notFound},
			)
		}
		cases = append(cases, apiCase{name: "read-only type", req: apitest.Request{Path: "/api/currencies/XYZ"}, status: 404, want: notFound})
		runCases(t, env, cases)
	})
}

func TestProtocolMalformedDocuments(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 2)
		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: body, Invalid: invalid}
		}
		patch := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/1", Body: body, Invalid: invalid}
		}
		noData := errorDoc(400, "request data constraint", "The primary data object should exist.", atPointer("/data"))
		typeMismatch := errorDoc(409, "conflict constraint", "The 'type' property of the primary data object does not match the requested resource type.", atPointer("/data/type"))
		runCases(t, env, []apiCase{
			{name: "POST malformed JSON", req: post(`{"data":`, true), status: 400,
				want: errorDoc(400, "bad request http exception", "Invalid json message received. Parsing error at offset 8: unexpected end of JSON input.", "")},
			{name: "PATCH malformed JSON", req: patch(`{"data":{"type":"accounts",}}`, true), status: 400,
				want: errorDoc(400, "bad request http exception", "Invalid json message received. Parsing error at offset 28: invalid character '}' looking for beginning of object key string.", "")},
			{name: "POST without data", req: post(`{}`, true), status: 400, want: noData},
			{name: "POST with null data", req: post(`{"data":null}`, true), status: 400, want: noData},
			{name: "PATCH without data", req: patch(`{"meta":{}}`, true), status: 400, want: noData},
			{name: "POST an array", req: post(`[]`, true), status: 400,
				want: `{"errors":[{"status":"400","title":"request data constraint","detail":"The request document should be an object."}]}`},
			{name: "POST without type", req: post(`{"data":{"attributes":{"name":"x"}}}`, true), status: 400,
				want: errorDoc(400, "request data constraint", "The 'type' property is required.", atPointer("/data/type"))},
			{name: "POST type mismatch", req: post(`{"data":{"type":"contacts","attributes":{"firstName":"x"}}}`, true), status: 409, want: typeMismatch},
			{name: "PATCH type mismatch", req: patch(`{"data":{"type":"contacts","id":"1","attributes":{"firstName":"x"}}}`, true), status: 409, want: typeMismatch},
			{name: "PATCH id mismatch", req: patch(`{"data":{"type":"accounts","id":"2","attributes":{"name":"x"}}}`, false), status: 409,
				want: errorDoc(409, "conflict constraint", "The 'id' property of the primary data object does not match the 'id' parameter of the URI.", atPointer("/data/id"))},
			{name: "PATCH without id", req: patch(`{"data":{"type":"accounts","attributes":{"name":"x"}}}`, true), status: 400,
				want: errorDoc(400, "request data constraint", "The 'id' property is required.", atPointer("/data/id"))},
		})
		// nothing changed
		env.Do(apitest.Request{Path: "/api/accounts?fields[accounts]=name&page[size]=-1"}).Expect(t, 200,
			`{"data":`+protoAccountNames(1, 2)+`,"links":{"self":"`+apiHost+`/api/accounts?fields%5Baccounts%5D=name&page%5Bsize%5D=-1"}}`)
	})
}

func TestProtocolConditionalRequests(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		created := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: protoAccountBody("Acme")})
		created.ExpectStatus(t, http.StatusCreated)
		tag0 := created.Header.Get("ETag")
		if !strings.HasPrefix(tag0, `"`) || !strings.HasSuffix(tag0, `"`) || len(tag0) < 3 {
			t.Fatalf("POST ETag %q is not a strong entity tag", tag0)
		}
		get := env.Do(apitest.Request{Path: "/api/accounts/1"})
		get.Expect(t, 200, itemDoc("/api/accounts/1", protoAccount(1, "Acme")))
		if got := get.Header.Get("ETag"); got != tag0 {
			t.Fatalf("GET ETag %q, POST gave %q", got, tag0)
		}

		// If-None-Match with the current tag (alone, in a list, or *) → 304 without a body
		for _, inm := range []string{tag0, `"other", ` + tag0, "*"} {
			res := env.Do(apitest.Request{Path: "/api/accounts/1", Header: map[string]string{"If-None-Match": inm}})
			res.Expect(t, http.StatusNotModified, "")
			if res.Header.Get("ETag") != tag0 {
				t.Fatalf("304 ETag %q, want %q", res.Header.Get("ETag"), tag0)
			}
		}
		// a weak tag never matches (the comparison is strong)
		env.Do(apitest.Request{Path: "/api/accounts/1", Header: map[string]string{"If-None-Match": "W/" + tag0}}).
			Expect(t, 200, itemDoc("/api/accounts/1", protoAccount(1, "Acme")))

		// every update changes the tag, even one that sends the values the record already has
		rename := func(name string, h map[string]string) *apitest.Response {
			return env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/1", Header: h,
				Body: fmt.Sprintf(`{"data":{"type":"accounts","id":"1","attributes":{"name":%q}}}`, name)})
		}
		same := rename("Acme", nil)
		same.Expect(t, 200, itemDoc("/api/accounts/1", protoAccount(1, "Acme")))
		tag1 := same.Header.Get("ETag")
		if tag1 == "" || tag1 == tag0 {
			t.Fatalf("ETag after PATCH %q, before %q: it must change on every update", tag1, tag0)
		}
		// the old tag no longer matches If-None-Match
		env.Do(apitest.Request{Path: "/api/accounts/1", Header: map[string]string{"If-None-Match": tag0}}).
			Expect(t, 200, itemDoc("/api/accounts/1", protoAccount(1, "Acme")))

		// If-Match with a stale tag → 412, nothing changes
		preconditionFailed := errorDoc(412, "precondition failed exception", "The resource has been modified: its ETag does not match If-Match.", atHeader("If-Match"))
		rename("Stale", map[string]string{"If-Match": tag0}).Expect(t, http.StatusPreconditionFailed, preconditionFailed)
		env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/accounts/1", Header: map[string]string{"If-Match": tag0}}).
			Expect(t, http.StatusPreconditionFailed, preconditionFailed)
		after := env.Do(apitest.Request{Path: "/api/accounts/1"})
		after.Expect(t, 200, itemDoc("/api/accounts/1", protoAccount(1, "Acme")))
		if after.Header.Get("ETag") != tag1 {
			t.Fatalf("ETag %q after refused writes, want %q", after.Header.Get("ETag"), tag1)
		}

		// If-Match with the current tag → the write happens
		renamed := rename("Renamed", map[string]string{"If-Match": `"other", ` + tag1})
		renamed.Expect(t, 200, itemDoc("/api/accounts/1", protoAccount(1, "Renamed")))
		tag2 := renamed.Header.Get("ETag")
		if tag2 == tag1 || tag2 == "" {
			t.Fatalf("ETag after rename %q, before %q", tag2, tag1)
		}
		env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/accounts/1", Header: map[string]string{"If-Match": tag2}}).
			Expect(t, http.StatusNoContent, "")
		env.Do(apitest.Request{Path: "/api/accounts/1"}).
			Expect(t, 404, errorDoc(404, "not found http exception", "An entity with the requested identifier does not exist.", ""))
	})
}

func TestProtocolPaging(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 25)
		page := func(path string, ids []int, links string) apiCase {
			return apiCase{name: path, req: apitest.Request{Path: path}, status: 200,
				want: `{"data":` + protoAccountNames(ids...) + `,"links":{` + links + `}}`}
		}
		const u = apiHost + "/api/accounts"
		var full []string
		for i := 1; i <= 10; i++ {
			full = append(full, protoAccount(i, fmt.Sprintf("Account %02d", i)))
		}
		badParam := func(path, param, title, detail string) apiCase {
			return apiCase{name: path, req: apitest.Request{Path: path}, status: 400, want: errorDoc(400, title, detail, atParam(param))}
		}
		// a value the document refuses too (not an integer, or below the parameter's minimum)
		refused := func(c apiCase) apiCase {
			c.req = invalidRequest(c.req)
			return c
		}
		runCases(t, env, []apiCase{
			{name: "defaults", req: apitest.Request{Path: "/api/accounts"}, status: 200,
				want: `{"data":[` + strings.Join(full, ",") + `],"links":{"self":"` + u + `","next":"` + u + `?page%5Bnumber%5D=2"}}`},
			page("/api/accounts?fields[accounts]=name", protoSpan(1, 10),
				`"self":"`+u+`?fields%5Baccounts%5D=name","next":"`+u+`?fields%5Baccounts%5D=name&page%5Bnumber%5D=2"`),
			page("/api/accounts?fields[accounts]=name&page[number]=2", protoSpan(11, 20),
				`"self":"`+u+`?fields%5Baccounts%5D=name&page%5Bnumber%5D=2","first":"`+u+`?fields%5Baccounts%5D=name","prev":"`+u+`?fields%5Baccounts%5D=name",`+
					`"next":"`+u+`?fields%5Baccounts%5D=name&page%5Bnumber%5D=3"`),
			page("/api/accounts?page[number]=3&fields[accounts]=name", protoSpan(21, 25),
				`"self":"`+u+`?page%5Bnumber%5D=3&fields%5Baccounts%5D=name","first":"`+u+`?fields%5Baccounts%5D=name","prev":"`+u+`?fields%5Baccounts%5D=name&page%5Bnumber%5D=2"`),
			page("/api/accounts?fields[accounts]=name&page[size]=5&page[number]=5", protoSpan(21, 25),
				`"self":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=5&page%5Bnumber%5D=5","first":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=5",`+
					`"prev":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=5&page%5Bnumber%5D=4"`),
			page("/api/accounts?fields[accounts]=name&page[size]=20&page[number]=2&sort=-id", protoSpan(5, 1),
				`"self":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=20&page%5Bnumber%5D=2&sort=-id","first":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=20&sort=-id",`+
					`"prev":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=20&sort=-id"`),
			page("/api/accounts?fields[accounts]=name&page[size]=-1", protoSpan(1, 25), `"self":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=-1"`),
			page("/api/accounts?fields[accounts]=name&page[size]=25", protoSpan(1, 25), `"self":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=25"`),
			{name: "past the end", req: apitest.Request{Path: "/api/accounts?fields[accounts]=name&page[number]=4"}, status: 200,
				want: `{"data":[],"links":{"self":"` + u + `?fields%5Baccounts%5D=name&page%5Bnumber%5D=4","first":"` + u + `?fields%5Baccounts%5D=name",` +
					`"prev":"` + u + `?fields%5Baccounts%5D=name&page%5Bnumber%5D=3"}}`},
			page("/api/accounts?fields%5Baccounts%5D=name&page%5Bsize%5D=2&page%5Bnumber%5D=2", protoSpan(3, 4),
				`"self":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=2&page%5Bnumber%5D=2","first":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=2",`+
					`"prev":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=2","next":"`+u+`?fields%5Baccounts%5D=name&page%5Bsize%5D=2&page%5Bnumber%5D=3"`),
			badParam("/api/accounts?page[size]=0", "page[size]", "filter constraint", "The value should be greater than or equals to 1, or -1 for every record."),
			refused(badParam("/api/accounts?page[size]=-2", "page[size]", "filter constraint", "The value should be greater than or equals to 1, or -1 for every record.")),
			refused(badParam("/api/accounts?page[size]=abc", "page[size]", "unexpected value exception", `Expected integer value. Given "abc".`)),
			badParam("/api/accounts?page[size]=1001", "page[size]", "filter constraint", "The value should be less than or equals to 1000."),
			refused(badParam("/api/accounts?page[number]=0", "page[number]", "filter constraint", "The value should be greater than or equals to 1.")),
			refused(badParam("/api/accounts?page[number]=x", "page[number]", "unexpected value exception", `Expected integer value. Given "x".`)),
			{name: "every problem at once", req: invalidRequest(apitest.Request{Path: "/api/accounts?page[size]=0&page[number]=0&sort=nope"}), status: 400,
				want: `{"errors":[
					{"status":"400","title":"filter constraint","detail":"The value should be greater than or equals to 1, or -1 for every record.","source":{"parameter":"page[size]"}},
					{"status":"400","title":"filter constraint","detail":"The value should be greater than or equals to 1.","source":{"parameter":"page[number]"}},
					{"status":"400","title":"sort constraint","detail":"Sorting by \"nope\" field is not supported.","source":{"parameter":"sort"}}]}`},
		})
		env.Do(apitest.Request{Path: "/api/accounts?page[size]=1000&fields[accounts]=name"}).ExpectStatus(t, 200)
	})
}

func TestProtocolSortFieldsMeta(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 3)
		const u = apiHost + "/api/accounts"
		noLinks := map[string]string{"X-Include": "noHateoas"}
		runCases(t, env, []apiCase{
			{name: "sort=-id", req: apitest.Request{Path: "/api/accounts?sort=-id&fields[accounts]=name"}, status: 200,
				want: `{"data":` + protoAccountNames(3, 2, 1) + `,"links":{"self":"` + u + `?sort=-id&fields%5Baccounts%5D=name"}}`},
			{name: "sort=-name,id", req: apitest.Request{Path: "/api/accounts?sort=-name,id&fields[accounts]=name"}, status: 200,
				want: `{"data":` + protoAccountNames(3, 2, 1) + `,"links":{"self":"` + u + `?sort=-name,id&fields%5Baccounts%5D=name"}}`},
			{name: "sort=nope", req: apitest.Request{Path: "/api/accounts?sort=nope"}, status: 400,
				want: errorDoc(400, "sort constraint", `Sorting by "nope" field is not supported.`, atParam("sort"))},
			{name: "sort by a field that is not sortable", req: apitest.Request{Path: "/api/accounts?sort=id,description"}, status: 400,
				want: errorDoc(400, "sort constraint", `Sorting by "description" field is not supported.`, atParam("sort"))},
			{name: "meta=title", req: apitest.Request{Path: "/api/accounts?meta=title&fields[accounts]=name&page[size]=2", Header: noLinks}, status: 200,
				want: `{"data":[
					{"type":"accounts","id":"1","meta":{"title":"Account 01"},"attributes":{"name":"Account 01"}},
					{"type":"accounts","id":"2","meta":{"title":"Account 02"},"attributes":{"name":"Account 02"}}]}`},
			{name: "meta=title on an item", req: apitest.Request{Path: "/api/accounts/3?meta=title&fields[accounts]=", Header: noLinks}, status: 200,
				want: `{"data":{"type":"accounts","id":"3","meta":{"title":"Account 03"}}}`},
			{name: "meta=nope", req: apitest.Request{Path: "/api/accounts?meta=nope"}, status: 400,
				want: errorDoc(400, "filter constraint", `The "nope" is not known meta property. Known properties: title.`, atParam("meta"))},
			{name: "fields[accounts]=name", req: apitest.Request{Path: "/api/accounts/2?fields[accounts]=name"}, status: 200,
				want: itemDoc("/api/accounts/2?fields[accounts]=name", protoAccountName(2))},
			{name: "fields[accounts]=name,owner", req: apitest.Request{Path: "/api/accounts/2?fields[accounts]=owner,name"}, status: 200,
				want: `{"data":{"type":"accounts","id":"2","links":{"self":"` + u + `/2"},"attributes":{"name":"Account 02"},
					"relationships":{"owner":` + relationship("accounts", "2", "owner", ident("users", "1")) + `}},
					"links":{"self":"` + u + `/2?fields%5Baccounts%5D=owner,name"}}`},
			{name: "fields[accounts]=id", req: apitest.Request{Path: "/api/accounts?fields[accounts]=id&page[size]=1", Header: noLinks}, status: 200,
				want: `{"data":[{"type":"accounts","id":"1"}]}`},
			{name: "fields of an unrelated known type", req: apitest.Request{Path: "/api/accounts?fields[users]=username&fields[accounts]=name&page[size]=1", Header: noLinks}, status: 200,
				want: `{"data":[{"type":"accounts","id":"1","attributes":{"name":"Account 01"}}]}`},
			{name: "fields[nope]", req: apitest.Request{Path: "/api/accounts?fields[nope]=x"}, status: 400,
				want: errorDoc(400, "filter constraint", "An entity type is not known.", atParam("fields[nope]"))},
			{name: "fields[accounts]=nope", req: apitest.Request{Path: "/api/accounts/1?fields[accounts]=name,nope"}, status: 400,
				want: errorDoc(400, "filter constraint", `The field "nope" is not known for the entity type "accounts".`, atParam("fields[accounts]"))},
		})
	})
}

func TestProtocolXInclude(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 3)
		x := func(v string) map[string]string { return map[string]string{"X-Include": v} }
		bareAccount := func(id int) string {
			return fmt.Sprintf(`{"type":"accounts","id":"%d","attributes":{"name":"Account %02d","description":null,"lastContactedDate":null,
				"lastContactedDateIn":null,"lastContactedDateOut":null,"timesContacted":0,"timesContactedIn":0,"timesContactedOut":0,
				"createdAt":"<any>","updatedAt":"<any>"},
				"relationships":{"contacts":{"data":[]},"defaultContact":{"data":null},"owner":{"data":{"type":"users","id":"1"}},
				"organization":{"data":{"type":"organizations","id":"1"}}}}`, id, id)
		}
		const u = apiHost + "/api/accounts"
		runCases(t, env, []apiCase{
			{name: "noHateoas on an item", req: apitest.Request{Path: "/api/accounts/2", Header: x("noHateoas")}, status: 200,
				want: `{"data":` + bareAccount(2) + `}`},
			{name: "noHateoas on a page", req: apitest.Request{Path: "/api/accounts?page[size]=2", Header: x("noHateoas")}, status: 200,
				want: `{"data":[` + bareAccount(1) + `,` + bareAccount(2) + `]}`, header: map[string]string{"X-Include-Total-Count": ""}},
			{name: "noHateoas on a write", req: apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/3", Header: x("noHateoas"),
				Body: `{"data":{"type":"accounts","id":"3","attributes":{"name":"Account 03"}}}`}, status: 200,
				want: `{"data":` + bareAccount(3) + `}`},
			{name: "totalCount", req: apitest.Request{Path: "/api/accounts?page[size]=1&fields[accounts]=name", Header: x("totalCount")}, status: 200,
				want:   `{"data":` + protoAccountNames(1) + `,"links":{"self":"` + u + `?page%5Bsize%5D=1&fields%5Baccounts%5D=name","next":"` + u + `?page%5Bsize%5D=1&fields%5Baccounts%5D=name&page%5Bnumber%5D=2"}}`,
				header: map[string]string{"X-Include-Total-Count": "3"}},
			{name: "totalCount with a filter", req: apitest.Request{Path: "/api/accounts?filter[id]>1&fields[accounts]=name", Header: x("noHateoas;totalCount")}, status: 200,
				want:   `{"data":[{"type":"accounts","id":"2","attributes":{"name":"Account 02"}},{"type":"accounts","id":"3","attributes":{"name":"Account 03"}}]}`,
				header: map[string]string{"X-Include-Total-Count": "2"}},
			{name: "keys separated by a comma, unknown keys ignored", req: apitest.Request{Path: "/api/accounts?page[size]=1&fields[accounts]=name", Header: x("unknown, totalCount,noHateoas")}, status: 200,
				want: `{"data":[{"type":"accounts","id":"1","attributes":{"name":"Account 01"}}]}`, header: map[string]string{"X-Include-Total-Count": "3"}},
			{name: "keys are case-sensitive", req: apitest.Request{Path: "/api/accounts?page[size]=1&fields[accounts]=name", Header: x("TotalCount;nohateoas")}, status: 200,
				want:   `{"data":` + protoAccountNames(1) + `,"links":{"self":"` + u + `?page%5Bsize%5D=1&fields%5Baccounts%5D=name","next":"` + u + `?page%5Bsize%5D=1&fields%5Baccounts%5D=name&page%5Bnumber%5D=2"}}`,
				header: map[string]string{"X-Include-Total-Count": ""}},
			{name: "no count on errors", req: apitest.Request{Path: "/api/accounts?sort=nope", Header: x("totalCount")}, status: 400,
				want: errorDoc(400, "sort constraint", `Sorting by "nope" field is not supported.`, atParam("sort")), header: map[string]string{"X-Include-Total-Count": ""}},
		})
	})
}

func TestProtocolBodyLimit(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 1)
		huge := strings.Repeat("x", 11<<20)
		tooLarge := errorDoc(413, "payload too large exception", "The request body is too large.", "")
		runCases(t, env, []apiCase{
			{name: "POST", req: apitest.Request{Method: http.MethodPost, Path: "/api/accounts",
				Body: `{"data":{"type":"accounts","attributes":{"name":"Big","description":"` + huge + `"}}}`}, status: 413, want: tooLarge},
			{name: "PATCH", req: apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/1",
				Body: `{"data":{"type":"accounts","id":"1","attributes":{"description":"` + huge + `"}}}`}, status: 413, want: tooLarge},
		})
		// just under the limit is accepted
		desc := strings.Repeat("y", 9<<20)
		res := env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/1?fields[accounts]=name",
			Body: `{"data":{"type":"accounts","id":"1","attributes":{"description":"` + desc + `"}}}`})
		res.Expect(t, 200, itemDoc("/api/accounts/1", protoAccountName(1)))
		env.Do(apitest.Request{Path: "/api/accounts?filter[id]=1&fields[accounts]=name&page[size]=1", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":[{"type":"accounts","id":"1","attributes":{"name":"Account 01"}}]}`)
	})
}

func TestProtocolDeleteCollection(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 5)
		del := func(path string, x string) apitest.Request {
			return apitest.Request{Method: http.MethodDelete, Path: path, Header: map[string]string{"X-Include": x}}
		}
		runCases(t, env, []apiCase{
			{name: "without a filter", req: del("/api/accounts", "deletedCount"), status: 400,
				want: errorDoc(400, "filter constraint", "At least one filter must be provided.", ""), header: map[string]string{"X-Include-Deleted-Count": ""}},
			{name: "with only paging", req: del("/api/accounts?page[size]=1", ""), status: 400,
				want: `{"errors":[{"status":"400","title":"filter constraint","detail":"The query parameter \"page[size]\" is not supported here.","source":{"parameter":"page[size]"}},
					{"status":"400","title":"filter constraint","detail":"At least one filter must be provided."}]}`},
			{name: "with a bad filter value", req: invalidRequest(del("/api/accounts?filter[id]=abc", "deletedCount")), status: 400,
				want: errorDoc(400, "unexpected value exception", `Expected integer value. Given "abc".`, atParam("filter[id]"))},
			{name: "filter[id]=2,4", req: del("/api/accounts?filter[id]=2,4", "deletedCount"), status: 204,
				header: map[string]string{"X-Include-Deleted-Count": "2"}},
			{name: "matching nothing", req: del("/api/accounts?filter[id]=2,4", "deletedCount;totalCount"), status: 204,
				header: map[string]string{"X-Include-Deleted-Count": "0", "X-Include-Total-Count": "0"}},
			{name: "without deletedCount", req: del("/api/accounts?filter[id]>4", ""), status: 204,
				header: map[string]string{"X-Include-Deleted-Count": ""}},
			{name: "what is left", req: apitest.Request{Path: "/api/accounts?fields[accounts]=name", Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":[{"type":"accounts","id":"1","attributes":{"name":"Account 01"}},{"type":"accounts","id":"3","attributes":{"name":"Account 03"}}]}`},
			{name: "deleted one", req: apitest.Request{Path: "/api/accounts/2"}, status: 404,
				want: errorDoc(404, "not found http exception", "An entity with the requested identifier does not exist.", "")},
		})
	})
}

func TestProtocolLocaleHeaders(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 1)
		account := itemDoc("/api/accounts/1", protoAccount(1, "Account 01"))
		badLocalization := `{"status":"400","title":"value constraint","detail":"The localization \"99\" does not exist.","source":{"header":"X-Localization-ID"}}`
		badCurrency := `{"status":"400","title":"value constraint","detail":"The currency \"usd\" does not exist.","source":{"header":"X-Currency"}}`
		runCases(t, env, []apiCase{
			{name: "known values on a type without localized values", req: apitest.Request{Path: "/api/accounts/1",
				Header: map[string]string{"X-Localization-ID": "3", "X-Currency": "JPY"}}, status: 200, want: account},
			{name: "unknown localization", req: apitest.Request{Path: "/api/accounts/1", Header: map[string]string{"X-Localization-ID": "99"}},
				status: 400, want: `{"errors":[` + badLocalization + `]}`},
			{name: "unknown currency (codes are case-sensitive)", req: apitest.Request{Path: "/api/accounts", Header: map[string]string{"X-Currency": "usd"}},
				status: 400, want: `{"errors":[` + badCurrency + `]}`},
			{name: "both unknown on a write", req: apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/1",
				Header: map[string]string{"X-Localization-ID": "99", "X-Currency": "usd"}, Body: `{"data":{"type":"accounts","id":"1","attributes":{"name":"Changed"}}}`},
				status: 400, want: `{"errors":[` + badLocalization + `,` + badCurrency + `]}`},
		})
		env.Do(apitest.Request{Path: "/api/accounts/1"}).Expect(t, 200, account)
	})
}

func TestProtocolRequestLocalID(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		// data.id of a POST to a type with server-assigned integer ids is request-local: not stored
		res := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts",
			Body: `{"data":{"type":"accounts","id":"new-account","attributes":{"name":"Acme"}}}`})
		res.Expect(t, http.StatusCreated, itemDoc("/api/accounts/1", protoAccount(1, "Acme")))
		if got := res.Header.Get("Location"); got != apiHost+"/api/accounts/1" {
			t.Fatalf("Location %q", got)
		}
		env.Do(apitest.Request{Path: "/api/accounts/new-account"}).Expect(t, 404,
			errorDoc(404, "not found http exception", "An entity with the requested identifier does not exist.", ""))
	})
}
