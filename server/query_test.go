package server_test

// Tests of the query language of collections (api.md sections 5-8): every filter operator on
// every data type, lists, ranges, the short and the URL-encoded forms, the exact errors of bad
// parameters, sorting, paging, sparse fieldsets, include paths, meta, X-Include and the DELETE of
// a collection by filters. Every test runs on every backend over data created through the API
// (qSeed), so every expected id list is known exactly and is the same on both databases.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"webapi/server/apitest"
	"webapi/store/storetest"
)

// qBase is the scheme and host of every request of the harness.
const qBase = "http://api.test"

// qNoLinks is the X-Include header that switches HATEOAS links off.
var qNoLinks = map[string]string{"X-Include": "noHateoas"}

// qBackends runs fn on a fresh server over each backend, in parallel.
func qBackends(t *testing.T, fn func(t *testing.T, env *apitest.Env)) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, apitest.New(t, b))
		})
	}
}

// qEnv is env reporting to t (table rows run as subtests over one server).
func qEnv(t *testing.T, env *apitest.Env) *apitest.Env {
	return &apitest.Env{T: t, DB: env.DB, Handler: env.Handler}
}

// qPost creates a resource and asserts that it got the id want.
func qPost(t *testing.T, env *apitest.Env, typ, body string, want int) {
	t.Helper()
	res := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/" + typ, Body: body})
	res.ExpectStatus(t, http.StatusCreated)
	if loc, wantLoc := res.Header.Get("Location"), fmt.Sprintf("%s/api/%s/%d", qBase, typ, want); loc != wantLoc {
		t.Fatalf("Location %q, want %q", loc, wantLoc)
	}
}

// qIDs GETs path and returns the ids of the primary data in order (asserting 200).
func qIDs(t *testing.T, res *apitest.Response) []string {
	t.Helper()
	res.ExpectStatus(t, http.StatusOK)
	var doc struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("%v\n%s", err, res.Body)
	}
	ids := []string{}
	for _, d := range doc.Data {
		ids = append(ids, d.ID)
	}
	return ids
}

func qStrings(ids []int) []string {
	out := []string{}
	for _, id := range ids {
		out = append(out, strconv.Itoa(id))
	}
	return out
}

// qRange is from..to inclusive.
func qRange(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// qExcept is 1..n without the given ids.
func qExcept(n int, without ...int) []int {
	skip := map[int]bool{}
	for _, id := range without {
		skip[id] = true
	}
	var out []int
	for i := 1; i <= n; i++ {
		if !skip[i] {
			out = append(out, i)
		}
	}
	return out
}

// qFilter is a query string (as sent, after the "?") and the ids it must select, in order.
type qFilter struct {
	query string
	want  []int
}

// qRunFilters reads /api/typ?<query> for each row (every record: page[size]=-1) and asserts the
// ids of the result.
func qRunFilters(t *testing.T, env *apitest.Env, typ string, rows []qFilter) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.query, func(t *testing.T) {
			res := qEnv(t, env).Do(apitest.Request{Path: "/api/" + typ + "?" + r.query + "&page[size]=-1", Header: qNoLinks})
			if got, want := qIDs(t, res), qStrings(r.want); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("ids %v, want %v", got, want)
			}
		})
	}
}

// The data every query test reads, created through the API in this order (ids as listed):
//
//	users:         1 admin (John Doe, enabled; fixed row), 2 jane (Jane Roe, disabled)
//	organizations: 1 Default Organization (enabled; fixed row), 2 Beta (disabled), 3 Gamma (enabled), 4 Delta (disabled)
//	contacts:      firstName  lastName gender  birthday    source  accounts
//	               1 "Ann"    Archer   female  1990-05-01  tv      1
//	               2 "bob"    Baker    male    1985-12-31  call    1, 2
//	               3 "ANNA"   Cole     null    null        tv      2, 3
//	               4 null     Dunn     female  2000-02-29  null    -
//	               5 ""       Evans    null    null        null    -
//	accounts:      name           owner contacts defaultContact createdAt (set in SQL)   timesContacted
//	               1 Acme Corp     1    1, 2     1              2023-12-31T23:59:59Z     3
//	               2 acme labs     2    2, 3     2              2024-01-01T00:00:00Z     1
//	               3 Zeta, Inc.    1    3        -              2024-03-01T00:00:00Z     1
//	               4 Zeta          2    -        -              2024-03-01T23:59:59.5Z   0
//	               5 500 Startups  1    -        -              2024-03-31T23:59:59Z     0
//	               6 50% Discount  1                            2024-04-01T00:00:00Z     0
//	               7 Under_score   1                            2024-12-31T23:59:59Z     0
//	               8 UnderXscore   1                            2025-01-01T00:00:00Z     0
//	               9 Globex        1                            2025-06-15T12:00:00Z     0
//	              10 Globex        1                            2025-06-15T12:00:00Z     0
//	              11 Back\slash    1                            2022-01-01T00:00:00Z     0
//	calls:         subject    callDateTime (UTC)      direction duration account contact
//	               1 Intro     2024-03-01T00:00:00Z    incoming  60       1       1
//	               2 Follow-up 2024-03-01T23:59:59Z    outgoing  300      1
//	               3 Demo      2024-03-02T00:00:00Z    incoming  null     2
//	               4 Pricing   2024-02-29T23:59:59Z    outgoing  0        1
//	               5 Renewal   2024-12-31T23:59:59Z    incoming  3600     3
//	               6 Kickoff   2025-01-01T00:00:00Z    outgoing  5
//	               7 Old       2023-12-31T23:59:59Z    incoming  7
//	               8 Offset    2024-03-31T23:30:00Z    outgoing  120                (sent as 2024-04-01T01:30:00+02:00)
func qSeed(t *testing.T, env *apitest.Env) {
	t.Helper()
	qPost(t, env, "users", `{"data":{"type":"users","attributes":{"username":"jane","email":"jane@example.com","firstName":"Jane","lastName":"Roe","enabled":false}}}`, 2)
	for i, org := range []string{`"name":"Beta","enabled":false`, `"name":"Gamma","enabled":true`, `"name":"Delta","enabled":false`} {
		qPost(t, env, "organizations", `{"data":{"type":"organizations","attributes":{`+org+`}}}`, i+2)
	}
	source := func(id string) string {
		return `,"relationships":{"source":{"data":{"type":"contactsources","id":"` + id + `"}}}`
	}
	for i, c := range []string{
		`{"firstName":"Ann","lastName":"Archer","gender":"female","birthday":"1990-05-01","primaryEmail":"ann@example.com"}` + source("tv"),
		`{"firstName":"bob","lastName":"Baker","gender":"male","birthday":"1985-12-31"}` + source("call"),
		`{"firstName":"ANNA","lastName":"Cole"}` + source("tv"),
		`{"lastName":"Dunn","gender":"female","birthday":"2000-02-29"}`,
		`{"firstName":"","lastName":"Evans"}`,
	} {
		qPost(t, env, "contacts", `{"data":{"type":"contacts","attributes":`+c+`}}`, i+1)
	}
	accounts := []struct {
		name, rels, created string
	}{
		{"Acme Corp", `"contacts":{"data":[{"type":"contacts","id":"1"},{"type":"contacts","id":"2"}]},"defaultContact":{"data":{"type":"contacts","id":"1"}}`, "2023-12-31T23:59:59Z"},
		{"acme labs", `"contacts":{"data":[{"type":"contacts","id":"3"}]},"defaultContact":{"data":{"type":"contacts","id":"2"}},"owner":{"data":{"type":"users","id":"2"}}`, "2024-01-01T00:00:00Z"},
		{"Zeta, Inc.", `"contacts":{"data":[{"type":"contacts","id":"3"}]}`, "2024-03-01T00:00:00Z"},
		{"Zeta", `"owner":{"data":{"type":"users","id":"2"}}`, "2024-03-01T23:59:59.5Z"},
		{"500 Startups", "", "2024-03-31T23:59:59Z"},
		{"50% Discount", "", "2024-04-01T00:00:00Z"},
		{"Under_score", "", "2024-12-31T23:59:59Z"},
		{"UnderXscore", "", "2025-01-01T00:00:00Z"},
		{"Globex", "", "2025-06-15T12:00:00Z"},
		{"Globex", "", "2025-06-15T12:00:00Z"},
		{`Back\slash`, "", "2022-01-01T00:00:00Z"},
	}
	for i, a := range accounts {
		body := `{"data":{"type":"accounts","attributes":{"name":` + jsonText(a.name) + `}`
		if a.rels != "" {
			body += `,"relationships":{` + a.rels + `}`
		}
		qPost(t, env, "accounts", body+`}}`, i+1)
		// createdAt is set by the server; the filter tests need known values
		ts, err := time.Parse(time.RFC3339Nano, a.created)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.DB.Gorm.Exec("UPDATE accounts SET created_at = ? WHERE id = ?", env.DB.TimeValue(ts), i+1).Error; err != nil {
			t.Fatal(err)
		}
	}
	link := func(typ, id string) string { return `{"data":{"type":"` + typ + `","id":"` + id + `"}}` }
	for i, c := range []struct{ attrs, rels string }{
		{`"subject":"Intro","callDateTime":"2024-03-01T00:00:00Z","direction":"incoming","duration":60`, `"account":` + link("accounts", "1") + `,"contact":` + link("contacts", "1")},
		{`"subject":"Follow-up","callDateTime":"2024-03-01T23:59:59Z","direction":"outgoing","duration":300`, `"account":` + link("accounts", "1")},
		{`"subject":"Demo","callDateTime":"2024-03-02T00:00:00Z","direction":"incoming"`, `"account":` + link("accounts", "2")},
		{`"subject":"Pricing","callDateTime":"2024-02-29T23:59:59Z","direction":"outgoing","duration":0`, `"account":` + link("accounts", "1")},
		{`"subject":"Renewal","callDateTime":"2024-12-31T23:59:59Z","direction":"incoming","duration":3600`, `"account":` + link("accounts", "3")},
		{`"subject":"Kickoff","callDateTime":"2025-01-01T00:00:00Z","direction":"outgoing","duration":5`, ""},
		{`"subject":"Old","callDateTime":"2023-12-31T23:59:59Z","direction":"incoming","duration":7`, ""},
		{`"subject":"Offset","callDateTime":"2024-04-01T01:30:00+02:00","direction":"outgoing","duration":120`, ""},
	} {
		body := `{"data":{"type":"calls","attributes":{` + c.attrs + `}`
		if c.rels != "" {
			body += `,"relationships":{` + c.rels + `}`
		}
		qPost(t, env, "calls", body+`}}`, i+1)
	}
}

// ---- filters ----

func TestQueryFilterInteger(t *testing.T) {
	qBackends(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		t.Run("calls duration (nullable)", func(t *testing.T) {
			qRunFilters(t, env, "calls", []qFilter{
				{"filter[duration]=60", []int{1}},
				{"filter[duration][eq]=60", []int{1}},
				{"filter[duration]=60,300", []int{1, 2}},
				{"filter[duration]=5..60", []int{1, 6, 7}},
				{"filter[duration]=0", []int{4}},
				{"filter[duration][neq]=60", []int{2, 4, 5, 6, 7, 8}},
				{"filter[duration][neq]=5..60", []int{2, 4, 5, 8}},
				{"filter[duration][neq]=0,300", []int{1, 5, 6, 7, 8}},
				{"filter[duration][neq_or_null]=60", []int{2, 3, 4, 5, 6, 7, 8}},
				{"filter[duration][neq_or_null]=0,300", []int{1, 3, 5, 6, 7, 8}},
				{"filter[duration][neq_or_null]=5..60", []int{2, 3, 4, 5, 8}},
				{"filter[duration][lt]=60", []int{4, 6, 7}},
				{"filter[duration][lte]=60", []int{1, 4, 6, 7}},
				{"filter[duration][gt]=300", []int{5}},
				{"filter[duration][gte]=300", []int{2, 5}},
				{"filter[duration][exists]=yes", []int{1, 2, 4, 5, 6, 7, 8}},
				{"filter[duration][exists]=true", []int{1, 2, 4, 5, 6, 7, 8}},
				{"filter[duration][exists]=1", []int{1, 2, 4, 5, 6, 7, 8}},
				{"filter[duration][exists]=no", []int{3}},
				{"filter[duration][exists]=false", []int{3}},
				{"filter[duration][exists]=0", []int{3}},
				{"filter[duration][empty]=yes", []int{3}},
				{"filter[duration][empty]=no", []int{1, 2, 4, 5, 6, 7, 8}},
				{"filter[duration]=-1", nil},
			})
		})
		t.Run("accounts timesContacted", func(t *testing.T) {
			qRunFilters(t, env, "accounts", []qFilter{
				{"filter[timesContacted]=0", qRange(4, 11)},
				{"filter[timesContacted]=1", []int{2, 3}},
				{"filter[timesContacted]=1..3", []int{1, 2, 3}},
				{"filter[timesContacted]=3,1", []int{1, 2, 3}},
				{"filter[timesContacted][neq]=0", []int{1, 2, 3}},
				{"filter[timesContacted][gt]=1", []int{1}},
				{"filter[timesContacted][gte]=1", []int{1, 2, 3}},
				{"filter[timesContacted][lt]=1", qRange(4, 11)},
				{"filter[timesContacted][lte]=1", qRange(2, 11)},
				{"filter[timesContacted][exists]=yes", qRange(1, 11)},
				{"filter[timesContacted][neq_or_null]=0", []int{1, 2, 3}},
			})
		})
		t.Run("id", func(t *testing.T) {
			qRunFilters(t, env, "accounts", []qFilter{
				{"filter[id]=5", []int{5}},
				{"filter[id]=5,7", []int{5, 7}},
				{"filter[id]=7,5,99", []int{5, 7}},
				{"filter[id]=5..7", []int{5, 6, 7}},
				{"filter[id]=7..5", nil},
				{"filter[id][neq]=5..7", []int{1, 2, 3, 4, 8, 9, 10, 11}},
				{"filter[id][neq]=2,4", qExcept(11, 2, 4)},
				{"filter[id][lt]=3", []int{1, 2}},
				{"filter[id][lte]=3", []int{1, 2, 3}},
				{"filter[id][gt]=9", []int{10, 11}},
				{"filter[id][gte]=9", []int{9, 10, 11}},
			})
		})
	})
}

func TestQueryFilterDateTime(t *testing.T) {
	qBackends(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		t.Run("calls callDateTime", func(t *testing.T) {
			qRunFilters(t, env, "calls", []qFilter{
				// a full date-time is that instant; other offsets are converted to UTC
				{"filter[callDateTime]=2024-03-01T23:59:59Z", []int{2}},
				{"filter[callDateTime]=2024-03-02T01:59:59%2B02:00", []int{2}},
				{"filter[callDateTime]=2024-03-31T23:30:00Z", []int{8}},
				{"filter[callDateTime]=2024-03-01T00:00:00Z,2024-03-02T00:00:00Z", []int{1, 3}},
				// a partial date-time is its whole period for eq and neq
				{"filter[callDateTime]=2024-03-01", []int{1, 2}},
				{"filter[callDateTime]=2024-03", []int{1, 2, 3, 8}},
				{"filter[callDateTime]=2024", []int{1, 2, 3, 4, 5, 8}},
				{"filter[callDateTime]=2024-02,2025", []int{4, 6}},
				{"filter[callDateTime]=2024-03-01T23", []int{2}},
				{"filter[callDateTime][neq]=2024-03", []int{4, 5, 6, 7}},
				{"filter[callDateTime][neq]=2024", []int{6, 7}},
				// and its bounds for the comparisons
				{"filter[callDateTime][lt]=2024-03-01", []int{4, 7}},
				{"filter[callDateTime][lte]=2024-03-01", []int{1, 2, 4, 7}},
				{"filter[callDateTime][gt]=2024-03-01", []int{3, 5, 6, 8}},
				{"filter[callDateTime][gte]=2024-03-01", []int{1, 2, 3, 5, 6, 8}},
				{"filter[callDateTime][lt]=2024", []int{7}},
				{"filter[callDateTime][lte]=2024", []int{1, 2, 3, 4, 5, 7, 8}},
				{"filter[callDateTime][gt]=2024", []int{6}},
				{"filter[callDateTime][gte]=2025", []int{6}},
				{"filter[callDateTime][lt]=2024-03-01T00:00:00Z", []int{4, 7}},
				{"filter[callDateTime][gt]=2024-03-01T23:59:59Z", []int{3, 5, 6, 8}},
				{"filter[callDateTime][gte]=2024-03-01T23:59:59Z", []int{2, 3, 5, 6, 8}},
				// ranges are inclusive; a partial upper bound includes its whole period
				{"filter[callDateTime]=2024-03-01..2024-03-02", []int{1, 2, 3}},
				{"filter[callDateTime]=2024-02..2024-03", []int{1, 2, 3, 4, 8}},
				{"filter[callDateTime]=2024-03-01T00:00:00Z..2024-03-01T23:59:59Z", []int{1, 2}},
				{"filter[callDateTime][neq]=2024-01..2024-06", []int{5, 6, 7}},
				{"filter[callDateTime][exists]=yes", qRange(1, 8)},
				{"filter[callDateTime][exists]=no", nil},
			})
		})
		t.Run("accounts createdAt", func(t *testing.T) {
			qRunFilters(t, env, "accounts", []qFilter{
				{"filter[createdAt]=2024", []int{2, 3, 4, 5, 6, 7}},
				{"filter[createdAt]=2024-03", []int{3, 4, 5}},
				{"filter[createdAt]=2024-03-01", []int{3, 4}},
				{"filter[createdAt]=2022,2025-06-15", []int{9, 10, 11}},
				{"filter[createdAt]=2024-03-01T00:00:00Z", []int{3}},
				{"filter[createdAt]=2024-03-01T02:00:00%2B02:00", []int{3}},
				// a date-time without a fraction is its whole second (date-times are shown with
				// seconds, stored with microseconds: account 4 is shown as 2024-03-01T23:59:59Z)
				{"filter[createdAt]=2024-03-01T23:59:59Z", []int{4}},
				{"filter[createdAt][lt]=2024-03-01T23:59:59Z", []int{1, 2, 3, 11}},
				{"filter[createdAt][lte]=2024-03-01T23:59:59Z", []int{1, 2, 3, 4, 11}},
				{"filter[createdAt][gt]=2024-03-01T23:59:59Z", qRange(5, 10)},
				{"filter[createdAt][gte]=2024-03-01T23:59:59Z", qRange(4, 10)},
				{"filter[createdAt][neq]=2024-03-01T23:59:59Z", qExcept(11, 4)},
				{"filter[createdAt]=2024-03-01T23:59:59.5Z", []int{4}},
				{"filter[createdAt]=2024-03-01T23:59:59.4Z", nil},
				{"filter[createdAt][gt]=2024-03-01T23:59:59.4Z", qRange(4, 10)},
				{"filter[createdAt][lt]=2024-03-01T23:59:59.6Z", []int{1, 2, 3, 4, 11}},
				{"filter[createdAt][lt]=2024", []int{1, 11}},
				{"filter[createdAt][lte]=2024", []int{1, 2, 3, 4, 5, 6, 7, 11}},
				{"filter[createdAt][gt]=2024", []int{8, 9, 10}},
				{"filter[createdAt][gte]=2024", qRange(2, 10)},
				{"filter[createdAt][lt]=2024-03", []int{1, 2, 11}},
				{"filter[createdAt][lte]=2024-03", []int{1, 2, 3, 4, 5, 11}},
				{"filter[createdAt][gt]=2024-03", qRange(6, 10)},
				{"filter[createdAt][gte]=2024-03", qRange(3, 10)},
				{"filter[createdAt][lt]=2024-03-01", []int{1, 2, 11}},
				{"filter[createdAt][lte]=2024-03-01", []int{1, 2, 3, 4, 11}},
				{"filter[createdAt][gt]=2024-03-01", qRange(5, 10)},
				{"filter[createdAt][gte]=2024-03-01", qRange(3, 10)},
				{"filter[createdAt][neq]=2024-03", []int{1, 2, 6, 7, 8, 9, 10, 11}},
				{"filter[createdAt][neq_or_null]=2024", []int{1, 8, 9, 10, 11}},
				{"filter[createdAt]=2024-01..2024-03", []int{2, 3, 4, 5}},
				{"filter[createdAt]=2024-03-01T00:00:00Z..2024-03-31T23:59:59Z", []int{3, 4, 5}},
				{"filter[createdAt][exists]=yes", qRange(1, 11)},
				{"filter[createdAt][exists]=no", nil},
			})
		})
	})
}

// TestQueryFilterShownDateTime: the createdAt the API shows for a new record (set by the server,
// with microseconds in the database) finds that record.
func TestQueryFilterShownDateTime(t *testing.T) {
	qBackends(t, func(t *testing.T, env *apitest.Env) {
		// the fixed organization 1 may have been made in the same second
		old := env.DB.TimeValue(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		if err := env.DB.Gorm.Exec("UPDATE organizations SET created_at = ? WHERE id = 1", old).Error; err != nil {
			t.Fatal(err)
		}
		res := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/organizations",
			Body: `{"data":{"type":"organizations","attributes":{"name":"Shown"}}}`})
		res.ExpectStatus(t, http.StatusCreated)
		var doc struct {
			Data struct {
				Attributes struct {
					CreatedAt string `json:"createdAt"`
				} `json:"attributes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		shown := doc.Data.Attributes.CreatedAt
		qRunFilters(t, env, "organizations", []qFilter{
			{"filter[createdAt]=" + shown, []int{2}},
			{"filter[createdAt][lte]=" + shown, []int{1, 2}},
			{"filter[createdAt][gte]=" + shown, []int{2}},
			{"filter[createdAt][gt]=" + shown, nil},
			{"filter[createdAt][lt]=" + shown, []int{1}},
		})
	})
}

func TestQueryFilterDate(t *testing.T) {
	qBackends(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		qRunFilters(t, env, "contacts", []qFilter{
			{"filter[birthday]=1990-05-01", []int{1}},
			{"filter[birthday]=1990-05-01,2000-02-29", []int{1, 4}},
			{"filter[birthday]=1985-01-01..1990-05-01", []int{1, 2}},
			{"filter[birthday][neq]=1990-05-01", []int{2, 4}},
			{"filter[birthday][neq_or_null]=1990-05-01", []int{2, 3, 4, 5}},
			{"filter[birthday][neq_or_null]=1985-01-01..1990-05-01", []int{3, 4, 5}},
			{"filter[birthday][lt]=1990-05-01", []int{2}},
			{"filter[birthday][lte]=1990-05-01", []int{1, 2}},
			{"filter[birthday][gt]=1990-05-01", []int{4}},
			{"filter[birthday][gte]=1990-05-01", []int{1, 4}},
			{"filter[birthday][exists]=yes", []int{1, 2, 4}},
			{"filter[birthday][exists]=no", []int{3, 5}},
			{"filter[birthday][empty]=yes", []int{3, 5}},
		})
	})
}

func TestQueryFilterBoolean(t *testing.T) {
	qBackends(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		t.Run("organizations enabled", func(t *testing.T) {
			qRunFilters(t, env, "organizations", []qFilter{
				{"filter[enabled]=true", []int{1, 3}},
				{"filter[enabled]=1", []int{1, 3}},
				{"filter[enabled]=yes", []int{1, 3}},
				{"filter[enabled]=TRUE", []int{1, 3}},
				{"filter[enabled]=false", []int{2, 4}},
				{"filter[enabled]=0", []int{2, 4}},
				{"filter[enabled]=no", []int{2, 4}},
				{"filter[enabled][neq]=true", []int{2, 4}},
				{"filter[enabled][neq]=no", []int{1, 3}},
				{"filter[enabled][neq_or_null]=false", []int{1, 3}},
				{"filter[enabled][exists]=yes", []int{1, 2, 3, 4}},
				{"filter[enabled][exists]=no", nil},
			})
		})
		t.Run("users enabled", func(t *testing.T) {
			qRunFilters(t, env, "users", []qFilter{
				{"filter[enabled]=yes", []int{1}},
				{"filter[enabled]=no", []int{2}},
				{"filter[enabled]!=1", []int{2}},
			})
		})
	})
}

func TestQueryFilterEnum(t *testing.T) {
	qBackends(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		t.Run("contacts gender", func(t *testing.T) {
			qRunFilters(t, env, "contacts", []qFilter{
				{"filter[gender]=female", []int{1, 4}},
				{"filter[gender]=male,female", []int{1, 2, 4}},
				{"filter[gender][neq]=female", []int{2}},
				{"filter[gender][neq]=male,female", nil},
				{"filter[gender][neq_or_null]=female", []int{2, 3, 5}},
				{"filter[gender][exists]=no", []int{3, 5}},
				{"filter[gender][empty]=no", []int{1, 2, 4}},
			})
		})
		t.Run("calls direction", func(t *testing.T) {
			qRunFilters(t, env, "calls", []qFilter{
				{"filter[direction]=incoming", []int{1, 3, 5, 7}},
				{"filter[direction]=outgoing", []int{2, 4, 6, 8}},
				{"filter[direction]=incoming,outgoing", qRange(1, 8)},
				{"filter[direction][neq]=incoming", []int{2, 4, 6, 8}},
				{"filter[direction]=incoming&filter[duration][gt]=60", []int{5}},
			})
		})
	})
}

func TestQueryFilterString(t *testing.T) {
	qBackends(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		t.Run("accounts name", func(t *testing.T) {
			qRunFilters(t, env, "accounts", []qFilter{
				// eq and neq are exact and case-sensitive; a comma is part of the value
				{"filter[name]=Zeta", []int{4}},
				{"filter[name]=zeta", nil},
				{"filter[name]=Zeta,%20Inc.", []int{3}},
				{"filter[name]=Zeta,+Inc.", []int{3}},
				{"filter[name]=Zeta,Globex", nil},
				{"filter[name]=Globex", []int{9, 10}},
				{"filter[name]=Zeta..Zeta", nil},
				{"filter[name]=50%25%20Discount", []int{6}},
				{"filter[name][neq]=Zeta", qExcept(11, 4)},
				{"filter[name][neq_or_null]=Zeta,%20Inc.", qExcept(11, 3)},
				// the text operators ignore case
				{"filter[name][contains]=acme", []int{1, 2}},
				{"filter[name][contains]=ACME", []int{1, 2}},
				{"filter[name][contains]=e%20L", []int{2}},
				{"filter[name][not_contains]=acme", qRange(3, 11)},
				{"filter[name][starts_with]=zeta", []int{3, 4}},
				{"filter[name][starts_with]=ZETA,", []int{3}},
				{"filter[name][not_starts_with]=zeta", []int{1, 2, 5, 6, 7, 8, 9, 10, 11}},
				{"filter[name][ends_with]=CORP", []int{1}},
				{"filter[name][ends_with]=inc.", []int{3}},
				{"filter[name][not_ends_with]=x", []int{1, 2, 3, 4, 5, 6, 7, 8, 11}},
				// % and _ are literal characters, and so is the backslash
				{"filter[name][contains]=50%25", []int{6}},
				{"filter[name][starts_with]=50%25", []int{6}},
				{"filter[name][contains]=0%25", []int{6}},
				{"filter[name][contains]=%25", []int{6}},
				{"filter[name][not_contains]=%25", qExcept(11, 6)},
				{"filter[name][contains]=r_s", []int{7}},
				{"filter[name][contains]=_", []int{7}},
				{"filter[name][ends_with]=_score", []int{7}},
				{"filter[name][starts_with]=under_", []int{7}},
				{"filter[name][not_starts_with]=under_", qExcept(11, 7)},
				{"filter[name][contains]=%5C", []int{11}},
				{"filter[name][contains]=k%5Cs", []int{11}},
				{"filter[name][ends_with]=%5C", nil},
				// names are never null or empty
				{"filter[name][exists]=yes", qRange(1, 11)},
				{"filter[name][empty]=yes", nil},
			})
		})
		t.Run("contacts firstName (null and empty values)", func(t *testing.T) {
			qRunFilters(t, env, "contacts", []qFilter{
				{"filter[firstName]=Ann", []int{1}},
				{"filter[firstName]=ann", nil},
				{"filter[firstName][neq]=Ann", []int{2, 3, 5}},
				{"filter[firstName][neq_or_null]=Ann", []int{2, 3, 4, 5}},
				{"filter[firstName][exists]=yes", []int{1, 2, 3, 5}},
				{"filter[firstName][exists]=no", []int{4}},
				{"filter[firstName][empty]=yes", []int{4, 5}},
				{"filter[firstName][empty]=no", []int{1, 2, 3}},
				{"filter[firstName]=", []int{5}},
				{"filter[firstName][contains]=ann", []int{1, 3}},
				{"filter[firstName][contains]=NN", []int{1, 3}},
				{"filter[firstName][not_contains]=ann", []int{2, 5}},
				{"filter[firstName][starts_with]=B", []int{2}},
				{"filter[firstName][not_starts_with]=a", []int{2, 5}},
				{"filter[firstName][ends_with]=NA", []int{3}},
				{"filter[firstName][not_ends_with]=n", []int{2, 3, 5}},
				{"filter[lastName][contains]=e&filter[firstName][contains]=b", []int{2}},
			})
		})
	})
}

func TestQueryFilterAssociations(t *testing.T) {
	qBackends(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		t.Run("to-one: accounts owner", func(t *testing.T) {
			qRunFilters(t, env, "accounts", []qFilter{
				{"filter[owner]=2", []int{2, 4}},
				{"filter[owner]=1,2", qRange(1, 11)},
				{"filter[owner][neq]=2", qExcept(11, 2, 4)},
				{"filter[owner][neq_or_null]=1", []int{2, 4}},
				{"filter[owner][exists]=yes", qRange(1, 11)},
				{"filter[owner][exists]=no", nil},
				{"filter[owner]=99", nil},
			})
		})
		t.Run("to-one: accounts defaultContact", func(t *testing.T) {
			qRunFilters(t, env, "accounts", []qFilter{
				{"filter[defaultContact]=1", []int{1}},
				{"filter[defaultContact]=1,2", []int{1, 2}},
				{"filter[defaultContact][neq]=1", []int{2}},
				{"filter[defaultContact][neq_or_null]=1", qRange(2, 11)},
				{"filter[defaultContact][neq_or_null]=1,2", qRange(3, 11)},
				{"filter[defaultContact][exists]=yes", []int{1, 2}},
				{"filter[defaultContact][exists]=no", qRange(3, 11)},
				{"filter[defaultContact][empty]=yes", qRange(3, 11)},
			})
		})
		t.Run("to-one: contacts source (string ids)", func(t *testing.T) {
			qRunFilters(t, env, "contacts", []qFilter{
				{"filter[source]=tv", []int{1, 3}},
				{"filter[source]=tv,call", []int{1, 2, 3}},
				{"filter[source][neq]=tv", []int{2}},
				{"filter[source][neq_or_null]=tv", []int{2, 4, 5}},
				{"filter[source][exists]=no", []int{4, 5}},
			})
		})
		t.Run("to-many: accounts contacts", func(t *testing.T) {
			qRunFilters(t, env, "accounts", []qFilter{
				// eq: has any of the ids
				{"filter[contacts]=2", []int{1, 2}},
				{"filter[contacts]=1,3", []int{1, 2, 3}},
				// neq: has contacts, none of them
				{"filter[contacts][neq]=2", []int{3}},
				{"filter[contacts][neq]=1,3", nil},
				// neq_or_null: none of them (or no contacts at all)
				{"filter[contacts][neq_or_null]=2", qRange(3, 11)},
				{"filter[contacts][neq_or_null]=3", append([]int{1}, qRange(4, 11)...)},
				{"filter[contacts][exists]=yes", []int{1, 2, 3}},
				{"filter[contacts][exists]=no", qRange(4, 11)},
				{"filter[contacts][empty]=yes", qRange(4, 11)},
				{"filter[contacts][empty]=no", []int{1, 2, 3}},
				// contains: has all of them
				{"filter[contacts][contains]=2,3", []int{2}},
				{"filter[contacts][contains]=1,2", []int{1}},
				{"filter[contacts][contains]=3", []int{2, 3}},
				{"filter[contacts][contains]=3,3", []int{2, 3}},
				{"filter[contacts][contains]=1,3", nil},
				// not_contains: does not have all of them
				{"filter[contacts][not_contains]=2,3", qExcept(11, 2)},
				{"filter[contacts][not_contains]=3", append([]int{1}, qRange(4, 11)...)},
			})
		})
		t.Run("to-many: contacts accounts", func(t *testing.T) {
			qRunFilters(t, env, "contacts", []qFilter{
				{"filter[accounts]=1", []int{1, 2}},
				{"filter[accounts]=2,3", []int{2, 3}},
				{"filter[accounts][neq]=1", []int{3}},
				{"filter[accounts][neq_or_null]=1", []int{3, 4, 5}},
				{"filter[accounts][exists]=yes", []int{1, 2, 3}},
				{"filter[accounts][empty]=yes", []int{4, 5}},
				{"filter[accounts][contains]=1,2", []int{2}},
				{"filter[accounts][not_contains]=1,2", []int{1, 3, 4, 5}},
			})
		})
	})
}

func TestQueryFilterCombinations(t *testing.T) {
	qBackends(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		qRunFilters(t, env, "accounts", []qFilter{
			// several filters: AND
			{"filter[contacts]=2&filter[owner]=1", []int{1}},
			{"filter[name][starts_with]=acme&filter[timesContacted][gt]=0", []int{1, 2}},
			{"filter[owner]=2&filter[name][contains]=zeta&filter[createdAt]=2024-03", []int{4}},
			// several operators on one field: AND
			{"filter[id][gt]=1&filter[id][lt]=10", qRange(2, 9)},
			{"filter[id]>=3&filter[id]<=5&filter[id]!=4", []int{3, 5}},
			{"filter[id]!=3&filter[id]!=4", qExcept(11, 3, 4)},
			{"filter[name]~z&filter[name]!$.", []int{4}},
			// short forms
			{"filter[id]>8", []int{9, 10, 11}},
			{"filter[id]>=8", []int{8, 9, 10, 11}},
			{"filter[id]<3", []int{1, 2}},
			{"filter[id]<=3", []int{1, 2, 3}},
			{"filter[id]!=2", qExcept(11, 2)},
			{"filter[id]!=2..10", []int{1, 11}},
			{"filter[name]~acme", []int{1, 2}},
			{"filter[name]~=acme", []int{1, 2}},
			{"filter[name]!~acme", qRange(3, 11)},
			{"filter[name]^zeta", []int{3, 4}},
			{"filter[name]!^zeta", []int{1, 2, 5, 6, 7, 8, 9, 10, 11}},
			{"filter[name]$corp", []int{1}},
			{"filter[name]!$corp", qRange(2, 11)},
			{"filter[defaultContact]*yes", []int{1, 2}},
			{"filter[defaultContact]*no", qRange(3, 11)},
			{"filter[defaultContact]!*1", qRange(2, 11)},
			{"filter[name]!*Zeta", qExcept(11, 4)},
			// URL-encoded forms
			{"filter%5Bid%5D%3E8", []int{9, 10, 11}},
			{"filter[id]%3E%3D8", []int{8, 9, 10, 11}},
			{"filter%5Bid%5D%3C%3D2", []int{1, 2}},
			{"filter%5Bid%5D%21%3D2", qExcept(11, 2)},
			{"filter%5Bid%5D%5Bgt%5D=9", []int{10, 11}},
			{"filter%5Bid%5D=5%2C7", []int{5, 7}},
			{"filter%5Bid%5D=5..7", []int{5, 6, 7}},
			{"filter%5Bname%5D%7Eacme", []int{1, 2}},
			{"filter%5Bname%5D%21%7Eacme", qRange(3, 11)},
			{"filter%5Bname%5D%5Ezeta", []int{3, 4}},
			{"filter%5Bname%5D%21%5Ezeta", []int{1, 2, 5, 6, 7, 8, 9, 10, 11}},
			{"filter%5Bname%5D%24corp", []int{1}},
			{"filter%5Bname%5D%21%24corp", qRange(2, 11)},
			{"filter%5BdefaultContact%5D%2Ayes", []int{1, 2}},
			{"filter%5BdefaultContact%5D%21%2A1", qRange(2, 11)},
			{"filter%5Bname%5D=Zeta%2C%20Inc.", []int{3}},
		})
		t.Run("string ids", func(t *testing.T) {
			res := qEnv(t, env).Do(apitest.Request{Path: "/api/contactsources?filter[id]=tv,call,nope&fields[contactsources]=", Header: qNoLinks})
			res.Expect(t, 200, `{"data":[{"type":"contactsources","id":"call"},{"type":"contactsources","id":"tv"}]}`)
			res = qEnv(t, env).Do(apitest.Request{Path: "/api/contactsources?filter[id]>t&fields[contactsources]=", Header: qNoLinks})
			res.Expect(t, 200, `{"data":[{"type":"contactsources","id":"tv"},{"type":"contactsources","id":"website"}]}`)
		})
	})
}
