package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"webapi/server/oauth"
	"webapi/store"
)

var (
	confidentialJSON = regexp.MustCompile(`^\{"id": ([0-9]+), "client_id": "([0-9a-f]{32})", "client_secret": "([0-9a-f]{64})"\}\n$`)
	publicJSON       = regexp.MustCompile(`^\{"id": ([0-9]+), "client_id": "([0-9a-f]{32})"\}\n$`)
)

func TestOAuthAppCommands(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, db *store.DB, url string) {
		d := "--database=" + url
		out, err := invoke("", "oauth-app", "create", "--name", "Backend sync", "--user", "admin", "--grant", "client_credentials", "--grant", "password", "--json", d)
		m := confidentialJSON.FindStringSubmatch(out)
		if err != nil || m == nil || m[1] != "1" {
			t.Fatalf("create --json printed %q, %v", out, err)
		}
		confidential, secret := m[2], m[3]
		out, err = invoke("", "oauth-app", "create", "--name", "SPA", "--user", "admin", "--grant", "authorization_code,refresh_token",
			"--redirect-uri", "http://127.0.0.1:3000/cb", "--public", "--skip-consent", "--json", d)
		p := publicJSON.FindStringSubmatch(out)
		if err != nil || p == nil || p[1] != "2" {
			t.Fatalf("create --public --json printed %q, %v", out, err)
		}
		public := p[2]
		app, err := db.OAuthApplicationOf(context.Background(), confidential)
		if err != nil || app == nil || app.SecretHash == nil || bcrypt.CompareHashAndPassword([]byte(*app.SecretHash), []byte(secret)) != nil ||
			app.Grants != "client_credentials password" || app.UserID != 1 || app.OrganizationID != 1 {
			t.Errorf("stored %+v, %v", app, err)
		}
		if app, _ := db.OAuthApplicationOf(context.Background(), public); app == nil || app.SecretHash != nil || !app.Public || !app.SkipConsent ||
			app.RedirectURIs != "http://127.0.0.1:3000/cb" || app.Grants != "authorization_code refresh_token" {
			t.Errorf("stored public %+v", app)
		}
		expectOutput(t, confidential+` "Backend sync" user=admin grants=client_credentials,password confidential active`+"\n"+
			public+` "SPA" user=admin grants=authorization_code,refresh_token public active`+"\n", "", "oauth-app", "list", d)
		expectOutput(t, "application "+confidential+" revoked\n", "", "oauth-app", "revoke", confidential, d)
		expectOutput(t, confidential+` "Backend sync" user=admin grants=client_credentials,password confidential revoked`+"\n"+
			public+` "SPA" user=admin grants=authorization_code,refresh_token public active`+"\n", "", "oauth-app", "list", d)
		if err := oauth.CheckClient(context.Background(), db, confidential); err == nil {
			t.Error("a revoked application passes CheckClient")
		}
		out, err = invoke("", "oauth-app", "create", "--name", "Plain", "--user", "admin", d)
		if err != nil || !regexp.MustCompile(`^application 3 created: client id [0-9a-f]{32}, client secret [0-9a-f]{64} \(shown only now\)\n$`).MatchString(out) {
			t.Errorf("create printed %q, %v", out, err)
		}

		expectRefusal(t, `no application has the client id "nope"`, "", "oauth-app", "revoke", "nope", d)
		expectRefusal(t, `no user is named "nobody"`, "", "oauth-app", "create", "--name", "X", "--user", "nobody", d)
		expectRefusal(t, `unknown grant type "implicit"`, "", "oauth-app", "create", "--name", "X", "--user", "admin", "--grant", "implicit", d)
		expectRefusal(t, "authorization_code needs a redirect URI", "", "oauth-app", "create", "--name", "X", "--user", "admin", "--grant", "authorization_code", d)
		expectRefusal(t, "a public client has no secret", "", "oauth-app", "create", "--name", "X", "--user", "admin", "--public", d)
		expectRefusal(t, `required flag(s) "user" not set`, "", "oauth-app", "create", "--name", "X", d)

		// set-password
		expectOutput(t, `password of "admin" set`+"\n", "new secret pw\nignored\n", "user", "set-password", "admin", d)
		var hash string
		db.Gorm.Raw("SELECT password FROM users WHERE id = 1").Scan(&hash)
		if bcrypt.CompareHashAndPassword([]byte(hash), []byte("new secret pw")) != nil {
			t.Error("the password is not the first line, hashed")
		}
		expectRefusal(t, "at least 8 characters", "short\n", "user", "set-password", "admin", d)
		expectRefusal(t, `no user is named "nobody"`, "long enough\n", "user", "set-password", "nobody", d)
	})
}

// TestServeOAuth runs `webapi serve` with a key file and a lifetime, and uses it as a client
// would: a token from the token endpoint, the API with and without it.
func TestServeOAuth(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "serve.db")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemText, _ := oauth.EncodeKey(key)
	keyFile := filepath.Join(dir, "jwt.pem")
	if err := os.WriteFile(keyFile, []byte(pemText), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := invoke("", "oauth-app", "create", "--name", "CLI", "--user", "admin", "--json", "--database", db)
	m := confidentialJSON.FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("%q %v", out, err)
	}
	base, _, _ := startServe(t, "--database", db, "--jwt-key", keyFile, "--access-token-lifetime", "120s")
	var res *http.Response
	res, err = http.PostForm(base+"/oauth2-token", url.Values{"grant_type": {"client_credentials"}, "client_id": {m[2]}, "client_secret": {m[3]}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || tok.TokenType != "Bearer" || tok.ExpiresIn != 120 {
		t.Fatalf("token: %d %+v %v", res.StatusCode, tok, err)
	}
	// signed with the key of the file
	if _, err := jwt.Parse(tok.AccessToken, func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"})); err != nil {
		t.Errorf("the token is not signed with the --jwt-key: %v", err)
	}
	call := func(authz string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/accounts", nil)
		req.Header.Set("Accept", "application/vnd.api+json")
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	// a fresh database has the API switched off (api.md section 18): /oauth2-token works, /api/
	// is 404; `config set` in another process reaches the running server within 5 seconds
	if res := call("Bearer " + tok.AccessToken); res.StatusCode != http.StatusNotFound {
		t.Errorf("API switched off, with the token: %d", res.StatusCode)
	}
	if out, err := invoke("", "config", "set", "web_api", "true", "--database", db); err != nil {
		t.Fatalf("config set: %q %v", out, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for call("Bearer "+tok.AccessToken).StatusCode == http.StatusNotFound && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if res := call("Bearer " + tok.AccessToken); res.StatusCode != http.StatusOK {
		t.Errorf("API with the token: %d", res.StatusCode)
	}
	res = call("")
	if got := res.Header.Values("WWW-Authenticate"); res.StatusCode != http.StatusUnauthorized ||
		strings.Join(got, "|") != fmt.Sprintf("%s|%s", oauth.Challenge, `WSSE realm="webapi", profile="UsernameToken"`) {
		t.Errorf("API without credentials: %d %q", res.StatusCode, got)
	}
}

// startServe runs `webapi serve` with args on a free port until the test ends (or stop is
// called: it waits for the server to end), and returns its base URL and what it prints on
// standard output.
func startServe(t *testing.T, args ...string) (base string, out *syncBuffer, stop func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	out = &syncBuffer{}
	go func() {
		cmd := root()
		cmd.SetOut(out)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(append([]string{"serve", "--addr", addr}, args...))
		done <- cmd.ExecuteContext(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	base = "http://" + addr
	for i := 0; ; i++ {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			return base, out, stop
		}
		if i == 600 { // 30 s: --demo seeds and indexes first, slowly on a busy machine
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer that a goroutine writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// `webapi serve --demo` works in one command (issue 9): the API on, admin's new password and
// the new OAuth client printed, with curl lines that work; a second start replaces the client.
func TestServeDemo(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	creds := regexp.MustCompile(`user: +admin, password (\S+)\n +OAuth client: +client_id (\S+), client_secret (\S+) `)
	token := func(base string, form url.Values) string {
		t.Helper()
		res, err := http.PostForm(base+"/oauth2-token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || res.StatusCode != 200 {
			t.Fatalf("token: %d %v", res.StatusCode, err)
		}
		return tok.AccessToken
	}
	accounts := func(base, tok string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/accounts?page[size]=5", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var doc struct {
			Data []json.RawMessage `json:"data"`
		}
		if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != 200 {
			t.Fatalf("accounts: %d %v", res.StatusCode, err)
		}
		return len(doc.Data)
	}
	var first []string
	for round := range 2 {
		func() {
			base, out, stop := startServe(t, "--database", db, "--demo")
			defer stop()
			m := creds.FindStringSubmatch(out.String())
			if m == nil || !strings.Contains(out.String(), base+"/api/doc") || !strings.Contains(out.String(), "curl -g -H \"Authorization: Bearer $TOKEN\" '"+base+"/api/accounts") {
				t.Fatalf("serve --demo printed:\n%s", out)
			}
			if n := accounts(base, token(base, url.Values{"grant_type": {"client_credentials"}, "client_id": {m[2]}, "client_secret": {m[3]}})); n != 5 {
				t.Fatalf("%d accounts, want 5", n)
			}
			if n := accounts(base, token(base, url.Values{"grant_type": {"password"}, "client_id": {m[2]}, "client_secret": {m[3]},
				"username": {"admin"}, "password": {m[1]}})); n != 5 {
				t.Fatalf("%d accounts, want 5", n)
			}
			if round == 1 {
				// the previous start's client is revoked
				res, err := http.PostForm(base+"/oauth2-token", url.Values{"grant_type": {"client_credentials"}, "client_id": {first[2]}, "client_secret": {first[3]}})
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("the previous client: %d, want 401", res.StatusCode)
				}
			}
			first = m
		}()
	}
}
