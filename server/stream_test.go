package server_test

// page[size]=-1 is read in keyset chunks (api.md section 20): whatever the sort, the streamed
// list is exactly the concatenation of the pages, across chunk boundaries, ties and NULLs.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/server/jsonapi"
	"webapi/store"
	"webapi/store/storetest"
)

// stSeedContacts inserts n contacts whose sort fields repeat (ties broken by id), are NULL for
// some, and differ in case and accents, in a few statements.
func stSeedContacts(t *testing.T, db *store.DB, n int) {
	t.Helper()
	last := []any{"Smith", "smith", "Ärzte", "Zeta", nil, "adams", "Ñandú", "O'Brien", ""}
	first := []any{"Ann", nil, "bob", "Ann", "Éva"}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for start := 0; start < n; start += 400 {
		var rows []string
		var args []any
		for i := start; i < min(n, start+400); i++ {
			var birthday any
			if i%7 != 0 {
				birthday = db.DateValue(base.AddDate(0, 0, i%40))
			}
			at := db.TimeValue(base.Add(time.Duration(i%90) * time.Minute))
			rows = append(rows, "(?, ?, ?, ?, 1, 1, ?, ?)")
			args = append(args, first[i%len(first)], last[i%len(last)], birthday, i%13, at, at)
		}
		err := db.Gorm.Exec("INSERT INTO contacts (first_name, last_name, birthday, times_contacted, owner_id, organization_id, created_at, updated_at) VALUES "+
			strings.Join(rows, ", "), args...).Error
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestUnpagedListIsThePages(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		const n = 2600 // three chunks of 1,000
		stSeedContacts(t, env.DB, n)
		noLinks := map[string]string{"X-Include": "noHateoas"}
		for _, sort := range []string{"", "-id", "lastName", "-lastName", "lastName,-firstName", "-birthday,firstName",
			"timesContacted,-createdAt", "-updatedAt,-lastName,firstName"} {
			t.Run("sort="+sort, func(t *testing.T) {
				q := "fields[contacts]=lastName"
				if sort != "" {
					q += "&sort=" + sort
				}
				all := idsOf(t, env.For(t).Do(apitest.Request{Path: "/api/contacts?page[size]=-1&" + q, Header: noLinks}))
				var pages []string
				for p := 1; p <= 3; p++ {
					pages = append(pages, idsOf(t, env.For(t).Do(apitest.Request{
						Path: fmt.Sprintf("/api/contacts?page[size]=1000&page[number]=%d&%s", p, q), Header: noLinks}))...)
				}
				if len(all) != n || strings.Join(all, ",") != strings.Join(pages, ",") {
					t.Fatalf("the unpaged list (%d records) differs from the pages (%d records)", len(all), len(pages))
				}
			})
		}
		// with a filter and included resources: the included ones appear once each
		res := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts",
			Body: `{"data":{"type":"accounts","attributes":{"name":"Holder"},"relationships":{"contacts":{"data":[{"type":"contacts","id":"1"},{"type":"contacts","id":"2"}]}}}}`})
		res.ExpectStatus(t, http.StatusCreated)
		res = env.Do(apitest.Request{Path: "/api/contacts?page[size]=-1&filter[id]<=1500&include=accounts&fields[contacts]=accounts", Header: noLinks})
		var doc struct {
			Data     []json.RawMessage
			Included []struct{ Type, ID string }
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Data) != 1500 || len(doc.Included) != 1 || doc.Included[0].ID != "1" {
			t.Fatalf("%d records, included %v", len(doc.Data), doc.Included)
		}
	})
}

func TestIncludedResourcesBounded(t *testing.T) {
	t.Parallel()
	lim := jsonapi.Limits{MaxIncluded: 5}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			env := apitest.NewWith(t, b, store.DefaultLimits, server.Config{Limits: lim})
			stSeedContacts(t, env.DB, 8)
			for i := 1; i <= 8; i++ {
				env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: fmt.Sprintf(
					`{"data":{"type":"accounts","attributes":{"name":"A%d"},"relationships":{"contacts":{"data":[{"type":"contacts","id":"%d"}]}}}}`, i, i)}).
					ExpectStatus(t, http.StatusCreated)
			}
			tooMany := errorDoc(400, "filter constraint", "The number of included resources exceeds 5.", atParam("include"))
			noLinks := map[string]string{"X-Include": "noHateoas"}
			env.Do(apitest.Request{Path: "/api/contacts?page[size]=5&include=accounts&fields[contacts]=accounts&fields[accounts]=name", Header: noLinks}).
				ExpectStatus(t, http.StatusOK)
			env.Do(apitest.Request{Path: "/api/contacts?page[size]=6&include=accounts", Header: noLinks}).Expect(t, 400, tooMany)
			env.Do(apitest.Request{Path: "/api/contacts?page[size]=-1&include=accounts", Header: noLinks}).Expect(t, 400, tooMany)
			// the resources of the primary data are not counted again
			env.Do(apitest.Request{Path: "/api/contacts?page[size]=-1&filter[id]<=5&include=accounts.contacts", Header: noLinks}).
				ExpectStatus(t, http.StatusOK)
		})
	}
}
