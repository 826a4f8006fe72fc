package wsse

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"webapi/server/auth"
)

// The known vector: computed outside Go with
//
//	(printf %s ZmMzZDg4YzMzYzRmYjMxNQ== | base64 -d; printf %s 2016-09-20T10:00:00+03:00dd1c18d06773cc377c9df6166c54c6e5fefa50fa) | openssl sha1 -binary | base64
const (
	vectorNonce   = "ZmMzZDg4YzMzYzRmYjMxNQ=="
	vectorCreated = "2016-09-20T10:00:00+03:00"
	vectorKey     = "dd1c18d06773cc377c9df6166c54c6e5fefa50fa"
	vectorDigest  = "AoOz1pnCsmjI32Is667f4x3vQW4="
)

func TestDigestKnownVector(t *testing.T) {
	t.Parallel()
	nonce, err := base64.StdEncoding.DecodeString(vectorNonce)
	if err != nil {
		t.Fatal(err)
	}
	if got := Digest(nonce, vectorCreated, vectorKey); got != vectorDigest {
		t.Fatalf("Digest = %s, want %s", got, vectorDigest)
	}
	authz, x := HeadersWith("admin", vectorKey, nonce, vectorCreated)
	if authz != `WSSE profile="UsernameToken"` {
		t.Errorf("Authorization: %s", authz)
	}
	want := `UsernameToken Username="admin", PasswordDigest="` + vectorDigest + `", Nonce="` + vectorNonce + `", Created="` + vectorCreated + `"`
	if x != want {
		t.Errorf("X-WSSE:\n got %s\nwant %s", x, want)
	}
	tok, err := ParseToken(x)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Username != "admin" || string(tok.Nonce) != "fc3d88c33c4fb315" || tok.Created != vectorCreated ||
		!tok.At.Equal(time.Date(2016, 9, 20, 7, 0, 0, 0, time.UTC)) || base64.StdEncoding.EncodeToString(tok.Digest) != vectorDigest {
		t.Errorf("parsed %+v", tok)
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("", 3600))
	_, x1, err := Headers("admin", "key", now)
	if err != nil {
		t.Fatal(err)
	}
	_, x2, _ := Headers("admin", "key", now)
	if x1 == x2 {
		t.Error("two headers share a nonce")
	}
	tok, err := ParseToken(x1)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Created != "2026-03-01T12:00:00+01:00" || len(tok.Nonce) != 16 {
		t.Errorf("Created %s, nonce of %d bytes", tok.Created, len(tok.Nonce))
	}
	if Digest(tok.Nonce, tok.Created, "key") != base64.StdEncoding.EncodeToString(tok.Digest) {
		t.Error("the digest does not match the key")
	}
	for _, bad := range []string{"", `ad"min`, `ad\min`, "ad\nmin", "ad\xffmin"} {
		if _, _, err := Headers(bad, "key", now); err == nil {
			t.Errorf("Headers(%q) made a header", bad)
		}
	}
}

func TestParseToken(t *testing.T) {
	t.Parallel()
	const digest = `PasswordDigest="` + vectorDigest + `"`
	valid := `Username="admin", ` + digest + `, Nonce="` + vectorNonce + `", Created="` + vectorCreated + `"`
	accepted := []string{
		"UsernameToken " + valid,
		// any order, no space or several around commas, tabs, unknown pairs
		`UsernameToken Created="` + vectorCreated + `",Nonce="` + vectorNonce + `" ,  ` + digest + `,	Username="admin"`,
		"UsernameToken\t" + valid + `, Organization="1"  `,
		// the nonce without its padding
		`UsernameToken Username="admin", ` + digest + `, Nonce="ZmMzZDg4YzMzYzRmYjMxNQ", Created="` + vectorCreated + `"`,
		// UTC, fractions of a second
		`UsernameToken Username="admin", ` + digest + `, Nonce="` + vectorNonce + `", Created="2016-09-20T07:00:00.5Z"`,
		// any UTF-8 username
		`UsernameToken Username="ÄÖÜ", ` + digest + `, Nonce="` + vectorNonce + `", Created="` + vectorCreated + `"`,
	}
	for _, h := range accepted {
		if _, err := ParseToken(h); err != nil {
			t.Errorf("ParseToken(%q): %v", h, err)
		}
	}
	syntax := errSyntax.(*auth.Failure).Detail
	refused := map[string]string{ // header → the detail of the answer
		"":                             "The X-WSSE header must be a UsernameToken.",
		"UsernameToken":                `The X-WSSE header must be UsernameToken followed by Name="value" pairs separated by commas.`,
		"Token " + valid:               "The X-WSSE header must be a UsernameToken.",
		"UsernameTokens " + valid:      "The X-WSSE header must be a UsernameToken.",
		"usernametoken " + valid:       "The X-WSSE header must be a UsernameToken.",
		"UsernameToken " + valid + ",": syntax,
		"UsernameToken " + valid + `, Username="x"`:                                                                    syntax,
		"UsernameToken " + strings.Replace(valid, `", `, `" `, 1):                                                      syntax,
		"UsernameToken " + strings.Replace(valid, `"admin"`, `admin`, 1):                                               syntax,
		"UsernameToken " + strings.Replace(valid, `"admin"`, `"adm`, 1):                                                syntax,
		"UsernameToken " + strings.Replace(valid, `"admin"`, `"ad\"min"`, 1):                                           syntax,
		"UsernameToken " + strings.Replace(valid, `"admin"`, "\"ad\x00min\"", 1):                                       syntax,
		"UsernameToken " + strings.Replace(valid, `"admin"`, "\"ad\xffmin\"", 1):                                       syntax,
		"UsernameToken " + strings.Replace(valid, `Username=`, `User name=`, 1):                                        syntax,
		"UsernameToken " + strings.Replace(valid, `Username=`, `=`, 1):                                                 syntax,
		"UsernameToken " + strings.Repeat(`A="b", `, 8) + valid:                                                        syntax,
		"UsernameToken " + strings.Replace(valid, `Username="admin", `, "", 1):                                         "The X-WSSE header lacks Username.",
		"UsernameToken " + strings.Replace(valid, digest+", ", "", 1):                                                  "The X-WSSE header lacks PasswordDigest.",
		"UsernameToken " + strings.Replace(valid, `Nonce=`, `nonce=`, 1):                                               "The X-WSSE header lacks Nonce.",
		"UsernameToken " + strings.Replace(valid, `, Created="`+vectorCreated+`"`, "", 1):                              "The X-WSSE header lacks Created.",
		"UsernameToken " + strings.Replace(valid, `"admin"`, `""`, 1):                                                  "The X-WSSE Username is invalid.",
		"UsernameToken " + strings.Replace(valid, `"admin"`, `"`+strings.Repeat("a", 256)+`"`, 1):                      "The X-WSSE Username is invalid.",
		"UsernameToken " + strings.Replace(valid, vectorNonce, "", 1):                                                  "The X-WSSE Nonce must be base64.",
		"UsernameToken " + strings.Replace(valid, vectorNonce, "ZmMz!Dg4", 1):                                          "The X-WSSE Nonce must be base64.",
		"UsernameToken " + strings.Replace(valid, vectorNonce, "ZmMzZA=", 1):                                           "The X-WSSE Nonce must be base64.",
		"UsernameToken " + strings.Replace(valid, vectorNonce, "ZmMzZB==", 1):                                          "The X-WSSE Nonce must be base64.", // non-zero padding bits
		"UsernameToken " + strings.Replace(valid, vectorNonce, strings.Repeat("A", 204), 1):                            "The X-WSSE Nonce must be base64.",
		"UsernameToken " + strings.Replace(valid, vectorDigest, "AoOz1pnCsmjI32Is667f4x3vQW4", 1):                      "The X-WSSE PasswordDigest must be a base64 SHA-1 digest.",
		"UsernameToken " + strings.Replace(valid, vectorDigest, "AoOz1pnC", 1):                                         "The X-WSSE PasswordDigest must be a base64 SHA-1 digest.",
		"UsernameToken " + strings.Replace(valid, vectorDigest, "not base64!", 1):                                      "The X-WSSE PasswordDigest must be a base64 SHA-1 digest.",
		"UsernameToken " + strings.Replace(valid, vectorCreated, "2016-09-20 10:00:00", 1):                             "The X-WSSE Created must be an RFC 3339 date-time.",
		"UsernameToken " + strings.Replace(valid, vectorCreated, "2016-09-20T10:00:00", 1):                             "The X-WSSE Created must be an RFC 3339 date-time.",
		"UsernameToken " + strings.Replace(valid, vectorCreated, "2016-09-31T10:00:00Z", 1):                            "The X-WSSE Created must be an RFC 3339 date-time.",
		"UsernameToken " + strings.Replace(valid, vectorCreated, "1474354800", 1):                                      "The X-WSSE Created must be an RFC 3339 date-time.",
		"UsernameToken " + strings.Replace(valid, vectorCreated, "2016-09-20T10:00:00"+strings.Repeat("0", 60)+"Z", 1): "The X-WSSE Created must be an RFC 3339 date-time.",
		"UsernameToken " + valid + `, X="` + strings.Repeat("x", 2048) + `"`:                                           "The X-WSSE header is too long.",
	}
	for h, detail := range refused {
		_, err := ParseToken(h)
		var f *auth.Failure
		if !errors.As(err, &f) {
			t.Errorf("ParseToken(%.80q) = %v, want a failure", h, err)
			continue
		}
		if f.Detail != detail {
			t.Errorf("ParseToken(%.80q): %q, want %q", h, f.Detail, detail)
		}
	}
}

func TestCheckAuthorization(t *testing.T) {
	t.Parallel()
	for _, h := range []string{`WSSE profile="UsernameToken"`, `wsse profile="UsernameToken"`, `WSSE profile=UsernameToken`,
		`WSSE   profile="UsernameToken"  `, `WSSE realm="webapi", profile="UsernameToken"`} {
		if err := checkAuthorization(h); err != nil {
			t.Errorf("%q: %v", h, err)
		}
	}
	for _, h := range []string{"", "WSSE", `WSSE profile="Other"`, `WSSE profile="usernametoken"`, `WSSE profile=""`,
		`WSSE profile="UsernameToken", profile="UsernameToken"`, `WSSE profile="UsernameToken",`, `Bearer profile="UsernameToken"`,
		`WSSE profile="UsernameToken` + strings.Repeat(" ", 300) + `"`, `WSSE profile="UsernameToken" x`} {
		if err := checkAuthorization(h); err != errAuthorization {
			t.Errorf("%q: %v, want %v", h, err, errAuthorization)
		}
	}
}

// FuzzParseToken: whatever the header, ParseToken answers a token or a *auth.Failure, never
// panics, and a token it answers holds what the digest and the nonce store need.
func FuzzParseToken(f *testing.F) {
	f.Add(`UsernameToken Username="admin", PasswordDigest="` + vectorDigest + `", Nonce="` + vectorNonce + `", Created="` + vectorCreated + `"`)
	f.Add(`UsernameToken Username="a", PasswordDigest="", Nonce="", Created=""`)
	f.Add(`UsernameToken A="", B="" ,C=""`)
	f.Add("UsernameToken \xff")
	f.Fuzz(func(t *testing.T, h string) {
		tok, err := ParseToken(h)
		if err != nil {
			var fail *auth.Failure
			if !errors.As(err, &fail) || fail.Detail == "" {
				t.Fatalf("ParseToken(%q): %v", h, err)
			}
			return
		}
		if tok.Username == "" || len(tok.Digest) != 20 || len(tok.Nonce) == 0 || tok.At.IsZero() {
			t.Fatalf("ParseToken(%q) = %+v", h, tok)
		}
		if n := base64.StdEncoding.EncodeToString(tok.Nonce); len(n) > 255 {
			t.Fatalf("a nonce of %d characters", len(n))
		}
	})
}
