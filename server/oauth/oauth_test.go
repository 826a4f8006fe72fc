package oauth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"webapi/server"
	"webapi/server/auth"
	"webapi/server/oauth"
	"webapi/server/settings"
	"webapi/store"
	"webapi/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is a server with the authorization server and the Bearer scheme over a fresh database.
type env struct {
	t   *testing.T
	db  *store.DB
	p   *oauth.Provider
	srv *httptest.Server
}

func newEnv(t *testing.T, b storetest.Backend, cfg oauth.Config) *env {
	t.Helper()
	return newEnvOn(t, storetest.Open(t, b), cfg)
}

func newEnvOn(t *testing.T, db *store.DB, cfg oauth.Config) *env {
	t.Helper()
	cfg.Logger = quiet
	// a fresh database has the API switched off (api.md section 18)
	if err := settings.SetAPIEnabled(context.Background(), db, 0, true); err != nil {
		t.Fatal(err)
	}
	p, err := oauth.New(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e, err := server.New(db, server.Config{Schemes: []auth.Scheme{p.Bearer()}, OAuth: p, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, p: p, srv: srv}
}

// app registers an application acting as admin.
func (e *env) app(spec oauth.AppSpec) (clientID, secret string) {
	e.t.Helper()
	if spec.Name == "" {
		spec.Name = "Test app"
	}
	if spec.Username == "" {
		spec.Username = "admin"
	}
	_, clientID, secret, err := oauth.CreateApplication(context.Background(), e.db, spec)
	if err != nil {
		e.t.Fatal(err)
	}
	return clientID, secret
}

// response is a token endpoint's answer.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// post sends a token request: a form body, or JSON when asJSON; basic, when set, is the
// client's id and secret for HTTP Basic.
func (e *env) post(form map[string]string, asJSON bool, basic ...string) response {
	e.t.Helper()
	var body, ctype string
	if asJSON {
		b, _ := json.Marshal(form)
		body, ctype = string(b), "application/json"
	} else {
		v := url.Values{}
		for k, x := range form {
			v.Set(k, x)
		}
		body, ctype = v.Encode(), "application/x-www-form-urlencoded"
	}
	return e.postRaw(ctype, body, basic...)
}

func (e *env) postRaw(ctype, body string, basic ...string) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2-token", strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	if len(basic) == 2 {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		e.t.Fatalf("token endpoint answered %d %q", res.StatusCode, raw)
	}
	return response{status: res.StatusCode, header: res.Header, body: m, raw: string(raw)}
}

// expectError checks an RFC 6749 error answer.
func (r response) expectError(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status || r.body["error"] != code {
		t.Errorf("got %d %s, want %d %s", r.status, r.raw, status, code)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
}

// expectTokens checks a successful answer: exactly the members of api.md, and returns the
// access and refresh tokens.
func (r response) expectTokens(t *testing.T, withRefresh bool) (access, refresh string) {
	t.Helper()
	want := []string{"access_token", "expires_in", "token_type"}
	if withRefresh {
		want = append(want, "refresh_token")
	}
	var keys []string
	for k := range r.body {
		keys = append(keys, k)
	}
	if r.status != http.StatusOK || len(keys) != len(want) || r.body["token_type"] != "Bearer" || r.body["expires_in"] != float64(3600) {
		t.Fatalf("got %d %s, want the members %v", r.status, r.raw, want)
	}
	if r.header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("headers %v", r.header)
	}
	access, _ = r.body["access_token"].(string)
	refresh, _ = r.body["refresh_token"].(string)
	if access == "" || (withRefresh && refresh == "") {
		t.Fatalf("tokens missing: %s", r.raw)
	}
	return access, refresh
}

// api calls GET /api/accounts with the token and returns the status.
func (e *env) api(token string) int {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/accounts?page[size]=1", nil)
	req.Header.Set("Accept", "application/vnd.api+json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode == http.StatusUnauthorized {
		if got := res.Header.Values("WWW-Authenticate"); len(got) != 1 || got[0] != oauth.Challenge {
			e.t.Errorf("WWW-Authenticate %q", got)
		}
	}
	return res.StatusCode
}

// logins returns the login count and last login of user id.
func logins(t *testing.T, db *store.DB, id int64) (int64, *store.Time) {
	t.Helper()
	var u store.User
	if err := db.Gorm.First(&u, id).Error; err != nil {
		t.Fatal(err)
	}
	return u.LoginCount, u.LastLogin
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, oauth.Config{})
		id, secret := e.app(oauth.AppSpec{})
		cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: e.srv.URL + "/oauth2-token"}
		tok, err := cc.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if tok.TokenType != "Bearer" || tok.RefreshToken != "" || time.Until(tok.Expiry) < 3590*time.Second {
			t.Errorf("token %+v", tok)
		}
		if s := e.api(tok.AccessToken); s != http.StatusOK {
			t.Errorf("API with the token: %d", s)
		}
		// both body forms, and Basic
		form := map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret}
		e.post(form, false).expectTokens(t, false)
		e.post(form, true).expectTokens(t, false)
		e.post(map[string]string{"grant_type": "client_credentials"}, false, id, secret).expectTokens(t, false)
		e.post(map[string]string{"grant_type": "client_credentials"}, true, id, secret).expectTokens(t, false)
		// the claims
		access, _ := e.post(form, true).expectTokens(t, false)
		parts := strings.Split(access, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var c map[string]any
		if err := json.Unmarshal(payload, &c); err != nil {
			t.Fatal(err)
		}
		if c["sub"] != "1" || c["client_id"] != id || c["jti"] == "" || c["aud"].([]any)[0] != "webapi" ||
			math.Abs(c["exp"].(float64)-c["iat"].(float64)-3600) > 1 {
			t.Errorf("claims %v", c)
		}
		if n, last := logins(t, e.db, 1); n != 0 || last != nil {
			t.Errorf("client credentials counted as logins: %d %v", n, last)
		}
	})
}

func TestPasswordAndRefresh(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, oauth.Config{})
		id, secret := e.app(oauth.AppSpec{Grants: []string{"password"}})
		cfg := oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: oauth2.Endpoint{TokenURL: e.srv.URL + "/oauth2-token"}}
		ctx := context.Background()
		tok, err := cfg.PasswordCredentialsToken(ctx, "admin", "admin123")
		if err != nil {
			t.Fatal(err)
		}
		if tok.RefreshToken == "" || tok.TokenType != "Bearer" {
			t.Fatalf("token %+v", tok)
		}
		if n, last := logins(t, e.db, 1); n != 1 || last == nil || time.Since(last.Time) > time.Minute {
			t.Errorf("after one password grant: %d logins, last %v", n, last)
		}
		if s := e.api(tok.AccessToken); s != http.StatusOK {
			t.Errorf("API: %d", s)
		}
		// JSON body too
		e.post(map[string]string{"grant_type": "password", "client_id": id, "client_secret": secret, "username": "admin", "password": "admin123"},
			true).expectTokens(t, true)
		if n, _ := logins(t, e.db, 1); n != 2 {
			t.Errorf("%d logins after two password grants", n)
		}
		e.post(map[string]string{"grant_type": "password", "client_id": id, "client_secret": secret, "username": "admin", "password": "wrong"},
			false).expectError(t, http.StatusBadRequest, "invalid_grant")
		e.post(map[string]string{"grant_type": "password", "client_id": id, "client_secret": secret, "username": "nobody", "password": "admin123"},
			false).expectError(t, http.StatusBadRequest, "invalid_grant")

		// rotation: the new refresh token works, the old one no more
		refresh := func(rt string) response {
			return e.post(map[string]string{"grant_type": "refresh_token", "client_id": id, "client_secret": secret, "refresh_token": rt}, false)
		}
		access2, rt2 := refresh(tok.RefreshToken).expectTokens(t, true)
		if s := e.api(access2); s != http.StatusOK {
			t.Errorf("API with the refreshed token: %d", s)
		}
		_, rt3 := refresh(rt2).expectTokens(t, true)
		refresh(rt2).expectError(t, http.StatusBadRequest, "invalid_grant")
		// a reused refresh token revokes its family (RFC 6819 5.2.2.3)
		refresh(rt3).expectError(t, http.StatusBadRequest, "invalid_grant")
		refresh("garbage").expectError(t, http.StatusBadRequest, "invalid_grant")
		if n, _ := logins(t, e.db, 1); n != 2 {
			t.Errorf("refresh grants counted as logins: %d", n)
		}

		// one refresh token used by many at once: exactly one succeeds
		_, rt := e.post(map[string]string{"grant_type": "password", "client_id": id, "client_secret": secret, "username": "admin", "password": "admin123"},
			false).expectTokens(t, true)
		statuses := parallel(8, func() response { return refresh(rt) })
		if statuses[http.StatusOK] != 1 || statuses[http.StatusBadRequest] != 7 {
			t.Errorf("8 uses of one refresh token at once: %v, want one 200 and seven 400", statuses)
		}
	})
}

// parallel runs f n times at once and counts the statuses.
func parallel(n int, f func() response) map[int]int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := f()
			if r.status != http.StatusOK && r.body["error"] != "invalid_grant" {
				r.status = -r.status // not the refusal expected
			}
			mu.Lock()
			statuses[r.status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, oauth.Config{})
		id, secret := e.app(oauth.AppSpec{Grants: []string{"client_credentials", "password"}})
		cc := func(extra ...string) map[string]string {
			m := map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret}
			for i := 0; i+1 < len(extra); i += 2 {
				m[extra[i]] = extra[i+1]
			}
			return m
		}
		for _, asJSON := range []bool{false, true} {
			e.post(map[string]string{"client_id": id, "client_secret": secret}, asJSON).expectError(t, 400, "invalid_request")
			e.post(cc("grant_type", "urn:example:unknown"), asJSON).expectError(t, 400, "unsupported_grant_type")
			e.post(cc("grant_type", "implicit"), asJSON).expectError(t, 400, "unsupported_grant_type")
			r := e.post(cc("client_secret", "wrong"), asJSON)
			r.expectError(t, 401, "invalid_client")
			if h := r.header.Get("WWW-Authenticate"); h != "" {
				t.Errorf("a body-authenticated client got WWW-Authenticate %q", h)
			}
			e.post(cc("client_id", "unknown"), asJSON).expectError(t, 401, "invalid_client")
			e.post(map[string]string{"grant_type": "client_credentials"}, asJSON).expectError(t, 401, "invalid_client")
			e.post(cc("grant_type", "password", "username", "admin", "password", "wrong"), asJSON).expectError(t, 400, "invalid_grant")
			e.post(cc("grant_type", "authorization_code", "code", "nonsense", "redirect_uri", "http://127.0.0.1/cb"), asJSON).
				expectError(t, 400, "unauthorized_client")
		}
		r := e.post(map[string]string{"grant_type": "client_credentials"}, false, id, "wrong")
		r.expectError(t, 401, "invalid_client")
		if h := r.header.Get("WWW-Authenticate"); h != `Basic realm="webapi"` {
			t.Errorf("WWW-Authenticate %q after a failed Basic authentication", h)
		}
		// malformed bodies
		for name, c := range map[string]struct{ ctype, body string }{
			"not a string":   {"application/json", `{"grant_type": "client_credentials", "client_id": 5}`},
			"array":          {"application/json", `["grant_type"]`},
			"repeated JSON":  {"application/json", `{"grant_type": "client_credentials", "grant_type": "password"}`},
			"trailing":       {"application/json", `{"grant_type": "client_credentials"} {}`},
			"truncated":      {"application/json", `{"grant_type": "client_cre`},
			"repeated form":  {"application/x-www-form-urlencoded", "grant_type=client_credentials&grant_type=password"},
			"control byte":   {"application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=a%00b"},
			"control JSON":   {"application/json", `{"grant_type": "client_credentials", "client_id": "a\u0001b"}`},
			"invalid UTF-8":  {"application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=%ff"},
			"bad escape":     {"application/x-www-form-urlencoded", "grant_type=%zz"},
			"too large":      {"application/x-www-form-urlencoded", "grant_type=client_credentials&x=" + strings.Repeat("a", 64<<10)},
			"too many":       {"application/x-www-form-urlencoded", "grant_type=client_credentials" + manyParams(40)},
			"text/plain":     {"text/plain", "grant_type=client_credentials"},
			"no type":        {"", "grant_type=client_credentials"},
			"multipart-like": {"multipart/form-data; boundary=x", "--x--"},
		} {
			r := e.postRaw(c.ctype, c.body)
			if r.status != 400 || r.body["error"] != "invalid_request" {
				t.Errorf("%s: %d %s", name, r.status, r.raw)
			}
		}
		// other methods
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/oauth2-token", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" {
			t.Errorf("GET /oauth2-token: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
		}
	})
}

func manyParams(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("&p")
		b.WriteString(strings.Repeat("x", i+1))
		b.WriteString("=1")
	}
	return b.String()
}

// browser drives the authorize pages with a cookie jar, without following the redirects to
// the client.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) (int, http.Header, string) {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body)
}

func (b *browser) get(u string) (int, http.Header, string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

func (b *browser) postForm(u string, form url.Values) (int, http.Header, string) {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var flowField = regexp.MustCompile(`<input type="hidden" name="flow" value="([^"]+)">`)

// flow returns the hidden state of a page.
func flow(t *testing.T, page string) string {
	t.Helper()
	m := flowField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no flow field in %s", page)
	}
	return html.UnescapeString(m[1])
}

const redirectURI = "http://127.0.0.1:9999/callback"

// authorizeURL is the authorize URL of client id, with a PKCE challenge of verifier unless "".
func (e *env) authorizeURL(id, redirect, verifier, state string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {redirect}, "state": {state}}
	if verifier != "" {
		q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(verifier))
		q.Set("code_challenge_method", "S256")
	}
	return e.srv.URL + "/oauth2-token/authorize?" + q.Encode()
}

// login drives the login page (and the consent page, answered with decision, unless the
// application skips it) and returns the redirect's URL.
func (e *env) login(b *browser, authorize, username, password, decision string) *url.URL {
	e.t.Helper()
	status, _, page := b.get(authorize)
	if status != http.StatusOK || !strings.Contains(page, `name="password"`) {
		e.t.Fatalf("authorize: %d %s", status, page)
	}
	status, h, page := b.postForm(e.srv.URL+"/oauth2-token/authorize",
		url.Values{"flow": {flow(e.t, page)}, "username": {username}, "password": {password}})
	if decision != "" {
		if status != http.StatusOK || !strings.Contains(page, `value="allow"`) {
			e.t.Fatalf("after the login: %d %s", status, page)
		}
		status, h, page = b.postForm(e.srv.URL+"/oauth2-token/authorize", url.Values{"flow": {flow(e.t, page)}, "decision": {decision}})
	}
	if status != http.StatusSeeOther {
		e.t.Fatalf("want a redirect, got %d %s", status, page)
	}
	u, err := url.Parse(h.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func TestAuthorizationCode(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, oauth.Config{})
		ctx := context.Background()
		pub, _ := e.app(oauth.AppSpec{Grants: []string{"authorization_code"}, RedirectURIs: []string{redirectURI}, Public: true})
		cfg := oauth2.Config{ClientID: pub, RedirectURL: redirectURI, Endpoint: oauth2.Endpoint{
			AuthURL: e.srv.URL + "/oauth2-token/authorize", TokenURL: e.srv.URL + "/oauth2-token", AuthStyle: oauth2.AuthStyleInParams}}

		// login, consent, code, tokens
		verifier := oauth2.GenerateVerifier()
		u := e.login(newBrowser(t), e.authorizeURL(pub, redirectURI, verifier, "state-12345"), "admin", "admin123", "allow")
		code := u.Query().Get("code")
		if u.Scheme+"://"+u.Host+u.Path != redirectURI || code == "" || u.Query().Get("state") != "state-12345" {
			t.Fatalf("redirected to %s", u)
		}
		if n, _ := logins(t, e.db, 1); n != 0 {
			t.Errorf("a login before the code is exchanged: %d", n)
		}
		tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if tok.RefreshToken == "" || e.api(tok.AccessToken) != http.StatusOK {
			t.Errorf("token %+v", tok)
		}
		if n, last := logins(t, e.db, 1); n != 1 || last == nil {
			t.Errorf("after a completed flow: %d logins, %v", n, last)
		}
		// the code again: invalid_grant, and the refresh token issued with it is revoked
		exchange := func(code, verifier string) response {
			form := map[string]string{"grant_type": "authorization_code", "client_id": pub, "code": code, "redirect_uri": redirectURI}
			if verifier != "" {
				form["code_verifier"] = verifier
			}
			return e.post(form, false)
		}
		exchange(code, verifier).expectError(t, 400, "invalid_grant")
		e.post(map[string]string{"grant_type": "refresh_token", "client_id": pub, "refresh_token": tok.RefreshToken}, false).
			expectError(t, 400, "invalid_grant")

		// a wrong verifier: invalid_grant, and the code is spent
		verifier = oauth2.GenerateVerifier()
		code = e.login(newBrowser(t), e.authorizeURL(pub, redirectURI, verifier, "state-12345"), "admin", "admin123", "allow").Query().Get("code")
		exchange(code, oauth2.GenerateVerifier()).expectError(t, 400, "invalid_grant")
		exchange(code, verifier).expectError(t, 400, "invalid_grant")
		// no verifier for a code with a challenge
		code = e.login(newBrowser(t), e.authorizeURL(pub, redirectURI, verifier, "state-12345"), "admin", "admin123", "allow").Query().Get("code")
		exchange(code, "").expectError(t, 400, "invalid_grant")
		exchange("unknown-code", verifier).expectError(t, 400, "invalid_grant")

		// one code exchanged by many at once: exactly one succeeds
		verifier = oauth2.GenerateVerifier()
		code = e.login(newBrowser(t), e.authorizeURL(pub, redirectURI, verifier, "state-12345"), "admin", "admin123", "allow").Query().Get("code")
		statuses := parallel(8, func() response { return exchange(code, verifier) })
		if statuses[http.StatusOK] != 1 || statuses[http.StatusBadRequest] != 7 {
			t.Errorf("8 exchanges of one code at once: %v, want one 200 and seven 400", statuses)
		}

		// deny
		u = e.login(newBrowser(t), e.authorizeURL(pub, redirectURI, verifier, "state-12345"), "admin", "admin123", "deny")
		if u.Query().Get("error") != "access_denied" || u.Query().Get("code") != "" || u.Query().Get("state") != "state-12345" {
			t.Errorf("denied: redirected to %s", u)
		}

		// a public client without a challenge: redirected with invalid_request, no login page
		status, h, _ := newBrowser(t).get(e.authorizeURL(pub, redirectURI, "", "state-12345"))
		loc, _ := url.Parse(h.Get("Location"))
		if status != http.StatusSeeOther || loc.Query().Get("error") != "invalid_request" || !strings.HasPrefix(loc.String(), redirectURI) {
			t.Errorf("public client without code_challenge: %d %s", status, loc)
		}
		// an unregistered redirect_uri: 400, never redirected to
		for _, bad := range []string{"http://127.0.0.1:9999/other", "https://evil.example/callback", redirectURI + "?x=1"} {
			status, h, page := newBrowser(t).get(e.authorizeURL(pub, bad, verifier, "state-12345"))
			if status != http.StatusBadRequest || h.Get("Location") != "" || strings.Contains(page, `name="password"`) {
				t.Errorf("redirect_uri %s: %d Location %q", bad, status, h.Get("Location"))
			}
		}
		// an unknown client: 400, no redirect
		status, h, _ = newBrowser(t).get(e.authorizeURL("unknown", redirectURI, verifier, "state-12345"))
		if status != http.StatusBadRequest || h.Get("Location") != "" {
			t.Errorf("unknown client: %d %q", status, h.Get("Location"))
		}

		// a wrong password shows the login page again
		br := newBrowser(t)
		_, _, page := br.get(e.authorizeURL(pub, redirectURI, verifier, "state-12345"))
		status, _, page = br.postForm(e.srv.URL+"/oauth2-token/authorize", url.Values{"flow": {flow(t, page)}, "username": {"admin"}, "password": {"wrong"}})
		if status != http.StatusOK || !strings.Contains(page, "The username or password is wrong.") {
			t.Errorf("wrong password: %d %s", status, page)
		}
		// a form without the cookie it belongs to (another site's page) is refused
		status, _, _ = newBrowser(t).postForm(e.srv.URL+"/oauth2-token/authorize", url.Values{"flow": {flow(t, page)}, "username": {"admin"}, "password": {"admin123"}})
		if status != http.StatusBadRequest {
			t.Errorf("a form posted without its cookie: %d", status)
		}
		// a tampered state
		f := flow(t, page)
		status, _, _ = br.postForm(e.srv.URL+"/oauth2-token/authorize", url.Values{"flow": {"x" + f}, "username": {"admin"}, "password": {"admin123"}})
		if status != http.StatusBadRequest {
			t.Errorf("a tampered form: %d", status)
		}
	})
}

func TestAuthorizationCodeConfidential(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, oauth.Config{})
		ctx := context.Background()
		id, secret := e.app(oauth.AppSpec{Grants: []string{"authorization_code"}, RedirectURIs: []string{redirectURI}, SkipConsent: true})
		cfg := oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: redirectURI, Endpoint: oauth2.Endpoint{
			TokenURL: e.srv.URL + "/oauth2-token", AuthStyle: oauth2.AuthStyleInHeader}}
		// skip consent, no PKCE
		u := e.login(newBrowser(t), e.authorizeURL(id, redirectURI, "", "state-abcdef"), "admin", "admin123", "")
		tok, err := cfg.Exchange(ctx, u.Query().Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		if tok.RefreshToken == "" || e.api(tok.AccessToken) != http.StatusOK {
			t.Errorf("token %+v", tok)
		}
		// with PKCE
		verifier := oauth2.GenerateVerifier()
		u = e.login(newBrowser(t), e.authorizeURL(id, redirectURI, verifier, "state-abcdef"), "admin", "admin123", "")
		if _, err := cfg.Exchange(ctx, u.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
			t.Fatal(err)
		}
		// a wrong verifier, then none: a code with a challenge always needs its verifier
		u = e.login(newBrowser(t), e.authorizeURL(id, redirectURI, verifier, "state-abcdef"), "admin", "admin123", "")
		code := u.Query().Get("code")
		e.post(map[string]string{"grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI, "code_verifier": oauth2.GenerateVerifier()},
			false, id, secret).expectError(t, 400, "invalid_grant")
		e.post(map[string]string{"grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI}, false, id, secret).
			expectError(t, 400, "invalid_grant")
		e.post(map[string]string{"grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI, "code_verifier": verifier},
			false, id, secret).expectError(t, 400, "invalid_grant")
		// a wrong secret
		u = e.login(newBrowser(t), e.authorizeURL(id, redirectURI, "", "state-abcdef"), "admin", "admin123", "")
		e.post(map[string]string{"grant_type": "authorization_code", "code": u.Query().Get("code"), "redirect_uri": redirectURI}, false, id, "wrong").
			expectError(t, 401, "invalid_client")
		// another redirect_uri than the authorization's
		e.post(map[string]string{"grant_type": "authorization_code", "code": u.Query().Get("code"), "redirect_uri": redirectURI + "x"}, false, id, secret).
			expectError(t, 400, "invalid_grant")
		if n, _ := logins(t, e.db, 1); n != 2 {
			t.Errorf("%d logins after two completed flows", n)
		}
		// an application without the grant is refused at authorize, by redirect
		other, _ := e.app(oauth.AppSpec{Grants: []string{"password"}, RedirectURIs: []string{redirectURI}})
		status, h, _ := newBrowser(t).get(e.authorizeURL(other, redirectURI, verifier, "state-abcdef"))
		if loc, _ := url.Parse(h.Get("Location")); status != http.StatusSeeOther || loc.Query().Get("error") != "unauthorized_client" {
			t.Errorf("authorize for a password-only application: %d %s", status, h.Get("Location"))
		}
	})
}

func TestRevocationAndDisabling(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, oauth.Config{})
		ctx := context.Background()
		id, secret := e.app(oauth.AppSpec{Grants: []string{"client_credentials", "password"}})
		other, otherSecret := e.app(oauth.AppSpec{Grants: []string{"password"}})
		cc := map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret}
		access, _ := e.post(cc, false).expectTokens(t, false)
		_, refresh := e.post(map[string]string{"grant_type": "password", "client_id": id, "client_secret": secret, "username": "admin", "password": "admin123"}, false).
			expectTokens(t, true)
		otherAccess, _ := e.post(map[string]string{"grant_type": "password", "client_id": other, "client_secret": otherSecret, "username": "admin", "password": "admin123"}, false).
			expectTokens(t, true)
		if e.api(access) != http.StatusOK || e.api(otherAccess) != http.StatusOK { // the principals are cached now
			t.Fatal("the tokens do not work")
		}
		found, err := e.db.RevokeOAuthApplication(ctx, id, time.Now())
		if err != nil || !found {
			t.Fatal(found, err)
		}
		if s := e.api(access); s != http.StatusUnauthorized {
			t.Errorf("a revoked application's token: %d", s)
		}
		if s := e.api(otherAccess); s != http.StatusOK {
			t.Errorf("another application's token after a revocation: %d", s)
		}
		e.post(cc, false).expectError(t, 401, "invalid_client")
		e.post(map[string]string{"grant_type": "refresh_token", "client_id": id, "client_secret": secret, "refresh_token": refresh}, false).
			expectError(t, 401, "invalid_client")
		if err := oauth.CheckClient(ctx, e.db, id); err == nil {
			t.Error("CheckClient accepts a revoked application")
		}

		// a disabled user: tokens refused at once, no new ones
		id2, secret2 := e.app(oauth.AppSpec{Grants: []string{"client_credentials", "password"}})
		access, _ = e.post(map[string]string{"grant_type": "client_credentials", "client_id": id2, "client_secret": secret2}, false).expectTokens(t, false)
		_, refresh = e.post(map[string]string{"grant_type": "password", "client_id": id2, "client_secret": secret2, "username": "admin", "password": "admin123"}, false).
			expectTokens(t, true)
		if err := e.db.Gorm.Exec("UPDATE users SET enabled = ? WHERE id = 1", false).Error; err != nil {
			t.Fatal(err)
		}
		if s := e.api(access); s != http.StatusUnauthorized {
			t.Errorf("a disabled user's token: %d", s)
		}
		e.post(map[string]string{"grant_type": "client_credentials", "client_id": id2, "client_secret": secret2}, false).expectError(t, 400, "invalid_grant")
		e.post(map[string]string{"grant_type": "password", "client_id": id2, "client_secret": secret2, "username": "admin", "password": "admin123"}, false).
			expectError(t, 400, "invalid_grant")
		e.post(map[string]string{"grant_type": "refresh_token", "client_id": id2, "client_secret": secret2, "refresh_token": refresh}, false).
			expectError(t, 400, "invalid_grant")
		// a disabled organization likewise
		if err := e.db.Gorm.Exec("UPDATE users SET enabled = ? WHERE id = 1", true).Error; err != nil {
			t.Fatal(err)
		}
		if s := e.api(access); s != http.StatusOK {
			t.Errorf("re-enabled: %d", s)
		}
		if err := e.db.Gorm.Exec("UPDATE organizations SET enabled = ? WHERE id = 1", false).Error; err != nil {
			t.Fatal(err)
		}
		if s := e.api(access); s != http.StatusUnauthorized {
			t.Errorf("a disabled organization's token: %d", s)
		}
		e.post(map[string]string{"grant_type": "client_credentials", "client_id": id2, "client_secret": secret2}, false).expectError(t, 400, "invalid_grant")
	})
}

func TestKeyPersistedAndShared(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		a := newEnv(t, b, oauth.Config{})
		second := newEnvOn(t, storetest.OpenAgain(t, b, a.db), oauth.Config{})
		id, secret := a.app(oauth.AppSpec{Grants: []string{"password"}})
		access, refresh := a.post(map[string]string{"grant_type": "password", "client_id": id, "client_secret": secret, "username": "admin", "password": "admin123"}, false).
			expectTokens(t, true)
		if s := second.api(access); s != http.StatusOK {
			t.Errorf("a token of process A on process B: %d", s)
		}
		access, _ = second.post(map[string]string{"grant_type": "refresh_token", "client_id": id, "client_secret": secret, "refresh_token": refresh}, false).
			expectTokens(t, true)
		if s := a.api(access); s != http.StatusOK {
			t.Errorf("a token of process B on process A: %d", s)
		}
		var n int64
		a.db.Gorm.Raw("SELECT COUNT(*) FROM oauth_keys").Scan(&n)
		if n != 1 {
			t.Errorf("%d keys", n)
		}
		// only signatures are stored (the HMAC part of fosite's tokens), never the token or its
		// random part, without which the signature is useless
		secretPart, _, _ := strings.Cut(refresh, ".")
		var stored []string
		a.db.Gorm.Raw("SELECT signature || request FROM oauth_refresh_tokens").Scan(&stored)
		if len(stored) != 2 {
			t.Errorf("%d refresh tokens stored", len(stored))
		}
		for _, s := range stored {
			if strings.Contains(s, secretPart) {
				t.Errorf("the refresh token is stored: %s", s)
			}
		}
	})
}

// A flood of token requests (each compares a secret with bcrypt) is admitted a few at a time:
// beyond Config.SecretChecks a request waits at most SecretWait, then gets 503
// temporarily_unavailable with Retry-After, while the API's other requests go on.
func TestSecretChecksBounded(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b, oauth.Config{SecretChecks: 1, SecretWait: 10 * time.Millisecond})
			id, secret := e.app(oauth.AppSpec{})
			access, _ := e.post(map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret}, false).expectTokens(t, false)
			const n = 16
			type answer struct {
				status     int
				retryAfter string
				body       map[string]any
				err        error
			}
			answers := make([]answer, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {"wrong"}}
					res, err := http.PostForm(e.srv.URL+"/oauth2-token", form)
					if err != nil {
						answers[i].err = err
						return
					}
					defer res.Body.Close()
					answers[i].status, answers[i].retryAfter = res.StatusCode, res.Header.Get("Retry-After")
					answers[i].err = json.NewDecoder(res.Body).Decode(&answers[i].body)
				}()
			}
			close(start)
			if s := e.api(access); s != http.StatusOK {
				t.Errorf("the API during the flood: %d", s)
			}
			wg.Wait()
			busy, refused := 0, 0
			for _, a := range answers {
				switch {
				case a.err != nil:
					t.Fatal(a.err)
				case a.status == http.StatusServiceUnavailable && a.retryAfter == "1" && a.body["error"] == "temporarily_unavailable":
					busy++
				case a.status == http.StatusUnauthorized && a.body["error"] == "invalid_client":
					refused++
				default:
					t.Fatalf("answer %d %q %v", a.status, a.retryAfter, a.body)
				}
			}
			if busy == 0 || refused == 0 {
				t.Fatalf("%d busy and %d refused of %d: want both", busy, refused, n)
			}
			// and afterwards the endpoint answers as before
			e.post(map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret}, false).expectTokens(t, false)
		})
	}
}
