package search

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"webapi/server/jsonapi"
	"webapi/store/query"
)

// Bounds of the plain endpoints (api.md section 15).
const (
	defaultMaxResults = 100
	maxMaxResults     = 1000
	maxOffset         = 1_000_000
	maxText           = 1000 // characters of a simple search's text
)

// result is the answer of the plain endpoints.
type result struct {
	RecordsCount int    `json:"records_count"`
	Count        int    `json:"count"`
	Data         []item `json:"data"`
}

type item struct {
	EntityName   string         `json:"entity_name"`
	RecordID     int64          `json:"record_id"`
	RecordString string         `json:"record_string"`
	RecordURL    string         `json:"record_url"`
	SelectedData map[string]any `json:"selected_data,omitempty"`
}

// plainParams reads the query string of a plain endpoint: each parameter once, only those
// named, text that can be stored.
func plainParams(r *http.Request, names ...string) (map[string]string, error) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &jsonapi.Error{Status: http.StatusBadRequest, Title: jsonapi.TitleBadRequest, Detail: "The query string is malformed."}
	}
	out := map[string]string{}
	var errs jsonapi.Errors
	for k, v := range vals {
		switch {
		case !slices.Contains(names, k):
			errs = append(errs, jsonapi.BadParameter(k, jsonapi.TitleFilter, fmt.Sprintf("The query parameter %q is not supported here.", k)))
		case len(v) > 1:
			errs = append(errs, jsonapi.BadParameter(k, jsonapi.TitleFilter, fmt.Sprintf("The query parameter %q may be given once.", k)))
		case !utf8.ValidString(v[0]) || strings.ContainsRune(v[0], 0):
			errs = append(errs, jsonapi.BadParameter(k, jsonapi.TitleValue, "This value should be valid UTF-8 text without NUL characters."))
		default:
			out[k] = v[0]
		}
	}
	if errs != nil {
		return nil, errs
	}
	return out, nil
}

// intParam reads an integer parameter within [lo, hi], def when absent.
func intParam(p map[string]string, name string, def, lo, hi int) (int, *jsonapi.Error) {
	v, ok := p[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, jsonapi.BadParameter(name, jsonapi.TitleUnexpectedValue, fmt.Sprintf("Expected an integer from %d to %d. Given %q.", lo, hi, v))
	}
	return n, nil
}

// Simple answers GET /api/rest/latest/search.
func (s *Service) Simple(w http.ResponseWriter, r *http.Request) {
	r, err := s.prepare(r)
	if err != nil {
		s.api.WritePlainError(w, r, err)
		return
	}
	p, err := plainParams(r, "search", "offset", "max_results", "from")
	if err != nil {
		s.api.WritePlainError(w, r, err)
		return
	}
	var errs jsonapi.Errors
	text := strings.TrimSpace(p["search"])
	switch {
	case text == "":
		errs = append(errs, jsonapi.BadParameter("search", jsonapi.TitleNotBlank, "This value should not be blank."))
	case utf8.RuneCountInString(text) > maxText:
		errs = append(errs, jsonapi.BadParameter("search", jsonapi.TitleLength, fmt.Sprintf("This value is too long. It should have %d characters or less.", maxText)))
	}
	offset, e := intParam(p, "offset", 0, 0, maxOffset)
	if e != nil {
		errs = append(errs, e)
	}
	limit, e := intParam(p, "max_results", defaultMaxResults, 1, maxMaxResults)
	if e != nil {
		errs = append(errs, e)
	}
	types, bad := s.typesOf(splitList(p["from"]))
	if bad != "" {
		errs = append(errs, jsonapi.BadParameter("from", jsonapi.TitleEntityType, fmt.Sprintf("The entity type %q is not searchable.", bad)))
	}
	if errs != nil {
		s.api.WritePlainError(w, r, errs)
		return
	}
	q := &search{types: types, offset: offset, limit: limit}
	if cond := s.words(text); cond != nil {
		q.where = append(q.where, *cond)
		q.order = append(q.order, phraseFirst(text))
	} else {
		q.where = append(q.where, query.Expr{SQL: "1 = 0"}) // no word: nothing matches
	}
	s.answer(w, r, q, nil)
}

// answer runs a plain search and writes its result; sel names the selected fields.
func (s *Service) answer(w http.ResponseWriter, r *http.Request, q *search, sel []selected) {
	q.fields = len(sel) > 0
	hits, total, err := s.run(r.Context(), q)
	if err != nil {
		s.api.WritePlainError(w, r, err)
		return
	}
	base := jsonapi.BaseURL(r)
	out := result{RecordsCount: total, Count: len(hits), Data: make([]item, 0, len(hits))}
	for _, h := range hits {
		id, _ := strconv.ParseInt(h.ID, 10, 64) // every searchable type has integer ids
		it := item{EntityName: h.Type, RecordID: id, RecordString: h.Title, RecordURL: base + "/api/" + h.Type + "/" + url.PathEscape(h.ID)}
		if len(sel) > 0 {
			it.SelectedData = map[string]any{}
			for _, f := range sel {
				it.SelectedData[f.key] = s.selectedValue(h, f)
			}
		}
		out.Data = append(out.Data, it)
	}
	body, err := json.Marshal(out)
	if err != nil {
		s.api.WritePlainError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// prepare completes the request as the engine does its own (its headers, its host, the
// caller's localization).
func (s *Service) prepare(r *http.Request) (*http.Request, error) {
	if !jsonapi.AcceptsPlain(r) {
		return r, &jsonapi.Error{Status: http.StatusNotAcceptable, Title: jsonapi.TitleNotAcceptable, Header: "Accept",
			Detail: `The search results are served as "application/json" only.`}
	}
	if s.api.Prepare == nil {
		return r, nil
	}
	pr, err := s.api.Prepare(r)
	if err != nil {
		return r, err
	}
	return pr, nil
}

// Filters of the JSON:API search.
var jsonapiFilters = []string{"searchText", "searchQuery", "entities"}

// List answers GET /api/search.
func (s *Service) List(w http.ResponseWriter, r *http.Request) {
	s.api.ListFound(w, r, jsonapiFilters, finder{s})
}

// finder is the JSON:API search's jsonapi.Finder.
type finder struct{ s *Service }

func (f finder) Find(ctx context.Context, filters map[string]string, offset, limit int) ([]jsonapi.Found, int, error) {
	s := f.s
	text, hasText := filters["searchText"]
	cond, hasQuery := filters["searchQuery"]
	if hasText == hasQuery {
		return nil, 0, jsonapi.BadParameter("filter[searchText]", jsonapi.TitleFilter,
			`Either the "searchText" or the "searchQuery" filter must be given (one of them).`)
	}
	types, bad := s.typesOf(splitList(filters["entities"]))
	if bad != "" {
		return nil, 0, jsonapi.BadParameter("filter[entities]", jsonapi.TitleEntityType, fmt.Sprintf("The entity type %q is not searchable.", bad))
	}
	q := &search{types: types, offset: offset, limit: limit}
	if hasText {
		text = strings.TrimSpace(text)
		if utf8.RuneCountInString(text) > maxText {
			return nil, 0, jsonapi.BadParameter("filter[searchText]", jsonapi.TitleLength, fmt.Sprintf("This value is too long. It should have %d characters or less.", maxText))
		}
		c := s.words(text)
		if c == nil {
			c = &query.Expr{SQL: "1 = 0"}
		}
		q.where = append(q.where, *c)
		q.order = append(q.order, phraseFirst(text))
	} else {
		w, err := s.condition(cond, "filter[searchQuery]")
		if err != nil {
			return nil, 0, err
		}
		q.where = append(q.where, w)
	}
	hits, total, err := s.run(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]jsonapi.Found, len(hits))
	for i, h := range hits {
		out[i] = jsonapi.Found{Ref: jsonapi.Ref{Type: h.Type, ID: h.ID}, Title: h.Title}
	}
	return out, total, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
