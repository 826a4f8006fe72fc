// Package wsse authenticates API requests by WSSE UsernameToken headers (api.md section 16), an
// auth.Scheme:
//
//	Authorization: WSSE profile="UsernameToken"
//	X-WSSE: UsernameToken Username="admin", PasswordDigest="…", Nonce="…", Created="2016-09-20T10:00:00+03:00"
//
// where PasswordDigest = base64(sha1(base64decode(Nonce) + Created + apiKey)) with the user's API
// key (one per user, `webapi user api-key`). A header is valid from 60 s before Created (clocks
// differ) until 3600 s after it, and each nonce is taken once: the nonces are stored in the
// database with the expiry of their header, so that a replay is refused by every server process
// that shares it, and purged once expired.
package wsse

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"webapi/server/auth"
	"webapi/store"
)

// Name is the auth-scheme of the Authorization header, and Challenge the WWW-Authenticate value
// that offers it.
const (
	Name      = "WSSE"
	Challenge = `WSSE realm="webapi", profile="UsernameToken"`
)

// The time rules of a header.
const (
	// Lifetime is how long a header is valid after its Created.
	Lifetime = 3600 * time.Second
	// MaxFuture is how far in the future a Created may be (the client's clock is ahead).
	MaxFuture = 60 * time.Second
	// keepMargin is how long a nonce is kept past its header's expiry: server processes whose
	// clocks differ by less still refuse its replay (one that thinks the header expired
	// refuses it for that).
	keepMargin = 5 * time.Minute
)

// The purge of expired nonces: at most every DefaultPurgeInterval per process, at most
// DefaultPurgeBatch rows at a time (and again at the next request while a batch comes back full).
const (
	DefaultPurgeInterval = time.Minute
	DefaultPurgeBatch    = 1000
)

// The answers to well-formed headers that do not authenticate.
var (
	errFuture   = failure("The X-WSSE Created is in the future.")
	errExpired  = failure("The X-WSSE header has expired.")
	errInvalid  = failure("The X-WSSE credentials are invalid.") // never says whether the user exists
	errReplayed = failure("Previously used nonce detected.")
)

// Scheme verifies WSSE headers against the users' API keys in DB. Its zero configuration fields
// take the defaults.
type Scheme struct {
	DB *store.DB
	// Now is the clock (time.Now when nil); tests move it.
	Now func() time.Time
	// PurgeInterval and PurgeBatch bound the purge of expired nonces (DefaultPurgeInterval,
	// DefaultPurgeBatch).
	PurgeInterval time.Duration
	PurgeBatch    int
	// Logger reports a purge that failed (slog.Default() when nil); the request it ran with
	// is not failed for it.
	Logger *slog.Logger

	mu        sync.Mutex
	nextPurge time.Time
}

// New returns the scheme over db.
func New(db *store.DB) *Scheme { return &Scheme{DB: db} }

var _ auth.Scheme = (*Scheme)(nil)

// Name implements auth.Scheme.
func (s *Scheme) Name() string { return Name }

// Challenge implements auth.Scheme.
func (s *Scheme) Challenge() string { return Challenge }

// Verify implements auth.Scheme: the headers' form, then Created against the clock, then the
// digest against the user's key, and last the nonce, which is taken only by a header that passed
// everything else (so that nobody but the key's holder can fill the table or spend a nonce).
func (s *Scheme) Verify(r *http.Request) (auth.Identity, error) {
	if err := checkAuthorization(r.Header.Get("Authorization")); err != nil {
		return auth.Identity{}, err
	}
	values := r.Header.Values("X-WSSE")
	switch {
	case len(values) == 0:
		return auth.Identity{}, errNoHeader
	case len(values) > 1:
		return auth.Identity{}, errManyHeaders
	}
	tok, err := ParseToken(values[0])
	if err != nil {
		return auth.Identity{}, err
	}
	now := s.now()
	switch {
	case tok.At.Sub(now) > MaxFuture:
		return auth.Identity{}, errFuture
	case now.Sub(tok.At) > Lifetime:
		return auth.Identity{}, errExpired
	}
	ctx := r.Context()
	userID, key, found, err := s.DB.APIKeyOf(ctx, tok.Username)
	if err != nil {
		return auth.Identity{}, err
	}
	// The digest is computed whether or not the user has a key, so that the answer takes as
	// long either way.
	sum := digest(tok.Nonce, tok.Created, key)
	if subtle.ConstantTimeCompare(sum[:], tok.Digest) != 1 || !found {
		return auth.Identity{}, errInvalid
	}
	nonce := base64.StdEncoding.EncodeToString(tok.Nonce) // one text per nonce, however it was padded
	fresh, err := s.DB.UseNonce(ctx, userID, nonce, tok.At.Add(Lifetime+keepMargin), now)
	if err != nil {
		return auth.Identity{}, err
	}
	if !fresh {
		return auth.Identity{}, errReplayed
	}
	s.purge(ctx, now)
	return auth.Identity{UserID: userID}, nil
}

// purge deletes a batch of expired nonces when one is due.
func (s *Scheme) purge(ctx context.Context, now time.Time) {
	interval, batch := s.PurgeInterval, s.PurgeBatch
	if interval <= 0 {
		interval = DefaultPurgeInterval
	}
	if batch <= 0 {
		batch = DefaultPurgeBatch
	}
	s.mu.Lock()
	if now.Before(s.nextPurge) {
		s.mu.Unlock()
		return
	}
	s.nextPurge = now.Add(interval)
	s.mu.Unlock()
	n, err := s.DB.PurgeNonces(ctx, now, batch)
	if err != nil {
		log := s.Logger
		if log == nil {
			log = slog.Default()
		}
		log.Warn("wsse: purge of expired nonces failed", "error", err)
		return
	}
	if n == int64(batch) { // more may be left: go on at the next request
		s.mu.Lock()
		s.nextPurge = now
		s.mu.Unlock()
	}
}

func (s *Scheme) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
