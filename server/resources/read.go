package resources

// The reads of the SQL store: Find (pages, items, unpaged lists in keyset chunks) and Count,
// and the translation of a query (ids, conditions, sort) into SQL over a type's plan.

import (
	"context"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"

	"webapi/server/auth"
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
	paged := q.Limit >= 0 || q.Offset > 0 || len(q.IDs) > 0 || store.InUnit(ctx)
	blocks := p.records(q, paged && q.Transient) // a streamed read keeps a chunk's records
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
			return each(blocks.record(ctx, row))
		})
	}
	if paged {
		yielded := false
		err := s.db.Run(ctx, func(ctx context.Context) error {
			err := read(ctx, func(rec *jsonapi.Record) bool { yielded = true; return yield(rec) })
			if yielded {
				return store.Final(err) // the records passed on must not come twice
			}
			return err
		})
		return s.translateRead(ctx, p, err)
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
	if sel := p.kept(ctx, q); sel != nil {
		return sel, nil
	}
	return p.build(ctx, q)
}

// build is selectOf, every part of the select made for the query.
func (p *plan) build(ctx context.Context, q *jsonapi.Query) (*query.Select, error) {
	sel := &query.Select{Table: p.decl.Table, IDType: p.idType(), Limit: q.Limit, Offset: q.Offset, Lock: query.Lock(q.Lock)}
	if idsOnly, ok := p.keptShape(q); ok {
		c := p.callerColumns(ctx, q.Report, q.Scope, idsOnly)
		sel.Columns, sel.Head = c.cols, c.head
	} else {
		sel.Columns = p.selected(ctx, q)
	}
	where, err := p.where(ctx, p.store.db, q)
	if err != nil {
		return nil, err
	}
	sel.Where = where
	if len(q.IDs) == 1 && q.Offset == 0 && q.Limit != 0 {
		// one record by its id finds at most one row: an order and a limit are work for the
		// database (a sort and a limit node, planned and run for every statement) and say nothing
		sel.Limit = -1
		return sel, nil
	}
	for _, k := range q.Sort {
		sel.Order = append(sel.Order, p.order(k))
	}
	sel.Order = append(sel.Order, p.decl.Order...)
	sel.Order = append(sel.Order, query.Order{SQL: "t.id", NotNull: true})
	return sel, nil
}

// selected are the selected columns of a query. Some depend on the request: computed ones with
// arguments, the linkage of to-many relationships (only the related records the caller may
// see), and for a query of the tenant what the caller may do to each record.
func (p *plan) selected(ctx context.Context, q *jsonapi.Query) []query.Column {
	links := p.visibleLinks(ctx, q.Links)
	if !p.hasArg && links == nil && !q.Report && q.Links == nil && q.Attrs == nil {
		return p.cols
	}
	cols := make([]query.Column, len(p.cols), len(p.cols)+1)
	copy(cols, p.cols)
	for _, m := range p.attrs {
		if m.computed != nil && m.computed.Args != nil {
			cols[m.sel].Args = m.computed.Args(ctx)
		}
	}
	for i, l := range links {
		if l != nil {
			cols[p.rels[i].sel].Expr = query.LinkIDs(p.store.db.Dialect, *l, p.store.limits.LinkageLimit)
		}
	}
	for i, m := range p.rels {
		if m.sel >= 0 && q.Links != nil && !q.Links[i] {
			cols[m.sel].Omit = true // linkage the response does not print (a to-many's subquery, a to-one's column)
		}
	}
	// attributes the response does not print (a type that derives values from others reads
	// them all)
	for i, m := range p.attrs {
		if m.sel >= 0 && q.Attrs != nil && !q.Attrs[i] && p.decl.Derive == nil {
			cols[m.sel].Omit = true
		}
	}
	if q.Report {
		cols = append(cols, p.mayColumn(principalOf(ctx), p.scope(ctx, q)))
	}
	return cols
}

// reported are the actions a read with Query.Report tells of.
var reported = [...]struct {
	action jsonapi.Action
	perm   auth.Action // the permission it needs
}{{jsonapi.ActionView, auth.View}, {jsonapi.ActionEdit, auth.Edit}, {jsonapi.ActionDelete, auth.Delete}}

// mayColumn is the column of what the caller may do to each record of a read whose scope is
// scope (Query.Report): the jsonapi.Allowed of the actions whose condition holds, as the sum of
// their bits. One column rather than one per action: an account's read had 18 columns, and pgx
// allocates the descriptions of a result of more than 16 for each statement. The rows found all
// meet the scope: where the caller may do an action to every one of them (its level for the
// action is its whole organization, as an administrator's is, and the scope is the
// organization), the action's bit is a constant, with no condition to evaluate nor arguments to
// bind in every such read.
func (p *plan) mayColumn(pr *auth.Principal, scope query.Expr) query.Column {
	var always jsonapi.Allowed
	sql, args := "", []any(nil)
	for _, a := range reported {
		cond := p.allowed(pr, a.perm, "t")
		switch {
		case sameExpr(cond, scope), sameExpr(cond, everything):
			always = always.With(a.action)
		case !sameExpr(cond, nothing):
			sql += " + CASE WHEN " + cond.SQL + " THEN " + strconv.Itoa(int(jsonapi.Allowed(0).With(a.action))) + " ELSE 0 END"
			args = append(args, cond.Args...)
		}
	}
	return query.Column{Expr: query.Expr{SQL: strconv.Itoa(int(always)) + sql, Args: args}, Type: query.Int}
}

// flagColumn is the column that is 1 where cond holds, 0 elsewhere: a constant where cond holds
// for every row or for none.
func flagColumn(cond query.Expr) query.Column {
	switch {
	case sameExpr(cond, everything):
		return query.Column{Expr: query.Expr{SQL: "1"}, Type: query.Int}
	case sameExpr(cond, nothing):
		return query.Column{Expr: query.Expr{SQL: "0"}, Type: query.Int}
	}
	return query.Column{Expr: query.Expr{SQL: "CASE WHEN " + cond.SQL + " THEN 1 ELSE 0 END", Args: cond.Args}, Type: query.Int}
}

// sameExpr is whether a and b are one condition: the same text and arguments.
func sameExpr(a, b query.Expr) bool {
	return a.SQL == b.SQL && (len(a.Args) == 0 && len(b.Args) == 0 || reflect.DeepEqual(a.Args, b.Args))
}

// keptShape is whether the columns of q are one of the two shapes kept per caller
// (callerColumns): every column, or the ids only (idsOnly: q asks for neither attributes nor
// linkage). Any other fieldset, and a type whose columns take the request's arguments, has its
// columns made for the query.
func (p *plan) keptShape(q *jsonapi.Query) (idsOnly, ok bool) {
	if p.hasArg {
		return false, false
	}
	if q.Links == nil && q.Attrs == nil {
		return false, true
	}
	idsOnly = q.Links != nil && q.Attrs != nil && !slices.Contains(q.Links, true) && !slices.Contains(q.Attrs, true)
	return idsOnly, idsOnly
}

// callerColumns are the columns of a query of every column, or of the ids only (no attribute,
// no linkage: a relationship page, a record a write locks), without computed arguments, with
// their statement's head. They depend on the caller alone (the linkage it may see, what it may
// do within the query's scope), so they are made once per principal, type and scope and kept
// with the principal: a request for
// one record spent a fifth of its own time and bytes building them again.
func (p *plan) callerColumns(ctx context.Context, report bool, scope jsonapi.Scope, idsOnly bool) callerColumns {
	build := func() any {
		q := &jsonapi.Query{Resource: p.res, Report: report, Scope: scope}
		if idsOnly {
			q.Links, q.Attrs = make([]bool, len(p.res.Rels)), make([]bool, len(p.res.Attrs))
		}
		cols := slices.Clip(p.selected(ctx, q)) // shared: an append copies
		return callerColumns{cols: cols, head: query.Head(p.decl.Table, cols)}
	}
	pr := principalOf(ctx)
	if pr == nil {
		return build().(callerColumns)
	}
	kind := keptColumns | bit(report)<<8 | bit(idsOnly)<<9
	if report {
		kind |= uint64(scope) << 16 // what the caller may do is told within the scope
	}
	return pr.Memo(auth.MemoKey{Keeper: p, Kind: kind}, build).(callerColumns)
}

// kept is the select of a query whose statement depends on nothing but the caller, the type,
// the scope, the lock, the columns (every column or the ids only, and whether what the caller
// may do is asked) and an id, or nil for any other query. Two such queries are most of the reads:
//
//   - one record by its id and nothing else: an item, an included record of its own, the record
//     a write checks first;
//   - the first page, in the default order, of a record's to-many relationship (a relationship
//     page, a subresource): the id is the parent's.
//
// Their statement is written and bound once per principal and kept with it, and a request only
// puts its id in: building and binding it was a tenth of what a request for one record spent
// outside the database, and a twelfth of a relationship page's.
func (p *plan) kept(ctx context.Context, q *jsonapi.Query) *query.Select {
	pr := principalOf(ctx)
	idsOnly, ok := p.keptShape(q)
	if pr == nil || !ok || q.Offset != 0 || len(q.Conditions) > 0 || len(q.Sort) > 0 || q.Limit < 0 || q.Limit > maxKeptLimit {
		return nil
	}
	kind := bit(q.Report)<<8 | bit(idsOnly)<<9 | uint64(q.Scope)<<16 | uint64(q.Lock)<<24 | uint64(q.Limit)<<32
	var keeper any = p
	var id any // what the statement is asked for
	switch {
	case q.Parent == nil && len(q.IDs) == 1 && q.Limit == 1:
		kind |= keptByID
		id = p.id(q.IDs[0])
	case q.Parent != nil && len(q.IDs) == 0:
		pp := p.store.plans[q.Parent.Resource]
		kind |= keptParent | bit(q.Parent.Checked)<<10
		keeper = &pp.rels[q.Parent.Rel] // one per relationship: the parent's type and the link
		id = pp.id(q.Parent.ID)
	default:
		return nil
	}
	k := pr.Memo(auth.MemoKey{Keeper: keeper, Kind: kind}, func() any { return p.keep(ctx, q) }).(keptStatement)
	if k.text == "" {
		return nil
	}
	args := slices.Clone(k.args)
	for _, i := range k.at {
		args[i] = id
	}
	return &query.Select{Table: p.decl.Table, IDType: p.idType(), Columns: k.cols, Limit: q.Limit, Text: k.text, Args: args}
}

// maxKeptLimit bounds the limits of kept statements (a key part, so it must be bounded): above
// every page a request may ask for, with the one more row that tells whether there is a next.
const maxKeptLimit = 1 << 16

// keep is kept's statement of q, built with the marker id (keptIDMarker) in place of q's.
func (p *plan) keep(ctx context.Context, q *jsonapi.Query) keptStatement {
	model := *q
	if q.Parent != nil {
		parent := *q.Parent
		parent.ID = keptIDMarker(p.store.plans[q.Parent.Resource])
		model.Parent = &parent
	} else {
		model.IDs = []string{keptIDMarker(p)}
	}
	sel, err := p.build(ctx, &model)
	if err != nil {
		return keptStatement{}
	}
	text, args := p.store.db.Bind(sel.Statement(p.store.db.Dialect))
	k := keptStatement{cols: sel.Columns, text: text, args: slices.Clip(args)}
	for i, a := range args {
		if isKeptIDMarker(a) {
			k.at = append(k.at, i)
		}
	}
	if len(k.at) == 0 {
		return keptStatement{}
	}
	return k
}

// keptIDMarker is the id kept statements are built with, in place of the request's: no
// record's id, nor any other argument of a statement (an organization, a user), is the
// smallest integer but one, and no text id holds a NUL byte (PostgreSQL's text cannot).
func keptIDMarker(p *plan) string {
	if p.res.IntID {
		return strconv.FormatInt(keptIntMarker, 10)
	}
	return keptTextMarker
}

const (
	keptIntMarker  = math.MinInt64 + 1
	keptTextMarker = "\x00kept"
)

// isKeptIDMarker is whether a bound argument is the marker id (as plan.id makes it). Arguments
// are compared by their type first: comparing interfaces that hold a []byte would panic.
func isKeptIDMarker(a any) bool {
	switch v := a.(type) {
	case int64:
		return v == keptIntMarker
	case string:
		return v == keptTextMarker
	}
	return false
}

// keptStatement is kept's statement of a principal: what it selects, its text bound, and its
// arguments, the id's positions among them (at) holding the marker ("" when the query's
// statement cannot be kept).
type keptStatement struct {
	cols []query.Column
	text string
	args []any
	at   []int
}

// callerColumns are a caller's columns of one shape, with the head of their statement.
type callerColumns struct {
	cols []query.Column
	head string
}

// record turns a row into a record of its own.
func (p *plan) record(ctx context.Context, row query.Row) *jsonapi.Record {
	return (&recordBlocks{p: p, next: 1, left: 1}).record(ctx, row)
}

// recordBlocks allocates the records of one read in blocks of rows: a record, its values, its
// linkage and the slice of each to-one id were four and more allocations per row, most of a
// page's. The records of a few ids (an include) come in one block; other reads start with a
// block of up to four rows (most find one record, or a few: a page of ten takes two blocks, a
// relationship page that finds two ids allocates four rows, not eleven), and blocks double up
// to 64 rows, never exceeding the rows the read can find. Values and linkage are allocated only
// for rows that have some: the records of a read of ids (a relationship page) share the plan's
// nil values, those of a sparse fieldset without relationships its nil linkage. A record's
// slices are capped, so that none grows into the next record's.
//
// Where nothing keeps a record past the next row's (Query.Transient: a page rendered as it is
// read, the records of an include), every row takes the first one's record, values and linkage
// again (reuse): a fifth of what a page of ten allocated, a quarter with its contacts included.
type recordBlocks struct {
	p     *plan
	next  int // rows of the next block
	left  int // rows the read can still find (< 0: not known)
	recs  []jsonapi.Record
	vals  []any      // for the rows of the block with values, made by the first
	links [][]string // for the rows of the block with linkage, made by the first
	ones  []string   // to-one linkage
	reuse bool
	kept  struct { // the one row's memory, when reuse
		recs  []jsonapi.Record
		vals  []any
		links [][]string
		ones  []string
	}
}

// maxRecordBlock caps the rows of a block, firstRecordBlock the first of a read not by ids, and
// fewIDs the ids whose records are allocated at once.
const maxRecordBlock, firstRecordBlock, fewIDs = 64, 4, 16

// records is the allocator of the records of q; reuse when nothing keeps them (Query.Transient)
// and they are passed on as they are read.
func (p *plan) records(q *jsonapi.Query, reuse bool) *recordBlocks {
	if reuse {
		return &recordBlocks{p: p, next: 1, left: -1, reuse: true}
	}
	left := q.Limit
	if len(q.IDs) > 0 && (left < 0 || len(q.IDs) < left) {
		left = len(q.IDs)
	}
	next := firstRecordBlock
	if len(q.IDs) > 0 && left <= fewIDs {
		next = left
	}
	return &recordBlocks{p: p, next: next, left: left}
}

// record turns a row into a record.
func (b *recordBlocks) record(ctx context.Context, row query.Row) *jsonapi.Record {
	p := b.p
	na, nr := len(p.attrs), len(p.rels)
	switch {
	case len(b.recs) > 0:
	case b.reuse && b.kept.recs != nil:
		k := &b.kept
		b.recs, b.vals, b.links, b.ones = k.recs, k.vals, k.links, k.ones
		clear(b.vals) // Derive may leave some unwritten
		clear(b.links)
		b.recs[0] = jsonapi.Record{}
	default:
		n := b.next
		if b.left > 0 {
			n = min(n, b.left)
			b.left -= n
		}
		b.next = min(2*b.next, maxRecordBlock)
		b.recs, b.vals, b.links, b.ones = make([]jsonapi.Record, n), nil, nil, nil
		if b.reuse {
			b.kept.recs = b.recs
		}
	}
	rec := &b.recs[0]
	b.recs = b.recs[1:]
	rows := len(b.recs) + 1 // the rows left in the block, this one included
	rec.ID, rec.Values, rec.Links = row.ID, p.noValues, p.noLinks
	if p.decl.Derive != nil || anyValue(row.Values[:p.attrCols]) { // Derive writes values
		if len(b.vals) == 0 {
			b.vals = make([]any, rows*na)
			if b.reuse {
				b.kept.vals = b.vals
			}
		}
		rec.Values, b.vals = b.vals[:na:na], b.vals[na:]
		for i, m := range p.attrs {
			if m.sel >= 0 {
				rec.Values[i] = row.Values[m.sel]
			}
		}
	}
	if anyValue(row.Values[p.attrCols:len(p.cols)]) {
		if len(b.links) == 0 {
			b.links, b.ones = make([][]string, rows*nr), make([]string, rows*nr)
			if b.reuse {
				b.kept.links, b.kept.ones = b.links, b.ones
			}
		}
		rec.Links, b.links = b.links[:nr:nr], b.links[nr:]
		for i, m := range p.rels {
			if m.sel < 0 {
				continue // a subresource
			}
			switch v := row.Values[m.sel].(type) {
			case []string:
				rec.Links[i] = v
			case string:
				b.ones[0] = v
				rec.Links[i], b.ones = b.ones[:1:1], b.ones[1:]
			}
		}
	}
	if n := len(p.cols); len(row.Values) == n+1 { // what the caller may do (Query.Report, mayColumn)
		if may, ok := row.Values[n].(int64); ok {
			rec.May = jsonapi.Allowed(may)
		}
	}
	if p.decl.Derive != nil {
		p.decl.Derive(ctx, p.res, rec)
	}
	return rec
}

// anyValue reports whether some of vs is not nil (a column not read, omitted, is nil).
func anyValue(vs []any) bool {
	for _, v := range vs {
		if v != nil {
			return true
		}
	}
	return false
}

// visibleLinks are the to-many relationships' links restricted to the related records the
// caller may see, by relationship index; nil where nothing needs restricting (reference data)
// or the linkage is not read (need, as Query.Links), and nil altogether when no relationship
// does.
func (p *plan) visibleLinks(ctx context.Context, need []bool) []*query.Link {
	var out []*query.Link
	for i, m := range p.rels {
		if m.link == nil || m.sel < 0 || need != nil && !need[i] {
			continue
		}
		only := p.store.plans[p.res.Target(i)].linkVisible(ctx, *m.link)
		if only.SQL == "" {
			continue
		}
		if out == nil {
			out = make([]*query.Link, len(p.rels))
		}
		l := *m.link
		l.Only = only
		out[i] = &l
	}
	return out
}

// linkVisible is the condition on the rows of a link to this type (alias l) that the related
// record is one the caller may view: on the rows themselves when the link is this type's own
// table (its foreign key), else through the related id. It is empty when every related record
// is visible (reference data).
func (p *plan) linkVisible(ctx context.Context, l query.Link) query.Expr {
	var v query.Expr
	if l.Table == p.decl.Table && l.Other == "id" {
		v = p.visible(ctx, "l")
	} else {
		v = p.visible(ctx, "x")
	}
	switch {
	case v.SQL == everything.SQL:
		return query.Expr{}
	case v.SQL == nothing.SQL, l.Table == p.decl.Table && l.Other == "id":
		return v
	}
	// EXISTS by primary key: one index probe per link row. (An IN (SELECT …) would make
	// PostgreSQL hash every visible record of the type, the whole organization's for an
	// administrator, for each statement.)
	return query.Expr{SQL: "EXISTS (SELECT 1 FROM " + p.decl.Table + " x WHERE x.id = l." + l.Other + " AND " + v.SQL + ")", Args: v.Args}
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

// scope is the condition of the rows q may find at all: those of the caller's organization
// (ScopeTenant), or those the caller may view.
func (p *plan) scope(ctx context.Context, q *jsonapi.Query) query.Expr {
	if q.Scope == jsonapi.ScopeTenant {
		return p.tenant(principalOf(ctx), "t")
	}
	return p.visible(ctx, "t")
}

// where translates the caller's access, ids and conditions into SQL conditions.
func (p *plan) where(ctx context.Context, db *store.DB, q *jsonapi.Query) ([]query.Expr, error) {
	out := []query.Expr{p.scope(ctx, q)}
	switch {
	case len(q.IDs) == 1:
		out = append(out, query.Expr{SQL: "t.id = ?", Args: []any{p.id(q.IDs[0])}})
	case len(q.IDs) > 1:
		out = append(out, query.Expr{SQL: "t.id IN ?", Args: []any{p.ids(q.IDs)}})
	}
	if q.Parent != nil {
		pp := p.store.plans[q.Parent.Resource]
		out = append(out, query.RelatedTo(*pp.rels[q.Parent.Rel].link, pp.id(q.Parent.ID)))
		if q.Parent.Checked {
			// the parent as the engine would have read it: one the caller may view (which is
			// within the caller's organization, but for a type reached only through another)
			cond := pp.visible(ctx, "p")
			if pp.decl.Through != "" {
				cond = pp.tenant(principalOf(ctx), "p")
			}
			out = append(out, query.RowExists(pp.decl.Table, "p", pp.id(q.Parent.ID), cond))
		}
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
				// only the related records the caller may see count: a filter must not probe
				// the others
				l := *m.link
				l.Only = p.store.plans[p.res.Target(f.Rel)].linkVisible(ctx, l)
				out = append(out, query.LinkCond(l, query.Op(c.Op), p.idValues(intID, values, c.Op)))
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
	where, err := p.where(ctx, s.db, q)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.Run(ctx, func(ctx context.Context) error {
		n, err = query.Count(ctx, s.db, p.decl.Table, where)
		return err
	})
	return n, s.translateRead(ctx, p, err)
}
