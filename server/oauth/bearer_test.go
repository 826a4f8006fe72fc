package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"webapi/server/auth"
	"webapi/server/oauth"
	"webapi/store/storetest"
)

func verify(b *oauth.Bearer, authz string) (auth.Identity, error) {
	r := httptest.NewRequest(http.MethodGet, "/api/accounts", nil)
	r.Header.Set("Authorization", authz)
	return b.Verify(r)
}

func TestBearer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, oauth.Config{})
		id, secret := e.app(oauth.AppSpec{})
		access, _ := e.post(map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret}, false).expectTokens(t, false)
		bearer := e.p.Bearer()
		if got, err := verify(bearer, "Bearer "+access); err != nil || got != (auth.Identity{UserID: 1, ClientID: id}) {
			t.Fatalf("a valid token: %+v %v", got, err)
		}
		if got, err := verify(bearer, "bearer "+access); err != nil || got.UserID != 1 {
			t.Errorf("the scheme's name is case-insensitive: %v", err)
		}

		// the clock: valid until exp, not after
		c := &jwt.RegisteredClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(access, c); err != nil {
			t.Fatal(err)
		}
		exp := c.ExpiresAt.Time
		moved := &oauth.Bearer{}
		*moved = *bearer
		moved.Now = func() time.Time { return exp.Add(-time.Second) }
		if _, err := verify(moved, "Bearer "+access); err != nil {
			t.Errorf("a second before exp: %v", err)
		}
		moved.Now = func() time.Time { return exp.Add(time.Second) }
		expectFailure(t, "expired", moved, "Bearer "+access)

		parts := strings.Split(access, ".")
		header, _ := base64.RawURLEncoding.DecodeString(parts[0])
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		pubDER := x509.MarshalPKCS1PublicKey(&e.pubKey(t).PublicKey)
		pubPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pubDER})
		claims := jwt.MapClaims{"sub": "1", "client_id": id, "aud": []string{"webapi"}, "exp": time.Now().Add(time.Hour).Unix(),
			"iat": time.Now().Unix(), "jti": "x"}
		kid := strings.Split(strings.Split(string(header), `"kid":"`)[1], `"`)[0]
		sign := func(m jwt.SigningMethod, key any, claims jwt.MapClaims, kid string) string {
			tok := jwt.NewWithClaims(m, claims)
			tok.Header["kid"] = kid
			s, err := tok.SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		with := func(k string, v any) jwt.MapClaims {
			c := jwt.MapClaims{}
			for a, b := range claims {
				c[a] = b
			}
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
			return c
		}
		tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"2","client_id":"`+id+`","aud":["webapi"],"exp":9999999999,"iat":1}`)) + "." + parts[2]
		for name, tok := range map[string]string{
			"tampered payload":     tampered,
			"no signature":         parts[0] + "." + parts[1] + ".",
			"alg none":             sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims, kid),
			"HS256 with the key":   sign(jwt.SigningMethodHS256, pubPEM, claims, kid),
			"HS256 with the DER":   sign(jwt.SigningMethodHS256, pubDER, claims, kid),
			"another key":          sign(jwt.SigningMethodRS256, other, claims, kid),
			"another key's id":     sign(jwt.SigningMethodRS256, other, claims, "other"),
			"wrong audience":       sign(jwt.SigningMethodRS256, other, with("aud", []string{"elsewhere"}), kid),
			"no exp":               sign(jwt.SigningMethodRS256, other, with("exp", nil), kid),
			"garbage":              "not.a.token",
			"too long":             strings.Repeat("a", 5000),
			"three parts of junk":  "....",
			"signature of another": parts[0] + "." + parts[1] + "." + strings.Split(sign(jwt.SigningMethodRS256, other, claims, kid), ".")[2],
		} {
			expectFailure(t, name, bearer, "Bearer "+tok)
		}
		// tokens that the right key signs but that name no user or application
		right := e.pubKey(t)
		for name, c := range map[string]jwt.MapClaims{
			"sub not a number": with("sub", "admin"),
			"sub zero":         with("sub", "0"),
			"no client_id":     with("client_id", nil),
			"wrong audience":   with("aud", []string{"elsewhere"}),
			"expired":          with("exp", time.Now().Add(-time.Minute).Unix()),
			"no exp":           with("exp", nil),
			"issued later":     with("iat", time.Now().Add(time.Hour).Unix()),
		} {
			expectFailure(t, name+" (signed)", bearer, "Bearer "+sign(jwt.SigningMethodRS256, right, c, kid))
		}
		if _, err := verify(bearer, "Bearer "+sign(jwt.SigningMethodRS256, right, claims, kid)); err != nil {
			t.Errorf("the control token signed the same way: %v", err)
		}
		for _, h := range []string{"Bearer", "Bearer ", "Bearer  " + access, "Bearer " + access + " x", "Basic " + access} {
			expectFailure(t, "header "+h[:min(len(h), 12)], bearer, h)
		}
	})
}

// pubKey reads the signing key from the database (the provider made it).
func (e *env) pubKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	var text string
	if err := e.db.Gorm.Raw("SELECT private_key FROM oauth_keys WHERE id = 1").Row().Scan(&text); err != nil {
		t.Fatal(err)
	}
	k, err := oauth.ParseKey([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func expectFailure(t *testing.T, name string, b *oauth.Bearer, authz string) {
	t.Helper()
	id, err := verify(b, authz)
	var f *auth.Failure
	if !errors.As(err, &f) {
		t.Errorf("%s: %+v %v, want a failure", name, id, err)
	}
}

func TestKeyFile(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		dir := t.TempDir()
		pkcs1 := filepath.Join(dir, "pkcs1.pem")
		_ = os.WriteFile(pkcs1, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600)
		loaded, err := oauth.LoadKeyFile(pkcs1)
		if err != nil || !loaded.Equal(k) {
			t.Fatal(err)
		}
		e := newEnv(t, b, oauth.Config{Key: loaded})
		id, secret := e.app(oauth.AppSpec{})
		access, _ := e.post(map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret}, false).expectTokens(t, false)
		if _, err := jwt.Parse(access, func(*jwt.Token) (any, error) { return &k.PublicKey, nil }, jwt.WithValidMethods([]string{"RS256"})); err != nil {
			t.Errorf("not signed with the file's key: %v", err)
		}
		var n int64
		e.db.Gorm.Raw("SELECT COUNT(*) FROM oauth_keys").Scan(&n)
		if n != 0 {
			t.Errorf("a key was stored although one was given: %d", n)
		}
		// a server on the database's key refuses it
		dbKeyed := newEnvOn(t, e.db, oauth.Config{})
		if s := dbKeyed.api(access); s != http.StatusUnauthorized {
			t.Errorf("a token of another key: %d", s)
		}
		for name, text := range map[string]string{"empty": "", "not PEM": "hello", "public key": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}))} {
			f := filepath.Join(dir, "bad.pem")
			_ = os.WriteFile(f, []byte(text), 0o600)
			if _, err := oauth.LoadKeyFile(f); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		small, _ := rsa.GenerateKey(rand.Reader, 1024)
		if _, err := oauth.New(context.Background(), e.db, oauth.Config{Key: small}); err == nil {
			t.Error("a 1024-bit key accepted")
		}
	})
}
