// Package oauth is the OAuth 2.0 authorization server of the API (api.md section 16), built on
// fosite, which does the protocol: the token endpoint (POST /oauth2-token: client_credentials,
// password, refresh_token with rotation, authorization_code with PKCE S256), the authorize pages
// (GET and POST /oauth2-token/authorize: login, consent, redirect with the code), and the Bearer
// scheme that verifies the access tokens (RS256 JWTs) of API requests.
//
// The applications, codes, refresh tokens (by signature only) and the signing key live in the
// database (migration 5), so every server process sharing it issues and accepts the same
// tokens.
package oauth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/token/hmac"
	"golang.org/x/crypto/bcrypt"

	foauth2 "github.com/ory/fosite/handler/oauth2"

	"webapi/server/auth"
	"webapi/store"
)

// Lifetimes are how long what the server issues stays valid.
type Lifetimes struct {
	AccessToken  time.Duration // 3600 s
	RefreshToken time.Duration // 18,144,000 s (210 days)
	AuthCode     time.Duration // 600 s
}

// DefaultLifetimes are api.md's.
var DefaultLifetimes = Lifetimes{AccessToken: time.Hour, RefreshToken: 210 * 24 * time.Hour, AuthCode: 10 * time.Minute}

// Config configures a Provider.
type Config struct {
	Lifetimes Lifetimes // zero fields take DefaultLifetimes'
	// Key signs the access tokens; nil: the key in the database, generated on first use.
	Key    *rsa.PrivateKey
	Logger *slog.Logger // slog.Default() when nil
	// SecretChecks bounds the token requests and login forms handled at once (each compares a
	// secret or a password with bcrypt, about 50 ms of a core by design); 0: half the cores,
	// at least 1. A request beyond it waits at most SecretWait (0: 5 s), then gets 503. So a
	// flood of them, valid or not, never takes every core from the API's other clients.
	SecretChecks int
	SecretWait   time.Duration
}

// Provider is the authorization server: its endpoints (Routes), its Bearer scheme, and the
// check of applications for auth.Resolver (CheckClient).
type Provider struct {
	db        *store.DB
	fosite    fosite.OAuth2Provider
	lifetimes Lifetimes
	bearer    *Bearer
	strategy  *accessTokens
	formKey   []byte // the MAC key of the authorize pages' state
	log       *slog.Logger

	mu        sync.Mutex
	nextPurge time.Time

	secretChecks chan struct{} // see Config.SecretChecks
	secretWait   time.Duration
}

// admit waits for a place among the requests that check secrets (Config.SecretChecks); ok is
// false when none came free within the wait (or the request ended), and release gives it back.
func (p *Provider) admit(ctx context.Context) (release func(), ok bool) {
	t := time.NewTimer(p.secretWait)
	defer t.Stop()
	select {
	case p.secretChecks <- struct{}{}:
		return func() { <-p.secretChecks }, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

// New builds the provider over a migrated database.
func New(ctx context.Context, db *store.DB, cfg Config) (*Provider, error) {
	lt := cfg.Lifetimes
	checks, wait := cfg.SecretChecks, cfg.SecretWait
	if checks <= 0 {
		checks = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if wait <= 0 {
		wait = 5 * time.Second
	}
	if lt.AccessToken <= 0 {
		lt.AccessToken = DefaultLifetimes.AccessToken
	}
	if lt.RefreshToken <= 0 {
		lt.RefreshToken = DefaultLifetimes.RefreshToken
	}
	if lt.AuthCode <= 0 {
		lt.AuthCode = DefaultLifetimes.AuthCode
	}
	key := cfg.Key
	if key == nil {
		var err error
		if key, err = databaseKey(ctx, db); err != nil {
			return nil, err
		}
	}
	if key.N.BitLen() < 2048 {
		return nil, errors.New("oauth: the signing key must have at least 2048 bits")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	fc := &fosite.Config{
		AccessTokenLifespan:   lt.AccessToken,
		RefreshTokenLifespan:  lt.RefreshToken,
		AuthorizeCodeLifespan: lt.AuthCode,
		GlobalSecret:          deriveSecret(key, "token hmac"),
		// PKCE: S256 only; required of public clients, optional for confidential ones.
		EnforcePKCEForPublicClients: true,
		ScopeStrategy:               fosite.ExactScopeStrategy,
		// What a code keeps of its authorize request besides fosite's defaults: the token
		// endpoint compares redirect_uri, and a challenged code needs its verifier.
		SanitationWhiteList:      []string{"redirect_uri", "code_challenge", "code_challenge_method"},
		AudienceMatchingStrategy: fosite.DefaultAudienceMatchingStrategy,
	}
	kid := keyID(&key.PublicKey)
	strategy := &accessTokens{
		CoreStrategy: foauth2.NewHMACSHAStrategy(&hmac.HMACStrategy{Config: fc}, fc),
		key:          key, kid: kid,
	}
	st := &storage{db: db, lifetime: lt}
	p := &Provider{
		db:        db,
		lifetimes: lt,
		bearer:    &Bearer{key: &key.PublicKey, kid: kid, verified: &tokenCache{}},
		strategy:  strategy,
		formKey:   deriveSecret(key, "authorize form"),
		log:       log,

		secretChecks: make(chan struct{}, checks),
		secretWait:   wait,
		fosite: compose.Compose(fc, st, strategy,
			compose.OAuth2AuthorizeExplicitFactory,
			compose.OAuth2ClientCredentialsGrantFactory,
			compose.OAuth2RefreshTokenGrantFactory,
			compose.OAuth2ResourceOwnerPasswordCredentialsFactory,
			compose.OAuth2PKCEFactory,
		),
	}
	return p, nil
}

// Bearer returns the scheme that verifies the provider's access tokens.
func (p *Provider) Bearer() *Bearer { return p.bearer }

// Lifetimes returns the provider's lifetimes.
func (p *Provider) Lifetimes() Lifetimes { return p.lifetimes }

// CheckClient is auth.Resolver's Client hook: the application clientID must exist and be
// active (a *auth.Failure otherwise). Its revocation moves auth_state, so principals built
// before are not used again.
func (p *Provider) CheckClient(ctx context.Context, clientID string) error {
	return CheckClient(ctx, p.db, clientID)
}

// CheckClient is Provider.CheckClient over db.
func CheckClient(ctx context.Context, db *store.DB, clientID string) error {
	app, err := db.OAuthApplicationOf(ctx, clientID)
	if err != nil {
		return err
	}
	if app == nil || !app.Active {
		return &auth.Failure{Detail: "The application of the access token is revoked."}
	}
	return nil
}

// The grant types an application may be registered for.
var grantTypes = []string{"client_credentials", "password", "authorization_code", "refresh_token"}

// AppSpec describes an application to create.
type AppSpec struct {
	Name string
	// Username is the user the application acts as for client_credentials; the application
	// belongs to that user's organization.
	Username     string
	Grants       []string // grant types; none: client_credentials
	RedirectURIs []string // exact URIs, for authorization_code
	Public       bool     // no secret (PKCE required); not for client_credentials
	SkipConsent  bool
}

// ErrNoUser reports that AppSpec.Username names no user.
var ErrNoUser = errors.New("oauth: no such user")

// CreateApplication registers an application and returns its id, client id and secret ("" for a
// public client); only the secret's bcrypt hash is stored.
func CreateApplication(ctx context.Context, db *store.DB, spec AppSpec) (id int64, clientID, secret string, err error) {
	name := strings.TrimSpace(spec.Name)
	if name == "" || len(name) > 255 {
		return 0, "", "", errors.New("oauth: the name must be 1 to 255 characters")
	}
	grants := spec.Grants
	if len(grants) == 0 {
		grants = []string{"client_credentials"}
	}
	var uniq []string
	for _, g := range grants {
		if !slices.Contains(grantTypes, g) {
			return 0, "", "", fmt.Errorf("oauth: unknown grant type %q (known: %s)", g, strings.Join(grantTypes, ", "))
		}
		if !slices.Contains(uniq, g) {
			uniq = append(uniq, g)
		}
	}
	if spec.Public && slices.Contains(uniq, "client_credentials") {
		return 0, "", "", errors.New("oauth: a public client has no secret: it cannot use client_credentials")
	}
	for _, u := range spec.RedirectURIs {
		pu, err := url.Parse(u)
		if err != nil || !pu.IsAbs() || pu.Fragment != "" || strings.ContainsAny(u, " \n\r\t") {
			return 0, "", "", fmt.Errorf("oauth: %q is not an absolute redirect URI without fragment", u)
		}
	}
	if slices.Contains(uniq, "authorization_code") && len(spec.RedirectURIs) == 0 {
		return 0, "", "", errors.New("oauth: authorization_code needs a redirect URI")
	}
	clientID, err = randomHex(16)
	if err != nil {
		return 0, "", "", err
	}
	app := &store.OAuthApplication{ClientID: clientID, Name: name, Grants: strings.Join(uniq, " "),
		RedirectURIs: strings.Join(spec.RedirectURIs, "\n"), Public: spec.Public, SkipConsent: spec.SkipConsent, Active: true}
	if !spec.Public {
		if secret, err = randomHex(32); err != nil {
			return 0, "", "", err
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.DefaultCost)
		if err != nil {
			return 0, "", "", err
		}
		h := string(hash)
		app.SecretHash = &h
	}
	found, err := db.CreateOAuthApplication(ctx, app, spec.Username)
	if err != nil {
		return 0, "", "", err
	}
	if !found {
		return 0, "", "", ErrNoUser
	}
	return app.ID, clientID, secret, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Purge of expired codes, refresh tokens and challenges: at most every purgeInterval per
// process, at most purgeBatch rows of each table at a time.
const (
	purgeInterval = time.Minute
	purgeBatch    = 1000
)

func (p *Provider) purge(ctx context.Context) {
	now := time.Now()
	p.mu.Lock()
	if now.Before(p.nextPurge) {
		p.mu.Unlock()
		return
	}
	p.nextPurge = now.Add(purgeInterval)
	p.mu.Unlock()
	if _, err := p.db.PurgeOAuthGrants(ctx, now, purgeBatch); err != nil {
		p.log.Warn("oauth: purge of expired grants failed", "error", err)
	}
}
