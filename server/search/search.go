// Package search answers the search endpoints of api.md section 15 over the search index that
// server/resources keeps in the transaction of every write: the simple search and the advanced
// one (plain JSON, at /api/rest/latest/search) and the JSON:API `search` resources (/api/search).
// Every statement carries the caller's access to each type (resources.Store.SearchScope), so
// results, counts and selected data cover only records the caller may view.
package search

import (
	"context"
	"encoding/json"
	"strings"

	"webapi/server/jsonapi"
	"webapi/server/resources"
	"webapi/store"
	"webapi/store/query"
)

// Service runs searches.
type Service struct {
	db    *store.DB
	store *resources.Store
	api   *jsonapi.API
	types []string                     // the searchable types, in order
	kinds map[string]map[string]string // type → field → kind
}

// New builds the search service over the engine's store.
func New(db *store.DB, st *resources.Store, api *jsonapi.API) *Service {
	s := &Service{db: db, store: st, api: api, kinds: map[string]map[string]string{}}
	for _, d := range st.Searchable() {
		s.types = append(s.types, d.Type)
		s.kinds[d.Type] = map[string]string{}
		for _, f := range d.Search {
			s.kinds[d.Type][f.Name] = f.Kind
		}
	}
	return s
}

// hit is one record found.
type hit struct {
	Type, ID, Title string
	Fields          map[string]any // the indexed values (with select)
}

// search is one search to run: conditions on the index rows (alias s) and their order.
type search struct {
	types  []string
	where  []query.Expr
	order  []query.Expr // before the type and the id
	offset int
	limit  int
	fields bool // read the indexed values too
}

// run returns a page of hits and the number of all of them.
func (s *Service) run(ctx context.Context, q *search) ([]hit, int, error) {
	where := append([]query.Expr{s.store.SearchScope(ctx, q.types, "s")}, q.where...)
	var conds []string
	var args []any
	for _, w := range where {
		conds = append(conds, "("+w.SQL+")")
		args = append(args, w.Args...)
	}
	from := " FROM search_index s WHERE " + strings.Join(conds, " AND ")
	var hits []hit
	var total int
	err := s.db.Run(ctx, func(ctx context.Context) error {
		hits, total = hits[:0], 0
		conn := s.db.Conn(ctx)
		// the page and the count of all matches in one statement; a page past the end has no
		// row to carry the count, which is then asked for alone
		cols := "s.entity_type, s.record_id, s.title, COUNT(*) OVER ()"
		if q.fields {
			cols += ", s.fields"
		}
		var order []string
		pageArgs := append([]any{}, args...)
		for _, o := range q.order {
			order = append(order, o.SQL)
			pageArgs = append(pageArgs, o.Args...)
		}
		// then type and id: pages never overlap (integer ids in numeric order)
		order = append(order, "s.entity_type", "length(s.record_id)", "s.record_id")
		pageArgs = append(pageArgs, q.limit, q.offset)
		rows, err := conn.Raw("SELECT "+cols+from+" ORDER BY "+strings.Join(order, ", ")+" LIMIT ? OFFSET ?", pageArgs...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h hit
			var fields []byte
			dest := []any{&h.Type, &h.ID, &h.Title, &total}
			if q.fields {
				dest = append(dest, &fields)
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			if q.fields {
				if err := json.Unmarshal(fields, &h.Fields); err != nil {
					return err
				}
			}
			hits = append(hits, h)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(hits) == 0 && q.offset > 0 {
			return conn.Raw("SELECT COUNT(*)"+from, args...).Row().Scan(&total)
		}
		return nil
	})
	return hits, total, err
}

// words is the condition that a record's text holds every word of text (whole words, any
// case); nil when text has no word.
func (s *Service) words(text string) *query.Expr {
	w := resources.Words(text)
	if w == "" {
		return nil
	}
	if s.db.Dialect == store.Postgres {
		return &query.Expr{SQL: "s.tsv @@ plainto_tsquery('simple', ?)", Args: []any{w}}
	}
	// FTS5: every word as a quoted string (Words leaves letters and digits only)
	return &query.Expr{SQL: "s.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)",
		Args: []any{`"` + strings.ReplaceAll(w, " ", `" "`) + `"`}}
}

// likeArg is the LIKE pattern of a substring, any case (the index holds lower case text).
func likeArg(sub string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(sub)) + "%"
}

// phraseFirst orders the records whose text holds the whole search text first: the relevance
// of api.md section 15, the same on both databases.
func phraseFirst(text string) query.Expr {
	return query.Expr{SQL: `CASE WHEN s.all_lower LIKE ? ESCAPE '\' THEN 0 ELSE 1 END`, Args: []any{likeArg(text)}}
}

// typesOf checks a list of types against the searchable ones; nil means all.
func (s *Service) typesOf(list []string) ([]string, string) {
	if len(list) == 0 {
		return s.types, ""
	}
	for _, t := range list {
		if s.kinds[t] == nil {
			return nil, t
		}
	}
	return list, ""
}
