package server_test

// Hostile input (api.md section 20): values of the wrong type or out of range for every kind of
// attribute, text that can never be stored (NUL, invalid UTF-8) wherever a request carries text,
// requests beyond the resource bounds, truncated and slow bodies. Every row asserts the exact
// response on both backends; none may be a 500, and the document must describe every response.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/store"
	"webapi/store/storetest"
)

// hostileText is the detail of every error about text that can never be stored.
const hostileText = "This value should be valid UTF-8 text without NUL characters."

// hostileSeed creates, in this order: account 1 "Acme"; calls 1 "Intro" (2024-03-01) and 2
// "Last" (the last second of year 9999); product 1 and its price 1 (10.5 USD).
func hostileSeed(t *testing.T, env *apitest.Env) {
	t.Helper()
	for _, c := range []struct{ typ, body string }{
		{"accounts", protoAccountBody("Acme")},
		{"calls", callBody(`"subject":"Intro","callDateTime":"2024-03-01T00:00:00Z","direction":"incoming"`, "")},
		{"calls", callBody(`"subject":"Last","callDateTime":"9999-12-31T23:59:59Z","direction":"outgoing"`, "")},
		{"products", cmProductBody("CHAIR-1", cmChairNames, "")},
		{"productprices", cmPriceBody("10.5", "", "1", "USD")},
	} {
		env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/" + c.typ, Body: c.body}).ExpectStatus(t, http.StatusCreated)
	}
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		hostileSeed(t, env)
		post := func(typ, body string) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/" + typ, Body: body}
		}
		invalid := func(r apitest.Request) apitest.Request { r.Invalid = true; return r }
		call := func(attrs string) apitest.Request {
			return post("calls", callBody(`"subject":"S","direction":"incoming",`+attrs, ""))
		}
		get := func(path string) apitest.Request { return apitest.Request{Path: path, Header: qNoLinks} }
		ids := func(typ, query string) apitest.Request {
			return get("/api/" + typ + "?" + query + "&fields[" + typ + "]=")
		}
		list := func(typ string, ids ...string) string {
			return `{"data":` + idents(typ, ids...) + `}`
		}
		attr := func(name string) string { return atPointer("/data/attributes/" + name) }
		typeErr := func(name, kind string) string {
			return errorDoc(400, "type constraint", "This value should be of type "+kind+".", attr(name))
		}
		text := func(source string) string { return errorDoc(400, "value constraint", hostileText, source) }
		filterErr := func(param, detail string) string {
			return errorDoc(400, "filter constraint", detail, atParam(param))
		}
		long := strings.Repeat("x", 256)
		years := "This value should be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z."
		digits := "This value should have at most 15 digits before and 4 digits after the decimal point."
		include := func(depth int) string {
			segs := make([]string, depth)
			for i := range segs {
				segs[i] = []string{"contacts", "accounts"}[i%2]
			}
			return strings.Join(segs, ".")
		}
		sortTerms := strings.TrimSuffix(strings.Repeat("id,", 2000), ",")
		// short forms: the generated wrapper refuses a declared parameter repeated (400), the
		// engine reads these
		filters := strings.TrimSuffix(strings.Repeat("filter[id]>=1&", 1500), "&")
		var ids600, ids401 []string
		for i := 1; i <= 600; i++ {
			ids600 = append(ids600, fmt.Sprint(i))
		}
		for i := 1; i <= 401; i++ {
			ids401 = append(ids401, fmt.Sprint(1000+i))
		}
		var contacts, includedContacts []string
		for i := range 1000 {
			contacts = append(contacts, fmt.Sprintf(`{"type":"contacts","id":"c%d"}`, i))
			includedContacts = append(includedContacts, fmt.Sprintf(`{"type":"contacts","id":"c%d","attributes":{"firstName":"C"}}`, i))
		}
		var missing []string
		var missingErrs []apiError
		for i := range 150 {
			missing = append(missing, fmt.Sprint(9000+i))
			if i < 100 {
				missingErrs = append(missingErrs, noEntity(fmt.Sprintf("/data/%d", i)))
			}
		}
		missingErrs = append(missingErrs, apiError{title: "too many errors", detail: "50 more errors were left out: a response lists at most 100."})

		runCases(t, env, []apiCase{
			// every kind of attribute with values of the wrong type or out of range
			{name: "a string where an integer goes", req: invalid(call(`"callDateTime":"2024-01-01T00:00:00Z","duration":"60"`)), status: 400, want: typeErr("duration", "integer")},
			{name: "an integer beyond 64 bits", req: call(`"callDateTime":"2024-01-01T00:00:00Z","duration":99999999999999999999`), status: 400, want: typeErr("duration", "integer")},
			{name: "1e309", req: invalid(call(`"callDateTime":"2024-01-01T00:00:00Z","duration":1e309`)), status: 400, want: typeErr("duration", "integer")},
			{name: "a fraction where an integer goes", req: invalid(call(`"callDateTime":"2024-01-01T00:00:00Z","duration":1.5`)), status: 400, want: typeErr("duration", "integer")},
			{name: "an array where a string goes", req: invalid(post("calls", callBody(`"subject":["S"],"callDateTime":"2024-01-01T00:00:00Z","direction":"incoming"`, ""))),
				status: 400, want: typeErr("subject", "string")},
			{name: "an object where a date-time goes", req: invalid(call(`"callDateTime":{}`)), status: 400, want: typeErr("callDateTime", "datetime")},
			{name: "a number where a date goes", req: invalid(post("contacts", `{"data":{"type":"contacts","attributes":{"firstName":"A","birthday":20240101}}}`)),
				status: 400, want: typeErr("birthday", "date")},
			{name: "a boolean as a string", req: apitest.Request{Method: http.MethodPatch, Path: "/api/organizations/1", Invalid: true,
				Body: `{"data":{"type":"organizations","id":"1","attributes":{"name":"O","enabled":"true"}}}`},
				status: 400, want: typeErr("enabled", "boolean")},
			{name: "a word where a decimal goes", req: invalid(post("productprices", cmPriceBody("x", "", "1", "EUR"))), status: 400, want: typeErr("value", "decimal")},
			{name: "a decimal of 1e309", req: invalid(post("productprices", strings.Replace(cmPriceBody("0", "", "1", "EUR"), `"value":"0"`, `"value":1e309`, 1))),
				status: 400, want: typeErr("value", "decimal")},
			{name: "a decimal of 16 digits", req: invalid(post("productprices", cmPriceBody("1234567890123456", "", "1", "EUR"))),
				status: 400, want: errorDoc(400, "range constraint", digits, attr("value"))},
			{name: "a JSON array where an object goes", req: invalid(post("weightunits", `{"data":{"type":"weightunits","id":"w","attributes":{"conversionRates":[1]}}}`)),
				status: 400, want: typeErr("conversionRates", "object")},
			{name: "an oversized string", req: invalid(post("calls", callBody(`"subject":"`+strings.Repeat("é", 10000)+`","callDateTime":"2024-01-01T00:00:00Z","direction":"incoming"`, ""))),
				status: 400, want: errorDoc(400, "length constraint", "This value is too long. It should have 255 characters or less.", attr("subject"))},
			{name: "a date-time in year 0", req: call(`"callDateTime":"0000-06-01T00:00:00Z"`), status: 400, want: errorDoc(400, "range constraint", years, attr("callDateTime"))},
			{name: "a date-time in year 10000 in UTC", req: call(`"callDateTime":"9999-12-31T23:59:59-01:00"`), status: 400, want: errorDoc(400, "range constraint", years, attr("callDateTime"))},
			{name: "a date-time in year 0 in UTC", req: call(`"callDateTime":"0001-01-01T00:00:00+01:00"`), status: 400, want: errorDoc(400, "range constraint", years, attr("callDateTime"))},
			{name: "a date-time of five-digit year", req: invalid(call(`"callDateTime":"10000-01-01T00:00:00Z"`)), status: 400,
				want: errorDoc(400, "type constraint", "This value is not a valid datetime.", attr("callDateTime"))},
			{name: "a date in year 0", req: post("contacts", `{"data":{"type":"contacts","attributes":{"firstName":"A","birthday":"0000-02-29"}}}`),
				status: 400, want: errorDoc(400, "range constraint", "This value should be between 0001-01-01 and 9999-12-31.", attr("birthday"))},

			// text that can never be stored, wherever it comes
			{name: "NUL in an attribute", req: call(`"callDateTime":"2024-01-01T00:00:00Z","notes":"a\u0000b"`), status: 400, want: text(attr("notes"))},
			{name: "invalid UTF-8 in an attribute", req: call("\"callDateTime\":\"2024-01-01T00:00:00Z\",\"notes\":\"caf\xe9\""), status: 400, want: text(attr("notes"))},
			{name: "an unpaired surrogate in an attribute", req: call(`"callDateTime":"2024-01-01T00:00:00Z","notes":"\ud800"`), status: 400, want: text(attr("notes"))},
			{name: "NUL in an attribute name", req: invalid(call(`"callDateTime":"2024-01-01T00:00:00Z","no\u0000tes":"x"`)), status: 400,
				want: text(atPointer("/data/attributes/no\uFFFDtes"))},
			{name: "NUL in a related id", req: post("contacts", `{"data":{"type":"contacts","attributes":{"firstName":"A"},"relationships":{"source":{"data":{"type":"contactsources","id":"tv\u0000"}}}}}`),
				status: 400, want: text(atPointer("/data/relationships/source/data/id"))},
			{name: "NUL in a client-assigned id", req: post("weightunits", `{"data":{"type":"weightunits","id":"k\u0000g"}}`), status: 400, want: text(atPointer("/data/id"))},
			{name: "invalid UTF-8 in meta", req: post("accounts", "{\"data\":{\"type\":\"accounts\",\"meta\":{\"upsert\":[\"na\xffme\"]},\"attributes\":{\"name\":\"A\"}}}"),
				status: 400, want: text(atPointer("/data/meta/upsert/0"))},
			{name: "NUL in a plain body", req: apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: `{"name":"A\u0000"}`,
				Header: map[string]string{"Content-Type": "application/json", "Accept": "application/json"}},
				status: 400, want: `[{"code":400,"title":"value constraint","detail":"` + hostileText + `","source":"/name"}]`},
			{name: "NUL in a relationship body", req: apitest.Request{Method: http.MethodPost, Path: "/api/accounts/1/relationships/contacts",
				Body: `{"data":[{"type":"contacts","id":"1\u0000"}]}`}, status: 400, want: text(atPointer("/data/0/id"))},
			{name: "NUL in a filter value", req: get("/api/calls?filter[subject]~%00"), status: 400, want: text(atParam("filter[subject]"))},
			{name: "invalid UTF-8 in a filter value", req: get("/api/calls?filter[subject]=%FF"), status: 400, want: text(atParam("filter[subject]"))},
			{name: "NUL in a filter name", req: get("/api/calls?filter[sub%00ject]=x"), status: 400, want: text(atParam("filter[sub\uFFFDject]"))},
			{name: "NUL in sort", req: get("/api/calls?sort=%00"), status: 400, want: text(atParam("sort"))},
			{name: "invalid UTF-8 in include", req: get("/api/calls?include=%C3"), status: 400, want: text(atParam("include"))},
			{name: "NUL in fields", req: get("/api/calls?fields[calls]=sub%00ject"), status: 400, want: text(atParam("fields[calls]"))},
			{name: "NUL in page[size] of an item", req: get("/api/calls/1?page[size]=%00"), status: 400, want: text(atParam("page[size]"))},
			{name: "NUL in X-Currency", req: apitest.Request{Path: "/api/products/1", Header: map[string]string{"X-Currency": "US\x00D"}}, status: 400, want: text(atHeader("X-Currency"))},
			{name: "invalid UTF-8 in X-Localization-ID", req: apitest.Request{Path: "/api/products/1", Header: map[string]string{"X-Localization-ID": "\xff"}}, status: 400,
				want: text(atHeader("X-Localization-ID"))},
			{name: "NUL in If-None-Match", req: apitest.Request{Path: "/api/accounts/1", Header: map[string]string{"If-None-Match": "\"a\x00\""}}, status: 400,
				want: text(atHeader("If-None-Match"))},
			{name: "NUL in X-Include", req: apitest.Request{Path: "/api/accounts", Header: map[string]string{"X-Include": "totalCount\x00"}}, status: 400,
				want: text(atHeader("X-Include"))},
			{name: "NUL in an id of the path", req: get("/api/currencies/US%00D"), status: 400,
				want: errorDoc(400, "value constraint", "The URL path should be valid UTF-8 text without NUL characters.", "")},
			{name: "invalid UTF-8 in an id of the path", req: get("/api/countries/%FF/relationships/regions"), status: 400,
				want: errorDoc(400, "value constraint", "The URL path should be valid UTF-8 text without NUL characters.", "")},
			{name: "control characters are text", req: ids("calls", "filter[subject]=%01%1F"), status: 200, want: list("calls")},

			// the resource bounds
			{name: "2000 sort terms", req: get("/api/calls?sort=" + sortTerms), status: 400, want: errorDoc(400, "sort constraint", "Sorting accepts at most 10 fields.", atParam("sort"))},
			{name: "a field sorted twice", req: get("/api/accounts?sort=name,-name"), status: 400,
				want: errorDoc(400, "sort constraint", `Sorting by "name" field is requested more than once.`, atParam("sort"))},
			{name: "1500 repeated filters", req: get("/api/accounts?" + filters), status: 400, want: filterErr("filter", "A request may have at most 50 filter parameters.")},
			{name: "1001 values of one filter over two parameters", req: get("/api/accounts?filter[id]=" + strings.Join(ids600, ",") + "&filter[id][neq]=" + strings.Join(ids401, ",")),
				status: 400, want: filterErr("filter[id][neq]", "A filter accepts at most 1000 values.")},
			{name: "an include path of 60 segments", req: get("/api/accounts?include=" + include(60)), status: 400, want: filterErr("include", "An include path may have at most 5 segments.")},
			{name: "an include path of 5 segments", req: get("/api/accounts?include=" + include(5) + "&fields[accounts]=name&fields[contacts]=firstName"), status: 200,
				want: `{"data":[{"type":"accounts","id":"1","attributes":{"name":"Acme"}}],"included":[]}`},
			{name: "21 include paths", req: get("/api/accounts?include=" + strings.TrimSuffix(strings.Repeat("contacts,owner,", 10), ",") + ",organization"),
				status: 400, want: filterErr("include", "The include parameter accepts at most 20 paths.")},
			{name: "page[number] of the largest integer", req: invalidRequest(get("/api/accounts?page[number]=9223372036854775807")), status: 400,
				want: filterErr("page[number]", "The value should be less than or equals to 1000000.")},
			{name: "page[number] 1000000", req: get("/api/accounts?page[number]=1000000"), status: 200, want: `{"data":[]}`},
			{name: "1001 resources in a write document", req: post("accounts", `{"data":{"type":"accounts","attributes":{"name":"Many"},"relationships":{"contacts":{"data":[`+
				strings.Join(contacts, ",")+`]}}},"included":[`+strings.Join(append(includedContacts, includedContacts[0]), ",")+`]}`), status: 400,
				want: errorDoc(400, "request data constraint", "A request document may hold at most 1000 resources (data and included).", atPointer("/included"))},
			{name: "a client-assigned id of 256 characters", req: post("weightunits", `{"data":{"type":"weightunits","id":"`+long+`"}}`), status: 400,
				want: errorDoc(400, "length constraint", "This value is too long. It should have 255 characters or less.", atPointer("/data/id"))},
			{name: "a related code of 256 characters", req: post("contacts", `{"data":{"type":"contacts","attributes":{"firstName":"A"},"relationships":{"source":{"data":{"type":"contactsources","id":"`+long+`"}}}}}`),
				status: 400, want: errorDoc(400, "length constraint", "This value is too long. It should have 255 characters or less.", atPointer("/data/relationships/source/data/id"))},
			{name: "a code of 256 characters in the path", req: get("/api/currencies/" + long), status: 404,
				want: errorDoc(404, "not found http exception", "An entity with the requested identifier does not exist.", "")},
			{name: "150 related records that do not exist", req: apitest.Request{Method: http.MethodPost, Path: "/api/accounts/1/relationships/contacts",
				Body: `{"data":` + idents("contacts", missing...) + `}`}, status: 400, want: errorsDoc(missingErrs...)},

			// filter values the databases could not store, and periods that end after 9999
			{name: "a filter in year 0", req: get("/api/calls?filter[callDateTime]=0000"), status: 400, want: errorDoc(400, "range constraint", years, atParam("filter[callDateTime]"))},
			{name: "a filter in year 10000 in UTC", req: get("/api/calls?filter[callDateTime][gte]=9999-12-31T23:59:59-01:00"), status: 400,
				want: errorDoc(400, "range constraint", years, atParam("filter[callDateTime][gte]"))},
			{name: "a filter of 16 decimal digits", req: invalidRequest(get("/api/productprices?filter[value]=1234567890123456")), status: 400,
				want: errorDoc(400, "range constraint", digits, atParam("filter[value]"))},
			{name: "year 9999", req: ids("calls", "filter[callDateTime]=9999"), status: 200, want: list("calls", "2")},
			{name: "the last second", req: ids("calls", "filter[callDateTime]=9999-12-31T23:59:59Z"), status: 200, want: list("calls", "2")},
			{name: "after December 9999", req: ids("calls", "filter[callDateTime]>9999-12"), status: 200, want: list("calls")},
			{name: "from December 9999", req: ids("calls", "filter[callDateTime]>=9999-12"), status: 200, want: list("calls", "2")},
			{name: "up to 9999", req: ids("calls", "filter[callDateTime]<=9999"), status: 200, want: list("calls", "1", "2")},
			{name: "not in 9999", req: ids("calls", "filter[callDateTime]!=9999"), status: 200, want: list("calls", "1")},
			{name: "2024 to 9999", req: ids("calls", "filter[callDateTime]=2024..9999"), status: 200, want: list("calls", "1", "2")},
			{name: "a list with 9999", req: ids("calls", "filter[callDateTime]=2023,9999"), status: 200, want: list("calls", "2")},

			// links are URIs whatever form the query came in
			{name: "a self link re-encoded", req: apitest.Request{Path: "/api/accounts?filter[id]>0&filter[name]=Acme+Corp,%20Inc.&fields[accounts]=name"},
				status: 200, want: `{"data":[],"links":{"self":"http://api.test/api/accounts?filter%5Bid%5D%3E0&filter%5Bname%5D=Acme%20Corp,%20Inc.&fields%5Baccounts%5D=name"}}`},
		})

		// nothing of the refused writes was stored
		env.Do(get("/api/calls?fields[calls]=subject")).Expect(t, 200, `{"data":[{"type":"calls","id":"1","attributes":{"subject":"Intro"}},{"type":"calls","id":"2","attributes":{"subject":"Last"}}]}`)
		env.Do(ids("weightunits", "filter[id]=w")).Expect(t, 200, list("weightunits"))
	})
}

// Control characters other than NUL are text: they are stored and returned as sent.
func TestHostileControlCharacters(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		res := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: protoAccountBody("tab\there\u0001\u001f\u007f")})
		res.ExpectStatus(t, http.StatusCreated)
		env.Do(apitest.Request{Path: "/api/accounts/1?fields[accounts]=name", Header: qNoLinks}).
			Expect(t, 200, `{"data":{"type":"accounts","id":"1","attributes":{"name":"tab\there\u0001\u001f\u007f"}}}`)
		env.Do(apitest.Request{Path: "/api/accounts?filter[name]=tab%09here%01%1F%7F&fields[accounts]=", Header: qNoLinks}).
			Expect(t, 200, `{"data":[{"type":"accounts","id":"1"}]}`)
	})
}

// rawExchange sends a request over a real connection, as written, closes the sending side after
// body (so a body shorter than its Content-Length arrives truncated), and reads the response.
func rawExchange(t *testing.T, srv *httptest.Server, head, body string, wait time.Duration) *apitest.Response {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, head+"\r\n"+body); err != nil {
		t.Fatal(err)
	}
	if wait > 0 {
		time.Sleep(wait) // the server's read deadline passes while the body is incomplete
	} else if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	hres, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hres.Body.Close()
	b, err := io.ReadAll(hres.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &apitest.Response{Status: hres.StatusCode, Header: hres.Header, Body: b}
}

// A body shorter than its Content-Length is a 400 (it was a 500), and one slower than the read
// deadline a 408; nothing is stored.
func TestHostileBodies(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			hostileBodies(t, apitest.NewWith(t, b, store.DefaultLimits, server.Config{ReadTimeout: 500 * time.Millisecond}))
		})
	}
}

func hostileBodies(t *testing.T, env *apitest.Env) {
	srv := httptest.NewServer(env.Handler)
	defer srv.Close()
	body := `{"data":{"type":"accounts","attributes":{"name":"Trunc`
	head := func(path string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: api.test\r\nAuthorization: " + env.Auth + "\r\nContent-Type: application/vnd.api+json\r\nContent-Length: 200\r\n"
	}
	truncated := `{"errors":[{"status":"400","title":"request data constraint","detail":"The request body could not be read completely."}]}`
	for _, path := range []string{"/api/accounts", "/api/accounts/1/relationships/contacts"} {
		res := rawExchange(t, srv, head(path), body, 0)
		res.Expect(t, http.StatusBadRequest, truncated)
		// the document describes the exchange (the body as it arrived is not JSON)
		if err := apitest.Check(apitest.Request{Method: http.MethodPost, Path: path, Body: body, Invalid: true}, res); err != nil {
			t.Fatal(err)
		}
	}
	res := rawExchange(t, srv, head("/api/accounts"), body, time.Second)
	res.Expect(t, http.StatusRequestTimeout, `{"errors":[{"status":"408","title":"request timeout http exception","detail":"The request body did not arrive in time."}]}`)
	if err := apitest.Check(apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: body, Invalid: true}, res); err != nil {
		t.Fatal(err)
	}
	env.Do(apitest.Request{Path: "/api/accounts?fields[accounts]=", Header: qNoLinks}).Expect(t, 200, `{"data":[]}`)
}

// Requests whose shape the server must not guess at (found by FuzzHTTP): a query parameter an
// operation does not read is refused rather than dropped (a misspelt filter must not widen a
// DELETE), a needlessly escaped path is the same resource, an empty path segment names nothing,
// and a Host that would make links invalid is refused.
func TestHostileRequestShapes(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		protoCreateAccounts(t, env, 2)
		unsupported := func(param string) string {
			return errorDoc(400, "filter constraint", fmt.Sprintf("The query parameter %q is not supported here.", param), atParam(param))
		}
		account1 := itemDoc("/api/accounts/1", protoAccount(1, "Account 01"))
		runCases(t, env, []apiCase{
			{name: "an unknown parameter", req: apitest.Request{Path: "/api/accounts?foo=1"}, status: 400, want: unsupported("foo")},
			{name: "an unclosed filter bracket", req: apitest.Request{Path: "/api/accounts?filter%5Bid=1"}, status: 400, want: unsupported("filter[id=1")},
			{name: "a value without =", req: apitest.Request{Path: "/api/accounts?page%5Bsize%5D1"}, status: 400, want: unsupported("page[size]1")},
			{name: "sort of one resource", req: apitest.Request{Path: "/api/accounts/1?sort=name"}, status: 400, want: unsupported("sort")},
			{name: "filter of a relationship", req: apitest.Request{Path: "/api/accounts/1/relationships/contacts?filter[id]=1"}, status: 400,
				want: unsupported("filter[id]")},
			{name: "a parameter of DELETE of a resource", req: apitest.Request{Method: http.MethodDelete, Path: "/api/accounts/2?filter[id]=1"},
				status: 400, want: unsupported("filter[id]")},
			{name: "a parameter of a relationship write", req: apitest.Request{Method: http.MethodPost, Path: "/api/accounts/1/relationships/contacts?x=1",
				Body: `{"data":[]}`}, status: 400, want: unsupported("x")},
			{name: "an escaped path", req: apitest.Request{Path: "/api/%61ccounts/%31"}, status: 200, want: account1},
			// a parameter repeated is the engine's to read (filters combine with AND), not a
			// binding error of the generated wrapper
			{name: "a repeated filter", req: apitest.Request{Path: "/api/accounts?filter[id]=1,2&filter[id]=2&fields[accounts]=name", Header: qNoLinks},
				status: 200, want: `{"data":[{"type":"accounts","id":"2","attributes":{"name":"Account 02"}}]}`},
			{name: "a repeated sort continues the list", req: apitest.Request{Path: "/api/accounts?sort=-name&sort=id&fields[accounts]=name&fields[accounts]=description",
				Header: qNoLinks}, status: 200, want: `{"data":[{"type":"accounts","id":"2","attributes":{"name":"Account 02","description":null}},
				{"type":"accounts","id":"1","attributes":{"name":"Account 01","description":null}}]}`},
			{name: "a field sorted twice across repeats", req: apitest.Request{Path: "/api/accounts?sort=name&sort=-name"}, status: 400,
				want: errorDoc(400, "sort constraint", `Sorting by "name" field is requested more than once.`, atParam("sort"))},
			{name: "a repeated include", req: apitest.Request{Path: "/api/accounts/1?include=owner&include=organization&fields[accounts]=name&fields[users]=username&fields[organizations]=name",
				Header: qNoLinks}, status: 200, want: `{"data":{"type":"accounts","id":"1","attributes":{"name":"Account 01"}},
				"included":[{"type":"users","id":"1","attributes":{"username":"admin"}},{"type":"organizations","id":"1","attributes":{"name":"<any>"}}]}`},
			{name: "an empty id", req: apitest.Request{Path: "/api/accounts//contacts"}, status: 404,
				want: errorDoc(404, "not found http exception", "The requested resource does not exist.", "")},
			{name: "a trailing slash", req: apitest.Request{Path: "/api/accounts/"}, status: 404,
				want: errorDoc(404, "not found http exception", "The requested resource does not exist.", "")},
			// the response of a write takes fields and include, as GET does
			{name: "POST with fields", req: apitest.Request{Method: http.MethodPost, Path: "/api/accounts?fields[accounts]=name",
				Body: protoAccountBody("Third"), Header: map[string]string{"X-Include": "noHateoas"}}, status: 201,
				want: `{"data":{"type":"accounts","id":"3","attributes":{"name":"Third"}}}`},
			{name: "a referenced record cannot go", req: apitest.Request{Method: http.MethodDelete, Path: "/api/users/1"}, status: 409,
				want: errorDoc(409, "conflict constraint", "The operation conflicts with records that refer to this one (or that it refers to).", "")},
		})
		// a Host that would make every link an invalid URI
		req := httptest.NewRequest(http.MethodGet, "http://api.test/api/accounts/1", nil)
		req.Host = "a%zz"
		req.Header.Set("Authorization", env.Auth)
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, req)
		res := &apitest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
		res.Expect(t, 400, errorDoc(400, "value constraint", "The Host header should be a host name or address, with an optional port.", atHeader("Host")))
		if err := apitest.ValidateErrorDocument(res); err != nil {
			t.Fatal(err)
		}
	})
}

// What a request is decides first: an unknown type is a 404 and a method a path does not have a
// 405 whatever else the request carries; only the operations read its headers (found by
// FuzzHTTP: a bad X-Include on an unknown type was a 400).
func TestHostileOrderOfChecks(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		bad := map[string]string{"X-Include": "\x88", "X-Currency": "ZZZ"}
		env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: "/api/nothing", Header: bad}).
			Expect(t, 404, errorDoc(404, "entity type constraint", "Unknown entity type: nothing.", ""))
		env.Do(apitest.Request{Method: http.MethodPut, Path: "/api/accounts/1", Header: bad}).ExpectStatus(t, 405)
		env.Do(apitest.Request{Path: "/api/accounts", Header: map[string]string{"X-Currency": "ZZZ"}}).
			Expect(t, 400, errorDoc(400, "value constraint", `The currency "ZZZ" does not exist.`, atHeader("X-Currency")))
	})
}
