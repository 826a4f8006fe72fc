package resources

// The reads of the SQL store: Find (pages, items, unpaged lists in keyset chunks) and Count,
// and the translation of a query (ids, conditions, sort) into SQL over a type's plan.

import (
	"context"
	"strconv"
	"time"

	"webapi/server/jsonapi"
	"webapi/store"
	"webapi/store/query"
)

// streamChunk is how many records an unpaged read (page[size]=-1) takes per statement: each
// chunk is read on a connection taken for it and given back before its records are passed on,
// so that a client slow to read the response never holds a connection.
const streamChunk = 1000

// Find implements jsonapi.Store.
func (s *Store) Find(ctx context.Context, q *jsonapi.Query, yield func(*jsonapi.Record) bool) error {
	p := s.plans[q.Resource]
	sel, err := p.selectOf(ctx, q)
	if err != nil {
		return err
	}
	var last []any // the order keys of the last row read (keyset chunks)
	read := func(ctx context.Context, each func(*jsonapi.Record) bool) error {
		if p.decl.Prepare != nil {
			if err := p.decl.Prepare(ctx); err != nil {
				return err
			}
		}
		return query.Find(ctx, s.db, sel, func(row query.Row) bool {
			if sel.Keys {
				last = append(last[:0], row.Keys...)
			}
			return each(p.record(ctx, row))
		})
	}
	if q.Limit >= 0 || q.Offset > 0 || len(q.IDs) > 0 || store.InUnit(ctx) {
		yielded := false
		err := s.db.Run(ctx, func(ctx context.Context) error {
			err := read(ctx, func(rec *jsonapi.Record) bool { yielded = true; return yield(rec) })
			if yielded {
				return store.Final(err) // the records passed on must not come twice
			}
			return err
		})
		return s.translate(ctx, p, err)
	}
	// Everything (page[size]=-1): keyset chunks in the sort order.
	sel.Limit, sel.Keys = streamChunk, true
	recs := make([]*jsonapi.Record, 0, streamChunk)
	for {
		recs = recs[:0]
		err := s.db.Run(ctx, func(ctx context.Context) error {
			recs = recs[:0] // a retried read starts the chunk again
			return read(ctx, func(rec *jsonapi.Record) bool { recs = append(recs, rec); return true })
		})
		if err != nil {
			return s.translate(ctx, p, err)
		}
		for _, rec := range recs {
			if !yield(rec) {
				return nil
			}
		}
		if len(recs) < streamChunk {
			return nil
		}
		sel.After = append(sel.After[:0], last...)
	}
}

// selectOf is the select of a query: the plan's columns (with the request's arguments of
// computed ones), conditions, order (the id last, so that the order is total) and paging.
func (p *plan) selectOf(ctx context.Context, q *jsonapi.Query) (*query.Select, error) {
	sel := &query.Select{Table: p.decl.Table, IDType: p.idType(), Columns: p.cols, Head: p.head, Limit: q.Limit, Offset: q.Offset,
		Lock: query.Lock(q.Lock)}
	if p.hasArg {
		sel.Columns = make([]query.Column, len(p.cols))
		copy(sel.Columns, p.cols)
		for _, m := range p.attrs {
			if m.computed != nil && m.computed.Args != nil {
				sel.Columns[m.sel].Args = m.computed.Args(ctx)
			}
		}
	}
	where, err := p.where(p.store.db, q)
	if err != nil {
		return nil, err
	}
	sel.Where = where
	for _, k := range q.Sort {
		sel.Order = append(sel.Order, p.order(k))
	}
	sel.Order = append(sel.Order, query.Order{SQL: "t.id", NotNull: true})
	return sel, nil
}

// record turns a row into a record.
func (p *plan) record(ctx context.Context, row query.Row) *jsonapi.Record {
	rec := &jsonapi.Record{ID: row.ID, Values: make([]any, len(p.attrs)), Links: make([][]string, len(p.rels))}
	for i, m := range p.attrs {
		if m.sel >= 0 {
			rec.Values[i] = row.Values[m.sel]
		}
	}
	for i, m := range p.rels {
		switch v := row.Values[m.sel].(type) {
		case []string:
			rec.Links[i] = v
		case string:
			rec.Links[i] = []string{v}
		default:
			rec.Links[i] = nil
		}
	}
	if p.decl.Derive != nil {
		p.decl.Derive(ctx, p.res, rec)
	}
	return rec
}

func (p *plan) order(k jsonapi.SortKey) query.Order {
	if k.Attr < 0 {
		return query.Order{SQL: "t.id", Desc: k.Desc, NotNull: true}
	}
	a := &p.res.Attrs[k.Attr]
	col := "t." + p.attrs[k.Attr].column
	if a.Kind == jsonapi.String && a.Enum == nil {
		// Case-insensitive order, the same on both databases (their collations differ).
		col = "LOWER(" + col + ")"
	}
	if a.Kind == jsonapi.String && p.store.db.Dialect == store.Postgres {
		// SQLite compares text by its bytes (code points); a PostgreSQL database's default
		// collation may be a language's (en_US: "é" next to "e", punctuation before digits).
		// The byte order of "C" gives the same order on both.
		col += ` COLLATE "C"`
	}
	if a.Kind == jsonapi.Decimal {
		col = p.store.db.DecimalKey(col) // numeric order, exact on both (text on SQLite)
	}
	return query.Order{SQL: col, Desc: k.Desc}
}

// where translates ids and conditions into SQL conditions.
func (p *plan) where(db *store.DB, q *jsonapi.Query) ([]query.Expr, error) {
	var out []query.Expr
	if len(q.IDs) > 0 {
		out = append(out, query.Expr{SQL: "t.id IN ?", Args: []any{p.ids(q.IDs)}})
	}
	if q.Parent != nil {
		pp := p.store.plans[q.Parent.Resource]
		out = append(out, query.RelatedTo(*pp.rels[q.Parent.Rel].link, pp.id(q.Parent.ID)))
	}
	for _, c := range q.Conditions {
		f := c.Filter
		values := make([]any, len(c.Values))
		for i, v := range c.Values {
			values[i] = dbValue(db, v)
		}
		switch {
		case f.ID:
			out = append(out, query.FieldCond(query.Field{SQL: "t.id"}, query.Op(c.Op), p.idValues(p.res.IntID, values, c.Op), c.Range))
		case f.Attr >= 0:
			a := &p.res.Attrs[f.Attr]
			if a.Kind == jsonapi.Date {
				// A date column holds "2006-01-02" (text on SQLite): compare with the day in that
				// form, as writes store it, not with a date-time (which on SQLite is text that
				// sorts after the day it starts and so equals nothing).
				for i, v := range c.Values {
					if t, ok := v.(time.Time); ok {
						values[i] = db.DateValue(t)
					}
				}
			}
			field := query.Field{SQL: "t." + p.attrs[f.Attr].column, Text: a.Kind == jsonapi.String}
			if a.Kind == jsonapi.Decimal && c.Op != jsonapi.OpExists && c.Op != jsonapi.OpEmpty {
				// Compared by their keys: numerically and exactly on both databases (a decimal
				// column is text on SQLite, and "10" < "9.5" as text).
				field.SQL = db.DecimalKey(field.SQL)
				for i, v := range values {
					values[i] = db.DecimalArg(v)
				}
			}
			out = append(out, query.FieldCond(field, query.Op(c.Op), values, c.Range))
		default:
			m := p.rels[f.Rel]
			intID := p.res.Target(f.Rel).IntID
			if m.link != nil {
				out = append(out, query.LinkCond(*m.link, query.Op(c.Op), p.idValues(intID, values, c.Op)))
			} else {
				out = append(out, query.FieldCond(query.Field{SQL: "t." + m.fk}, query.Op(c.Op), p.idValues(intID, values, c.Op), false))
			}
		}
	}
	return out, nil
}

// idValues converts id filter values (strings) to integers for integer ids; exists/empty carry
// booleans and stay as they are.
func (p *plan) idValues(intID bool, values []any, op jsonapi.Operator) []any {
	if !intID || op == jsonapi.OpExists || op == jsonapi.OpEmpty {
		return values
	}
	out := make([]any, len(values))
	for i, v := range values {
		if s, ok := v.(string); ok {
			n, _ := strconv.ParseInt(s, 10, 64)
			out[i] = n
		} else {
			out[i] = v
		}
	}
	return out
}

// Count implements jsonapi.Store.
func (s *Store) Count(ctx context.Context, q *jsonapi.Query) (int, error) {
	p := s.plans[q.Resource]
	where, err := p.where(s.db, q)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.Run(ctx, func(ctx context.Context) error {
		n, err = query.Count(ctx, s.db, p.decl.Table, where)
		return err
	})
	return n, s.translate(ctx, p, err)
}
