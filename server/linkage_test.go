package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"webapi/server/apitest"
)

// The linkage of a to-many relationship inside a document is capped (1000 identifiers by
// default); the relationship endpoint pages through all of them.
func TestLinkageLimit(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		now := env.DB.TimeValue(time.Now())
		values := make([]string, 1001)
		var args []any
		for i := range values {
			values[i] = "(?, 1, 1, ?, ?)"
			args = append(args, "C", now, now)
		}
		db := env.DB.Gorm
		if err := db.Exec("INSERT INTO contacts (first_name, owner_id, organization_id, created_at, updated_at) VALUES "+strings.Join(values, ", "), args...).Error; err != nil {
			t.Fatal(err)
		}
		env.Do(apitest.Request{Method: "POST", Path: "/api/accounts", Body: `{"data":{"type":"accounts","attributes":{"name":"Big"}}}`}).ExpectStatus(t, 201)
		if err := db.Exec("INSERT INTO account_contacts (account_id, contact_id) SELECT 1, id FROM contacts").Error; err != nil {
			t.Fatal(err)
		}

		var doc struct {
			Data struct {
				Relationships struct {
					Contacts struct {
						Data []struct{ ID string } `json:"data"`
					} `json:"contacts"`
				} `json:"relationships"`
			} `json:"data"`
		}
		res := env.Do(apitest.Request{Path: "/api/accounts/1?fields[accounts]=contacts"})
		res.ExpectStatus(t, 200)
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		if got := doc.Data.Relationships.Contacts.Data; len(got) != 1000 || got[0].ID != "1" || got[999].ID != "1000" {
			t.Fatalf("linkage of %d contacts in the document, want the first 1000", len(got))
		}

		res = env.Do(apitest.Request{Path: "/api/accounts/1/relationships/contacts?page[size]=-1", Header: map[string]string{"X-Include": "totalCount"}})
		res.ExpectStatus(t, 200)
		if ids := idsOf(t, res); len(ids) != 1001 || res.Header.Get("X-Include-Total-Count") != "1001" {
			t.Fatalf("the relationship endpoint gave %d identifiers (total %s), want 1001", len(ids), res.Header.Get("X-Include-Total-Count"))
		}
	})
}
