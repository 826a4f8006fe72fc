// Package server builds the HTTP server: echo with its middleware, the generated routes filled
// by the JSON:API engine, the method rules of api.md section 3 (HEAD, OPTIONS, 405 with Allow),
// the schema documents, the sandbox page and the health endpoints.
package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"webapi/gen"
	"webapi/server/auth"
	"webapi/server/batch"
	"webapi/server/jsonapi"
	"webapi/server/oauth"
	"webapi/server/resources"
	"webapi/server/sandbox"
	"webapi/server/search"
	"webapi/server/settings"
	"webapi/store"
)

// Config configures the server.
type Config struct {
	Logger *slog.Logger
	// AccessLog, when set, takes the line every request logs, in the form of slog's JSON handler
	// (what Logger would write with one), appended by hand: a fifth of the handler's cost (0.43
	// against 1.9 µs). One Write per line, from many goroutines at once. The serve command gives
	// it the writer under its JSON Logger. When nil the lines go to Logger.
	AccessLog   io.Writer
	BodyLimit   int64    // bytes; default 10 MiB
	CORSOrigins []string // allowed CORS origins; none by default
	Limits      jsonapi.Limits
	// RequestTimeout is every request's deadline, enforced on its SQL statements too (30 s).
	RequestTimeout time.Duration
	// ReadTimeout bounds the reading of a request's body (60 s; slower → 408).
	ReadTimeout time.Duration
	// Schemes verify the credentials of API requests (OAuth 2.0 bearer tokens, WSSE).
	Schemes []auth.Scheme
	// AuthMaxAge is how long principals are trusted while this process changes nothing
	// (auth.DefaultMaxAge when zero): the delay of a change made by another process.
	AuthMaxAge time.Duration
	// Settings reads the API's switch (api.md section 18); nil: a settings.NewCache of the
	// server's database (a Cache without DB gets the server's).
	Settings *settings.Cache
	// OAuth, when set, serves /oauth2-token and /oauth2-token/authorize (public: they are
	// outside /api/, and work whether the API is on or off), and checks the application of
	// every bearer token's principal (a revoked one's tokens stop working at once).
	OAuth *oauth.Provider
	// Batch bounds the batch API (chunk sizes, the synchronous limits and timeout); Jobs
	// configures its asynchronous operations (Jobs.Workers: how many chunks this process
	// writes at once; 0, the default here, stores batches for other processes to write).
	Batch jsonapi.BatchConfig
	Jobs  batch.Config
}

// The default time bounds of api.md section 20.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultReadTimeout    = 60 * time.Second
)

// New builds the echo server over an open, migrated database. Its batches are stored for
// workers to write (NewWithJobs starts them in this process).
func New(db *store.DB, cfg Config) (*echo.Echo, error) {
	cfg.Jobs.Workers = 0
	e, _, err := NewWithJobs(db, cfg)
	return e, err
}

// Engine builds the JSON:API engine over an open, migrated database, with the batch service
// that stores its asynchronous operations and (with cfg.Jobs.Workers) writes them: what a
// server serves, and what a worker process runs without one. Start the service to run its
// workers; Stop it before closing db.
func Engine(db *store.DB, cfg Config) (*jsonapi.API, *batch.Service, error) {
	cfg = cfg.withDefaults()
	spec, err := embeddedSpec()
	if err != nil {
		return nil, nil, err
	}
	return engineOf(db, spec, cfg)
}

func engineOf(db *store.DB, spec *resources.Spec, cfg Config) (*jsonapi.API, *batch.Service, error) {
	schema, st, err := resources.New(db, spec, cfg.Limits)
	if err != nil {
		return nil, nil, err
	}
	api := &jsonapi.API{Schema: schema, Store: st, Limits: cfg.Limits, Batching: cfg.Batch, Prepare: prepare(db), Logger: cfg.Logger}
	jobs := cfg.Jobs
	if jobs.Logger == nil {
		jobs.Logger = cfg.Logger
	}
	svc, err := batch.New(db, api, jobs)
	if err != nil {
		return nil, nil, err
	}
	api.Async = svc
	return api, svc, nil
}

func (cfg Config) withDefaults() Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Limits = cfg.Limits.WithDefaults()
	return cfg
}

// NewWithJobs is New with the batch service, whose workers (cfg.Jobs.Workers) the caller
// starts and stops.
func NewWithJobs(db *store.DB, cfg Config) (*echo.Echo, *batch.Service, error) {
	cfg = cfg.withDefaults()
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 10 << 20
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	spec, err := embeddedSpec()
	if err != nil {
		return nil, nil, err
	}
	api, svc, err := engineOf(db, spec, cfg)
	if err != nil {
		return nil, nil, err
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	allow := &allowRules{}
	e.HTTPErrorHandler = errorHandler(api, allow)
	e.Pre(routePath)
	mws := []echo.MiddlewareFunc{
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: requestID}),
		accessLog(cfg.Logger, cfg.AccessLog),
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			cfg.Logger.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "error", err, "stack", string(stack))
			return err
		}}),
	}
	if len(cfg.CORSOrigins) > 0 {
		mws = append(mws, middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  cfg.CORSOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodOptions},
			AllowHeaders:  []string{"Accept", "Authorization", "Content-Type", "X-Include", "X-Mode", "X-Localization-ID", "X-Currency", "If-Match", "If-None-Match", "X-WSSE"},
			ExposeHeaders: []string{"Location", "ETag", "X-Include-Total-Count", "X-Include-Deleted-Count", "Content-Location", "X-Request-Id"},
			MaxAge:        600,
		}))
	}
	if cfg.Settings == nil {
		cfg.Settings = settings.NewCache(db)
	} else if cfg.Settings.DB == nil {
		cfg.Settings.DB = db
	}
	resolver := &auth.Resolver{DB: db, MaxAge: cfg.AuthMaxAge}
	if cfg.OAuth != nil {
		resolver.Client = cfg.OAuth.CheckClient
	}
	authn := &authenticator{resolver: resolver, schemes: cfg.Schemes, settings: cfg.Settings}
	mws = append(mws, requestContext(cfg.RequestTimeout, cfg.ReadTimeout, authn), bodyLimit(cfg.BodyLimit))
	e.Use(chainOnce(mws...))

	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", func(c echo.Context) error {
		sqlDB, err := db.Gorm.DB()
		if err == nil {
			ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
			defer cancel()
			err = sqlDB.PingContext(ctx)
		}
		if err != nil {
			return c.String(http.StatusServiceUnavailable, "database unavailable\n")
		}
		return c.String(http.StatusOK, "ok\n")
	})
	sandbox.Register(e) // the documents at /api/doc/openapi.{yaml,json}, the page and its assets

	if cfg.OAuth != nil {
		addOAuthRoutes(e, cfg.OAuth)
	}
	// the search endpoints (api.md section 15), routed by hand like the OAuth ones: HEAD,
	// OPTIONS and 405 come from the document with every other path's
	finder := search.New(db, api.Store.(*resources.Store), api)
	e.GET("/api/rest/latest/search", echo.WrapHandler(http.HandlerFunc(finder.Simple)))
	e.GET("/api/rest/latest/search/advanced", echo.WrapHandler(http.HandlerFunc(finder.Advanced)))
	e.GET("/api/search", echo.WrapHandler(http.HandlerFunc(finder.List)))
	gen.RegisterOperations(e, &engine{api: api})
	addMethodRules(e, spec, allow)
	return e, svc, nil
}

// addOAuthRoutes mounts the authorization server's endpoints; other methods get 405 with Allow.
func addOAuthRoutes(e *echo.Echo, p *oauth.Provider) {
	for path, methods := range map[string]map[string]http.HandlerFunc{
		"/oauth2-token":           {http.MethodPost: p.Token},
		"/oauth2-token/authorize": {http.MethodGet: p.Authorize, http.MethodPost: p.Authorize},
	} {
		var allowed []string
		for m := range methods {
			allowed = append(allowed, m)
		}
		sort.Strings(allowed)
		allow := strings.Join(allowed, ", ")
		for _, m := range allMethods {
			if h, ok := methods[m]; ok {
				e.Add(m, path, echo.WrapHandler(h))
				continue
			}
			e.Add(m, path, func(c echo.Context) error {
				c.Response().Header().Set("Allow", allow)
				return c.NoContent(http.StatusMethodNotAllowed)
			})
		}
	}
}

// specCache holds the parsed embedded document (gen.EngineYAML; parsing it is most of a start's
// CPU), so that servers built one after the other, as the tests build many, share it; nothing
// changes it after loading. ReleaseSpec empties it.
var specCache struct {
	sync.Mutex
	spec *resources.Spec
}

// embeddedSpec returns the parsed embedded document, parsing it unless it is kept.
func embeddedSpec() (*resources.Spec, error) {
	specCache.Lock()
	defer specCache.Unlock()
	if specCache.spec == nil {
		spec, err := resources.LoadSpec(gen.EngineYAML)
		if err != nil {
			return nil, err
		}
		specCache.spec = spec
	}
	return specCache.spec, nil
}

// ReleaseSpec lets the parsed document go. A process that builds its server once (webapi serve,
// webapi worker) calls it when the server is built: the engine keeps what it read from the
// document, not the document, which was then most of the idle heap (issue 13). A server built
// afterwards parses the document again.
func ReleaseSpec() {
	specCache.Lock()
	specCache.spec = nil
	specCache.Unlock()
}

var allMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// allowRules maps the paths of the document to their Allow header, for the methods that no
// route names (TRACE, or any other token): they are answered 405 too.
type allowRules struct {
	paths [][]string // the document's paths, split at "/"
	allow []string
}

// of returns the Allow header of the documented path that urlPath matches, or "" when none does.
func (a *allowRules) of(urlPath string) string {
	segs := strings.Split(urlPath, "/")
	best, bestWild := "", len(segs)+1
next:
	for i, p := range a.paths {
		if len(p) != len(segs) {
			continue
		}
		wild := 0
		for j, s := range p {
			switch {
			case strings.HasPrefix(s, "{") && segs[j] != "":
				wild++
			case s != segs[j]:
				continue next
			}
		}
		if wild < bestWild {
			best, bestWild = a.allow[i], wild
		}
	}
	return best
}

// addMethodRules registers, for every path of the document under /api/, HEAD (as GET without a
// body; ours), OPTIONS (200 with Allow) and 405 with Allow for every other method; and 404s
// that name an unknown resource type for paths under /api/ that no route matches. The OAuth 2.0
// endpoints that the document describes too have their own method rules (addOAuthRoutes).
func addMethodRules(e *echo.Echo, spec *resources.Spec, rules *allowRules) {
	for path, item := range spec.Doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		route := strings.ReplaceAll(strings.ReplaceAll(path, "{", ":"), "}", "")
		ops := item.Operations()
		allowed := []string{http.MethodOptions}
		for m := range ops {
			allowed = append(allowed, m)
		}
		if ops[http.MethodGet] != nil {
			allowed = append(allowed, http.MethodHead)
		}
		sort.Strings(allowed)
		allow := strings.Join(allowed, ", ")
		rules.paths = append(rules.paths, strings.Split(path, "/"))
		rules.allow = append(rules.allow, allow)
		for _, m := range allMethods {
			switch {
			case ops[m] != nil:
			case m == http.MethodHead && ops[http.MethodGet] != nil:
				e.HEAD(route, headAsGet(e))
			case m == http.MethodOptions:
				e.OPTIONS(route, func(c echo.Context) error {
					h := c.Response().Header()
					h.Set("Allow", allow)
					h.Set("Cache-Control", "max-age=600, public")
					return c.NoContent(http.StatusOK)
				})
			default:
				e.Add(m, route, func(c echo.Context) error {
					c.Response().Header().Set("Allow", allow)
					return c.NoContent(http.StatusMethodNotAllowed)
				})
			}
		}
	}
	notFound := func(c echo.Context) error { return echo.ErrNotFound }
	for _, p := range []string{"/api/:type", "/api/:type/:id", "/api/:type/:id/:association", "/api/:type/:id/relationships/:association"} {
		e.Any(p, notFound)
	}
}

// headAsGet answers HEAD with the GET handler, with the same status and headers and no body
// (the body is discarded here rather than by net/http, so no handler or test sees one).
func headAsGet(e *echo.Echo) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Writer = discardBody{c.Response().Writer}
		r := c.Request()
		get := r.Clone(r.Context())
		get.Method = http.MethodGet
		ec := e.NewContext(get, c.Response())
		e.Router().Find(http.MethodGet, get.URL.Path, ec)
		ec.SetRequest(get)
		if err := ec.Handler()(ec); err != nil {
			e.HTTPErrorHandler(err, ec)
		}
		return nil
	}
}

// discardBody is a response writer that drops the body.
type discardBody struct{ http.ResponseWriter }

func (discardBody) Write(b []byte) (int, error) { return len(b), nil }

// prepare completes an API request once the engine has matched it to an operation: the headers
// the API reads hold storable text, the Host makes valid links, and the context carries the
// caller and the request's localization and currency.
func prepare(db *store.DB) func(r *http.Request) (*http.Request, error) {
	return func(r *http.Request) (*http.Request, error) {
		if err := jsonapi.CheckHeaders(r.Header); err != nil {
			return nil, err // before anything reads them (the locale is looked up in the database)
		}
		if err := jsonapi.CheckHost(r.Host); err != nil {
			return nil, err // links are built from it
		}
		ctx, err := resources.WithLocale(r.Context(), db, r)
		if err != nil {
			return nil, err
		}
		if ctx == r.Context() {
			return r, nil // the default locale, which authentication gave the request
		}
		return r.WithContext(ctx), nil
	}
}

// routePath makes routing follow the decoded path: a path with needlessly escaped characters
// (`/api/%61ccounts/%31`) is the same resource as its plain form, and must not fall through to
// routes that answer 405 with an Allow header naming the method refused. An escaped slash keeps
// the raw path (it belongs to an id, not to the route). An empty segment under /api/ (`//`, a
// trailing `/`) names no resource: 404, not a binding error of an empty id.
func routePath(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := c.Request().URL
		if u.RawPath != "" && !strings.Contains(strings.ToUpper(u.RawPath), "%2F") {
			u.RawPath = ""
		}
		if rest, ok := strings.CutPrefix(u.Path, "/api/"); ok && (rest == "" || strings.Contains(rest, "//") || strings.HasSuffix(rest, "/")) {
			return echo.ErrNotFound
		}
		return next(c)
	}
}

// requestID makes the id of a request that came without one: 32 letters, as echo's own generator
// makes them, but from the runtime's generator (math/rand/v2, seeded per thread) instead of
// crypto/rand through pooled buffered readers, which took a microsecond of every request. A
// request id ties log lines to a response; it grants nothing, so it need not be unguessable.
func requestID() string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [32]byte
	for i := 0; i < len(b); i += 8 {
		// eight letters from each random word, a byte each (the modulo's bias is harmless here)
		for n, w := 0, rand.Uint64(); n < 8; n, w = n+1, w>>8 {
			b[i+n] = chars[byte(w)%byte(len(chars))]
		}
	}
	return string(b[:])
}

// requestContext gives every request its context, in one copy of the request (a copy for each
// part was a tenth of the bytes a GET of one record allocated): its deadline, and for the API
// its caller (authenticator) and the default localization and currency, which the engine's
// Prepare keeps unless the request names others.
//
// The deadline is the context's, so that its SQL statements are cancelled at the database when
// it passes; the request also gets a deadline for reading its body from the connection (a client
// that sends slowly cannot keep a handler, and what it holds, waiting). The read deadline needs a
// real connection; with other response writers (tests) only the context applies. A request
// without a body (net/http gives it NoBody) has nothing left to read.
func requestContext(request, read time.Duration, authn *authenticator) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Body != http.NoBody {
				_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(read))
			}
			ctx, cancel := context.WithTimeout(r.Context(), request)
			defer cancel()
			p, err := authn.authenticate(c, ctx)
			if p != nil {
				ctx = resources.WithDefaultLocale(auth.With(ctx, p), authn.resolver.DB)
			}
			c.SetRequest(r.WithContext(ctx))
			if err != nil {
				return err
			}
			return next(c)
		}
	}
}

// chainOnce is the middleware mws, first to last, composed once. Echo composes the middleware
// of Use for every request, which made a closure per middleware and request (seven; a
// twentieth of the bytes a GET of one record allocated): the chain composed here ends in a
// handler that calls the route's (the one echo found for the request), and echo's composition
// of it for a request is the chain itself.
func chainOnce(mws ...echo.MiddlewareFunc) echo.MiddlewareFunc {
	h := func(c echo.Context) error { return c.Handler()(c) }
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return func(echo.HandlerFunc) echo.HandlerFunc { return h }
}

// bodyLimit caps request bodies; the engine answers an oversized body with 413.
func bodyLimit(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > limit {
				return &jsonapi.Error{Status: http.StatusRequestEntityTooLarge, Title: jsonapi.TitlePayloadTooLarge,
					Detail: "The request body is too large."}
			}
			if r.Body != http.NoBody { // nothing to read, nothing to limit
				r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			}
			return next(c)
		}
	}
}

// errorHandler renders every error that reaches echo (routing, binding, panics) as a JSON:API
// error document.
func errorHandler(api *jsonapi.API, rules *allowRules) echo.HTTPErrorHandler {
	schema := api.Schema
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		w, r := c.Response(), c.Request()
		var he *echo.HTTPError
		if errors.As(err, &he) {
			allow := rules.of(r.URL.Path)
			switch {
			case he.Code == http.StatusNotFound && allow == "":
				err = notFound(schema, c)
			case he.Code == http.StatusNotFound, he.Code == http.StatusMethodNotAllowed:
				// A documented path reached with a method no route names (TRACE, any other token).
				if allow != "" {
					w.Header().Set("Allow", allow)
				}
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			case he.Code == http.StatusRequestEntityTooLarge:
				err = &jsonapi.Error{Status: he.Code, Title: jsonapi.TitlePayloadTooLarge, Detail: "The request body is too large."}
			case he.Code == http.StatusBadRequest:
				err = &jsonapi.Error{Status: he.Code, Title: jsonapi.TitleBadRequest, Detail: strings.TrimSpace(strings.TrimPrefix(errorMessage(he), "code=400, message="))}
			case he.Code == http.StatusInternalServerError:
				// a panic recovered by echo: keep the error for the log
			default:
				err = &jsonapi.Error{Status: he.Code, Title: strings.ToLower(http.StatusText(he.Code)), Detail: errorMessage(he)}
			}
		}
		api.WriteError(w, r, err)
	}
}

func errorMessage(he *echo.HTTPError) string {
	if s, ok := he.Message.(string); ok {
		return s
	}
	return http.StatusText(he.Code)
}

// notFound tells an unknown resource type from a missing resource.
func notFound(schema *jsonapi.Schema, c echo.Context) error {
	path := strings.TrimPrefix(c.Request().URL.Path, "/api/")
	if path != c.Request().URL.Path {
		typ, _, _ := strings.Cut(path, "/")
		if typ != "" && typ != "doc" && schema.Resource(typ) == nil {
			return jsonapi.UnknownType(typ)
		}
	}
	return pathNotFound()
}
