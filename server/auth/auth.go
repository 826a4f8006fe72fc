// Package auth identifies the caller of a request and says what it may do (api.md sections 16
// and 17).
//
// A request's credentials are checked by a Scheme (OAuth 2.0 bearer tokens in server/oauth,
// WSSE in server/wsse), which names an Identity: the user, and the OAuth application acting
// for them. The Identity is then resolved into a Principal — the user with its organization,
// business units and effective permissions — once per request, and the Principal travels in the
// request's context only: everything downstream (the engine's store, its access predicates in
// SQL) reads it from there.
package auth

import (
	"context"
	"net/http"
	"sync"
)

// Identity is who the credentials of a request name.
type Identity struct {
	UserID int64
	// ClientID is the OAuth application that acts for the user ("" for WSSE): a revoked
	// application's tokens stop working at once, so it is checked on every request.
	ClientID string
}

// Scheme verifies one kind of credentials of the Authorization header.
type Scheme interface {
	// Name is the auth-scheme of the Authorization header it reads ("Bearer", "WSSE"),
	// compared case-insensitively.
	Name() string
	// Challenge is the value of the WWW-Authenticate header that offers the scheme
	// (`Bearer realm="webapi"`, `WSSE realm="webapi", profile="UsernameToken"`).
	Challenge() string
	// Verify checks the credentials of r and returns the identity they name. A failure is a
	// *Failure (answered 401 with every scheme's challenge); any other error is the server's.
	Verify(r *http.Request) (Identity, error)
}

// Failure is why credentials were refused. Detail is a sentence for the client (it never says
// more than the client sent: not whether a user exists).
type Failure struct {
	Detail string
}

func (f *Failure) Error() string { return "authentication failed: " + f.Detail }

// Level is an access level of a permission, from none to system (api.md section 17).
type Level uint8

// The access levels, narrowest first: a wider level includes the narrower ones.
const (
	LevelNone Level = iota
	LevelUser
	LevelBusinessUnit
	LevelDivision
	LevelOrganization
	LevelSystem
)

// levelNames are the names the roles' permissions use.
var levelNames = map[string]Level{"none": LevelNone, "user": LevelUser, "businessUnit": LevelBusinessUnit,
	"division": LevelDivision, "organization": LevelOrganization, "system": LevelSystem}

// ParseLevel reads a level by the name the roles' permissions use.
func ParseLevel(name string) (Level, bool) {
	l, ok := levelNames[name]
	return l, ok
}

// Action is what a permission allows on a resource type.
type Action uint8

// The actions of the roles' permissions.
const (
	View Action = iota
	Create
	Edit
	Delete
)

// ActionNames are the names the roles' permissions use, by Action.
var ActionNames = [...]string{View: "VIEW", Create: "CREATE", Edit: "EDIT", Delete: "DELETE"}

// Permissions are the levels of one resource type, by Action.
type Permissions [4]Level

// Principal is the acting user with what it may do: its organization, its business units (and
// their descendants, for the division level), and the widest level of each permission among its
// roles, per resource type (a type missing from every role is none).
type Principal struct {
	UserID         int64
	BusinessUnitID int64 // the user's own business unit (its owner): new business-unit-owned records default to it
	OrganizationID int64
	ClientID       string
	BusinessUnits  []int64 // the units the user is a member of
	Division       []int64 // those units and all their descendants
	Permissions    map[string]Permissions
}

// MemoKey names a value kept with a principal: its keeper (a pointer, so that a key allocates
// nothing), which of the keeper's values it is (with its flags), and a name where it has one.
// Every part must come from a set the code bounds, never from what a client sends.
type MemoKey struct {
	Keeper any
	Kind   uint64
	Name   string
}

// Memo returns the value kept for the principal under key, which build makes when it is not
// kept. It is for values that depend on nothing but the principal's fields and the key (the
// SQL of its access conditions): a principal does not change once resolved (Resolver makes a
// new one when roles, units or the organization change), so a kept value is never stale.
//
// The values of all principals are kept together, at most maxKept of them: memory does not
// grow with the number of users. When full, a quarter of them, any, are let go (a principal
// replaced after a change leaves values that are never asked for again).
func (p *Principal) Memo(key MemoKey, build func() any) any {
	k := keptKey{p, key}
	kept.RLock()
	v, ok := kept.m[k]
	kept.RUnlock()
	if ok {
		return v
	}
	v = build()
	kept.Lock()
	defer kept.Unlock()
	if w, ok := kept.m[k]; ok {
		return w // made meanwhile by another request
	}
	if len(kept.m) >= maxKept {
		for old := range kept.m { // in no particular order
			delete(kept.m, old)
			if len(kept.m) <= maxKept*3/4 {
				break
			}
		}
	}
	kept.m[k] = v
	return v
}

// maxKept bounds the values Memo keeps, of all principals together. The largest are a type's
// select list and statements for one caller, a kilobyte or two each: a few megabytes at most.
const maxKept = 4096

type keptKey struct {
	p   *Principal
	key MemoKey
}

var kept = struct {
	sync.RWMutex
	m map[keptKey]any
}{m: map[keptKey]any{}}

// Level returns the principal's level of action on the resource type typ.
func (p *Principal) Level(typ string, a Action) Level {
	if p == nil {
		return LevelNone
	}
	return p.Permissions[typ][a]
}

type key struct{}

// With returns a context that carries p.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, key{}, p)
}

// From returns the principal of the request; ok is false when there is none.
func From(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(key{}).(*Principal)
	return p, ok && p != nil
}
