package auth

import (
	"context"
	"sync"

	"webapi/store"
)

// Resolver turns identities into principals, keeping the principals it built while nothing they
// are built from has changed (store.AuthGeneration counts such changes, in any process): one
// statement per request, the principal itself loaded only after a change.
type Resolver struct {
	DB *store.DB
	// Client, when set, checks the OAuth application of an identity (a revoked application's
	// tokens stop working at once); it runs whenever the principal is loaded, and the
	// application's table counts its revocations in the same generation.
	Client func(ctx context.Context, clientID string) error

	mu    sync.Mutex
	gen   int64
	cache map[Identity]*Principal
}

// maxCached bounds the principals kept between changes.
const maxCached = 10000

// Principal returns the principal of id: a *Failure when the user, its organization or its
// application may not authenticate.
func (r *Resolver) Principal(ctx context.Context, id Identity) (*Principal, error) {
	gen, err := r.DB.AuthGeneration(ctx)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if gen != r.gen || r.cache == nil {
		r.gen, r.cache = gen, map[Identity]*Principal{}
	}
	p := r.cache[id]
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
