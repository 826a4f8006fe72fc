package server_test

import (
	"testing"

	"webapi/server/apitest"
	"webapi/store/storetest"
)

// createdAt and updatedAt are set by the server: values sent for them are ignored, not refused
// (api.md section 3). The document marks them readOnly, so such requests are Tolerated.
func TestTimestampsSentAreIgnored(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			env := apitest.New(t, b)
			res := env.Do(apitest.Request{Method: "POST", Path: "/api/accounts", Invalid: true, Tolerated: true,
				Body: `{"data":{"type":"accounts","attributes":{"name":"Acme","createdAt":"2000-01-01T00:00:00Z","updatedAt":"2000-01-01T00:00:00Z"}}}`})
			res.ExpectStatus(t, 201)
			created, _ := attrOf(t, res, "createdAt").(string)
			updated, _ := attrOf(t, res, "updatedAt").(string)
			if created == "2000-01-01T00:00:00Z" || updated == "2000-01-01T00:00:00Z" || created != updated {
				t.Fatalf("createdAt %q, updatedAt %q: the sent values must be ignored", created, updated)
			}
			id, _ := dataOf(t, res)["id"].(string)
			res = env.Do(apitest.Request{Method: "PATCH", Path: "/api/accounts/" + id, Invalid: true, Tolerated: true,
				Body: `{"data":{"type":"accounts","id":"` + id + `","attributes":{"createdAt":"2001-01-01T00:00:00Z"}}}`})
			res.ExpectStatus(t, 200)
			if got := attrOf(t, res, "createdAt"); got != created {
				t.Fatalf("createdAt changed to %v, want %s", got, created)
			}
		})
	}
}
