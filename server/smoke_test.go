package server_test

import (
	"testing"

	"webapi/server/apitest"
	"webapi/store/storetest"
)

func TestSmoke(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			env := apitest.New(t, b)
			res := env.Do(apitest.Request{Path: "/api/accounts"})
			if res.Status != 200 {
				t.Fatalf("status %d", res.Status)
			}
			res = env.Do(apitest.Request{Method: "POST", Path: "/api/accounts", Body: `{"data":{"type":"accounts","attributes":{"name":"Acme"}}}`})
			if res.Status != 201 {
				t.Fatalf("status %d %s", res.Status, res.Body)
			}
			for _, typ := range []string{"organizations", "businessunits", "userroles", "users", "contacts", "contactsources", "calls", "localizations", "currencies", "countries", "regions", "products", "productprices", "weightunits", "taxjurisdictions", "asyncoperations"} {
				env.Do(apitest.Request{Path: "/api/" + typ + "?meta=title"})
			}
		})
	}
}
