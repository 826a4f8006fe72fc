package auth

import (
	"context"
	"sync"
	"time"

	"webapi/store"
)

// Resolver turns identities into principals, keeping the principals it built while nothing they
// are built from has changed. store.AuthGeneration counts such changes, made by any process; the
// resolver reads it again when this process has written since it last did (store.DB.Writes: an
// edited role or a disabled user takes effect on the very next request), and otherwise at most
// every MaxAge (for changes made by another process: a command, another server). So a request
// with a cached principal runs no statement for its authentication, and one after a write runs
// one.
type Resolver struct {
	DB *store.DB
	// Client, when set, checks the OAuth application of an identity (a revoked application's
	// tokens stop working); it runs whenever the principal is loaded, and the application's
	// table counts its revocations in the same generation.
	Client func(ctx context.Context, clientID string) error
	// MaxAge is how long the generation read from the database is trusted while this process
	// writes nothing (DefaultMaxAge when zero).
	MaxAge time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu     sync.Mutex
	gen    int64
	readAt time.Time // when gen was read
	writes int64     // r.DB.Writes() before gen was read
	cache  map[Identity]*Principal
}

// DefaultMaxAge bounds how late a change made by another process reaches a running server.
const DefaultMaxAge = time.Second

// maxCached bounds the principals kept between changes.
const maxCached = 10000

// Principal returns the principal of id: a *Failure when the user, its organization or its
// application may not authenticate.
func (r *Resolver) Principal(ctx context.Context, id Identity) (*Principal, error) {
	gen, err := r.generation(ctx)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	var p *Principal
	if gen == r.gen {
		p = r.cache[id]
	}
	r.mu.Unlock()
	if p != nil {
		return p, nil
	}
	if id.ClientID != "" && r.Client != nil {
		if err := r.Client(ctx, id.ClientID); err != nil {
			return nil, err
		}
	}
	if p, err = Load(ctx, r.DB, id); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gen == gen {
		if len(r.cache) >= maxCached {
			r.cache = map[Identity]*Principal{} // rather than grow without bound
		}
		r.cache[id] = p
	}
	return p, nil
}

// generation returns the current generation: the one last read while it is fresh (read less
// than MaxAge ago, and nothing written here since), else a new read.
func (r *Resolver) generation(ctx context.Context) (int64, error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	maxAge := r.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	writes := r.DB.Writes()
	r.mu.Lock()
	t := now()
	if r.cache != nil && writes == r.writes && !t.Before(r.readAt) && t.Sub(r.readAt) < maxAge {
		gen := r.gen
		r.mu.Unlock()
		return gen, nil
	}
	r.mu.Unlock()
	gen, err := r.DB.AuthGeneration(ctx)
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen > r.gen || r.cache == nil {
		r.gen, r.cache = gen, map[Identity]*Principal{} // the principals built before are stale
	}
	if gen == r.gen { // a slower read of an older generation never goes back
		r.readAt, r.writes = t, writes
	}
	return r.gen, nil
}
