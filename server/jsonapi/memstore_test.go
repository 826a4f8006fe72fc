package jsonapi

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memStore is an in-memory Store for the engine's tests: records by type, found by ids,
// conditions, the parent of a subresource, sort (the id last) and paging as the SQL store finds
// them (NULL the smallest value). Locks and LockKey are no-ops (one request at a time); Tx calls
// fn, and puts back what it changed when fn fails, as a rolled-back transaction would (the
// engine relies on that for meta.validate and for writes refused half-way). Create, Update and
// Check report a value of a Unique attribute that another record has, as the SQL store does.
type memStore struct {
	mu   sync.Mutex
	data map[string]map[string]*Record // type → id → record
	next map[string]int64              // type → the last integer id given
	// fail, when set, is the error of every call (a database that is down).
	fail error
	// calls lists the calls the engine made: "Find things", "Create things", "Tx", …
	calls []string
}

var _ Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{data: map[string]map[string]*Record{}, next: map[string]int64{}}
}

func (m *memStore) called(format string, args ...any) {
	m.calls = append(m.calls, fmt.Sprintf(format, args...))
}

// put stores rec as it is (test data); integer ids advance the id sequence.
func (m *memStore) put(r *Resource, rec *Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data[r.Type] == nil {
		m.data[r.Type] = map[string]*Record{}
	}
	m.data[r.Type][rec.ID] = copyRecord(rec)
	if n, err := strconv.ParseInt(rec.ID, 10, 64); err == nil && n > m.next[r.Type] {
		m.next[r.Type] = n
	}
}

// get returns a copy of the stored record, nil when there is none.
func (m *memStore) get(typ, id string) *Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rec := m.data[typ][id]; rec != nil {
		return copyRecord(rec)
	}
	return nil
}

func copyRecord(rec *Record) *Record {
	out := &Record{ID: rec.ID, Values: slices.Clone(rec.Values), Links: make([][]string, len(rec.Links))}
	for i, l := range rec.Links {
		out.Links[i] = slices.Clone(l)
	}
	return out
}

func (m *memStore) snapshot() map[string]map[string]*Record {
	out := make(map[string]map[string]*Record, len(m.data))
	for typ, recs := range m.data {
		out[typ] = make(map[string]*Record, len(recs))
		for id, rec := range recs {
			out[typ][id] = copyRecord(rec)
		}
	}
	return out
}

func (m *memStore) Tx(ctx context.Context, fn func(ctx context.Context) error) error {
	m.mu.Lock()
	m.called("Tx")
	if m.fail != nil {
		m.mu.Unlock()
		return m.fail
	}
	before, next := m.snapshot(), maps.Clone(m.next)
	m.mu.Unlock()
	err := fn(ctx)
	if err != nil {
		m.mu.Lock()
		m.data, m.next = before, next
		m.mu.Unlock()
	}
	return err
}

func (m *memStore) Read(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(ctx)
}

func (m *memStore) Savepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	m.mu.Lock()
	before, next := m.snapshot(), maps.Clone(m.next)
	m.mu.Unlock()
	err := fn(ctx)
	if err != nil {
		m.mu.Lock()
		m.data, m.next = before, next
		m.mu.Unlock()
	}
	return err
}

func (m *memStore) CreateMany(ctx context.Context, r *Resource, ws []*Write) ([]string, error) {
	var ids []string
	for _, w := range ws {
		id, err := m.Create(ctx, r, w)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (m *memStore) LockKey(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.called("LockKey %q", key)
	return m.fail
}

func (m *memStore) Find(ctx context.Context, q *Query, yield func(*Record) bool) error {
	m.mu.Lock()
	m.called("Find %s", q.Resource.Type)
	if m.fail != nil {
		m.mu.Unlock()
		return m.fail
	}
	recs := m.query(q)
	m.mu.Unlock()
	// passed on outside the lock, as copies: the engine may read the store again meanwhile
	for _, rec := range recs {
		c := copyRecord(rec)
		if q.Report { // the fake has no access control: the caller may do anything
			c.May = c.May.With(ActionView).With(ActionEdit).With(ActionDelete)
		}
		if !yield(c) {
			break
		}
	}
	return nil
}

func (m *memStore) Count(ctx context.Context, q *Query) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.called("Count %s", q.Resource.Type)
	if m.fail != nil {
		return 0, m.fail
	}
	all := *q
	all.Offset, all.Limit = 0, -1
	return len(m.query(&all)), nil
}

// query returns the records q finds, in order; m.mu is held.
func (m *memStore) query(q *Query) []*Record {
	r := q.Resource
	var out []*Record
	for _, rec := range m.data[r.Type] {
		if len(q.IDs) > 0 && !slices.Contains(q.IDs, rec.ID) {
			continue
		}
		if p := q.Parent; p != nil {
			parent := m.data[p.Resource.Type][p.ID]
			if parent == nil || !slices.Contains(parent.Links[p.Rel], rec.ID) {
				continue
			}
		}
		if !slices.ContainsFunc(q.Conditions, func(c Condition) bool { return !matches(r, rec, c) }) {
			out = append(out, rec)
		}
	}
	slices.SortFunc(out, func(a, b *Record) int {
		for _, k := range q.Sort {
			var c int
			if k.Attr < 0 {
				c = compareIDs(r, a.ID, b.ID)
			} else {
				c = compareValues(r.Attrs[k.Attr].Kind, a.Values[k.Attr], b.Values[k.Attr])
			}
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return compareIDs(r, a.ID, b.ID)
	})
	out = out[min(q.Offset, len(out)):]
	if q.Limit >= 0 {
		out = out[:min(q.Limit, len(out))]
	}
	return out
}

func compareIDs(r *Resource, a, b string) int {
	if r.IntID {
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		return compare(x, y)
	}
	return strings.Compare(a, b)
}

func compare[T int64 | float64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareValues orders two values of a kind; nil is the smallest value. Strings compare
// case-insensitively, as the SQL store sorts them.
func compareValues(k Kind, a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case int64:
		return compare(x, b.(int64))
	case float64:
		return compare(x, b.(float64))
	case bool:
		return compare(strconv.FormatBool(x), strconv.FormatBool(b.(bool)))
	case time.Time:
		return x.Compare(b.(time.Time))
	case string:
		if k == Decimal {
			f, _ := strconv.ParseFloat(x, 64)
			g, _ := strconv.ParseFloat(b.(string), 64)
			return compare(f, g)
		}
		return compare(strings.ToLower(x), strings.ToLower(b.(string)))
	}
	panic(fmt.Sprintf("memStore: cannot compare %T", a))
}

// matches reports whether rec satisfies the condition (api.md section 8).
func matches(r *Resource, rec *Record, c Condition) bool {
	f := c.Filter
	if f.Rel >= 0 && r.Rels[f.Rel].ToMany {
		return matchesToMany(rec.Links[f.Rel], c)
	}
	var v any
	kind := String
	switch {
	case f.ID:
		v = rec.ID
	case f.Attr >= 0:
		v, kind = rec.Values[f.Attr], r.Attrs[f.Attr].Kind
	default:
		if ids := rec.Links[f.Rel]; len(ids) > 0 {
			v = ids[0]
		}
	}
	if (f.ID || f.Rel >= 0) && v != nil && c.Op != OpExists && c.Op != OpEmpty {
		t := r
		if f.Rel >= 0 {
			t = r.Target(f.Rel)
		}
		if t.IntID { // ids are compared as numbers
			n, _ := strconv.ParseInt(v.(string), 10, 64)
			v, kind = n, Int
			c.Values = slices.Clone(c.Values)
			for i, x := range c.Values {
				c.Values[i], _ = strconv.ParseInt(x.(string), 10, 64)
			}
		}
	}
	equal := func() bool {
		if c.Range {
			lo := c.Values[0]
			if p, ok := lo.(Period); ok {
				lo = p.From
			}
			return compareValues(kind, v, lo) >= 0 && compareValues(kind, v, c.Values[1]) <= 0
		}
		return slices.ContainsFunc(c.Values, func(x any) bool {
			if p, ok := x.(Period); ok {
				return compareValues(kind, v, p.From) >= 0 && (p.To.IsZero() || compareValues(kind, v, p.To) < 0)
			}
			return compareValues(kind, v, x) == 0
		})
	}
	text := func() string { return strings.ToLower(v.(string)) }
	switch c.Op {
	case OpExists:
		return (v != nil) == c.Values[0].(bool)
	case OpEmpty:
		return (v == nil || v == "") == c.Values[0].(bool)
	case OpEq:
		return v != nil && equal()
	case OpNeq:
		return v != nil && !equal()
	case OpNeqOrNull:
		return v == nil || !equal()
	}
	if v == nil {
		return false
	}
	switch c.Op {
	case OpLt, OpLte, OpGt, OpGte:
		bound := c.Values[0]
		if p, ok := bound.(Period); ok {
			switch c.Op {
			case OpLt:
				return compareValues(kind, v, p.From) < 0
			case OpLte:
				return p.To.IsZero() || compareValues(kind, v, p.To) < 0
			case OpGt:
				return !p.To.IsZero() && compareValues(kind, v, p.To) >= 0
			}
			return compareValues(kind, v, p.From) >= 0
		}
		n := compareValues(kind, v, bound)
		return map[Operator]bool{OpLt: n < 0, OpLte: n <= 0, OpGt: n > 0, OpGte: n >= 0}[c.Op]
	case OpContains, OpNotContains:
		return strings.Contains(text(), strings.ToLower(c.Values[0].(string))) == (c.Op == OpContains)
	case OpStartsWith, OpNotStartsWith:
		return strings.HasPrefix(text(), strings.ToLower(c.Values[0].(string))) == (c.Op == OpStartsWith)
	case OpEndsWith, OpNotEndsWith:
		return strings.HasSuffix(text(), strings.ToLower(c.Values[0].(string))) == (c.Op == OpEndsWith)
	}
	panic("memStore: operator " + string(c.Op))
}

// matchesToMany applies a condition to the linkage of a to-many relationship: eq has any of the
// ids, neq has some and none of them, contains has all of them.
func matchesToMany(ids []string, c Condition) bool {
	has := func(x any) bool { return slices.Contains(ids, x.(string)) }
	switch c.Op {
	case OpExists:
		return (len(ids) > 0) == c.Values[0].(bool)
	case OpEmpty:
		return (len(ids) == 0) == c.Values[0].(bool)
	case OpEq:
		return slices.ContainsFunc(c.Values, has)
	case OpNeq:
		return len(ids) > 0 && !slices.ContainsFunc(c.Values, has)
	case OpNeqOrNull:
		return !slices.ContainsFunc(c.Values, has)
	case OpContains, OpNotContains:
		all := !slices.ContainsFunc(c.Values, func(x any) bool { return !has(x) })
		return all == (c.Op == OpContains)
	}
	panic("memStore: operator " + string(c.Op) + " on a to-many relationship")
}

func (m *memStore) Create(ctx context.Context, r *Resource, w *Write) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.called("Create %s", r.Type)
	if m.fail != nil {
		return "", m.fail
	}
	id := w.ID
	if id == "" {
		m.next[r.Type]++
		id = strconv.FormatInt(m.next[r.Type], 10)
	}
	if m.data[r.Type][id] != nil {
		return "", Conflict("/data/id", "The entity already exists.")
	}
	if err := m.unique(r, "", w); err != nil {
		return "", err
	}
	rec := &Record{ID: id, Values: make([]any, len(r.Attrs)), Links: make([][]string, len(r.Rels))}
	apply(rec, w)
	if m.data[r.Type] == nil {
		m.data[r.Type] = map[string]*Record{}
	}
	m.data[r.Type][id] = rec
	return id, nil
}

func (m *memStore) Check(ctx context.Context, r *Resource, id string, w *Write) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.called("Check %s", r.Type)
	if m.fail != nil {
		return m.fail
	}
	return m.unique(r, id, w)
}

func (m *memStore) Update(ctx context.Context, r *Resource, id string, w *Write) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.called("Update %s %s", r.Type, id)
	if m.fail != nil {
		return m.fail
	}
	rec := m.data[r.Type][id]
	if rec == nil {
		return NotFound()
	}
	if err := m.unique(r, id, w); err != nil {
		return err
	}
	apply(rec, w)
	return nil
}

func (m *memStore) Can(context.Context, *Resource, Action) bool { return true }

func (m *memStore) Delete(ctx context.Context, r *Resource, ids []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.called("Delete %s %s", r.Type, strings.Join(ids, ","))
	if m.fail != nil {
		return m.fail
	}
	for _, id := range ids {
		delete(m.data[r.Type], id)
	}
	return nil
}

// unique reports the Unique attributes that w sets to a value another record of r has.
func (m *memStore) unique(r *Resource, id string, w *Write) error {
	var errs Errors
	for _, a := range w.Attrs {
		if !r.Attrs[a.Index].Unique || a.Value == nil {
			continue
		}
		for other, rec := range m.data[r.Type] {
			if other != id && compareValues(r.Attrs[a.Index].Kind, rec.Values[a.Index], a.Value) == 0 {
				errs = append(errs, Unique(AttrPointer(r.Attrs[a.Index].Name)))
				break
			}
		}
	}
	if errs != nil {
		return errs
	}
	return nil
}

func apply(rec *Record, w *Write) {
	for _, a := range w.Attrs {
		rec.Values[a.Index] = a.Value
	}
	for _, l := range w.Links {
		rec.Links[l.Index] = slices.Clone(l.IDs)
	}
}
