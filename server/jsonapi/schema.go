package jsonapi

import (
	"fmt"
	"regexp"
	"sort"
)

// Kind is the data type of an attribute; it decides how values are decoded, validated, filtered
// and encoded. Each kind has one Go representation in Record values (see Record).
type Kind uint8

// The attribute kinds.
const (
	String   Kind = iota // string
	Int                  // int64
	Float                // float64
	Decimal              // string in canonical form ("12.5000"); a JSON string in documents
	Bool                 // bool
	Date                 // time.Time at midnight UTC; "2006-01-02"
	DateTime             // time.Time in UTC; "2006-01-02T15:04:05Z"
	JSON                 // json.RawMessage (objects and arrays)
)

func (k Kind) String() string {
	return [...]string{"string", "integer", "number", "decimal", "boolean", "date", "datetime", "json"}[k]
}

// Attr declares one attribute of a resource type.
type Attr struct {
	Name         string
	Kind         Kind
	Nullable     bool
	ReadOnly     bool // set by the server; sending it is an error (createdAt/updatedAt: ignored)
	WriteOnly    bool // accepted on writes, never returned
	Required     bool // required (and not blank) on create
	Unique       bool
	MinLen       int
	MaxLen       int
	Email        bool
	Enum         []string
	Pattern      *regexp.Regexp
	Min          *float64
	MinExclusive bool
	// Check validates a JSON value's structure (objects and arrays); nil accepts any JSON. The
	// error's pointer is relative to the attribute ("/0/from"); its status is set by the engine.
	Check func(v any) *Error
}

// Rel declares one relationship of a resource type.
type Rel struct {
	Name     string
	Target   string // the related resource type
	ToMany   bool
	ReadOnly bool
	Required bool // required on create
	// Hidden: a subresource only (GET /{type}/{id}/{name}, paged like a collection): not
	// rendered with the record, not a field, not includable, no relationship endpoints (the
	// errors of an asynchronous operation).
	Hidden bool
}

// Methods says which operations a resource type supports.
type Methods struct {
	List, Get, Create, Update, Delete, DeleteList bool
}

// Filter declares a filter of a resource type: what it filters on and which operators it allows.
type Filter struct {
	Name      string
	Attr      int // index in Resource.Attrs, or -1
	Rel       int // index in Resource.Rels, or -1
	ID        bool
	Operators []Operator
}

// Upsert options of a type: which field sets may identify the record to update.
type Upsert struct {
	ByID   bool       // upsert by the client-assigned id
	Fields [][]string // attribute sets
}

// Resource declares everything the engine needs to know about one resource type. The facts that
// the OpenAPI document states (attributes, relationships, filters, sort fields, methods) are read
// from it; Title and the store behaviour come from the type's Go declaration.
type Resource struct {
	Type     string
	IntID    bool // integer ids assigned by the server; else string codes
	ClientID bool // ids assigned by the client (required on create)
	Attrs    []Attr
	Rels     []Rel
	Methods  Methods
	Filters  map[string]*Filter
	Sorts    map[string]int // sort field → attribute index (-1 for id)
	Validate bool           // meta.validate allowed
	Upsert   Upsert
	// Title is the text representation of a record (meta=title); nil means the id.
	Title func(r *Resource, rec *Record) string

	attrIndex map[string]int
	relIndex  map[string]int
	targets   []*Resource // by relationship index, resolved by Schema
}

// AttrIndex returns the index of the attribute named name, or -1.
func (r *Resource) AttrIndex(name string) int {
	if r.attrIndex == nil { // before NewSchema indexed the type
		for i := range r.Attrs {
			if r.Attrs[i].Name == name {
				return i
			}
		}
	}
	if i, ok := r.attrIndex[name]; ok {
		return i
	}
	return -1
}

// subresourceIndex returns the index of the relationship or subresource (a hidden
// relationship) named name, or -1.
func (r *Resource) subresourceIndex(name string) int {
	if i := r.RelIndex(name); i >= 0 {
		return i
	}
	for i := range r.Rels {
		if r.Rels[i].Name == name && r.Rels[i].Hidden {
			return i
		}
	}
	return -1
}

// RelIndex returns the index of the relationship named name, or -1 (also for a subresource).
func (r *Resource) RelIndex(name string) int {
	if r.relIndex == nil {
		for i := range r.Rels {
			if r.Rels[i].Name == name && !r.Rels[i].Hidden {
				return i
			}
		}
	}
	if i, ok := r.relIndex[name]; ok {
		return i
	}
	return -1
}

// Target returns the resource type of the relationship at index i.
func (r *Resource) Target(i int) *Resource { return r.targets[i] }

// Schema is the set of resource types the API serves.
type Schema struct {
	types map[string]*Resource
	names []string
}

// NewSchema indexes the resources and resolves relationship targets.
func NewSchema(resources ...*Resource) (*Schema, error) {
	s := &Schema{types: map[string]*Resource{}}
	for _, r := range resources {
		if _, dup := s.types[r.Type]; dup {
			return nil, fmt.Errorf("resource type %q declared twice", r.Type)
		}
		s.types[r.Type] = r
		s.names = append(s.names, r.Type)
		r.attrIndex = map[string]int{}
		for i, a := range r.Attrs {
			r.attrIndex[a.Name] = i
		}
		r.relIndex = map[string]int{}
		for i, rel := range r.Rels {
			if !rel.Hidden {
				r.relIndex[rel.Name] = i
			}
		}
	}
	sort.Strings(s.names)
	for _, r := range resources {
		r.targets = make([]*Resource, len(r.Rels))
		for i, rel := range r.Rels {
			t := s.types[rel.Target]
			if t == nil {
				return nil, fmt.Errorf("%s.%s: unknown target type %q", r.Type, rel.Name, rel.Target)
			}
			r.targets[i] = t
		}
	}
	return s, nil
}

// Resource returns the type named name, or nil.
func (s *Schema) Resource(name string) *Resource { return s.types[name] }

// Types lists the type names in order.
func (s *Schema) Types() []string { return s.names }
