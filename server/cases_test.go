package server_test

import (
	"testing"

	"webapi/server/apitest"
)

// apiCase is one request and the exact response it must get.
type apiCase struct {
	name   string
	req    apitest.Request
	status int
	want   string            // the exact document; "" = no body
	header map[string]string // response headers that must have these values ("" = absent)
}

// invalidRequest marks a request that the document refuses (a parameter value that is not of its
// type or pattern, or outside its bounds): the validator must agree, and the server answers
// with its own error.
func invalidRequest(r apitest.Request) apitest.Request {
	r.Invalid = true
	return r
}

// runCases runs each case as a subtest over the same server, in order (not in parallel: a row
// may rely on what the rows before it wrote).
func runCases(t *testing.T, env *apitest.Env, cases []apiCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := env.For(t).Do(c.req)
			res.Expect(t, c.status, c.want)
			for k, v := range c.header {
				if got := res.Header.Get(k); got != v {
					t.Fatalf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}
