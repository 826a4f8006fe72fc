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
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"webapi/server/apitest"
	"webapi/store/storetest"
)

// qNoLinks is the X-Include header that switches HATEOAS links off.
var qNoLinks = map[string]string{"X-Include": "noHateoas"}

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
// ids of the result. The rows only read, so they run in parallel, after the caller's function
// has returned: what follows a call must not change the data.
func qRunFilters(t *testing.T, env *apitest.Env, typ string, rows []qFilter) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.query, func(t *testing.T) {
			t.Parallel()
			res := env.For(t).Do(apitest.Request{Path: "/api/" + typ + "?" + r.query + "&page[size]=-1", Header: qNoLinks})
			res.ExpectStatus(t, http.StatusOK)
			if got, want := idsOf(t, res), qStrings(r.want); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("ids %v, want %v", got, want)
			}
		})
	}
}

// The data every query test reads, created through the API in this order (ids as listed):
//
//	users:         1 admin (John Doe, enabled; fixed row), 2 jane (Jane Roe, disabled)
//	organizations: 1 Default Organization (enabled; fixed row), 2 Beta (disabled), 3 Gamma (enabled), 4 Delta (disabled);
//	               2-4 are made outside the API: the caller, of organization 1, never sees them
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
	createAs(t, env, "users", "2", `{"data":{"type":"users","attributes":{"username":"jane","email":"jane@example.com","firstName":"Jane","lastName":"Roe","enabled":false}}}`)
	// other organizations: none of their rows is ever the caller's to see
	for _, org := range []struct {
		name    string
		enabled bool
	}{{"Beta", false}, {"Gamma", true}, {"Delta", false}} {
		newOrganization(t, env, org.name, org.enabled)
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
		createAs(t, env, "contacts", strconv.Itoa(i+1), `{"data":{"type":"contacts","attributes":`+c+`}}`)
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
		createAs(t, env, "accounts", strconv.Itoa(i+1), body+`}}`)
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
		createAs(t, env, "calls", strconv.Itoa(i+1), body+`}}`)
	}
}

// ---- filters ----

func TestQueryFilterInteger(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
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
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		t.Run("calls callDateTime", func(t *testing.T) {
			qRunFilters(t, env, "calls", []qFilter{
				// a full date-time is that instant; other offsets are converted to UTC
				{"filter[callDateTime]=2024-03-01T23:59:59Z", []int{2}},
				{"filter[callDateTime]=2024-03-02T01:59:59%2B02:00", []int{2}},
				{"filter[callDateTime]=2024-03-31T23:30:00Z", []int{8}},
				{"filter[callDateTime]=2024-03-31T23:30:00", []int{8}}, // without an offset: UTC
				{"filter[callDateTime]=2024-03-31%2023:30:00", []int{8}},
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
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		// an account made long before, and one made now
		create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Old"}}}`)
		old := env.DB.TimeValue(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		if err := env.DB.Gorm.Exec("UPDATE accounts SET created_at = ? WHERE id = 1", old).Error; err != nil {
			t.Fatal(err)
		}
		res := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts",
			Body: `{"data":{"type":"accounts","attributes":{"name":"Shown"}}}`})
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
		qRunFilters(t, env, "accounts", []qFilter{
			{"filter[createdAt]=" + shown, []int{2}},
			{"filter[createdAt][lte]=" + shown, []int{1, 2}},
			{"filter[createdAt][gte]=" + shown, []int{2}},
			{"filter[createdAt][gt]=" + shown, nil},
			{"filter[createdAt][lt]=" + shown, []int{1}},
		})
	})
}

func TestQueryFilterDate(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
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
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		t.Run("organizations enabled", func(t *testing.T) {
			// the caller's own organization only: the others never match (api.md section 17)
			qRunFilters(t, env, "organizations", []qFilter{
				{"filter[enabled]=true", []int{1}},
				{"filter[enabled]=1", []int{1}},
				{"filter[enabled]=yes", []int{1}},
				{"filter[enabled]=TRUE", []int{1}},
				{"filter[enabled]=false", nil},
				{"filter[enabled]=0", nil},
				{"filter[enabled]=no", nil},
				{"filter[enabled][neq]=true", nil},
				{"filter[enabled][neq]=no", []int{1}},
				{"filter[enabled][neq_or_null]=false", []int{1}},
				{"filter[enabled][exists]=yes", []int{1}},
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
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
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
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
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

// TestQueryUnicodeText: the text operators ignore the case of every letter, not only of ASCII
// ones, and string sorting is the same code point order on both databases, also when the
// PostgreSQL column has a language's collation (as a database created with en_US would).
func TestQueryUnicodeText(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			env := apitest.New(t, b)
			if b.Name == "postgres" {
				if err := env.DB.Gorm.Exec(`ALTER TABLE accounts ALTER COLUMN name TYPE VARCHAR(255) COLLATE "und-x-icu"`).Error; err != nil {
					t.Fatalf("give accounts.name a language's collation: %v", err)
				}
			}
			for i, name := range []string{"ÄRZTE GmbH", "ärzte e.V.", "Zeta", "éclair", "Éclat", "fig", "_x", "1x"} {
				createAs(t, env, "accounts", strconv.Itoa(i+1), `{"data":{"type":"accounts","attributes":{"name":`+jsonText(name)+`}}}`)
			}
			qRunFilters(t, env, "accounts", []qFilter{
				{"filter[name][contains]=%C3%A4rzte", []int{1, 2}},         // ärzte
				{"filter[name][contains]=%C3%84RZTE%20G", []int{1}},        // ÄRZTE G
				{"filter[name][starts_with]=%C3%89CL", []int{4, 5}},        // ÉCL
				{"filter[name][not_starts_with]=%C3%A9", qExcept(8, 4, 5)}, // é
				{"filter[name][ends_with]=%C3%89clat", []int{5}},           // Éclat
				{"filter[name]=%C3%A4rzte%20e.V.", []int{2}},               // eq is exact
				{"filter[name]=%C3%84RZTE%20E.V.", nil},
				{"sort=name", []int{8, 7, 6, 3, 2, 1, 4, 5}},
				{"sort=-name", []int{5, 4, 1, 2, 3, 6, 7, 8}},
			})
		})
	}
}

func TestQueryFilterAssociations(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
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
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
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
			res := env.For(t).Do(apitest.Request{Path: "/api/contactsources?filter[id]=tv,call,nope&fields[contactsources]=", Header: qNoLinks})
			res.Expect(t, 200, `{"data":[{"type":"contactsources","id":"call"},{"type":"contactsources","id":"tv"}]}`)
			res = env.For(t).Do(apitest.Request{Path: "/api/contactsources?filter[id]>t&fields[contactsources]=", Header: qNoLinks})
			res.Expect(t, 200, `{"data":[{"type":"contactsources","id":"tv"},{"type":"contactsources","id":"website"}]}`)
		})
	})
}

// ---- errors ----

func TestQueryErrors(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		const pageSize = "The value should be greater than or equals to 1, or -1 for every record."
		rows := []struct {
			path string
			errs []apiError
		}{
			// filter values of the wrong type
			{"/api/accounts?filter[id]=aaa", []apiError{badValue("filter[id]", "integer", "aaa")}},
			{"/api/accounts?filter[id]=1,x", []apiError{badValue("filter[id]", "integer", "x")}},
			{"/api/accounts?filter[id]=1..x", []apiError{badValue("filter[id]", "integer", "1..x")}},
			{"/api/accounts?filter[id]=", []apiError{badValue("filter[id]", "integer", "")}},
			{"/api/accounts?filter[id][gt]=1,2", []apiError{badValue("filter[id][gt]", "integer", "1,2")}},
			{"/api/accounts?filter[timesContacted][lt]=1..3", []apiError{badValue("filter[timesContacted][lt]", "integer", "1..3")}},
			{"/api/accounts?filter[timesContacted][exists]=maybe", []apiError{badValue("filter[timesContacted][exists]", "boolean", "maybe")}},
			{"/api/accounts?filter[owner]=1..2", []apiError{badValue("filter[owner]", "integer", "1..2")}},
			{"/api/accounts?filter[contacts][contains]=a", []apiError{badValue("filter[contacts][contains]", "integer", "a")}},
			{"/api/accounts?filter[createdAt]=yesterday", []apiError{badValue("filter[createdAt]", "datetime", "yesterday")}},
			{"/api/accounts?filter[createdAt]=2024-13", []apiError{badValue("filter[createdAt]", "datetime", "2024-13")}},
			{"/api/contacts?filter[birthday]=1990-5-1", []apiError{badValue("filter[birthday]", "date", "1990-5-1")}},
			{"/api/contacts?filter[gender]=other", []apiError{badParam("filter[gender]", "unexpected value exception", `Expected one of "male", "female". Given "other".`)}},
			{"/api/contacts?filter[gender]=male..female", []apiError{badParam("filter[gender]", "unexpected value exception", `Expected one of "male", "female". Given "male..female".`)}},
			{"/api/organizations?filter[enabled]=maybe", []apiError{badValue("filter[enabled]", "boolean", "maybe")}},
			{"/api/organizations?filter[enabled]=true,false", []apiError{badValue("filter[enabled]", "boolean", "true,false")}},
			{"/api/accounts?filter[id]=1..3,5", []apiError{badParam("filter[id]", "filter constraint", "A range cannot be combined with other values.")}},
			// unknown filters
			{"/api/accounts?filter[unknown]=aaa", []apiError{badFilter("filter[unknown]", "unknown")}},
			{"/api/accounts?filter[description]=x", []apiError{badFilter("filter[description]", "description")}},
			{"/api/accounts?filter[unknown][gt]=1", []apiError{badFilter("filter[unknown][gt]", "unknown")}},
			{"/api/accounts?filter[unknown]>1", []apiError{badFilter("filter[unknown]", "unknown")}},
			// operators the filter does not allow: the source is the parameter as sent
			{"/api/accounts?filter[id][contains]=1", []apiError{badOperator("filter[id][contains]", "contains")}},
			{"/api/accounts?filter[id]~1", []apiError{badOperator("filter[id]", "contains")}},
			{"/api/accounts?filter[id][exists]=yes", []apiError{badOperator("filter[id][exists]", "exists")}},
			{"/api/accounts?filter[id]*yes", []apiError{badOperator("filter[id]", "exists")}},
			{"/api/accounts?filter[id][neq_or_null]=1", []apiError{badOperator("filter[id][neq_or_null]", "neq_or_null")}},
			{"/api/accounts?filter[timesContacted]^1", []apiError{badOperator("filter[timesContacted]", "starts_with")}},
			{"/api/accounts?filter[owner][contains]=1", []apiError{badOperator("filter[owner][contains]", "contains")}},
			{"/api/accounts?filter[owner]>1", []apiError{badOperator("filter[owner]", "gt")}},
			{"/api/accounts?filter[contacts][gt]=1", []apiError{badOperator("filter[contacts][gt]", "gt")}},
			{"/api/accounts?filter[contacts]$1", []apiError{badOperator("filter[contacts]", "ends_with")}},
			{"/api/accounts?filter[name][lt]=a", []apiError{badOperator("filter[name][lt]", "lt")}},
			{"/api/contactsources?filter[name]~t", []apiError{badOperator("filter[name]", "contains")}},
			{"/api/contacts?filter[gender][contains]=male", []apiError{badOperator("filter[gender][contains]", "contains")}},
			{"/api/accounts?filter[id][nope]=1", []apiError{badOperator("filter[id][nope]", "nope")}},
			{"/api/accounts?filter%5Bid%5D%7E1", []apiError{badOperator("filter[id]", "contains")}},
			// sort, include, fields, meta, page
			{"/api/accounts?sort=nope", []apiError{badParam("sort", "sort constraint", `Sorting by "nope" field is not supported.`)}},
			{"/api/accounts?sort=name,-nope", []apiError{badParam("sort", "sort constraint", `Sorting by "nope" field is not supported.`)}},
			{"/api/accounts?sort=description", []apiError{badParam("sort", "sort constraint", `Sorting by "description" field is not supported.`)}},
			{"/api/accounts?include=nope", []apiError{badParam("include", "filter constraint", `The relationship "nope" does not exist.`)}},
			{"/api/accounts?include=contacts,contacts.nope", []apiError{badParam("include", "filter constraint", `The relationship "contacts.nope" does not exist.`)}},
			{"/api/accounts?fields[nope]=x", []apiError{badParam("fields[nope]", "filter constraint", "An entity type is not known.")}},
			{"/api/accounts?fields[accounts]=nope", []apiError{badParam("fields[accounts]", "filter constraint", `The field "nope" is not known for the entity type "accounts".`)}},
			{"/api/accounts?fields[users]=name,password", []apiError{
				badParam("fields[users]", "filter constraint", `The field "name" is not known for the entity type "users".`),
				badParam("fields[users]", "filter constraint", `The field "password" is not known for the entity type "users".`)}},
			{"/api/accounts?meta=nope", []apiError{badParam("meta", "filter constraint", `The "nope" is not known meta property. Known properties: title.`)}},
			{"/api/accounts?meta=title,nope", []apiError{badParam("meta", "filter constraint", `The "nope" is not known meta property. Known properties: title.`)}},
			{"/api/accounts?page[size]=abc", []apiError{badValue("page[size]", "integer", "abc")}},
			{"/api/accounts?page[size]=0", []apiError{badParam("page[size]", "filter constraint", pageSize)}},
			{"/api/accounts?page[size]=-2", []apiError{badParam("page[size]", "filter constraint", pageSize)}},
			{"/api/accounts?page[size]=1001", []apiError{badParam("page[size]", "filter constraint", "The value should be less than or equals to 1000.")}},
			{"/api/accounts?page[number]=0", []apiError{badParam("page[number]", "filter constraint", "The value should be greater than or equals to 1.")}},
			{"/api/accounts?page[number]=-1", []apiError{badParam("page[number]", "filter constraint", "The value should be greater than or equals to 1.")}},
			{"/api/accounts?page[number]=abc", []apiError{badValue("page[number]", "integer", "abc")}},
			// every problem of a request, in the order of the parameters
			{"/api/accounts?filter[id]=aaa&filter[unknown]=1&sort=nope&page[size]=0&filter[name][gt]=a", []apiError{
				badValue("filter[id]", "integer", "aaa"), badFilter("filter[unknown]", "unknown"),
				badParam("sort", "sort constraint", `Sorting by "nope" field is not supported.`), badParam("page[size]", "filter constraint", pageSize),
				badOperator("filter[name][gt]", "gt")}},
			// items accept fields, include and meta, and check them
			{"/api/accounts/1?include=nope", []apiError{badParam("include", "filter constraint", `The relationship "nope" does not exist.`)}},
			{"/api/accounts/1?meta=nope", []apiError{badParam("meta", "filter constraint", `The "nope" is not known meta property. Known properties: title.`)}},
			{"/api/accounts/1?fields[accounts]=nope", []apiError{badParam("fields[accounts]", "filter constraint", `The field "nope" is not known for the entity type "accounts".`)}},
			// to-many subresources: the parameters of the related type
			{"/api/accounts/1/contacts?filter[firstName][gt]=a", []apiError{badOperator("filter[firstName][gt]", "gt")}},
			{"/api/accounts/1/contacts?filter[name]=a", []apiError{badFilter("filter[name]", "name")}},
			{"/api/accounts/1/contacts?sort=name", []apiError{badParam("sort", "sort constraint", `Sorting by "name" field is not supported.`)}},
			{"/api/accounts/1/contacts?page[size]=0", []apiError{badParam("page[size]", "filter constraint", pageSize)}},
		}
		// The requests the document refuses too: a value that is not of the parameter's type or
		// pattern, or outside its bounds (the others are valid per the document and refused by
		// the server's own rules).
		refused := map[string]bool{}
		for _, path := range []string{
			"/api/accounts?filter[id]=aaa", "/api/accounts?filter[id]=1,x", "/api/accounts?filter[id]=1..x", "/api/accounts?filter[id]=",
			"/api/accounts?filter[id][gt]=1,2", "/api/accounts?filter[timesContacted][lt]=1..3", "/api/accounts?filter[timesContacted][exists]=maybe",
			"/api/accounts?filter[owner]=1..2", "/api/accounts?filter[contacts][contains]=a", "/api/accounts?filter[createdAt]=yesterday",
			"/api/contacts?filter[birthday]=1990-5-1", "/api/contacts?filter[gender]=other", "/api/contacts?filter[gender]=male..female",
			"/api/organizations?filter[enabled]=maybe", "/api/organizations?filter[enabled]=true,false", "/api/accounts?filter[id]=1..3,5",
			"/api/accounts?page[size]=abc", "/api/accounts?page[size]=-2", "/api/accounts?page[number]=0", "/api/accounts?page[number]=-1",
			"/api/accounts?page[number]=abc", "/api/accounts?filter[id]=aaa&filter[unknown]=1&sort=nope&page[size]=0&filter[name][gt]=a",
		} {
			refused[path] = true
		}
		for _, r := range rows { // refused reads: in parallel
			t.Run(r.path, func(t *testing.T) {
				t.Parallel()
				res := env.For(t).Do(apitest.Request{Path: r.path, Header: map[string]string{"X-Include": "totalCount;noHateoas"}, Invalid: refused[r.path]})
				if r.errs == nil {
					res.ExpectStatus(t, http.StatusOK)
					return
				}
				res.Expect(t, http.StatusBadRequest, errorsDoc(r.errs...))
				if got := res.Header.Get("X-Include-Total-Count"); got != "" {
					t.Fatalf("X-Include-Total-Count %q on an error", got)
				}
			})
		}
	})
}

// ---- sorting and paging ----

func TestQuerySort(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		t.Run("accounts", func(t *testing.T) {
			qRunFilters(t, env, "accounts", []qFilter{
				{"sort=id", qRange(1, 11)},
				{"sort=-id", []int{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
				// names compare without case, character by character; equal names by id
				{"sort=name", []int{6, 5, 1, 2, 11, 9, 10, 7, 8, 4, 3}},
				{"sort=-name", []int{3, 4, 8, 7, 9, 10, 11, 2, 1, 5, 6}},
				{"sort=-name,-id", []int{3, 4, 8, 7, 10, 9, 11, 2, 1, 5, 6}},
				{"sort=-timesContacted,name", []int{1, 2, 3, 6, 5, 11, 9, 10, 7, 8, 4}},
				{"sort=timesContacted,-id", []int{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
				{"sort=createdAt", []int{11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
				{"sort=-createdAt", []int{9, 10, 8, 7, 6, 5, 4, 3, 2, 1, 11}},
				{"sort=-createdAt,-id", []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 11}},
				// nulls first ascending, last descending, on both databases
				{"sort=lastContactedDate", []int{4, 5, 6, 7, 8, 9, 10, 11, 1, 2, 3}},
				{"sort=-lastContactedDate", []int{3, 2, 1, 4, 5, 6, 7, 8, 9, 10, 11}},
				{"filter[name]^zeta&sort=-name", []int{3, 4}},
			})
		})
		t.Run("calls duration (nullable)", func(t *testing.T) {
			qRunFilters(t, env, "calls", []qFilter{
				{"sort=duration", []int{3, 4, 6, 7, 1, 8, 2, 5}},
				{"sort=-duration", []int{5, 2, 8, 1, 7, 6, 4, 3}},
				{"sort=callDateTime", []int{7, 4, 1, 2, 3, 8, 5, 6}},
				{"sort=subject", []int{3, 2, 1, 6, 8, 7, 4, 5}},
			})
		})
		t.Run("contacts firstName and birthday (nullable)", func(t *testing.T) {
			qRunFilters(t, env, "contacts", []qFilter{
				{"sort=firstName", []int{4, 5, 1, 3, 2}},
				{"sort=-firstName", []int{2, 3, 1, 5, 4}},
				{"sort=birthday", []int{3, 5, 2, 1, 4}},
				{"sort=-birthday", []int{4, 1, 2, 3, 5}},
				{"sort=-birthday,-id", []int{4, 1, 2, 5, 3}},
			})
		})
	})
}

// qNames is the expected data of accounts read with fields[accounts]=name (with links).
func qNames(names map[int]string, ids ...int) string {
	parts := []string{}
	for _, id := range ids {
		parts = append(parts, fmt.Sprintf(`{"type":"accounts","id":"%d","links":{"self":"%s/api/accounts/%d"},"attributes":{"name":%s}}`,
			id, apiHost, id, jsonText(names[id])))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

var qAccountNames = map[int]string{1: "Acme Corp", 2: "acme labs", 3: "Zeta, Inc.", 4: "Zeta", 5: "500 Startups", 6: "50% Discount",
	7: "Under_score", 8: "UnderXscore", 9: "Globex", 10: "Globex", 11: `Back\slash`}

func TestQueryPaging(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		const u = apiHost + "/api/accounts"
		count := map[string]string{"X-Include": "totalCount"}
		rows := []struct {
			name, query string
			ids         []int
			links       string // the members of the links object
			total       string
		}{
			{"first page", "filter[id]>2&sort=-id&fields[accounts]=name&page[size]=3", []int{11, 10, 9},
				`"self":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3","next":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3&page%5Bnumber%5D=2"`, "9"},
			{"second page", "filter[id]>2&sort=-id&fields[accounts]=name&page[size]=3&page[number]=2", []int{8, 7, 6},
				`"self":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3&page%5Bnumber%5D=2",` +
					`"first":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3",` +
					`"prev":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3",` +
					`"next":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3&page%5Bnumber%5D=3"`, "9"},
			{"last page (full)", "page[number]=3&filter[id]>2&sort=-id&fields[accounts]=name&page[size]=3", []int{5, 4, 3},
				`"self":"` + u + `?page%5Bnumber%5D=3&filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3",` +
					`"first":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3",` +
					`"prev":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3&page%5Bnumber%5D=2"`, "9"},
			{"past the end", "filter[id]>2&sort=-id&fields[accounts]=name&page[size]=3&page[number]=5", nil,
				`"self":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3&page%5Bnumber%5D=5",` +
					`"first":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3",` +
					`"prev":"` + u + `?filter%5Bid%5D%3E2&sort=-id&fields%5Baccounts%5D=name&page%5Bsize%5D=3&page%5Bnumber%5D=4"`, "9"},
			{"every record", "filter[name]~e&sort=name&fields[accounts]=name&page[size]=-1", []int{1, 2, 9, 10, 7, 8, 4, 3},
				`"self":"` + u + `?filter%5Bname%5D~e&sort=name&fields%5Baccounts%5D=name&page%5Bsize%5D=-1"`, "8"},
			{"every record, page[number] ignored", "filter[name]~e&fields[accounts]=name&page[size]=-1&page[number]=2", []int{1, 2, 3, 4, 7, 8, 9, 10},
				`"self":"` + u + `?filter%5Bname%5D~e&fields%5Baccounts%5D=name&page%5Bsize%5D=-1&page%5Bnumber%5D=2"`, "8"},
			{"default size 10", "fields[accounts]=name&sort=-id", []int{11, 10, 9, 8, 7, 6, 5, 4, 3, 2},
				`"self":"` + u + `?fields%5Baccounts%5D=name&sort=-id","next":"` + u + `?fields%5Baccounts%5D=name&sort=-id&page%5Bnumber%5D=2"`, "11"},
			{"encoded parameters are kept as sent", "filter%5Bname%5D%7E50%25&fields%5Baccounts%5D=name&page%5Bsize%5D=1", []int{6},
				`"self":"` + u + `?filter%5Bname%5D~50%25&fields%5Baccounts%5D=name&page%5Bsize%5D=1"`, "1"},
			{"nothing matches", "filter[name]=nope&fields[accounts]=name", nil, `"self":"` + u + `?filter%5Bname%5D=nope&fields%5Baccounts%5D=name"`, "0"},
		}
		for _, r := range rows { // reads: in parallel
			t.Run(r.name, func(t *testing.T) {
				t.Parallel()
				res := env.For(t).Do(apitest.Request{Path: "/api/accounts?" + r.query, Header: count})
				res.Expect(t, http.StatusOK, `{"data":`+qNames(qAccountNames, r.ids...)+`,"links":{`+r.links+`}}`)
				if got := res.Header.Get("X-Include-Total-Count"); got != r.total {
					t.Fatalf("X-Include-Total-Count %q, want %q", got, r.total)
				}
			})
		}
	})
}

// ---- fields, include, meta ----

// qTitle is the meta member of a title.
func qTitle(title string) string { return `"title":` + jsonText(title) }

// qSortIncluded returns res with its included resources ordered by type and id (JSON:API does
// not order them; the assertions list them so), so that Expect compares them exactly: every
// resource once, nothing more.
func qSortIncluded(t *testing.T, res *apitest.Response) *apitest.Response {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("%v\n%s", err, res.Body)
	}
	if inc, ok := doc["included"].([]any); ok {
		key := func(v any) string {
			m, _ := v.(map[string]any)
			id, _ := m["id"].(string)
			typ, _ := m["type"].(string)
			if n, err := strconv.Atoi(id); err == nil {
				id = fmt.Sprintf("%020d", n) // numeric ids in numeric order
			}
			return typ + "\x00" + id
		}
		sort.SliceStable(inc, func(i, j int) bool { return key(inc[i]) < key(inc[j]) })
	}
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &apitest.Response{Status: res.Status, Header: res.Header, Body: body}
}

// qDocCase is a GET and the exact document it must answer.
type qDocCase struct {
	name, path string
	links      bool   // HATEOAS links (otherwise X-Include: noHateoas)
	want       string // the document, with included resources ordered by type and id
	total      string // the X-Include-Total-Count it must send ("" = none)
}

// qRunDocs sends each row's GET and asserts the document. The rows only read, so they run in
// parallel, after the caller's function has returned: what follows a call must not change the
// data.
func qRunDocs(t *testing.T, env *apitest.Env, rows []qDocCase) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			x := "totalCount"
			if !r.links {
				x += ";noHateoas"
			}
			res := env.For(t).Do(apitest.Request{Path: r.path, Header: map[string]string{"X-Include": x}})
			qSortIncluded(t, res).Expect(t, http.StatusOK, r.want)
			if got := res.Header.Get("X-Include-Total-Count"); got != r.total {
				t.Fatalf("X-Include-Total-Count %q, want %q", got, r.total)
			}
		})
	}
}

func TestQueryInclude(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		name := func(s string) string { return `"name":` + jsonText(s) }
		firstName := func(s string) string { return `"firstName":` + jsonText(s) }
		username := func(s string) string { return `"username":` + jsonText(s) }
		const noMeta, noAttrs = "", ""
		nulls := func(names ...string) string {
			parts := []string{}
			for _, n := range names {
				parts = append(parts, jsonText(n)+":null")
			}
			return strings.Join(parts, ",")
		}
		account3 := resObject("accounts", "3", name("Zeta, Inc.")+`,"description":null,
			"lastContactedDate":"2024-12-31T23:59:59Z","lastContactedDateIn":"2024-12-31T23:59:59Z","lastContactedDateOut":null,
			"timesContacted":1,"timesContactedIn":1,"timesContactedOut":0,"createdAt":"2024-03-01T00:00:00Z","updatedAt":"<any>"`, relData{"contacts", idents("contacts", "3")}, relData{"defaultContact", "null"},
			relData{"owner", ident("users", "1")}, relData{"organization", ident("organizations", "1")})
		contact3 := resObject("contacts", "3", nulls("namePrefix")+`,"firstName":"ANNA",`+nulls("middleName")+`,"lastName":"Cole",`+
			nulls("nameSuffix", "gender", "birthday", "jobTitle", "description", "primaryEmail", "primaryPhone", "lastContactedDate",
				"lastContactedDateIn", "lastContactedDateOut")+`,"timesContacted":0,"timesContactedIn":0,"timesContactedOut":0,"createdAt":"<any>","updatedAt":"<any>"`, relData{"source", ident("contactsources", "tv")}, relData{"accounts", idents("accounts", "2", "3")},
			relData{"calls", "[]"}, relData{"owner", ident("users", "1")}, relData{"organization", ident("organizations", "1")})
		sourceTV := resObject("contactsources", "tv", name("TV"))
		qRunDocs(t, env, []qDocCase{
			{name: "full documents of an item with a dot path", path: "/api/accounts/3?include=contacts.source", links: true,
				want: `{"data":` + account3 + `,"included":[` + contact3 + `,` + sourceTV + `],"links":{"self":"` + apiHost + `/api/accounts/3?include=contacts.source"}}`},
			{name: "(ours) a relationship left out by fields is still included",
				path: "/api/accounts?filter[id]=1,2&include=contacts&fields[accounts]=name&fields[contacts]=firstName",
				want: `{"data":[` + bareObject("accounts", "1", name("Acme Corp")) + `,` + bareObject("accounts", "2", name("acme labs")) + `],
					"included":[` + bareObject("contacts", "1", firstName("Ann")) + `,` + bareObject("contacts", "2", firstName("bob")) + `,` +
					bareObject("contacts", "3", firstName("ANNA")) + `]}`, total: "2"},
			{name: "(ours) also deeper on the path",
				path: "/api/accounts?filter[id]=3&include=contacts.source&fields[accounts]=name&fields[contacts]=lastName",
				want: `{"data":[` + bareObject("accounts", "3", name("Zeta, Inc.")) + `],
					"included":[` + bareObject("contacts", "3", `"lastName":"Cole"`) + `,` + bareObject("contactsources", "tv", name("TV")) + `]}`, total: "1"},
			{name: "contacts.source with full linkage and links",
				path:  "/api/accounts?filter[id]=1,3&include=contacts.source&fields[accounts]=name,contacts&fields[contacts]=firstName,source,accounts&fields[contactsources]=name",
				links: true,
				want: `{"data":[` +
					resObject("accounts", "1", name("Acme Corp"), relData{"contacts", idents("contacts", "1", "2")}) + `,` +
					resObject("accounts", "3", name("Zeta, Inc."), relData{"contacts", idents("contacts", "3")}) + `],
					"included":[` +
					resObject("contacts", "1", firstName("Ann"), relData{"source", ident("contactsources", "tv")}, relData{"accounts", idents("accounts", "1")}) + `,` +
					resObject("contacts", "2", firstName("bob"), relData{"source", ident("contactsources", "call")}, relData{"accounts", idents("accounts", "1", "2")}) + `,` +
					resObject("contacts", "3", firstName("ANNA"), relData{"source", ident("contactsources", "tv")}, relData{"accounts", idents("accounts", "2", "3")}) + `,` +
					resObject("contactsources", "call", name("Call")) + `,` + sourceTV + `],
					"links":{"self":"` + apiHost + `/api/accounts?filter%5Bid%5D=1,3&include=contacts.source&fields%5Baccounts%5D=name,contacts&fields%5Bcontacts%5D=firstName,source,accounts&fields%5Bcontactsources%5D=name"}}`,
				total: "2"},
			{name: "contacts.accounts.owner: the primary account's owner too, every resource once",
				path: "/api/accounts?filter[id]=1&include=contacts.accounts.owner&fields[accounts]=name,contacts,owner&fields[contacts]=accounts&fields[users]=username",
				want: `{"data":[` + bareObject("accounts", "1", name("Acme Corp"), relData{"contacts", idents("contacts", "1", "2")}, relData{"owner", ident("users", "1")}) + `],
					"included":[` +
					bareObject("accounts", "2", name("acme labs"), relData{"contacts", idents("contacts", "2", "3")}, relData{"owner", ident("users", "2")}) + `,` +
					bareObject("contacts", "1", noAttrs, relData{"accounts", idents("accounts", "1")}) + `,` +
					bareObject("contacts", "2", noAttrs, relData{"accounts", idents("accounts", "1", "2")}) + `,` +
					bareObject("users", "1", username("admin")) + `,` + bareObject("users", "2", username("jane")) + `]}`,
				total: "1"},
			{name: "a path back to the primary type does not repeat primary resources",
				path: "/api/contacts?filter[id]=2&include=accounts.contacts&fields[contacts]=firstName,accounts&fields[accounts]=contacts",
				want: `{"data":[` + bareObject("contacts", "2", firstName("bob"), relData{"accounts", idents("accounts", "1", "2")}) + `],
					"included":[` +
					bareObject("accounts", "1", noAttrs, relData{"contacts", idents("contacts", "1", "2")}) + `,` +
					bareObject("accounts", "2", noAttrs, relData{"contacts", idents("contacts", "2", "3")}) + `,` +
					bareObject("contacts", "1", firstName("Ann"), relData{"accounts", idents("accounts", "1")}) + `,` +
					bareObject("contacts", "3", firstName("ANNA"), relData{"accounts", idents("accounts", "2", "3")}) + `]}`,
				total: "1"},
			{name: "meta=title on primary and included resources",
				path: "/api/accounts?filter[id]=2&include=owner,contacts.source&meta=title&fields[accounts]=name&fields[users]=&fields[contacts]=&fields[contactsources]=",
				want: `{"data":[` + withMeta(bareObject("accounts", "2", name("acme labs")), qTitle("acme labs")) + `],
					"included":[` +
					withMeta(bareObject("contacts", "2", noAttrs), qTitle("bob Baker")) + `,` + withMeta(bareObject("contacts", "3", noAttrs), qTitle("ANNA Cole")) + `,` +
					withMeta(bareObject("contactsources", "call", noAttrs), qTitle("Call")) + `,` + withMeta(bareObject("contactsources", "tv", noAttrs), qTitle("TV")) + `,` +
					withMeta(bareObject("users", "2", noAttrs), qTitle("Jane Roe")) + `]}`,
				total: "1"},
			{name: "to-one and to-many includes of calls",
				path: "/api/calls?filter[id]=1..3&include=account,contact&fields[calls]=subject,contact,account&fields[accounts]=name&fields[contacts]=lastName",
				want: `{"data":[` +
					bareObject("calls", "1", `"subject":"Intro"`, relData{"contact", ident("contacts", "1")}, relData{"account", ident("accounts", "1")}) + `,` +
					bareObject("calls", "2", `"subject":"Follow-up"`, relData{"contact", "null"}, relData{"account", ident("accounts", "1")}) + `,` +
					bareObject("calls", "3", `"subject":"Demo"`, relData{"contact", "null"}, relData{"account", ident("accounts", "2")}) + `],
					"included":[` +
					bareObject("accounts", "1", name("Acme Corp")) + `,` + bareObject("accounts", "2", name("acme labs")) + `,` +
					bareObject("contacts", "1", `"lastName":"Archer"`) + `]}`,
				total: "3"},
			{name: "nothing to include", path: "/api/accounts?filter[id]=4&include=defaultContact,contacts&fields[accounts]=name",
				want: `{"data":[` + bareObject("accounts", "4", name("Zeta")) + `],"included":[]}`, total: "1"},
			{name: "an item accepts fields, include and meta",
				path: "/api/contacts/2?include=accounts.owner&fields[contacts]=firstName,accounts&fields[accounts]=name,owner&fields[users]=username&meta=title",
				want: `{"data":` + withMeta(bareObject("contacts", "2", firstName("bob"), relData{"accounts", idents("accounts", "1", "2")}), qTitle("bob Baker")) + `,
					"included":[` +
					withMeta(bareObject("accounts", "1", name("Acme Corp"), relData{"owner", ident("users", "1")}), qTitle("Acme Corp")) + `,` +
					withMeta(bareObject("accounts", "2", name("acme labs"), relData{"owner", ident("users", "2")}), qTitle("acme labs")) + `,` +
					withMeta(bareObject("users", "1", username("admin")), qTitle("John Doe")) + `,` + withMeta(bareObject("users", "2", username("jane")), qTitle("Jane Roe")) + `]}`},
			{name: "fields of a type that is not in the document are accepted",
				path: "/api/accounts/4?fields[accounts]=name&fields[calls]=subject",
				want: `{"data":` + bareObject("accounts", "4", name("Zeta")) + `}`},
		})
	})
}

// TestQuerySubresources: a to-many subresource is a collection of the related type with all of
// section 7.
func TestQuerySubresources(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		firstName := func(s string) string { return `"firstName":` + jsonText(s) }
		contact := func(id, first string) string { return resObject("contacts", id, firstName(first)) }
		u := apiHost + "/api/accounts/1/contacts"
		qRunDocs(t, env, []qDocCase{
			{name: "every member", path: "/api/accounts/1/contacts?fields[contacts]=firstName", links: true,
				want:  `{"data":[` + contact("1", "Ann") + `,` + contact("2", "bob") + `],"links":{"self":"` + u + `?fields%5Bcontacts%5D=firstName"}}`,
				total: "2"},
			{name: "filtered", path: "/api/accounts/2/contacts?filter[firstName][contains]=ANN&fields[contacts]=firstName",
				want:  `{"data":[` + bareObject("contacts", "3", firstName("ANNA")) + `]}`,
				total: "1"},
			{name: "filtered by an association", path: "/api/accounts/1/contacts?filter[accounts][contains]=1,2&fields[contacts]=firstName",
				want:  `{"data":[` + bareObject("contacts", "2", firstName("bob")) + `]}`,
				total: "1"},
			{name: "sorted and paged, page 1", path: "/api/accounts/1/contacts?sort=-id&page[size]=1&fields[contacts]=firstName", links: true,
				want: `{"data":[` + contact("2", "bob") + `],"links":{"self":"` + u + `?sort=-id&page%5Bsize%5D=1&fields%5Bcontacts%5D=firstName",` +
					`"next":"` + u + `?sort=-id&page%5Bsize%5D=1&fields%5Bcontacts%5D=firstName&page%5Bnumber%5D=2"}}`,
				total: "2"},
			{name: "sorted and paged, page 2", path: "/api/accounts/1/contacts?sort=-id&page[size]=1&page[number]=2&fields[contacts]=firstName", links: true,
				want: `{"data":[` + contact("1", "Ann") + `],"links":{"self":"` + u + `?sort=-id&page%5Bsize%5D=1&page%5Bnumber%5D=2&fields%5Bcontacts%5D=firstName",` +
					`"first":"` + u + `?sort=-id&page%5Bsize%5D=1&fields%5Bcontacts%5D=firstName","prev":"` + u + `?sort=-id&page%5Bsize%5D=1&fields%5Bcontacts%5D=firstName"}}`,
				total: "2"},
			{name: "the inverse side", path: "/api/contacts/2/accounts?filter[name]^acme&sort=-name&fields[accounts]=name",
				want:  `{"data":[` + bareObject("accounts", "2", `"name":"acme labs"`) + `,` + bareObject("accounts", "1", `"name":"Acme Corp"`) + `]}`,
				total: "2"},
			{name: "no members", path: "/api/contacts/4/accounts?fields[accounts]=name", want: `{"data":[]}`, total: "0"},
			{name: "include and meta", path: "/api/accounts/2/contacts?include=source&fields[contacts]=source&meta=title",
				want: `{"data":[` +
					withMeta(bareObject("contacts", "2", "", relData{"source", ident("contactsources", "call")}), qTitle("bob Baker")) + `,` +
					withMeta(bareObject("contacts", "3", "", relData{"source", ident("contactsources", "tv")}), qTitle("ANNA Cole")) + `],
					"included":[` +
					withMeta(bareObject("contactsources", "call", `"name":"Call"`), qTitle("Call")) + `,` + withMeta(bareObject("contactsources", "tv", `"name":"TV"`), qTitle("TV")) + `]}`,
				total: "2"},
			{name: "a to-one subresource accepts fields and meta", path: "/api/accounts/2/owner?fields[users]=username&meta=title",
				want: `{"data":` + withMeta(bareObject("users", "2", `"username":"jane"`), qTitle("Jane Roe")) + `}`},
		})
		t.Run("relationship endpoint: sorted, paged, counted", func(t *testing.T) {
			res := env.For(t).Do(apitest.Request{Path: "/api/accounts/1/relationships/contacts?sort=-id&page[size]=1",
				Header: map[string]string{"X-Include": "totalCount"}})
			res.Expect(t, http.StatusOK, `{"data":[{"type":"contacts","id":"2"}],"links":{"self":"`+apiHost+`/api/accounts/1/relationships/contacts",`+
				`"related":"`+apiHost+`/api/accounts/1/contacts","next":"`+apiHost+`/api/accounts/1/relationships/contacts?sort=-id&page%5Bsize%5D=1&page%5Bnumber%5D=2"}}`)
			if got := res.Header.Get("X-Include-Total-Count"); got != "2" {
				t.Fatalf("X-Include-Total-Count %q, want 2", got)
			}
		})
		t.Run("missing parent", func(t *testing.T) {
			env.For(t).Do(apitest.Request{Path: "/api/accounts/999/contacts?filter[firstName]=x"}).Expect(t, http.StatusNotFound, notFoundDoc)
		})
	})
}

// ---- DELETE of a collection ----

func TestQueryDeleteCollection(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		qSeed(t, env)
		counts := map[string]string{"X-Include": "deletedCount;totalCount"}
		noFilter := `{"errors":[{"status":"400","title":"filter constraint","detail":"At least one filter must be provided."}]}`
		tooMany := `{"errors":[{"status":"400","title":"filter constraint","detail":"The number of records to delete exceeds the limit of 100. Narrow the filters."}]}`
		ids := func(t *testing.T, path string, want []int) {
			t.Helper()
			res := env.For(t).Do(apitest.Request{Path: path, Header: qNoLinks})
			res.ExpectStatus(t, http.StatusOK)
			if got := idsOf(t, res); strings.Join(got, ",") != strings.Join(qStrings(want), ",") {
				t.Fatalf("%s: ids %v, want %v", path, got, want)
			}
		}
		// the rows run in order, each on what the previous ones left
		rows := []struct {
			name    string
			path    string
			header  map[string]string
			status  int
			want    string            // the error document ("" = 204 without a body)
			headers map[string]string // response headers ("" = absent)
			after   func(t *testing.T)
		}{
			{name: "no filter", path: "/api/accounts", header: counts, status: 400, want: noFilter,
				headers: map[string]string{"X-Include-Deleted-Count": "", "X-Include-Total-Count": ""}},
			{name: "only sort and paging", path: "/api/accounts?sort=name&page[size]=1", status: 400,
				want: `{"errors":[{"status":"400","title":"filter constraint","detail":"The query parameter \"sort\" is not supported here.","source":{"parameter":"sort"}},
					{"status":"400","title":"filter constraint","detail":"The query parameter \"page[size]\" is not supported here.","source":{"parameter":"page[size]"}},
					{"status":"400","title":"filter constraint","detail":"At least one filter must be provided."}]}`},
			{name: "a misspelt filter beside a valid one deletes nothing", path: "/api/accounts?filtr[id]=3&filter[name]~e", header: counts, status: 400,
				want:    `{"errors":[{"status":"400","title":"filter constraint","detail":"The query parameter \"filtr[id]\" is not supported here.","source":{"parameter":"filtr[id]"}}]}`,
				headers: map[string]string{"X-Include-Deleted-Count": ""}},
			{name: "a bad filter", path: "/api/accounts?filter[unknown]=1", header: counts, status: 400,
				want: errorsDoc(badFilter("filter[unknown]", "unknown")), headers: map[string]string{"X-Include-Deleted-Count": ""}},
			{name: "calls of a day", path: "/api/calls?filter[callDateTime]=2024-03-01", header: counts, status: 204,
				headers: map[string]string{"X-Include-Deleted-Count": "2", "X-Include-Total-Count": "2"},
				after: func(t *testing.T) {
					ids(t, "/api/calls", []int{3, 4, 5, 6, 7, 8})
					// the communication fields follow the deleted calls
					env.For(t).Do(apitest.Request{Path: "/api/accounts/1?fields[accounts]=timesContacted", Header: qNoLinks}).
						Expect(t, 200, `{"data":{"type":"accounts","id":"1","attributes":{"timesContacted":1}}}`)
				}},
			{name: "text filter", path: "/api/accounts?filter[name]~zeta", header: counts, status: 204,
				headers: map[string]string{"X-Include-Deleted-Count": "2", "X-Include-Total-Count": "2"},
				after:   func(t *testing.T) { ids(t, "/api/accounts", qExcept(11, 3, 4)) }},
			{name: "to-many filter, no counts asked", path: "/api/accounts?filter[contacts]=2", status: 204,
				headers: map[string]string{"X-Include-Deleted-Count": "", "X-Include-Total-Count": ""},
				after: func(t *testing.T) {
					ids(t, "/api/accounts", qRange(5, 11))
					env.For(t).Do(apitest.Request{Path: "/api/contacts/2?fields[contacts]=accounts", Header: qNoLinks}).
						Expect(t, 200, `{"data":{"type":"contacts","id":"2","relationships":{"accounts":{"data":[]}}}}`)
				}},
			{name: "several filters", path: "/api/accounts?filter[createdAt]=2024&filter[name]^5", header: counts, status: 204,
				headers: map[string]string{"X-Include-Deleted-Count": "2", "X-Include-Total-Count": "2"},
				after:   func(t *testing.T) { ids(t, "/api/accounts", []int{7, 8, 9, 10, 11}) }},
			{name: "nothing matches", path: "/api/accounts?filter[name]=nope", header: counts, status: 204,
				headers: map[string]string{"X-Include-Deleted-Count": "0", "X-Include-Total-Count": "0"}},
		}
		for _, r := range rows {
			t.Run(r.name, func(t *testing.T) {
				res := env.For(t).Do(apitest.Request{Method: http.MethodDelete, Path: r.path, Header: r.header})
				res.Expect(t, r.status, r.want)
				for k, v := range r.headers {
					if got := res.Header.Get(k); got != v {
						t.Fatalf("%s %q, want %q", k, got, v)
					}
				}
				if r.after != nil {
					r.after(t)
				}
			})
		}
		t.Run("more matches than the limit", func(t *testing.T) {
			now := env.DB.TimeValue(time.Now())
			err := env.DB.Gorm.Transaction(func(tx *gorm.DB) error {
				for i := 1; i <= 101; i++ {
					if err := tx.Exec("INSERT INTO accounts (name, owner_id, organization_id, created_at, updated_at) VALUES (?, 1, 1, ?, ?)",
						fmt.Sprintf("Bulk %03d", i), now, now).Error; err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			env := env.For(t)
			res := env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/accounts?filter[name]^bulk", Header: counts})
			res.Expect(t, 400, tooMany)
			for _, h := range []string{"X-Include-Deleted-Count", "X-Include-Total-Count"} {
				if got := res.Header.Get(h); got != "" {
					t.Fatalf("%s %q on an error", h, got)
				}
			}
			// nothing was deleted
			res = env.Do(apitest.Request{Path: "/api/accounts?filter[name]^bulk&page[size]=1&fields[accounts]=name", Header: map[string]string{"X-Include": "totalCount;noHateoas"}})
			res.Expect(t, 200, `{"data":[{"type":"accounts","id":"12","attributes":{"name":"Bulk 001"}}]}`)
			if got := res.Header.Get("X-Include-Total-Count"); got != "101" {
				t.Fatalf("X-Include-Total-Count %q, want 101", got)
			}
			// exactly the limit is fine
			res = env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/accounts?filter[name]^bulk&filter[name]!=Bulk%20101", Header: counts})
			res.Expect(t, 204, "")
			if got := res.Header.Get("X-Include-Deleted-Count"); got != "100" {
				t.Fatalf("X-Include-Deleted-Count %q, want 100", got)
			}
			ids(t, "/api/accounts?page[size]=-1", []int{7, 8, 9, 10, 11, 112})
		})
	})
}
