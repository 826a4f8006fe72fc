package resources

// Keeping the search index current (api.md section 15): one generic step of the write
// pipeline. After every create, update and delete of a type that declares searchable fields —
// and for the records a hook changed on the side (the communication fields of accounts and
// contacts when a call is written) — the records' index rows are recomputed from the records as
// stored, in the write's own transaction. Nothing else writes the index, so it cannot disagree
// with the data.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"webapi/server/auth"
	"webapi/server/jsonapi"
	"webapi/store"
	"webapi/store/query"
)

// Field kinds of the search index (the type prefixes of the query language).
const (
	SearchText     = "text"
	SearchInteger  = "integer"
	SearchDecimal  = "decimal"
	SearchDateTime = "datetime"
)

// SearchField is a searchable field of a type: an attribute, and its kind in the index.
type SearchField struct {
	Name, Kind string
}

// searchText declares text fields.
func searchText(names ...string) []SearchField {
	out := make([]SearchField, len(names))
	for i, n := range names {
		out[i] = SearchField{Name: n, Kind: SearchText}
	}
	return out
}

// Searchable lists the types in the search index, in their order, with their fields.
func (s *Store) Searchable() []*Decl {
	var out []*Decl
	for _, d := range s.decls {
		if len(d.Search) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// reindex recomputes the index rows of records of type p (by id): a record that is gone loses
// its row. Call it inside the write's transaction.
func (s *Store) reindex(ctx context.Context, p *plan, ids []any) error {
	if len(p.decl.Search) == 0 || len(ids) == 0 {
		return nil
	}
	found := map[string]bool{}
	var rows []store.SearchRow
	for start := 0; start < len(ids); start += 500 {
		sel := p.indexSelect(ids[start:min(start+500, len(ids))])
		err := query.Find(ctx, s.db, sel, func(row query.Row) bool {
			rec := p.record(ctx, row)
			found[rec.ID] = true
			rows = append(rows, p.searchRow(rec))
			return true
		})
		if err != nil {
			return err
		}
	}
	var gone []string
	for _, id := range ids {
		if k := fmt.Sprint(id); !found[k] {
			gone = append(gone, k)
		}
	}
	if err := s.db.DropSearch(ctx, p.decl.Type, gone); err != nil {
		return err
	}
	return s.db.PutSearch(ctx, rows)
}

// indexSelect reads what the index needs of records.
func (p *plan) indexSelect(ids []any) *query.Select {
	return &query.Select{Table: p.decl.Table, IDType: p.idType(), Columns: p.indexColumns(), Limit: -1,
		Where: []query.Expr{{SQL: "t.id IN ?", Args: []any{ids}}}}
}

// indexColumns are the plan's columns as the index needs them: the attributes and to-one links
// (not the to-many linkage, nor computed values that need the request: NULL in their place).
func (p *plan) indexColumns() []query.Column {
	cols := slices.Clone(p.cols)
	for _, m := range p.attrs {
		if m.computed != nil && m.sel >= 0 {
			cols[m.sel] = query.Column{Expr: query.Expr{SQL: "NULL"}, Type: cols[m.sel].Type}
		}
	}
	for _, m := range p.rels {
		if m.link != nil && m.sel >= 0 {
			cols[m.sel] = query.Column{Expr: query.Expr{SQL: "NULL"}, Type: query.IDList}
		}
	}
	return cols
}

// searchRow is the index row of a record.
func (p *plan) searchRow(rec *jsonapi.Record) store.SearchRow {
	row := store.SearchRow{Type: p.decl.Type, ID: rec.ID}
	if p.decl.Title != nil {
		row.Title = p.decl.Title(p.res, rec)
	}
	for _, name := range []string{"organization", "owner"} {
		if i := p.res.RelIndex(name); i >= 0 && len(rec.Links[i]) > 0 {
			n, err := strconv.ParseInt(rec.Links[i][0], 10, 64)
			if err == nil {
				if name == "owner" {
					row.OwnerID = n
				} else {
					row.OrganizationID = n
				}
			}
		}
	}
	fields, lower, words := map[string]any{}, map[string]string{}, map[string]string{}
	var texts []string
	for _, f := range p.decl.Search {
		v := rec.Values[p.res.AttrIndex(f.Name)]
		switch f.Kind {
		case SearchText:
			t := searchableText(v)
			if t == "" {
				continue
			}
			fields[f.Name], lower[f.Name], words[f.Name] = t, strings.ToLower(t), " "+Words(t)+" "
			texts = append(texts, t)
		case SearchDateTime:
			if t, ok := v.(time.Time); ok {
				fields[f.Name] = IndexTime(t)
			}
		default:
			if v != nil {
				fields[f.Name] = v
			}
		}
	}
	all := strings.Join(texts, "\n")
	row.AllLower, row.AllWords = strings.ToLower(all), capWords(Words(all))
	row.Fields, row.LowerFields, row.WordFields = mustJSON(fields), mustJSON(lower), mustJSON(words)
	return row
}

// searchableText is the text of a value: a string, or every value of a list of localized
// names (products).
func searchableText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.RawMessage:
		var names []struct {
			Value string `json:"value"`
		}
		if json.Unmarshal(v, &names) != nil {
			return ""
		}
		parts := make([]string, 0, len(names))
		for _, n := range names {
			parts = append(parts, n.Value)
		}
		return strings.Join(parts, "\n")
	}
	return ""
}

// Words is text as the index compares words: lower case, every run of characters that are
// neither letters nor digits one space.
func Words(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// maxWords bounds the words of a record that the full-text index holds (PostgreSQL refuses a
// tsvector above 1 MiB): a text longer than that is found by its first 256 KiB of words (and by
// substring, like, in all of it).
const maxWords = 256 << 10

func capWords(w string) string {
	if len(w) <= maxWords {
		return w
	}
	if i := strings.LastIndexByte(w[:maxWords], ' '); i > 0 {
		return w[:i]
	}
	return w[:maxWords]
}

// IndexTime is the form of a date-time in the index: fixed width, UTC, so that text order is
// time order on both databases.
func IndexTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings and numbers always encode
	}
	return string(b)
}

// touched collects the records hooks change on the side, by type, for the index.
type touched map[string]map[any]bool

// Touch tells the write pipeline that the hook changed records (their index rows are
// recomputed before the write's transaction ends): those of other types, and the written
// record itself if an After hook changes its columns (its index row is otherwise built from the
// row the insert or update returned).
func (h *Hook) Touch(typ string, ids ...any) {
	if h.touched == nil {
		h.touched = touched{}
	}
	if h.touched[typ] == nil {
		h.touched[typ] = map[any]bool{}
	}
	for _, id := range ids {
		h.touched[typ][id] = true
	}
}

// indexReturned keeps the index current after a create or update whose record was returned by
// the write (rec): its row is built from it, unless a hook changed the record since (it touched
// it).
func (s *Store) indexReturned(ctx context.Context, p *plan, h *Hook, rec *jsonapi.Record) error {
	if h.touched[p.decl.Type][h.IDs[0]] {
		return s.indexWrite(ctx, p, h)
	}
	if err := s.db.PutSearch(ctx, []store.SearchRow{p.searchRow(rec)}); err != nil {
		return err
	}
	others := &Hook{touched: h.touched}
	return s.indexWrite(ctx, p, others)
}

// indexWrite keeps the index current after a write: the records written and those its hooks
// touched.
func (s *Store) indexWrite(ctx context.Context, p *plan, h *Hook) error {
	if err := s.reindex(ctx, p, h.IDs); err != nil {
		return err
	}
	for _, typ := range slices.Sorted(maps.Keys(h.touched)) {
		tp := s.plans[s.schema.Resource(typ)]
		if err := s.reindex(ctx, tp, slices.Collect(maps.Keys(h.touched[typ]))); err != nil {
			return err
		}
	}
	return nil
}

// Reindex rebuilds the index rows of every record of the types given (all searchable types
// when none), in transactions of batch records, calling progress after each with the number
// done.
func (s *Store) Reindex(ctx context.Context, types []string, batch int, progress func(done int)) error {
	var decls []*Decl
	for _, d := range s.Searchable() {
		if len(types) == 0 || slices.Contains(types, d.Type) {
			decls = append(decls, d)
		}
	}
	if err := s.db.Tx(ctx, func(ctx context.Context) error { return s.db.ClearSearch(ctx, typesOf(decls)) }); err != nil {
		return err
	}
	done := 0
	for _, d := range decls {
		p := s.plans[s.schema.Resource(d.Type)]
		var after any
		for {
			var ids []any
			err := s.db.Run(ctx, func(ctx context.Context) error {
				ids = ids[:0]
				q := s.db.Conn(ctx).Table(d.Table).Select("id").Order("id").Limit(batch)
				if after != nil {
					q = q.Where("id > ?", after)
				}
				rows, err := q.Rows()
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id any
					if err := rows.Scan(&id); err != nil {
						return err
					}
					ids = append(ids, p.id(fmt.Sprint(idText(id))))
				}
				return rows.Err()
			})
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				break
			}
			if err := s.db.Tx(ctx, func(ctx context.Context) error { return s.reindex(ctx, p, ids) }); err != nil {
				return err
			}
			after = ids[len(ids)-1]
			done += len(ids)
			if progress != nil {
				progress(done)
			}
		}
	}
	if s.db.Dialect == store.Postgres {
		// the planner's statistics of the rebuilt index now, not whenever autovacuum comes
		return s.db.Gorm.WithContext(ctx).Exec("ANALYZE search_index").Error
	}
	return nil
}

// CountSearchable is how many records the index holds when built (for a progress bar).
func (s *Store) CountSearchable(ctx context.Context, types []string) (int, error) {
	total := 0
	for _, d := range s.Searchable() {
		if len(types) > 0 && !slices.Contains(types, d.Type) {
			continue
		}
		var n int
		if err := s.db.Gorm.WithContext(ctx).Raw("SELECT COUNT(*) FROM " + d.Table).Row().Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

func typesOf(decls []*Decl) []string {
	out := make([]string, len(decls))
	for i, d := range decls {
		out[i] = d.Type
	}
	return out
}

// idText is an id scanned from the database as text.
func idText(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

// SearchScope is the condition, on the rows of the search index under alias a, that the caller
// may view the record a row stands for, among the types given: each type's own access
// predicate (the one every statement of the engine carries). A type the caller may not view
// at all adds nothing; none at all is a condition no row meets.
func (s *Store) SearchScope(ctx context.Context, types []string, a string) query.Expr {
	pr := principalOf(ctx)
	var parts []string
	var args []any
	for _, typ := range types {
		r := s.schema.Resource(typ)
		if r == nil {
			continue
		}
		allowed := s.plans[r].allowed(pr, auth.View, a)
		if allowed.SQL == nothing.SQL {
			continue
		}
		parts = append(parts, "("+a+".entity_type = ? AND "+allowed.SQL+")")
		args = append(append(args, typ), allowed.Args...)
	}
	if len(parts) == 0 {
		return nothing
	}
	return query.Expr{SQL: "(" + strings.Join(parts, " OR ") + ")", Args: args}
}
