package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/server/oauth"
	"webapi/server/sandbox"
	"webapi/server/settings"
	"webapi/store"
	"webapi/store/storetest"
)

// anyURL finds absolute URLs (and protocol-relative ones) in a text.
var anyURL = regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+`)

// The sandbox page (api.md section 19) needs no credentials, forbids other origins by its CSP,
// and links only assets of its own origin, each served with its type, cached for good under the
// hashed URL the page links, revalidated by ETag, gzipped for clients that take it.
func TestSandboxPage(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, storetest.Backends(t)[0])
	anonymous := map[string]string{"Authorization": ""}
	page := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: "/api/doc", Header: anonymous})
	if page.Status != 200 || page.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /api/doc: %d %q\n%s", page.Status, page.Header.Get("Content-Type"), page.Body)
	}
	csp := page.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'self';") || !strings.Contains(csp, "script-src 'self';") || anyURL.MatchString(csp) {
		t.Fatalf("CSP %q", csp)
	}
	if page.Header.Get("Cache-Control") != "no-cache" || page.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("page headers %v", page.Header)
	}
	if u := anyURL.FindString(string(page.Body)); u != "" {
		t.Fatalf("the page names another origin: %s", u)
	}

	links := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(page.Body), -1)
	wantTypes := map[string]string{
		"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "sandbox.js": "text/javascript; charset=utf-8",
		"swagger-ui.css": "text/css; charset=utf-8", "sandbox.css": "text/css; charset=utf-8", "favicon-32x32.png": "image/png",
	}
	served := map[string][]byte{}
	for _, m := range links {
		link := m[1]
		name, isAsset := strings.CutPrefix(link, sandbox.AssetsPath)
		if !isAsset {
			if link != "/api/doc/openapi.yaml" && link != "/api/doc/openapi.json" {
				t.Fatalf("the page links %s", link)
			}
			continue
		}
		name, version, _ := strings.Cut(name, "?v=")
		res := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: link, Header: anonymous})
		if res.Status != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || version == "" {
			t.Fatalf("GET %s: %d, Cache-Control %q", link, res.Status, res.Header.Get("Cache-Control"))
		}
		if want, ok := wantTypes[name]; ok && res.Header.Get("Content-Type") != want {
			t.Fatalf("GET %s: Content-Type %q, want %q", link, res.Header.Get("Content-Type"), want)
		}
		served[name] = res.Body

		// revalidation: 304 for the current tag; another version's URL is not cached for good
		tag := res.Header.Get("ETag")
		if again := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: link, Header: map[string]string{"If-None-Match": tag}}); again.Status != 304 || len(again.Body) != 0 {
			t.Fatalf("GET %s with If-None-Match %s: %d", link, tag, again.Status)
		}
		if other := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: sandbox.AssetsPath + name + "?v=old"}); other.Status != 200 || other.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("GET %s?v=old: %d, Cache-Control %q", name, other.Status, other.Header.Get("Cache-Control"))
		}
	}
	for name := range wantTypes {
		if served[name] == nil {
			t.Fatalf("the page does not link %s", name)
		}
	}
	// our own script and style name no other origin; Swagger UI's style only data: images
	for _, name := range []string{"sandbox.js", "sandbox.css"} {
		if u := anyURL.FindString(string(served[name])); u != "" {
			t.Fatalf("%s names another origin: %s", name, u)
		}
	}
	for _, m := range regexp.MustCompile(`url\(\s*["']?([^"')]{0,40})`).FindAllStringSubmatch(string(served["swagger-ui.css"]), -1) {
		if !strings.HasPrefix(m[1], "data:") {
			t.Fatalf("swagger-ui.css loads %s", m[1])
		}
	}
	// the configuration: the served document, no external validator badge, curl lines with -g
	for _, want := range []string{`url: "/api/doc/openapi.json"`, "validatorUrl: null", `request.curlOptions = ["-g"]`, "showExtensions: true", "persistAuthorization: true", "requestSnippetsEnabled: true"} {
		if !bytes.Contains(served["sandbox.js"], []byte(want)) {
			t.Fatalf("sandbox.js lacks %s", want)
		}
	}

	// the authorization code flow's return page is under the same policy
	redirect := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: sandbox.AssetsPath + "oauth2-redirect.html"})
	if redirect.Status != 200 || redirect.Header.Get("Content-Type") != "text/html; charset=utf-8" || redirect.Header.Get("Content-Security-Policy") != csp {
		t.Fatalf("oauth2-redirect.html: %d %v", redirect.Status, redirect.Header)
	}

	// gzip for clients that take it, with its own tag; HEAD as GET without the body
	bundle := sandbox.AssetsPath + "swagger-ui-bundle.js"
	gz := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: bundle, Header: map[string]string{"Accept-Encoding": "gzip, br"}})
	zr, err := gzip.NewReader(bytes.NewReader(gz.Body))
	if err != nil || gz.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(gz.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip: %v, %v", err, gz.Header)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, served["swagger-ui-bundle.js"]) || len(gz.Body) > len(plain)/2 {
		t.Fatalf("gzip: %d bytes for %d", len(gz.Body), len(plain))
	}
	if identity := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: bundle, Header: map[string]string{"Accept-Encoding": "gzip;q=0"}}); identity.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzip sent to a client that refuses it")
	}
	head := env.DoUnlisted(apitest.Request{Method: http.MethodHead, Path: "/api/doc"})
	if head.Status != 200 || len(head.Body) != 0 || head.Header.Get("ETag") != page.Header.Get("ETag") {
		t.Fatalf("HEAD /api/doc: %d, %d bytes", head.Status, len(head.Body))
	}
	if again := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: "/api/doc", Header: map[string]string{"If-None-Match": page.Header.Get("ETag")}}); again.Status != 304 {
		t.Fatalf("GET /api/doc with its tag: %d", again.Status)
	}

	// what is not an asset is the API's 404
	for _, path := range []string{"/api/doc/assets/nope.js", "/api/doc/assets/../sandbox.go", "/api/doc/assets/", "/api/doc/assets/page.html", "/api/doc/"} {
		env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: path, Header: anonymous}).Expect(t, 404, pathNotFoundDoc)
	}
}

// Switched off everywhere, the sandbox goes with the API: 404 for the page and its assets,
// whoever asks (api.md section 18).
func TestSandboxSwitchedOff(t *testing.T) {
	t.Parallel()
	env := apitest.NewWith(t, storetest.Backends(t)[0], store.DefaultLimits, server.Config{Settings: &settings.Cache{MaxAge: time.Nanosecond}})
	if err := settings.SetAPIEnabled(context.Background(), env.DB, 0, false); err != nil {
		t.Fatal(err)
	}
	for _, header := range []map[string]string{{"Authorization": ""}, nil} {
		for _, path := range []string{"/api/doc", sandbox.AssetsPath + "swagger-ui-bundle.js", sandbox.AssetsPath + "sandbox.js"} {
			env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: path, Header: header}).Expect(t, 404, pathNotFoundDoc)
		}
	}
}

// Swagger UI's Authorize dialog asks for a client-credentials token as its code does: the
// client's id and secret in HTTP Basic (not URL-encoded first), and an empty scope.
func TestSandboxTokenRequest(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, storetest.Backends(t)[0])
	_, id, secret, err := oauth.CreateApplication(context.Background(), env.DB, oauth.AppSpec{Name: "sandbox", Username: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "http://api.test/oauth2-token", strings.NewReader("grant_type=client_credentials&scope="))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+secret)))
	rec := httptest.NewRecorder()
	env.Handler.ServeHTTP(rec, req)
	var tok struct {
		TokenType   string `json:"token_type"`
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || rec.Code != 200 || tok.TokenType != "Bearer" || tok.AccessToken == "" {
		t.Fatalf("POST /oauth2-token: %d %s", rec.Code, rec.Body)
	}
	env.Do(apitest.Request{Path: "/api/accounts?page[size]=1", Header: map[string]string{"Authorization": "Bearer " + tok.AccessToken}}).ExpectStatus(t, 200)
}
