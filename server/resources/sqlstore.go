package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"webapi/server/auth"
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
}

var _ jsonapi.Store = (*Store)(nil)

// plan is the precomputed SQL mapping of one type: built once at start-up, so a request only
// fills in arguments.
type plan struct {
	store  *Store
	decl   *Decl
	res    *jsonapi.Resource
	attrs  []attrMap
	rels   []relMap
	cols   []query.Column // the select list (attributes, then relationships)
	head   string         // query.Head of the table and cols, built once
	hasArg bool           // some column takes request arguments
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
	for i := range r.Rels {
		rel := &r.Rels[i]
		m := relMap{sel: len(p.cols)}
		if rel.ToMany {
			l, ok := d.Links[rel.Name]
			if !ok {
				return nil, fmt.Errorf("%s.%s: no storage declared for the to-many relationship", d.Type, rel.Name)
			}
			m.link = &l
			p.cols = append(p.cols, query.Column{Expr: query.LinkIDs(l, linkLimit), Type: query.IDList})
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

// LockKey implements jsonapi.Store.
func (s *Store) LockKey(ctx context.Context, key string) error {
	return s.translate(ctx, nil, s.db.LockKey(ctx, key))
}

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
			p.decl.Prepare(ctx)
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

func (p *plan) idType() query.Type {
	if p.res.IntID {
		return query.Int
	}
	return query.Text
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

// Create implements jsonapi.Store.
func (s *Store) Create(ctx context.Context, r *jsonapi.Resource, w *jsonapi.Write) (string, error) {
	p := s.plans[r]
	h := s.hook(p, Create, w)
	now := s.db.TimeValue(query.Now())
	h.Cols["created_at"], h.Cols["updated_at"] = now, now
	if w.ID != "" {
		h.Cols["id"] = w.ID
	}
	p.defaultOwner(ctx, h.Cols)
	if err := s.before(ctx, p, h, nil); err != nil {
		return "", err
	}
	cols, vals := split(h.Cols)
	id, err := query.Insert(ctx, s.db, p.decl.Table, cols, vals)
	if err != nil {
		return "", s.translate(ctx, p, err)
	}
	h.IDs = []any{p.id(id)}
	if err := s.writeLinks(ctx, p, h.IDs[0], w); err != nil {
		return "", err
	}
	if p.decl.After != nil {
		if err := p.decl.After(ctx, h); err != nil {
			return "", s.translate(ctx, p, err)
		}
	}
	return id, nil
}

// hook is what the hooks of a write see; w is nil on delete.
func (s *Store) hook(p *plan, op Op, w *jsonapi.Write) *Hook {
	h := &Hook{Op: op, DB: s.db, Schema: s.schema, Res: p.res, Decl: p.decl, Write: w}
	if w != nil {
		h.Cols = p.columns(s.db, w)
	}
	return h
}

// Check implements jsonapi.Store.
func (s *Store) Check(ctx context.Context, r *jsonapi.Resource, id string, w *jsonapi.Write) error {
	p := s.plans[r]
	h := s.hook(p, Create, w)
	var idv any
	if id != "" {
		idv = p.id(id)
		h.Op, h.IDs = Update, []any{idv}
	} else {
		p.defaultOwner(ctx, h.Cols)
	}
	return s.before(ctx, p, h, idv)
}

// Update implements jsonapi.Store.
func (s *Store) Update(ctx context.Context, r *jsonapi.Resource, id string, w *jsonapi.Write) error {
	p := s.plans[r]
	h := s.hook(p, Update, w)
	h.IDs = []any{p.id(id)}
	h.Cols["updated_at"] = s.db.TimeValue(query.Now())
	if err := s.before(ctx, p, h, h.IDs[0]); err != nil {
		return err
	}
	cols, vals := split(h.Cols)
	if err := query.Update(ctx, s.db, p.decl.Table, h.IDs[0], cols, vals); err != nil {
		return s.translate(ctx, p, err)
	}
	if err := s.writeLinks(ctx, p, h.IDs[0], w); err != nil {
		return err
	}
	if p.decl.After != nil {
		return s.translate(ctx, p, p.decl.After(ctx, h))
	}
	return nil
}

// Delete implements jsonapi.Store.
func (s *Store) Delete(ctx context.Context, r *jsonapi.Resource, ids []string) error {
	p := s.plans[r]
	h := s.hook(p, Delete, nil)
	h.IDs = p.ids(ids)
	if p.decl.Before != nil {
		if err := p.decl.Before(ctx, h); err != nil {
			return s.translate(ctx, p, err)
		}
	}
	if err := query.Delete(ctx, s.db, p.decl.Table, h.IDs); err != nil {
		if ce := store.Constraint(err); ce != nil && ce.Kind != store.Unique {
			// SQLite does not tell a missing reference from one still in use; a delete can
			// only break the latter
			ce.Kind = store.Referenced
			return constraintError(p, ce)
		}
		return s.translate(ctx, p, err)
	}
	if p.decl.After != nil {
		return s.translate(ctx, p, p.decl.After(ctx, h))
	}
	return nil
}

// before runs the checks every write needs (uniqueness) and the type's Before hook, and
// reports all their problems together.
func (s *Store) before(ctx context.Context, p *plan, h *Hook, id any) error {
	var errs jsonapi.Errors
	if p.decl.Owner != Global {
		// An owned record always has an owner and (except where the declaration allows none)
		// an organization: "data": null for them is a validation error, not a NOT NULL failure.
		for _, name := range []string{"owner", "organization"} {
			i := p.res.RelIndex(name)
			if i < 0 || (name == "organization" && p.decl.AnyOrganization) {
				continue
			}
			if v, ok := h.Cols[p.rels[i].fk]; ok && v == nil {
				errs = append(errs, jsonapi.Invalid(jsonapi.RelPointer(name), jsonapi.TitleNotBlank, "This value should not be blank."))
			}
		}
	}
	for i := range p.res.Attrs {
		a := &p.res.Attrs[i]
		v, ok := h.Cols[p.attrs[i].column]
		if !a.Unique || !ok || v == nil {
			continue
		}
		col := p.attrs[i].column
		if a.Kind == jsonapi.Decimal {
			col, v = s.db.DecimalKey(col), s.db.DecimalArg(v)
		}
		taken, err := s.taken(ctx, p, h, col, v, id)
		if err != nil {
			return err
		}
		if taken {
			errs = append(errs, jsonapi.Unique(jsonapi.AttrPointer(a.Name)))
		}
	}
	if p.decl.Before != nil {
		if err := p.decl.Before(ctx, h); err != nil {
			var more jsonapi.Errors
			var one *jsonapi.Error
			switch {
			case errors.As(err, &more):
				errs = append(errs, more...)
			case errors.As(err, &one):
				errs = append(errs, one)
			default:
				return err
			}
		}
	}
	if errs != nil {
		return errs
	}
	return nil
}

// taken reports whether another record already has value in column, an SQL expression of the
// table's columns (within the type's uniqueness scope).
func (s *Store) taken(ctx context.Context, p *plan, h *Hook, column string, v any, id any) (bool, error) {
	q := "SELECT COUNT(*) FROM " + p.decl.Table + " WHERE " + column + " = ?"
	args := []any{v}
	if id != nil {
		q += " AND id <> ?"
		args = append(args, id)
	}
	key := fmt.Sprint(p.decl.Table, "\x00", column, "\x00", v)
	if scope := p.decl.UniqueScope; scope != "" {
		sv, err := h.final(ctx, scope)
		if err != nil {
			return false, err
		}
		q += " AND " + scope + " = ?"
		args = append(args, sv)
		key += fmt.Sprint("\x00", sv)
	}
	// Concurrent writes of the same value check one after the other, so the second sees the
	// first and reports the value taken, with its pointer (a unique index would catch it too,
	// but only as a constraint error at the insert).
	if err := s.db.LockKey(ctx, key); err != nil {
		return false, err
	}
	var n int64
	err := s.db.Conn(ctx).Raw(q, args...).Row().Scan(&n)
	return n > 0, err
}

// columns maps the attributes and to-one relationships a write sets to column values.
func (p *plan) columns(db *store.DB, w *jsonapi.Write) map[string]any {
	cols := make(map[string]any, len(w.Attrs)+len(w.Links)+3)
	for _, a := range w.Attrs {
		m := p.attrs[a.Index]
		if m.column == "" {
			continue
		}
		v := a.Value
		switch p.res.Attrs[a.Index].Kind {
		case jsonapi.Date:
			if v != nil {
				v = v.(time.Time).Format("2006-01-02")
			}
		case jsonapi.Decimal:
			v = db.DecimalValue(v) // the form the column holds ("12.5000" on SQLite)
		}
		cols[m.column] = dbValue(db, v)
	}
	for _, l := range w.Links {
		m := p.rels[l.Index]
		if m.link != nil {
			continue
		}
		if len(l.IDs) == 0 {
			cols[m.fk] = nil
		} else {
			cols[m.fk] = idOf(p.res.Target(l.Index), l.IDs[0])
		}
	}
	return cols
}

// writeLinks stores the to-many relationships a write sets.
func (s *Store) writeLinks(ctx context.Context, p *plan, own any, w *jsonapi.Write) error {
	for _, l := range w.Links {
		m := p.rels[l.Index]
		if m.link == nil {
			continue
		}
		t := p.res.Target(l.Index)
		ids := make([]any, len(l.IDs))
		for i, id := range l.IDs {
			ids[i] = idOf(t, id)
		}
		var err error
		if m.link.Other == "id" {
			err = query.SetForeignKey(ctx, s.db, *m.link, own, ids)
		} else {
			err = query.SetLinks(ctx, s.db, *m.link, own, ids)
		}
		if err != nil {
			return s.translate(ctx, p, err)
		}
	}
	return nil
}

func idOf(t *jsonapi.Resource, id string) any {
	if t.IntID {
		n, _ := strconv.ParseInt(id, 10, 64)
		return n
	}
	return id
}

// defaultOwner sets owner and organization from the caller when the write does not.
func (p *plan) defaultOwner(ctx context.Context, cols map[string]any) {
	who, ok := auth.From(ctx)
	if !ok {
		return
	}
	set := func(col string, v int64) {
		if _, given := cols[col]; !given {
			cols[col] = v
		}
	}
	switch p.decl.Owner {
	case UserOwned:
		set("owner_id", who.UserID)
	case BusinessUnitOwned:
		set("owner_id", who.BusinessUnitID)
	}
	if p.decl.Owner != Global && p.res.RelIndex("organization") >= 0 {
		set("organization_id", who.OrganizationID)
	}
}

func split(m map[string]any) ([]string, []any) {
	cols := make([]string, 0, len(m))
	for c := range m {
		cols = append(cols, c)
	}
	// a fixed order keeps statements identical for the database's statement cache
	sort.Strings(cols)
	vals := make([]any, len(cols))
	for i, c := range cols {
		vals[i] = m[c]
	}
	return cols, vals
}

// translate turns the database errors a client can cause, or that the database's state
// explains, into API errors: 503 when the database cannot serve now, the error of the check a
// broken constraint stands for (p, when known, says which type was written), 400 for a value the
// database cannot hold. Anything else stays an internal error.
func (s *Store) translate(ctx context.Context, p *plan, err error) error {
	return translate(ctx, s.db, p, err)
}

func translate(ctx context.Context, db *store.DB, p *plan, err error) error {
	if err == nil {
		return nil
	}
	var ae *jsonapi.Error
	var aes jsonapi.Errors
	if errors.As(err, &ae) || errors.As(err, &aes) {
		return err
	}
	if u := store.Unavailable(ctx, err); u != nil {
		return unavailable(db.Limits(), u)
	}
	if ce := store.Constraint(err); ce != nil {
		return constraintError(p, ce)
	}
	if store.InvalidValue(err) {
		return &jsonapi.Error{Status: http.StatusBadRequest, Title: jsonapi.TitleValue, Detail: "A value cannot be stored: it is out of range or not valid text."}
	}
	return err
}

// unavailable is the 503 of api.md section 20, its detail saying why.
func unavailable(lim store.Limits, u *store.UnavailableError) error {
	var detail string
	switch u.Reason {
	case store.ReasonConnWait:
		detail = fmt.Sprintf("No database connection became free within %s.", lim.ConnWait)
	case store.ReasonWriteQueue:
		detail = fmt.Sprintf("Too many writes are waiting for the database (at most %d).", lim.WriteQueue)
	case store.ReasonWriteWait:
		detail = fmt.Sprintf("The database did not accept the write within %s.", lim.WriteWait)
	case store.ReasonDeadline:
		detail = "The request ran past its deadline."
	case store.ReasonCancelled:
		detail = "The request was cancelled."
	case store.ReasonContention:
		detail = "Concurrent writes kept colliding with this one."
	default:
		detail = "The database is unavailable."
	}
	return jsonapi.Unavailable(detail)
}

// constraintError is the error of the check that a broken constraint stands for: a concurrent
// request got past the check first (api.md section 20).
func constraintError(p *plan, ce *store.ConstraintError) error {
	switch ce.Kind {
	case store.Unique:
		if p != nil && (ce.Table == "" || ce.Table == p.decl.Table) {
			for _, c := range ce.Columns {
				if c == "id" {
					return jsonapi.Conflict("/data/id", "The entity already exists.")
				}
			}
			for i, m := range p.attrs {
				if m.column != "" && m.column != p.decl.UniqueScope && slices.Contains(ce.Columns, m.column) {
					return jsonapi.Unique(jsonapi.AttrPointer(p.res.Attrs[i].Name))
				}
			}
		}
		return &jsonapi.Error{Status: http.StatusBadRequest, Title: jsonapi.TitleUnique, Detail: "This value is already used."}
	case store.ForeignKey:
		if p != nil {
			if name := p.relOf(ce); name != "" {
				return jsonapi.EntityNotExist(jsonapi.RelPointer(name))
			}
		}
		return &jsonapi.Error{Status: http.StatusBadRequest, Title: jsonapi.TitleForm, Detail: "The entity does not exist."}
	}
	return &jsonapi.Error{Status: http.StatusConflict, Title: jsonapi.TitleConflict,
		Detail: "The operation conflicts with records that refer to this one (or that it refers to)."}
}

// relOf names the relationship of the plan's type that a broken reference belongs to: a
// foreign key column of its table, or the related column of a to-many's table.
func (p *plan) relOf(ce *store.ConstraintError) string {
	for i, m := range p.rels {
		switch {
		case m.link == nil && (ce.Table == "" || ce.Table == p.decl.Table) && slices.Contains(ce.Columns, m.fk):
			return p.res.Rels[i].Name
		case m.link != nil && ce.Table == m.link.Table && slices.Contains(ce.Columns, m.link.Other):
			return p.res.Rels[i].Name
		}
	}
	return ""
}
