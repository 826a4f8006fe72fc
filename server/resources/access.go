package resources

// Access control in SQL (api.md section 17): what a caller may see and do is a condition in the
// statements themselves, never a filter applied in Go afterwards, so that pages and counts stay
// exact. One place builds it, from the principal (server/auth), the level of the action on the
// type, and the type's ownership kind; every read and write of the store carries it.

import (
	"context"
	"slices"

	"webapi/server/auth"
	"webapi/server/jsonapi"
	"webapi/store/query"
)

// principalOf is the caller of the request; nil when there is none (then nothing is allowed).
func principalOf(ctx context.Context) *auth.Principal {
	p, _ := auth.From(ctx)
	return p
}

// action maps the engine's actions to the roles' permissions.
func action(a jsonapi.Action) auth.Action {
	switch a {
	case jsonapi.ActionCreate:
		return auth.Create
	case jsonapi.ActionEdit:
		return auth.Edit
	case jsonapi.ActionDelete:
		return auth.Delete
	}
	return auth.View
}

var (
	nothing    = query.Expr{SQL: "1 = 0"}
	everything = query.Expr{SQL: "1 = 1"}
)

// tenant is the condition that the row (alias a) belongs to the caller's organization: the
// boundary beyond which a record does not exist for the caller (404, and a related id of
// another organization is a missing one).
func (p *plan) tenant(pr *auth.Principal, a string) query.Expr {
	if pr == nil {
		return nothing
	}
	switch {
	case p.decl.Type == "organizations":
		return query.Expr{SQL: a + ".id = ?", Args: []any{pr.OrganizationID}}
	case p.decl.Owner == Global:
		return everything
	case p.decl.AnyOrganization:
		// a role of no organization is a role of every organization
		return query.Expr{SQL: "(" + a + ".organization_id = ? OR " + a + ".organization_id IS NULL)", Args: []any{pr.OrganizationID}}
	}
	return query.Expr{SQL: a + ".organization_id = ?", Args: []any{pr.OrganizationID}}
}

// allowed is the condition that the caller may do act on the row (alias a): its level of act on
// the type, applied to the row's owner, within the tenant. Levels narrower than the
// organization apply to the owner of user- and business-unit-owned types; the other types have
// no owner, so any level but none means the whole organization (or, for reference data, every
// row).
//
// It depends on nothing but the plan, the principal, the action and the alias (an alias the
// code names, never input), so it is made once per principal and kept with it: every statement
// of a request carries one or more, which were built again each time.
func (p *plan) allowed(pr *auth.Principal, act auth.Action, a string) query.Expr {
	if pr == nil {
		return nothing
	}
	return pr.Memo(auth.MemoKey{Keeper: p, Kind: keptAllowed | uint64(act)<<8, Name: a}, func() any {
		e := p.allowedOf(pr, act, a)
		e.Args = slices.Clip(e.Args) // shared: an append copies
		return e
	}).(query.Expr)
}

// What a plan keeps with a principal (auth.MemoKey.Kind; their flags from bit 8 up).
const (
	keptAllowed   uint64 = iota + 1 // allowed: the action
	keptColumns                     // callerColumns: report, idsOnly, the scope of a report
	keptByID                        // kept, by id: report, idsOnly, the scope, the lock, the limit
	keptParent                      // kept, by parent (and relationship: the keeper): the same and checked
	keptReturning                   // returned: what a write returns of the record
)

// bit is 1 for true.
func bit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// allowedOf is allowed, made.
func (p *plan) allowedOf(pr *auth.Principal, act auth.Action, a string) query.Expr {
	if p.decl.Through != "" {
		return everything // reached only through a record of another type, checked first
	}
	l := pr.Level(p.decl.Type, act)
	if l == auth.LevelNone {
		return nothing
	}
	if p.decl.OwnerOnly && l < auth.LevelSystem {
		l = auth.LevelUser
	}
	ten := p.tenant(pr, a)
	if l >= auth.LevelOrganization || p.decl.Owner == Global || p.decl.Owner == OrganizationOwned {
		return ten
	}
	owned := p.ownedWithin(pr, l, a+"."+p.ownerColumn())
	return query.Expr{SQL: ten.SQL + " AND " + owned.SQL, Args: append(append([]any{}, ten.Args...), owned.Args...)}
}

// ownedWithin is the condition that the owner (a column or a "?" of its own) is within level l
// (user, businessUnit or division) of the caller: the caller itself, a member of the caller's
// business units (or of their division), or one of those units.
func (p *plan) ownedWithin(pr *auth.Principal, l auth.Level, owner string) query.Expr {
	units := pr.BusinessUnits
	if l == auth.LevelDivision {
		units = pr.Division
	}
	switch {
	case p.decl.Owner == UserOwned && l == auth.LevelUser:
		return query.Expr{SQL: owner + " = ?", Args: []any{pr.UserID}}
	case len(units) == 0:
		return nothing
	case p.decl.Owner == UserOwned:
		return query.Expr{SQL: owner + " IN (SELECT m.user_id FROM user_business_units m WHERE m.business_unit_id IN ?)", Args: []any{units}}
	}
	// business-unit-owned: the user level has no narrower meaning than the user's own units
	return query.Expr{SQL: owner + " IN ?", Args: []any{units}}
}

// ownerColumn is the column of the owner relationship.
func (p *plan) ownerColumn() string {
	if i := p.res.RelIndex("owner"); i >= 0 && p.rels[i].link == nil {
		return p.rels[i].fk
	}
	return "owner_id"
}

// Can implements jsonapi.Store: whether the caller has act on the type at any level. No
// organization is ever created through the API (they are made with `webapi organization
// create`).
func (s *Store) Can(ctx context.Context, r *jsonapi.Resource, act jsonapi.Action) bool {
	if act == jsonapi.ActionCreate && r.Type == "organizations" {
		return false
	}
	return principalOf(ctx).Level(r.Type, action(act)) > auth.LevelNone
}

// visible restricts the rows of the type under alias a to those the caller may view: the seam
// every read uses (lists, counts, includes, linkage, filters on relationships).
func (p *plan) visible(ctx context.Context, a string) query.Expr {
	return p.allowed(principalOf(ctx), auth.View, a)
}
