package oauth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/ory/fosite"
	foauth2 "github.com/ory/fosite/handler/oauth2"

	"webapi/server/auth"
)

// Audience is the aud claim of every access token: the API of this server.
const Audience = "webapi"

// claims are the claims of an access token.
type claims struct {
	ClientID string `json:"client_id"`
	jwt.RegisteredClaims
}

// accessTokens issues the access tokens: RS256 JWTs that any process holding the public key
// verifies without a statement (fosite's own JWT strategy would do, but its claims and checks
// are its own; these are the API's). Codes and refresh tokens are fosite's HMAC tokens.
type accessTokens struct {
	foauth2.CoreStrategy // refresh tokens and codes
	key                  *rsa.PrivateKey
	kid                  string
}

var _ foauth2.CoreStrategy = (*accessTokens)(nil)

// AccessTokenSignature implements oauth2.AccessTokenStrategy.
func (a *accessTokens) AccessTokenSignature(_ context.Context, token string) string {
	return jwtSignature(token)
}

// jwtSignature is the signature part of a JWT.
func jwtSignature(token string) string {
	if i := strings.LastIndexByte(token, '.'); i >= 0 {
		return token[i+1:]
	}
	return ""
}

// GenerateAccessToken implements oauth2.AccessTokenStrategy: sub is the user the token acts
// for, client_id the application, exp what fosite set in the session.
func (a *accessTokens) GenerateAccessToken(_ context.Context, r fosite.Requester) (string, string, error) {
	s := r.GetSession()
	exp := s.GetExpiresAt(fosite.AccessToken)
	if s.GetSubject() == "" || exp.IsZero() {
		return "", "", errors.New("oauth: an access token without subject or expiry")
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", "", err
	}
	now := time.Now()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims{ClientID: r.GetClient().GetID(), RegisteredClaims: jwt.RegisteredClaims{
		Subject:   s.GetSubject(),
		Audience:  jwt.ClaimStrings{Audience},
		ExpiresAt: jwt.NewNumericDate(exp),
		IssuedAt:  jwt.NewNumericDate(now),
		ID:        hex.EncodeToString(jti[:]),
	}})
	t.Header["kid"] = a.kid
	signed, err := t.SignedString(a.key)
	if err != nil {
		return "", "", err
	}
	return signed, jwtSignature(signed), nil
}

// ValidateAccessToken implements oauth2.AccessTokenStrategy (fosite's introspection; the API
// uses Bearer).
func (a *accessTokens) ValidateAccessToken(_ context.Context, _ fosite.Requester, token string) error {
	if _, err := parseToken(token, &a.key.PublicKey, a.kid, time.Now()); err != nil {
		return fosite.ErrTokenSignatureMismatch.WithWrap(err)
	}
	return nil
}

// maxTokenLength bounds the tokens parsed (ours are about 600 bytes).
const maxTokenLength = 4096

// parseToken verifies token: RS256 only (no "none", no HMAC keyed with the public key), our key
// id, the signature, exp (required) and iat against now, the audience; and reads its claims.
func parseToken(token string, pub *rsa.PublicKey, kid string, now time.Time) (*claims, error) {
	if len(token) > maxTokenLength {
		return nil, errors.New("token too long")
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if k, _ := t.Header["kid"].(string); k != kid {
			return nil, errors.New("unknown key")
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithAudience(Audience), jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithStrictDecoding())
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Bearer is the auth.Scheme of OAuth 2.0 access tokens (`Authorization: Bearer <JWT>`): the
// signature and expiry are checked here, without a statement; whether the application is still
// active is auth.Resolver's Client hook (Provider.CheckClient), and the user's state auth.Load's.
type Bearer struct {
	key *rsa.PublicKey
	kid string
	// Now is the clock (time.Now when nil); tests move it.
	Now func() time.Time
	// verified remembers the tokens whose signature was checked, so that a client's next
	// requests with the same token skip the RSA verification (a third of the CPU of a small
	// GET); shared by copies of the Bearer.
	verified *tokenCache
}

// tokenCache maps a verified token to what it names and when it stops being valid. It only
// ever skips the signature check: expiry is checked on every use, and a revoked application or
// a disabled user is auth.Resolver's to refuse. The token itself is the key: hashing it with
// SHA-256 first took a hundredth of the CPU of a small GET, and only tokens this server signed
// (about 700 bytes) are ever put in.
type tokenCache struct {
	mu     sync.Mutex
	tokens map[string]verifiedToken
}

type verifiedToken struct {
	id       auth.Identity
	iat, exp time.Time
}

// maxVerified bounds the tokens remembered (under a kilobyte each with their key).
const maxVerified = 4096

func (c *tokenCache) get(token string, now time.Time) (auth.Identity, bool) {
	c.mu.Lock()
	v, ok := c.tokens[token]
	c.mu.Unlock()
	if !ok || !now.Before(v.exp) || now.Before(v.iat) {
		return auth.Identity{}, false
	}
	return v.id, true
}

func (c *tokenCache) put(token string, v verifiedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tokens == nil || len(c.tokens) >= maxVerified {
		c.tokens = map[string]verifiedToken{} // rather than grow without bound
	}
	c.tokens[token] = v
}

var _ auth.Scheme = (*Bearer)(nil)

// Challenge is the WWW-Authenticate value that offers the scheme.
const Challenge = `Bearer realm="webapi"`

// Name implements auth.Scheme.
func (b *Bearer) Name() string { return "Bearer" }

// Challenge implements auth.Scheme.
func (b *Bearer) Challenge() string { return Challenge }

var errInvalidToken = &auth.Failure{Detail: "The access token is invalid or has expired."}

// Verify implements auth.Scheme.
func (b *Bearer) Verify(r *http.Request) (auth.Identity, error) {
	values := r.Header.Values("Authorization")
	if len(values) != 1 {
		return auth.Identity{}, &auth.Failure{Detail: "The request must have one Authorization header."}
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.IndexByte(token, ' ') >= 0 || strings.IndexByte(token, '\t') >= 0 {
		return auth.Identity{}, &auth.Failure{Detail: "The Authorization header must be: Bearer <access token>."}
	}
	now := time.Now()
	if b.Now != nil {
		now = b.Now()
	}
	if len(token) > maxTokenLength {
		return auth.Identity{}, errInvalidToken
	}
	if b.verified != nil {
		if id, ok := b.verified.get(token, now); ok {
			return id, nil
		}
	}
	c, err := parseToken(token, b.key, b.kid, now)
	if err != nil {
		return auth.Identity{}, errInvalidToken
	}
	uid, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || uid <= 0 || c.ClientID == "" {
		return auth.Identity{}, errInvalidToken
	}
	id := auth.Identity{UserID: uid, ClientID: c.ClientID}
	if b.verified != nil && c.ExpiresAt != nil && c.IssuedAt != nil {
		b.verified.put(token, verifiedToken{id: id, iat: c.IssuedAt.Time, exp: c.ExpiresAt.Time})
	}
	return id, nil
}
