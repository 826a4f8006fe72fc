// Package auth identifies the caller of a request. Until authentication exists every request
// acts as user 1 (admin); everything downstream reads the caller from the request context only,
// so authentication can replace the default without touching the engine or the resources.
package auth

import "context"

// Principal is the acting user with the business unit and organization it acts in.
type Principal struct {
	UserID         int64
	BusinessUnitID int64
	OrganizationID int64
}

// Admin is the user every new database has (user 1, business unit 1, organization 1).
var Admin = Principal{UserID: 1, BusinessUnitID: 1, OrganizationID: 1}

type key struct{}

// With returns a context that carries p.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, key{}, p)
}

// From returns the principal of the request; ok is false when there is none.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(key{}).(Principal)
	return p, ok
}
