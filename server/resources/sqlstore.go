package resources

// The engine's Store over SQL: the plan of each type (its select list and columns, built once at
// start-up), transactions and the id conversions that reads and writes share. The reads are in
// read.go, the writes in write.go, the translation of database errors in translate.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"webapi/server/jsonapi"
	"webapi/store"
	"webapi/store/query"
)

// Store implements jsonapi.Store for every declared type over one database.
type Store struct {
	db     *store.DB
	schema *jsonapi.Schema
	plans  map[*jsonapi.Resource]*plan
	limits jsonapi.Limits
	decls  []*Decl
}

var _ jsonapi.Store = (*Store)(nil)

// plan is the precomputed SQL mapping of one type: built once at start-up, so a request only
// fills in arguments.
type plan struct {
	store *Store
	decl  *Decl
	res   *jsonapi.Resource
	attrs []attrMap
	rels  []relMap
	cols  []query.Column // the select list (attributes, then relationships)
	// attrCols is the number of attribute columns: cols[:attrCols] are the attributes'
	attrCols int
	head     string // query.Head of the table and cols, built once
	hasArg   bool   // some column takes request arguments
	// noValues and noLinks are the values and linkage of a record whose row has none (every
	// one nil), shared by all such records: jsonapi.Record's slices are read only
	noValues []any
	noLinks  [][]string
}

type attrMap struct {
	column   string // "" when computed or write-only
	sel      int    // index in the select list, -1 if not selected
	computed *Computed
}

type relMap struct {
	fk   string      // to-one: the foreign key column
	link *query.Link // to-many
	sel  int
}

func newPlan(db *store.DB, d *Decl, r *jsonapi.Resource, linkLimit int) (*plan, error) {
	p := &plan{decl: d, res: r}
	for i := range r.Attrs {
		a := &r.Attrs[i]
		m := attrMap{sel: -1}
		if c, ok := d.Computed[a.Name]; ok {
			c := c
			m.computed = &c
			m.sel = len(p.cols)
			p.cols = append(p.cols, query.Column{Expr: query.Expr{SQL: c.SQL(db)}, Type: c.Type})
			p.hasArg = p.hasArg || c.Args != nil
		} else {
			m.column = d.column(a.Name)
			if !a.WriteOnly {
				m.sel = len(p.cols)
				p.cols = append(p.cols, query.Column{Expr: query.Expr{SQL: "t." + m.column}, Type: columnType(a)})
			}
		}
		p.attrs = append(p.attrs, m)
	}
	p.attrCols = len(p.cols)
	for i := range r.Rels {
		rel := &r.Rels[i]
		m := relMap{sel: len(p.cols)}
		if rel.Hidden {
			// a subresource: read only through its link, never selected with the record
			l, ok := d.Links[rel.Name]
			if !ok {
				return nil, fmt.Errorf("%s.%s: no storage declared for the subresource", d.Type, rel.Name)
			}
			m.sel, m.link = -1, &l
			p.rels = append(p.rels, m)
			continue
		}
		if rel.ToMany {
			l, ok := d.Links[rel.Name]
			if !ok {
				return nil, fmt.Errorf("%s.%s: no storage declared for the to-many relationship", d.Type, rel.Name)
			}
			m.link = &l
			p.cols = append(p.cols, query.Column{Expr: query.LinkIDs(db.Dialect, l, linkLimit), Type: query.IDList})
		} else {
			m.fk = d.column(rel.Name)
			if _, ok := d.Columns[rel.Name]; !ok {
				m.fk += "_id"
			}
			p.cols = append(p.cols, query.Column{Expr: query.Expr{SQL: "t." + m.fk}, Type: query.Text})
		}
		p.rels = append(p.rels, m)
	}
	p.head = query.Head(d.Table, p.cols)
	p.noValues, p.noLinks = make([]any, len(p.attrs)), make([][]string, len(p.rels))
	return p, nil
}

func columnType(a *jsonapi.Attr) query.Type {
	switch a.Kind {
	case jsonapi.Int:
		return query.Int
	case jsonapi.Float:
		return query.Float
	case jsonapi.Decimal:
		return query.Decimal
	case jsonapi.Bool:
		return query.Bool
	case jsonapi.Date:
		return query.Date
	case jsonapi.DateTime:
		return query.DateTime
	case jsonapi.JSON:
		return query.JSON
	}
	return query.Text
}

// Tx implements jsonapi.Store.
func (s *Store) Tx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.translate(ctx, nil, s.db.Tx(ctx, fn))
}

// Read implements jsonapi.Store. The reads inside leave their errors to it: a read of its own
// translates its errors (a lost connection becomes a 503) after trying again on a new
// connection, which inside a unit only the unit can do.
func (s *Store) Read(ctx context.Context, fn func(ctx context.Context) error) error {
	if store.InUnit(ctx) {
		return fn(ctx) // joins the unit, whose owner translates
	}
	return s.translate(ctx, nil, s.db.Run(context.WithValue(ctx, readUnitKey{}, true), fn))
}

// readUnitKey marks the context of a Read: its reads return their errors as they are.
type readUnitKey struct{}

// translateRead is translate for a read's error, unless the read is part of a Read.
func (s *Store) translateRead(ctx context.Context, p *plan, err error) error {
	if ctx.Value(readUnitKey{}) != nil {
		return err
	}
	return s.translate(ctx, p, err)
}

// Savepoint implements jsonapi.Store.
func (s *Store) Savepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.translate(ctx, nil, s.db.Savepoint(ctx, fn))
}

// LockKey implements jsonapi.Store.
func (s *Store) LockKey(ctx context.Context, key string) error {
	return s.translate(ctx, nil, s.db.LockKey(ctx, key))
}

func (p *plan) idType() query.Type {
	if p.res.IntID {
		return query.Int
	}
	return query.Text
}

func (p *plan) ids(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = p.id(id)
	}
	return out
}

func (p *plan) id(id string) any {
	if p.res.IntID {
		n, _ := strconv.ParseInt(id, 10, 64)
		return n
	}
	return id
}

// dbValue converts an engine value into what the database stores.
func dbValue(db *store.DB, v any) any {
	switch x := v.(type) {
	case time.Time:
		return db.TimeValue(x)
	case jsonapi.Period:
		p := query.Period{From: db.TimeValue(x.From)}
		if !x.To.IsZero() { // else an open end
			p.To = db.TimeValue(x.To)
		}
		return p
	case json.RawMessage:
		return string(x)
	}
	return v
}

func idOf(t *jsonapi.Resource, id string) any {
	if t.IntID {
		n, _ := strconv.ParseInt(id, 10, 64)
		return n
	}
	return id
}
