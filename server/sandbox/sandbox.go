// Package sandbox serves /api/doc (api.md section 19): the OpenAPI document the server was
// generated from (/api/doc/openapi.yaml and .json), and the interactive sandbox: Swagger UI
// (swagger-ui-dist, the version in SwaggerUIVersion) driven by the served document
// /api/doc/openapi.json, with its assets embedded in the binary under /api/doc/assets/ so that
// the page works offline and loads nothing from another origin. The vendored files are
// refreshed with update-swagger-ui.sh; the Go build never needs Node.
package sandbox

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"webapi/gen"
)

// SwaggerUIVersion is the version of swagger-ui-dist whose files are in assets/.
const SwaggerUIVersion = "5.35.0"

// Paths of the page and of its assets.
const (
	PagePath   = "/api/doc"
	AssetsPath = "/api/doc/assets/"
)

// CSP is the page's Content-Security-Policy: nothing from another origin. Swagger UI sets
// inline styles (React style attributes) and shows its icons as data: images; its scripts are
// files of ours, so no inline script and no eval is allowed.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

//go:embed assets page.html
var files embed.FS

// asset is one embedded file, with what serving it needs computed once.
type asset struct {
	body        []byte
	contentType string
	etag        string // strong tag of the body; the gzip form's has a suffix
	version     string // a short hash of the body, the ?v= of the page's links

	gzipOnce sync.Once
	gzipped  []byte // nil when compressing does not pay (images)
}

// gz compresses the body on first use (the bundle is 1.7 MB, about a third gzipped), not at
// start: most processes, and the tests' many servers, never serve it.
func (a *asset) gz() []byte {
	a.gzipOnce.Do(func() {
		if !strings.HasPrefix(a.contentType, "text/") && !strings.Contains(a.contentType, "javascript") {
			return
		}
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write(a.body)
		w.Close()
		a.gzipped = b.Bytes()
	})
	return a.gzipped
}

var load = sync.OnceValue(func() (s struct {
	assets map[string]*asset
	page   *asset
}) {
	s.assets = map[string]*asset{}
	entries, err := fs.ReadDir(files, "assets")
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	for _, e := range entries {
		body, _ := files.ReadFile("assets/" + e.Name())
		s.assets[e.Name()] = newAsset(body, contentType(e.Name()))
	}
	// The page links its assets with their hashes, so that they can be cached for good while
	// the page itself is revalidated: a new binary's page links new URLs.
	link := func(name string) string {
		a, ok := s.assets[name]
		if !ok {
			panic("sandbox: page.html links a missing asset " + name)
		}
		return AssetsPath + name + "?v=" + a.version
	}
	tmpl := template.Must(template.New("page.html").Funcs(template.FuncMap{"asset": link}).ParseFS(files, "page.html"))
	var b bytes.Buffer
	if err := tmpl.Execute(&b, struct{ Version string }{SwaggerUIVersion}); err != nil {
		panic(err)
	}
	s.page = newAsset(b.Bytes(), "text/html; charset=utf-8")
	return s
})

func newAsset(body []byte, contentType string) *asset {
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:])
	return &asset{body: body, contentType: contentType, etag: `"` + h[:32] + `"`, version: h[:12]}
}

// contentType is the media type of an asset by its extension (with a charset for text, which
// mime.TypeByExtension leaves to the system's tables).
func contentType(name string) string {
	switch ext := path.Ext(name); ext {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	default:
		if t := mime.TypeByExtension(ext); t != "" {
			return t
		}
		return "application/octet-stream"
	}
}

// documents are the served forms of the OpenAPI document. They never change while the server
// runs, so their entity tags are computed once; clients (the page, generators in CI) revalidate
// with If-None-Match and get 304 instead of the whole document again. They are computed on the
// first request for either, not at start: hashing 3.7 MB kept both embedded documents resident
// in every server process, most of which never serve them (issue 13, idle RSS).
var documents = sync.OnceValue(func() map[string]*asset {
	return map[string]*asset{
		docYAML: newAsset(gen.SpecYAML, "application/yaml"),
		docJSON: newAsset(gen.SpecJSON, echo.MIMEApplicationJSON),
	}
})

// The paths of the documents.
const (
	docYAML = "/api/doc/openapi.yaml"
	docJSON = "/api/doc/openapi.json"
)

// Register mounts the documents, the page and its assets on e (GET and HEAD; other methods fall
// to the server's own rules). Authentication and the API's switch are the server's middleware's.
func Register(e *echo.Echo) {
	for _, p := range []string{docYAML, docJSON} {
		serveDoc := func(c echo.Context) error {
			c.Response().Header().Set("Cache-Control", "no-cache")
			return serve(c, documents()[p])
		}
		e.GET(p, serveDoc)
		e.HEAD(p, serveDoc)
	}
	page := func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", CSP)
		// the page is small and names the assets of this very binary: always revalidated
		h.Set("Cache-Control", "no-cache")
		return serve(c, load().page)
	}
	e.GET(PagePath, page)
	e.HEAD(PagePath, page)
	assets := func(c echo.Context) error {
		a, ok := load().assets[c.Param("*")]
		if !ok {
			return echo.ErrNotFound
		}
		h := c.Response().Header()
		if c.QueryParam("v") == a.version {
			// the URL names this content: it never changes
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		if strings.HasPrefix(a.contentType, "text/html") {
			h.Set("Content-Security-Policy", CSP) // oauth2-redirect.html
		}
		return serve(c, a)
	}
	e.GET(AssetsPath+"*", assets)
	e.HEAD(AssetsPath+"*", assets)
}

// serve answers with the asset, 304 when If-None-Match names its tag, gzipped when the client
// takes it.
func serve(c echo.Context, a *asset) error {
	h := c.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	body, etag := a.body, a.etag
	if gz := a.gz(); gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(c.Request().Header.Get("Accept-Encoding")) {
			body, etag = gz, strings.TrimSuffix(etag, `"`)+`-gzip"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && etagListed(inm, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentType, a.contentType)
	if c.Request().Method == http.MethodHead {
		h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, a.contentType, body)
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip (not with q=0).
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, found := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !found {
			return true
		}
		f, err := strconv.ParseFloat(q, 64)
		return err == nil && f > 0
	}
	return false
}

// etagListed reports whether an If-None-Match header names tag (or is *), weakly as
// If-None-Match compares.
func etagListed(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}
