package oauth

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzReadTokenForm: whatever a client sends as the body of a token request, reading it never
// panics, and what it accepts is at most maxParams parameters, each once, of UTF-8 text without
// control characters (what fosite and the error messages then rely on).
func FuzzReadTokenForm(f *testing.F) {
	for _, s := range []string{
		"grant_type=client_credentials&client_id=a&client_secret=b",
		"grant_type=password&username=%00&password=x",
		"a=1&a=2", "%zz", "",
		`{"grant_type":"client_credentials","client_id":"a"}`,
		`{"a":"1","a":"2"}`, `{"a":1}`, `{"a":{"b":"c"}}`, `[]`, `{"a":"\u0000"}`, `{"a":"b"} x`, `{"\ud800":"x"}`,
	} {
		f.Add(s, strings.HasPrefix(s, "{") || strings.HasPrefix(s, "["))
	}
	f.Fuzz(func(t *testing.T, body string, asJSON bool) {
		r := httptest.NewRequest("POST", "/oauth2-token", strings.NewReader(body))
		if asJSON {
			r.Header.Set("Content-Type", "application/json")
		} else {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		form, rerr := readTokenForm(r)
		if rerr != nil {
			if form != nil || rerr.ErrorField != "invalid_request" {
				t.Fatalf("refused with %q and a form %v", rerr.ErrorField, form)
			}
			return
		}
		if len(form) > maxParams {
			t.Fatalf("%d parameters accepted", len(form))
		}
		for k, vs := range form {
			if len(vs) != 1 || !plainText(k) || !plainText(vs[0]) {
				t.Fatalf("accepted %q: %q", k, vs)
			}
		}
	})
}
