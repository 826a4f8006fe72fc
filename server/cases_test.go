package server_test

import (
	"fmt"
	"net/url"
	"strings"
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

// runCases runs each case as a subtest over the same server, in order.
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

// uriOf is a link as the server writes it for a URL or path as a test sends it: its query
// percent-encoded as RFC 3986 requires (api.md section 20), each parameter decoded first, so
// uriOf of a link is that link. Written independently of the server's encoder.
func uriOf(u string) string {
	const literal = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$'()*,;=:@/?"
	path, query, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	var parts []string
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		if dec, err := url.QueryUnescape(part); err == nil {
			part = dec
		}
		var b strings.Builder
		for _, c := range []byte(part) {
			if strings.IndexByte(literal, c) >= 0 {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
		parts = append(parts, b.String())
	}
	return path + "?" + strings.Join(parts, "&")
}
