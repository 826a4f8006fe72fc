package resources

// The writes of the SQL store: Create, Update, Delete and Check, with the checks every write
// makes (uniqueness, owner and organization) and the column values and links a write sets.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"webapi/server/auth"
	"webapi/server/jsonapi"
	"webapi/store"
	"webapi/store/query"
)

// Create implements jsonapi.Store.
func (s *Store) Create(ctx context.Context, r *jsonapi.Resource, w *jsonapi.Write) (string, error) {
	p := s.plans[r]
	h, err := s.beforeCreate(ctx, p, w)
	if err != nil {
		return "", err
	}
	cols, vals := split(h.Cols)
	ret := p.returned(ctx)
	if ret == nil {
		id, err := query.Insert(ctx, s.db, p.decl.Table, cols, vals)
		if err != nil {
			return "", s.translate(ctx, p, err)
		}
		if err := s.afterCreate(ctx, p, h, id); err != nil {
			return "", err
		}
		return id, s.indexWrite(ctx, p, h)
	}
	// the insert returns the record (on SQLite: what its index row needs), one statement fewer
	// than reading it back
	row, err := query.InsertReturning(ctx, s.db, p.decl.Table, cols, vals, ret.Returned)
	if err != nil {
		return "", s.translate(ctx, p, err)
	}
	since := store.TxWrites(ctx)
	if err := s.afterCreate(ctx, p, h, row.ID); err != nil {
		return "", err
	}
	return row.ID, s.afterReturned(ctx, p, h, w, ret, row, since)
}

// CreateMany implements jsonapi.Store: every check and hook of Create for each record, and the
// records whose columns are the same in one multi-row INSERT (a batch chunk of new records is
// one statement rather than one each). On the first problem it returns it, without saying
// which record had it.
func (s *Store) CreateMany(ctx context.Context, r *jsonapi.Resource, ws []*jsonapi.Write) ([]string, error) {
	p := s.plans[r]
	hooks := make([]*Hook, len(ws))
	for i, w := range ws {
		h, err := s.beforeCreate(ctx, p, w)
		if err != nil {
			return nil, err // the engine writes the records one by one then, to say which failed
		}
		hooks[i] = h
	}
	// rows with the same columns (in order of first appearance) go in one statement
	ids := make([]string, len(ws))
	groups := map[string][]int{}
	var order []string
	colsOf := map[string][]string{}
	for i, h := range hooks {
		cols, _ := split(h.Cols)
		key := strings.Join(cols, ",")
		if _, ok := groups[key]; !ok {
			order = append(order, key)
			colsOf[key] = cols
		}
		groups[key] = append(groups[key], i)
	}
	for _, key := range order {
		cols := colsOf[key]
		rows := make([][]any, len(groups[key]))
		for j, i := range groups[key] {
			_, rows[j] = split(hooks[i].Cols)
		}
		got, err := query.InsertMany(ctx, s.db, p.decl.Table, cols, rows)
		if err != nil {
			return nil, s.translate(ctx, p, err)
		}
		for j, i := range groups[key] {
			ids[i] = got[j]
		}
	}
	// one index step for them all: the hooks' touched records and the new records together
	all := &Hook{IDs: make([]any, len(hooks))}
	for i, h := range hooks {
		if err := s.afterCreate(ctx, p, h, ids[i]); err != nil {
			return nil, err
		}
		all.IDs[i] = h.IDs[0]
		for typ, set := range h.touched {
			for id := range set {
				all.Touch(typ, id)
			}
		}
	}
	return ids, s.indexWrite(ctx, p, all)
}

// beforeCreate prepares the columns of a new record and runs the checks and the Before hook.
func (s *Store) beforeCreate(ctx context.Context, p *plan, w *jsonapi.Write) (*Hook, error) {
	h := s.hook(p, Create, w)
	now := s.db.TimeValue(query.Now())
	h.Cols["created_at"], h.Cols["updated_at"] = now, now
	if w.ID != "" {
		h.Cols["id"] = w.ID
	}
	p.defaultOwner(ctx, h.Cols)
	if err := s.before(ctx, p, h, nil); err != nil {
		return nil, err
	}
	return h, nil
}

// afterCreate writes the to-many links of a new record and runs the After hook.
func (s *Store) afterCreate(ctx context.Context, p *plan, h *Hook, id string) error {
	h.IDs = []any{p.id(id)}
	if err := s.writeLinks(ctx, p, h.IDs[0], h.Write); err != nil {
		return err
	}
	if p.decl.After != nil {
		if err := p.decl.After(ctx, h); err != nil {
			return s.translate(ctx, p, err)
		}
	}
	return nil
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
	// the caller's access in the statement itself: the engine checked it on the locked record
	// already, this keeps a write from ever reaching a row the caller may not edit
	only := p.allowed(principalOf(ctx), auth.Edit, "t")
	var (
		updated bool
		err     error
		row     query.Row
	)
	ret := p.returned(ctx)
	if ret != nil && len(cols) > 0 {
		// the update returns the record (on SQLite: what its index row needs), one statement
		// fewer than reading it again
		row, updated, err = query.UpdateReturning(ctx, s.db, p.decl.Table, h.IDs[0], cols, vals, only, ret.Returned)
	} else {
		updated, err = query.Update(ctx, s.db, p.decl.Table, h.IDs[0], cols, vals, only)
	}
	if err != nil {
		return s.translate(ctx, p, err)
	}
	if !updated {
		return jsonapi.Forbidden(jsonapi.ActionEdit, "")
	}
	since := store.TxWrites(ctx)
	if err := s.writeLinks(ctx, p, h.IDs[0], w); err != nil {
		return err
	}
	if p.decl.After != nil {
		if err := p.decl.After(ctx, h); err != nil {
			return s.translate(ctx, p, err)
		}
	}
	if row.ID != "" {
		return s.afterReturned(ctx, p, h, w, ret, row, since)
	}
	return s.indexWrite(ctx, p, h)
}

// returning is what a write of a type returns (InsertReturning, UpdateReturning): on
// PostgreSQL the record as the engine reads it after a write (Query{Scope: tenant, Report:
// true}) and whether it is within the caller's tenant (such a read finds nothing else); on
// SQLite, whose RETURNING reads plain columns only, what a searchable record's index row needs.
type returning struct {
	*query.Returned
	record bool // the columns are the record's, the last one the tenant's CASE
}

// returned is what a write of the type returns, nil for nothing but its id. A type whose reads
// prepare something first (Decl.Prepare) returns only what its index needs. The record's
// columns depend on the caller alone, unless they take the request's arguments, so they are
// kept as the reads' are.
func (p *plan) returned(ctx context.Context) *returning {
	if p.store.db.Dialect == store.Postgres && p.decl.Prepare == nil {
		build := func() any {
			cols := p.selected(ctx, &jsonapi.Query{Resource: p.res, Scope: jsonapi.ScopeTenant, Report: true})
			tenant := flagColumn(p.tenant(principalOf(ctx), "t"))
			cols = slices.Clip(append(cols[:len(cols):len(cols)], tenant)) // shared: an append copies
			return &returning{Returned: query.NewReturned(store.Postgres, cols), record: true}
		}
		if pr := principalOf(ctx); pr != nil && !p.hasArg {
			return pr.Memo(auth.MemoKey{Keeper: p, Kind: keptReturning}, build).(*returning)
		}
		return build().(*returning)
	}
	if len(p.decl.Search) > 0 {
		return &returning{Returned: query.NewReturned(p.store.db.Dialect, p.indexColumns())}
	}
	return nil
}

// afterReturned finishes a write that returned its row: it indexes the record, and gives the
// engine the record as written (Write.Written) when it is one and no statement has written
// since the write's own (counted at since: links, hooks), which could have changed it.
func (s *Store) afterReturned(ctx context.Context, p *plan, h *Hook, w *jsonapi.Write, ret *returning, row query.Row, since int64) error {
	inTenant := true
	if ret.record {
		last := len(row.Values) - 1
		inTenant = row.Values[last] == int64(1)
		row.Values = row.Values[:last]
	}
	rec := p.record(ctx, row)
	if ret.record && inTenant && store.TxWrites(ctx) == since {
		w.Written = rec
	}
	if len(p.decl.Search) == 0 {
		return s.indexWrite(ctx, p, h) // the records its hooks touched
	}
	return s.indexReturned(ctx, p, h, rec)
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
	n, err := query.Delete(ctx, s.db, p.decl.Table, h.IDs, p.allowed(principalOf(ctx), auth.Delete, "t"))
	if err != nil {
		if ce := store.Constraint(err); ce != nil && ce.Kind != store.Unique {
			// SQLite does not tell a missing reference from one still in use; a delete can
			// only break the latter
			ce.Kind = store.Referenced
			return constraintError(p, ce)
		}
		return s.translate(ctx, p, err)
	}
	if n != int64(len(h.IDs)) {
		return jsonapi.Forbidden(jsonapi.ActionDelete, "") // the engine checked; the statement agrees
	}
	if p.decl.After != nil {
		if err := p.decl.After(ctx, h); err != nil {
			return s.translate(ctx, p, err)
		}
	}
	return s.indexWrite(ctx, p, h)
}

// before runs the checks every write needs (uniqueness) and the type's Before hook, and
// reports all their problems together.
func (s *Store) before(ctx context.Context, p *plan, h *Hook, id any) error {
	if err := s.permitted(ctx, p, h); err != nil {
		return err
	}
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

// permitted checks the caller's permission for a write: CREATE for a new record, and for the
// owner a write sets (or a create defaults) that it lies within the level of the write's
// permission — a caller at user level creates only records it owns itself. (EDIT of an
// existing record is checked by the engine on the locked record, and again by the UPDATE.)
func (s *Store) permitted(ctx context.Context, p *plan, h *Hook) error {
	pr := principalOf(ctx)
	act := jsonapi.ActionEdit
	if h.Op == Create {
		act = jsonapi.ActionCreate
		// a caller creates only within its organization, and an organization is the only one
		// its callers see (others are created with `webapi organization create`)
		if pr.Level(p.decl.Type, auth.Create) == auth.LevelNone || p.decl.Type == "organizations" {
			return jsonapi.Forbidden(act, "/data")
		}
	}
	l := pr.Level(p.decl.Type, action(act))
	owner, set := h.Cols[p.ownerColumn()]
	if !set || owner == nil || l >= auth.LevelOrganization || (p.decl.Owner != UserOwned && p.decl.Owner != BusinessUnitOwned) {
		return nil
	}
	ok, err := s.ownerAllowed(ctx, p, pr, l, owner)
	if err != nil || ok {
		return err
	}
	return jsonapi.Forbidden(act, jsonapi.RelPointer("owner"))
}

// ownerAllowed reports whether owner (an id) is within level l (below organization) of the
// caller: for user-owned types the caller itself, or a member of its business units or of their
// division; for business-unit-owned types one of those units.
func (s *Store) ownerAllowed(ctx context.Context, p *plan, pr *auth.Principal, l auth.Level, owner any) (bool, error) {
	units := pr.BusinessUnits
	if l == auth.LevelDivision {
		units = pr.Division
	}
	id, _ := owner.(int64)
	switch {
	case p.decl.Owner == UserOwned && l == auth.LevelUser:
		return id == pr.UserID, nil
	case p.decl.Owner == BusinessUnitOwned:
		return slices.Contains(units, id), nil
	case len(units) == 0:
		return false, nil
	}
	var n int64
	err := s.db.Conn(ctx).Raw("SELECT COUNT(*) FROM user_business_units WHERE user_id = ? AND business_unit_id IN ?", id, units).Row().Scan(&n)
	return n > 0, err
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
		// a replace takes away only the related records the caller may see: those it may
		// not see are not the caller's to remove
		link := *m.link
		link.Only = s.plans[t].linkVisible(ctx, link)
		var err error
		if m.link.Other == "id" {
			err = query.SetForeignKey(ctx, s.db, link, own, ids)
		} else {
			err = query.SetLinks(ctx, s.db, link, own, ids)
		}
		if err != nil {
			return s.translate(ctx, p, err)
		}
	}
	return nil
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
