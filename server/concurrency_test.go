package server_test

import (
	"fmt"
	"testing"

	"webapi/server/apitest"
)

// Many requests at once — writes with included resources, and reads of products, whose
// localized names need a second query — all succeed: no request waits for a second database
// connection while it holds one, so the capped pool cannot deadlock.
func TestConcurrentRequests(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		env.Do(apitest.Request{Method: "POST", Path: "/api/products",
			Body: `{"data":{"type":"products","attributes":{"sku":"P-1","names":[{"localization":null,"value":"Chair"},{"localization":"2","value":"Stuhl"}]}}}`}).ExpectStatus(t, 201)
		t.Run("parallel", func(t *testing.T) {
			for i := range 40 {
				t.Run(fmt.Sprint(i), func(t *testing.T) {
					t.Parallel()
					e := env.For(t)
					e.Do(apitest.Request{Method: "POST", Path: "/api/accounts", Body: fmt.Sprintf(`{"data":{"type":"accounts","attributes":{"name":"A%d"},
						"relationships":{"contacts":{"data":[{"type":"contacts","id":"c"}]}}},
						"included":[{"type":"contacts","id":"c","attributes":{"firstName":"C%d"}}]}`, i, i)}).ExpectStatus(t, 201)
					res := e.Do(apitest.Request{Path: "/api/products/1?fields[products]=name", Header: map[string]string{"X-Localization-ID": "2"}})
					res.Expect(t, 200, `{"data":{"type":"products","id":"1","links":{"self":"http://api.test/api/products/1"},"attributes":{"name":"Stuhl"}},
						"links":{"self":"http://api.test/api/products/1?fields%5Bproducts%5D=name"}}`)
				})
			}
		})
		res := env.Do(apitest.Request{Path: "/api/accounts?page[size]=1", Header: map[string]string{"X-Include": "totalCount"}})
		res.ExpectStatus(t, 200)
		if got := res.Header.Get("X-Include-Total-Count"); got != "40" {
			t.Fatalf("%s accounts, want 40", got)
		}
	})
}
