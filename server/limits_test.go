package server_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"webapi/server/apitest"
)

// Lists longer than databases take as statement parameters are refused (filters) or read in
// chunks (relationship checks) instead of failing with a 500.
func TestLongLists(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		ids := make([]string, 1001)
		for i := range ids {
			ids[i] = strconv.Itoa(i + 1)
		}
		res := env.Do(apitest.Request{Path: "/api/accounts?filter[id]=" + strings.Join(ids, ",")})
		res.Expect(t, 400, `{"errors":[{"status":"400","title":"filter constraint","detail":"A filter accepts at most 1000 values.","source":{"parameter":"filter[id]"}}]}`)
		res = env.Do(apitest.Request{Path: "/api/accounts?filter[id]=" + strings.Join(ids[:1000], ",")})
		res.Expect(t, 200, `{"data":[],"links":{"self":"<any>"}}`)

		// 700 related ids that do not exist: the first 100 are reported, with their positions, and
		// one more error says how many were left out (api.md section 20)
		var related []string
		var errs []apiError
		for i := range 700 {
			related = append(related, fmt.Sprint(100000+i))
			if i < 100 {
				errs = append(errs, noEntity(fmt.Sprintf("%s/%d", linkAt("contacts"), i)))
			}
		}
		errs = append(errs, apiError{title: "too many errors", detail: "600 more errors were left out: a response lists at most 100."})
		res = env.Do(apitest.Request{Method: "POST", Path: "/api/accounts",
			Body: writeDoc("accounts", "", `{"name":"Many"}`, `{"contacts":{"data":`+idents("contacts", related...)+`}}`)})
		res.Expect(t, 400, errorsDoc(errs...))
	})
}
