// Package resources declares the resource types of the API and implements the engine's Store
// over the SQL store. What the OpenAPI document states about a type (attributes, relationships,
// filters, sort fields, methods) is read from the document; a declaration here adds only what the
// document cannot say: the table, columns that are not the default, how to-many relationships
// are stored, the title, and the few behaviours particular to a type.
package resources

import (
	"context"
	"strings"
	"unicode"

	"webapi/server/jsonapi"
	"webapi/store"
	"webapi/store/query"
)

// IDKind says who assigns a type's ids and what they look like.
type IDKind uint8

// The id kinds.
const (
	Serial     IDKind = iota // integers assigned by the database
	Code                     // fixed string codes (reference data)
	ClientCode               // string codes the client assigns on create
)

// Ownership is how records of a type are owned (api.md section 17).
type Ownership uint8

// The ownership kinds.
const (
	Global Ownership = iota
	UserOwned
	BusinessUnitOwned
	OrganizationOwned
)

// Computed is an attribute selected by an SQL expression instead of a column; Args supplies the
// expression's arguments from the request (e.g. the currency of prices). SQL is asked once, at
// start-up, with the database: how some values compare depends on its dialect, and the store
// decides that (e.g. store.DB.DecimalKey).
type Computed struct {
	SQL  func(db *store.DB) string
	Type query.Type
	Args func(ctx context.Context) []any
}

// constSQL is the SQL of a computed attribute that is the same on every database.
func constSQL(sql string) func(*store.DB) string {
	return func(*store.DB) string { return sql }
}

// Decl declares one resource type.
type Decl struct {
	Type    string
	Table   string
	IDs     IDKind
	Owner   Ownership
	Columns map[string]string     // attribute or to-one relationship → column, where not the default
	Links   map[string]query.Link // how each to-many relationship is stored
	// Computed attributes are read-only and selected by expression.
	Computed map[string]Computed
	// UniqueScope is the column within whose values unique attributes are unique ("" = global).
	UniqueScope string
	// AnyOrganization: the organization of an owned record may be null (a role for every
	// organization). Otherwise the owner and the organization of an owned record cannot be null.
	AnyOrganization bool
	Title           func(r *jsonapi.Resource, rec *jsonapi.Record) string
	// Search lists the fields of the type in the search index (none: not searchable).
	Search []SearchField
	// Subresources are to-many relationships reachable only as GET /{type}/{id}/{name} (name →
	// related type; the storage in Links): not rendered, not fields, not includable.
	Subresources map[string]string
	// Order is the order of records before their id (the errors of an operation: by chunk,
	// then position).
	Order []query.Order
	// OwnerOnly: the owner sees a record, and beyond the owner only callers whose level is
	// system (administrators), whatever narrower level they hold (api.md section 12: an
	// operation is its owner's).
	OwnerOnly bool
	// Through names the type whose records this type is reached through only (as a
	// subresource): the engine checks the access to that record, and this type adds none.
	Through string
	// Derive completes a record after it is read (values that need the request, such as a
	// product's localized name).
	Derive func(ctx context.Context, r *jsonapi.Resource, rec *jsonapi.Record)
	// Prepare runs before records are read, for what Derive needs from the database (it cannot
	// query while rows are open); its error fails the read, translated as the store's own.
	Prepare func(ctx context.Context) error
	// Before runs in the write's transaction before the write: it may validate (returning
	// *jsonapi.Error values with pointers), change the column values and remember state for After.
	Before func(ctx context.Context, h *Hook) error
	// After runs in the same transaction after the write, to keep derived data consistent.
	After func(ctx context.Context, h *Hook) error
}

// Op is the kind of write a hook sees.
type Op uint8

// The write operations.
const (
	Create Op = iota
	Update
	Delete
)

// Hook is what Before and After hooks see of a write.
type Hook struct {
	Op     Op
	DB     *store.DB
	Schema *jsonapi.Schema // every resource type
	Res    *jsonapi.Resource
	Decl   *Decl
	IDs    []any          // the record (create, update; after the insert for create) or records (delete)
	Write  *jsonapi.Write // nil on delete
	Cols   map[string]any // the column values to write; hooks may change them
	State  any            // kept from Before to After

	touched touched // records of other types the hooks changed (Touch)
}

// Value returns the value the write sets for attribute name.
func (h *Hook) Value(name string) (any, bool) {
	if h.Write == nil {
		return nil, false
	}
	return h.Write.Has(h.Res.AttrIndex(name))
}

// Link returns the ids the write sets for relationship name.
func (h *Hook) Link(name string) ([]string, bool) {
	if h.Write == nil {
		return nil, false
	}
	i := h.Res.RelIndex(name)
	for _, l := range h.Write.Links {
		if l.Index == i {
			return l.IDs, true
		}
	}
	return nil, false
}

// column is the column of an attribute or to-one relationship.
func (d *Decl) column(name string) string {
	if c, ok := d.Columns[name]; ok {
		return c
	}
	return snake(name)
}

// snake turns a camelCase name into a snake_case column name.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
