package jsonapi

import "context"

// Record is one resource as the store delivers it: values by attribute index (in the Go
// representation of each attribute's Kind, or nil) and linkage by relationship index (the related
// ids; at most one for a to-one). Slices, not maps: the hot path reads them by position.
type Record struct {
	ID string
	// Values and Links are read only (but for a Store's own Derive): records without values or
	// without linkage may share them.
	Values []any
	Links  [][]string
	// May says what the caller may do to the record; set by queries with Report only.
	May Allowed
}

// Action is what a request does to a record, as the roles' permissions name it (api.md
// section 17).
type Action uint8

// The actions.
const (
	ActionView Action = iota
	ActionCreate
	ActionEdit
	ActionDelete
)

// Allowed is a set of actions.
type Allowed uint8

// Can reports whether the set has a.
func (m Allowed) Can(a Action) bool { return m&(1<<a) != 0 }

// With returns the set with a added.
func (m Allowed) With(a Action) Allowed { return m | 1<<a }

// Scope says which records of the caller's a query finds.
type Scope uint8

// The scopes.
const (
	// ScopeVisible finds only the records the caller may view: lists, counts, included
	// resources, subresources, linkage — everything that lists.
	ScopeVisible Scope = iota
	// ScopeTenant finds every record of the caller's organization: for requests that name
	// records by id, which must tell a record that does not exist for the caller (404, or a
	// missing related id) from one the caller may not view or change (403: Query.Report).
	ScopeTenant
)

// Operator is a filter operator, by its long name.
type Operator string

// The filter operators of api.md section 8.
const (
	OpEq            Operator = "eq"
	OpNeq           Operator = "neq"
	OpLt            Operator = "lt"
	OpLte           Operator = "lte"
	OpGt            Operator = "gt"
	OpGte           Operator = "gte"
	OpExists        Operator = "exists"
	OpNeqOrNull     Operator = "neq_or_null"
	OpEmpty         Operator = "empty"
	OpContains      Operator = "contains"
	OpNotContains   Operator = "not_contains"
	OpStartsWith    Operator = "starts_with"
	OpNotStartsWith Operator = "not_starts_with"
	OpEndsWith      Operator = "ends_with"
	OpNotEndsWith   Operator = "not_ends_with"
)

// Condition is one parsed filter: field, operator and typed values. Values hold the Go
// representation of the field's kind (ids as strings); a Range holds exactly two values.
type Condition struct {
	Filter *Filter
	Op     Operator
	Values []any
	Range  bool
}

// SortKey is one sort field: an attribute index, or -1 for the id.
type SortKey struct {
	Attr int
	Desc bool
}

// Query asks the store for records of one type. Public names are already resolved to indexes.
type Query struct {
	Resource   *Resource
	IDs        []string // restrict to these ids (item reads, includes)
	Conditions []Condition
	Sort       []SortKey // the store adds the id as the last key
	Parent     *Parent   // restrict to the records related to a parent (a to-many subresource)
	Offset     int
	Limit      int // < 0: no limit
	// Lock locks the records found until the transaction ends (only inside Store.Tx).
	Lock Lock
	// Scope says which of the caller's records the query finds.
	Scope Scope
	// Report asks for what the caller may do to each record found (Record.May).
	Report bool
	// Links says which relationships' linkage the records need (by index; nil: all): a page
	// whose fieldset leaves a to-many relationship out, and whose include does not start from
	// it, spares the store that relationship's subquery. Records read without a relationship's
	// linkage have none in Record.Links.
	Links []bool
	// Attrs says which attributes the records need (by index; nil: all): a page whose fieldset
	// leaves attributes out spares the store reading them. Records read without an attribute
	// may have any value for it.
	Attrs []bool
	// Transient says that the caller keeps nothing of a record past its next one (it renders
	// each as it comes): the store may pass every record in the same memory.
	Transient bool
}

// Lock is a lock a query takes on the records it finds, so that what a transaction checks of
// them stays true until it commits (api.md section 20: If-Match, related ids, derived values).
type Lock uint8

// The locks, as the store's query layer numbers them.
const (
	NoLock Lock = iota
	// LockUpdate: the records are about to change; concurrent writers of them wait.
	LockUpdate
	// LockShare: the records are referenced by the write; deleting them waits.
	LockShare
	// LockDelete: the records are about to go; writers and writes that reference them wait.
	LockDelete
)

// Parent names a to-many relationship of one record: the query returns its related records.
type Parent struct {
	Resource *Resource
	Rel      int
	ID       string
	// Checked: the parent has not been read; the query finds nothing unless the parent exists
	// and the caller may view it.
	Checked bool
}

// Write is the change a POST or PATCH makes to one record: the attributes and relationships that
// the request sets (nil values clear), and the id for client-assigned ids.
type Write struct {
	ID    string
	Attrs []AttrValue
	Links []LinkValue
	// Written may be set by Create or Update: the record as the write left it, read in the
	// write's own statement and unchanged since (as a read of it with Scope tenant and Report
	// would find it). The engine then answers a request that wrote only this record without
	// reading it again.
	Written *Record
}

// AttrValue sets one attribute.
type AttrValue struct {
	Index int
	Value any
}

// LinkValue replaces the linkage of one relationship.
type LinkValue struct {
	Index int
	IDs   []string
}

// Has reports whether the write sets the attribute at index i, and to what.
func (w *Write) Has(i int) (any, bool) {
	for _, a := range w.Attrs {
		if a.Index == i {
			return a.Value, true
		}
	}
	return nil, false
}

// Store is what the engine needs from persistence. Implementations translate the neutral Query
// and Write into SQL; errors that are *Error or Errors (validation found by the store, with
// pointers under /data) reach the client as they are, anything else is a 500.
type Store interface {
	// Tx runs fn in one transaction; the context passed to fn carries it. fn may run again when
	// the database breaks a deadlock by aborting the transaction: it must not keep state from
	// one run to the next except through what it returns.
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	// LockKey serializes, until the transaction ends, the transactions that check and then
	// write the same key (an upsert's match), where no unique index does.
	LockKey(ctx context.Context, key string) error
	// Savepoint runs fn inside the transaction ctx carries so that, when fn fails, what it
	// wrote is undone and the transaction goes on (one record of a batch fails, the others
	// are written).
	Savepoint(ctx context.Context, fn func(ctx context.Context) error) error
	// Read runs fn with one connection for the reads it makes (not a transaction): a request
	// that reads more than once (a record, then its included records) takes a connection once.
	// fn may run again when the connection turns out to be broken before fn passed anything on;
	// what fn builds must not be sent before Read returns (no connection is held while writing
	// to the client).
	Read(ctx context.Context, fn func(ctx context.Context) error) error
	// Find returns the matching records in order; each must be passed to yield before the next
	// is read, so that large results stream. Returning false from yield stops.
	Find(ctx context.Context, q *Query, yield func(*Record) bool) error
	// Count returns the number of records matching q (ignoring Offset and Limit).
	Count(ctx context.Context, q *Query) (int, error)
	// Create inserts a record and returns its id.
	Create(ctx context.Context, r *Resource, w *Write) (string, error)
	// CreateMany inserts records (with no relationships to records of the request) as Create
	// does, in fewer statements, and returns their ids in order. On any problem it fails as a
	// whole (the caller then creates them one by one to report which).
	CreateMany(ctx context.Context, r *Resource, ws []*Write) ([]string, error)
	// Check runs the validations of a create (id "") or update without writing, for reporting
	// them together with problems found earlier.
	Check(ctx context.Context, r *Resource, id string, w *Write) error
	// Update changes a record.
	Update(ctx context.Context, r *Resource, id string, w *Write) error
	// Delete removes records by id.
	Delete(ctx context.Context, r *Resource, ids []string) error
	// Can reports whether the caller may do act to some records of the type at all (a level
	// above none): a create without it is refused before anything else is looked at.
	Can(ctx context.Context, r *Resource, act Action) bool
}
