package server_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/server/settings"
	"webapi/store"
	"webapi/store/storetest"
)

// pathNotFoundDoc is the 404 of a path that does not exist.
const pathNotFoundDoc = `{"errors":[{"status":"404","title":"not found http exception","detail":"The requested resource does not exist."}]}`

// The API's switch (api.md section 18), globally and per organization: where it is off, /api/
// answers exactly as a path that does not exist, credentials or not, OPTIONS included; off
// everywhere, the documents go too; the health checks stay. The settings are read at most a
// nanosecond old here, so each change shows on the next request.
func TestAPISwitch(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			env := apitest.NewWith(t, b, store.DefaultLimits, server.Config{Settings: &settings.Cache{MaxAge: time.Nanosecond}})
			second := newAdministrator(t, env, "Second")
			org2, _ := strconv.ParseInt(second.org, 10, 64)
			set := func(org int64, on bool) {
				t.Helper()
				if err := settings.SetAPIEnabled(context.Background(), env.DB, org, on); err != nil {
					t.Fatal(err)
				}
			}
			anonymous := map[string]string{"Authorization": ""}
			on := func(c *apitest.Env) {
				t.Helper()
				c.Do(apitest.Request{Path: "/api/accounts"}).ExpectStatus(t, 200)
			}
			off := func(c *apitest.Env) {
				t.Helper()
				c.Do(apitest.Request{Path: "/api/accounts"}).Expect(t, 404, pathNotFoundDoc)
				c.Do(apitest.Request{Path: "/api/accounts/1"}).Expect(t, 404, pathNotFoundDoc)
				c.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: accountOwnedBy("X", "")}).Expect(t, 404, pathNotFoundDoc)
				c.Do(apitest.Request{Method: http.MethodOptions, Path: "/api/accounts"}).Expect(t, 404, pathNotFoundDoc)
			}
			on(env)
			on(second.Env)

			// off globally, on for no organization: nothing under /api/, whoever asks
			set(0, false)
			off(env)
			off(second.Env)
			for _, path := range []string{"/api/accounts", "/api/doc/openapi.json", "/api/doc/openapi.yaml"} {
				env.Do(apitest.Request{Path: path, Header: anonymous}).Expect(t, 404, pathNotFoundDoc)
			}
			env.Do(apitest.Request{Method: http.MethodOptions, Path: "/api/accounts", Header: anonymous}).Expect(t, 404, pathNotFoundDoc)
			if res := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: "/healthz"}); res.Status != 200 {
				t.Fatalf("/healthz: %d", res.Status)
			}

			// off globally, on for the second organization: only its callers have the API
			set(org2, true)
			off(env)
			on(second.Env)
			env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: "/api/doc/openapi.json", Header: anonymous}).ExpectStatus(t, 200)
			env.Do(apitest.Request{Path: "/api/accounts", Header: anonymous}).ExpectStatus(t, 401)

			// on globally, off for the second organization (its setting overrides)
			set(0, true)
			set(org2, false)
			on(env)
			off(second.Env)
		})
	}
}
