// Package apitest runs HTTP requests against the server in tests and validates every request
// and every response against the OpenAPI document with openapi3filter: a response the document
// does not describe fails the test, and so does a request whose validity the test misjudged.
package apitest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"

	"webapi/gen"
	"webapi/server"
	"webapi/server/settings"
	"webapi/store"
	"webapi/store/storetest"
)

var (
	loadOnce sync.Once
	doc      *openapi3.T
	router   routers.Router
	loadErr  error
)

// decimalPattern is the syntax of format: decimal (a JSON string such as "12.5000").
var decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// uriPattern is an absolute URI of RFC 3986 (scheme, authority, path, query, fragment): only the
// characters each part allows literally, or %XX. "[", "]", "<", ">", "^", spaces and non-ASCII
// must be percent-encoded in a path or a query.
var uriPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://` +
	`(?:[A-Za-z0-9._~!$&'()*+,;=:@\[\]-]|%[0-9A-Fa-f]{2})*` + // authority ("[ ]" for IPv6 literals)
	`(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)*` + // path
	`(?:\?(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?` + // query
	`(?:#(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$`) // fragment

// emailPattern is the e-mail syntax the server enforces (HTML5).
var emailPattern = regexp.MustCompile(`^[a-zA-Z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$`)

func load() (*openapi3.T, routers.Router, error) {
	loadOnce.Do(func() {
		openapi3.DefineStringFormatValidator("decimal", openapi3.NewCallbackValidator(func(s string) error {
			if !decimalPattern.MatchString(s) {
				return fmt.Errorf("not a decimal: %q", s)
			}
			return nil
		}))
		openapi3.DefineStringFormatValidator("email", openapi3.NewCallbackValidator(func(s string) error {
			if !emailPattern.MatchString(s) {
				return fmt.Errorf("not an e-mail address: %q", s)
			}
			return nil
		}))
		openapi3.DefineStringFormatValidator("uri", openapi3.NewCallbackValidator(func(s string) error {
			u, err := url.Parse(s)
			if err != nil || !u.IsAbs() || !uriPattern.MatchString(s) {
				return fmt.Errorf("not an absolute URI (RFC 3986): %q", s)
			}
			return nil
		}))
		// the pages of the OAuth 2.0 authorize endpoint are HTML, described as strings
		openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
		loader := openapi3.NewLoader()
		doc, loadErr = loader.LoadFromData(gen.SpecJSON)
		if loadErr != nil {
			return
		}
		// The router matches paths only; the document's server list is irrelevant in tests.
		doc.Servers = nil
		router, loadErr = gorillamux.NewRouter(doc)
	})
	return doc, router, loadErr
}

// Document is the OpenAPI document the server was generated from, loaded once per process with
// the string formats the server enforces (decimal, email, uri); callers must not change it.
func Document() (*openapi3.T, error) {
	doc, _, err := load()
	return doc, err
}

// Route finds the operation of the document that r asks for (HEAD finds GET's), with the
// values of its path parameters; the error says why there is none.
func Route(r *http.Request) (*routers.Route, map[string]string, error) {
	_, router, err := load()
	if err != nil {
		return nil, nil, err
	}
	if r.Method == http.MethodHead {
		r = r.Clone(context.Background())
		r.Method = http.MethodGet
	}
	return router.FindRoute(r)
}

// Env is a server over a fresh, isolated database of one backend.
type Env struct {
	T       testing.TB
	DB      *store.DB
	Handler *echo.Echo
	// Auth is the Authorization header of every request that does not send its own: the
	// administrator's (user 1) unless the Env is As another user.
	Auth   string
	tokens *tokens
}

// New starts a server over a new database of backend b.
func New(t testing.TB, b storetest.Backend) *Env {
	t.Helper()
	return NewWith(t, b, store.DefaultLimits, server.Config{})
}

// NewWith starts a server over a new database of backend b opened with the given limits, with
// the given configuration (without a logger of its own, a silent one).
func NewWith(t testing.TB, b storetest.Backend, limits store.Limits, cfg server.Config) *Env {
	t.Helper()
	if _, _, err := load(); err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	db := storetest.OpenWith(t, b, limits)
	// a fresh installation has the API switched off (api.md section 18): the tests switch it on
	if err := settings.SetAPIEnabled(context.Background(), db, 0, true); err != nil {
		t.Fatalf("switch the API on: %v", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := Secure(db, &cfg); err != nil {
		t.Fatalf("authentication: %v", err)
	}
	// with cfg.Jobs.Workers, the batch API's workers run in the test's process
	e, svc, err := server.NewWithJobs(db, cfg)
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatalf("batch workers: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := svc.Stop(ctx); err != nil {
			t.Errorf("stop the batch workers: %v", err)
		}
	})
	env := &Env{T: t, DB: db, Handler: e, tokens: &tokens{byUser: map[int64]string{}}}
	env.Auth = env.token(t, 1) // the administrator
	return env
}

// EachBackend runs fn, in parallel, with a server over a fresh database of every backend.
func EachBackend(t *testing.T, fn func(t *testing.T, env *Env)) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, New(t, b))
		})
	}
}

// For is the same server and database reporting to t (table rows run as subtests of one
// server).
func (e *Env) For(t testing.TB) *Env {
	c := *e
	c.T = t
	return &c
}

// Request is one request of a test.
type Request struct {
	Method string
	Path   string // with the raw query string
	Header map[string]string
	Body   string
	// Invalid says that the request violates the document on purpose (an error case); the
	// validator must agree, and the server must refuse it — unless Tolerated.
	Invalid bool
	// Tolerated marks an invalid request that the server accepts on purpose because it ignores
	// the offending values (createdAt and updatedAt sent on a write, api.md section 3).
	Tolerated bool
}

// Response is what the server answered.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r *Response) JSON(t testing.TB) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("response body is not JSON: %v\n%s", err, r.Body)
	}
	return v
}

// Do sends the request and validates request and response against the document.
func (e *Env) Do(req Request) *Response {
	t := e.T
	t.Helper()
	req, hreq, res := e.send(req)
	if err := validate(req, hreq, res); err != nil {
		t.Fatalf("%s %s → %d: %v\nresponse: %s", req.Method, req.Path, res.Status, err, truncate(res.Body))
	}
	return res
}

// DoParallel sends all the requests at once, each from its own goroutine, waits for every
// answer and then validates each exchange as Do does. The responses are in request order.
func (e *Env) DoParallel(reqs []Request) []*Response {
	t := e.T
	t.Helper()
	type exchange struct {
		req  Request
		hreq *http.Request
		res  *Response
	}
	out := make([]exchange, len(reqs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i].req, out[i].hreq, out[i].res = e.send(reqs[i])
		}()
	}
	close(start)
	wg.Wait()
	res := make([]*Response, len(reqs))
	for i, x := range out {
		if err := validate(x.req, x.hreq, x.res); err != nil {
			t.Fatalf("%s %s → %d: %v\nresponse: %s", x.req.Method, x.req.Path, x.res.Status, err, truncate(x.res.Body))
		}
		res[i] = x.res
	}
	return res
}

// Send sends the request over a real connection to the server at base (an httptest.Server of
// e.Handler, say: for what needs a socket, such as slow clients) and validates the exchange as
// Do does. It reports problems as errors, so that it can run in any goroutine.
func (e *Env) Send(client *http.Client, base string, req Request) (*Response, error) {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	hreq, err := http.NewRequest(req.Method, base+req.Path, strings.NewReader(req.Body))
	if err != nil {
		return nil, err
	}
	for k, v := range req.Header {
		hreq.Header.Set(k, v)
	}
	e.authorize(hreq.Header, req)
	if req.Body != "" && hreq.Header.Get("Content-Type") == "" {
		hreq.Header.Set("Content-Type", "application/vnd.api+json")
	}
	hres, err := client.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer hres.Body.Close()
	body, err := io.ReadAll(hres.Body)
	if err != nil {
		return nil, err
	}
	res := &Response{Status: hres.StatusCode, Header: hres.Header, Body: body}
	if err := validate(req, hreq, res); err != nil {
		return res, fmt.Errorf("%s %s → %d: %v\nresponse: %s", req.Method, req.Path, res.Status, err, truncate(res.Body))
	}
	return res, nil
}

// send serves one request without validating it.
func (e *Env) send(req Request) (Request, *http.Request, *Response) {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	hreq := httptest.NewRequest(req.Method, "http://api.test"+req.Path, strings.NewReader(req.Body))
	hasCT := false
	for k, v := range req.Header {
		hreq.Header.Set(k, v)
		hasCT = hasCT || strings.EqualFold(k, "Content-Type")
	}
	e.authorize(hreq.Header, req)
	if req.Body != "" && !hasCT {
		hreq.Header.Set("Content-Type", "application/vnd.api+json")
	}
	rec := httptest.NewRecorder()
	e.Handler.ServeHTTP(rec, hreq)
	return req, hreq, &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// validate checks the exchange against the document.
func validate(req Request, hreq *http.Request, res *Response) error {
	_, router, _ := load()
	vreq := hreq.Clone(context.Background())
	vreq.Body = io.NopCloser(strings.NewReader(req.Body))
	if vreq.Method == http.MethodHead {
		vreq.Method = http.MethodGet
	}
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		return validateUnrouted(req.Method, res, err)
	}
	input := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	reqErr := openapi3filter.ValidateRequest(context.Background(), input)
	switch {
	case req.Invalid && reqErr == nil:
		return fmt.Errorf("the test marks the request invalid, but the document accepts it")
	case !req.Invalid && reqErr != nil:
		return fmt.Errorf("the request violates the document: %v", reqErr)
	case req.Invalid && res.Status < 400 && !req.Tolerated:
		return fmt.Errorf("the document rejects the request, but the server accepted it")
	}
	return validateResponse(input, hreq.Method, res)
}

// ValidateResponse checks the server's answer to hreq against the document, whatever the
// request was (it is not itself validated: fuzzed requests are mostly invalid on purpose): the
// status must be one the operation declares, and the headers and the body must match that
// response's schemas. A request that matches no operation must be refused with a valid error
// document, or 405 with Allow and no body (or be OPTIONS). hreq's body is not read.
func ValidateResponse(hreq *http.Request, res *Response) error {
	_, router, err := load()
	if err != nil {
		return err
	}
	vreq := hreq.Clone(context.Background())
	vreq.Body = http.NoBody
	if vreq.Method == http.MethodHead {
		vreq.Method = http.MethodGet
	}
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		return validateUnrouted(hreq.Method, res, err)
	}
	input := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	return validateResponse(input, hreq.Method, res)
}

// validateUnrouted checks the answer to a request that is not an operation of the document (an
// unknown path, a method the path does not have, OPTIONS): the server must refuse or answer
// OPTIONS, and any body is an error document.
func validateUnrouted(method string, res *Response, routeErr error) error {
	if method == http.MethodOptions && res.Status == http.StatusOK && len(res.Body) == 0 {
		return nil
	}
	if res.Status != http.StatusNotFound && res.Status != http.StatusMethodNotAllowed {
		return fmt.Errorf("no operation in the document for this request (%v), but the server answered %d", routeErr, res.Status)
	}
	if res.Status == http.StatusMethodNotAllowed {
		if len(res.Body) != 0 || res.Header.Get("Allow") == "" {
			return fmt.Errorf("a 405 must have an Allow header and no body")
		}
		return nil
	}
	if method == http.MethodHead && len(res.Body) == 0 {
		return nil // over a connection HEAD answers carry no body
	}
	return ValidateErrorDocument(res)
}

// validateResponse checks the response to the operation of input (method is the request's: a
// HEAD response is checked as the GET's without its body).
func validateResponse(input *openapi3filter.RequestValidationInput, method string, res *Response) error {
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: input, Status: res.Status, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if method == http.MethodHead {
		out.Options.ExcludeResponseBody = true
	}
	out.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("the response violates the document: %v", err)
	}
	return strictCheckResponse(input.Route, method, res) // strict.go
}

// DoUnlisted sends a request to a route that is not an operation of the document (health checks,
// a route a test adds): an error response under /api/ must still be a valid error document.
func (e *Env) DoUnlisted(req Request) *Response {
	t := e.T
	t.Helper()
	hreq := httptest.NewRequest(req.Method, "http://api.test"+req.Path, strings.NewReader(req.Body))
	for k, v := range req.Header {
		hreq.Header.Set(k, v)
	}
	e.authorize(hreq.Header, req)
	rec := httptest.NewRecorder()
	e.Handler.ServeHTTP(rec, hreq)
	res := &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if res.Status >= 400 && strings.HasPrefix(req.Path, "/api/") {
		if err := ValidateErrorDocument(res); err != nil {
			t.Fatalf("%s %s → %d: %v\nresponse: %s", req.Method, req.Path, res.Status, err, truncate(res.Body))
		}
	}
	return res
}

// Check validates an exchange that a test made by other means than Do (a raw connection that
// sends a malformed request, say) against the document, as Do does.
func Check(req Request, res *Response) error {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	hreq := httptest.NewRequest(req.Method, "http://api.test"+req.Path, strings.NewReader(req.Body))
	for k, v := range req.Header {
		hreq.Header.Set(k, v)
	}
	return validate(req, hreq, res)
}

// ValidateErrorDocument checks the body of an error response against the error schema of its
// Content-Type: ErrorDocument for application/vnd.api+json, PlainErrors for application/json
// (the plain format). Any other Content-Type is itself an error.
func ValidateErrorDocument(res *Response) error {
	doc, _, _ := load()
	if len(res.Body) == 0 {
		return fmt.Errorf("an error response without a body")
	}
	var v any
	if err := json.Unmarshal(res.Body, &v); err != nil {
		return fmt.Errorf("error body is not JSON: %v", err)
	}
	var name string
	switch mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mt {
	case "application/vnd.api+json":
		name = "ErrorDocument"
	case "application/json":
		name = "PlainErrors"
	default:
		return fmt.Errorf("an error response with Content-Type %q", res.Header.Get("Content-Type"))
	}
	if err := doc.Components.Schemas[name].Value.VisitJSON(v); err != nil {
		return err
	}
	return strictCheckErrorDocument(name, res.Body) // strict.go
}

// Transport is an http.RoundTripper that sends requests through Do, so that a client (such as
// the generated Go client) talks to the server with every exchange validated.
func (e *Env) Transport() http.RoundTripper { return roundTripper{e} }

type roundTripper struct{ env *Env }

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
	}
	header := map[string]string{}
	for k := range r.Header {
		header[k] = r.Header.Get(k)
	}
	res := rt.env.Do(Request{Method: r.Method, Path: r.URL.RequestURI(), Header: header, Body: string(body)})
	return &http.Response{StatusCode: res.Status, Status: http.StatusText(res.Status), Header: res.Header,
		Body: io.NopCloser(strings.NewReader(string(res.Body))), ContentLength: int64(len(res.Body)), Request: r,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
}
