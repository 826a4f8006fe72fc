package jsonapi

import (
	"bytes"
	"net/http/httptest"
	"testing"
)

// FuzzWriteDocument: no request body may panic the reading and validation of a write request
// (JSON:API or plain), and every problem it reports is a client error.
func FuzzWriteDocument(f *testing.F) {
	for _, s := range []string{
		`{"data":{"type":"things","attributes":{"name":"a","count":1,"ratio":1.5,"price":"1.25","on":true,"day":"2024-01-02","at":"2024-01-02T03:04:05Z","color":"red","data":{"a":[1]}},"relationships":{"owner":{"data":{"type":"codes","id":"x"}},"parts":{"data":[{"type":"things","id":"local"}]}}},"included":[{"type":"things","id":"local","attributes":{"name":"b"}}]}`,
		`{"data":{"type":"things","meta":{"upsert":["name"],"validate":true}}}`,
		`{"data":[],"included":{}}`, `{"data":{"type":"things","relationships":{"parts":{"data":null}}}}`, `{"name":"x","owner":"y","parts":[1,"2"]}`, `null`, `[]`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	s, r := testSchema(f)
	r.Methods = Methods{Create: true, Update: true}
	r.Upsert = Upsert{Fields: [][]string{{"name"}}}
	api := &API{Schema: s, Limits: DefaultLimits}
	f.Fuzz(func(t *testing.T, body []byte, plain bool) {
		req := httptest.NewRequest("POST", "/api/things", bytes.NewReader(body))
		req.Header.Set("Content-Type", MediaType)
		in, included, err := readBody(req, r, plain)
		if err != nil {
			for _, e := range asErrors(err, "") {
				if e.Status >= 500 {
					t.Fatalf("server error for a body: %v", e)
				}
			}
			return
		}
		_, errs := api.parseRequest(r, in, included, false)
		for _, e := range errs {
			if e.Status >= 500 || e.Status < 400 {
				t.Fatalf("status %d for a body: %v", e.Status, e)
			}
		}
	})
}
