package jsonapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Limits configures the bounds of collection requests.
type Limits struct {
	DefaultPageSize int // 10
	MaxPageSize     int // 1000 (ours)
	DeleteLimit     int // records one DELETE of a collection may remove: 100
	LinkageLimit    int // identifiers of a to-many relationship inside a document: 1000
	MaxIncluded     int // resources in the included member of one response: 10,000
}

// DefaultLimits are the limits of api.md.
var DefaultLimits = Limits{DefaultPageSize: 10, MaxPageSize: 1000, DeleteLimit: 100, LinkageLimit: 1000, MaxIncluded: 10000}

// listParams is a parsed collection (or item) query.
type listParams struct {
	params     []Param
	conditions []Condition
	sort       []SortKey
	page, size int // size -1: everything
	title      bool
	fields     map[*Resource]*fieldSet
	include    []includePath
}

// parseParams validates the query parameters of a request on resource r. Every problem is
// reported, each with its parameter as source. collection says whether filter, sort and page
// apply.
func parseParams(s *Schema, r *Resource, raw string, collection bool, lim Limits) (*listParams, Errors) {
	lp := &listParams{params: ParseQuery(raw), page: 1, size: lim.DefaultPageSize}
	var errs Errors
	for _, p := range lp.params {
		switch {
		case p.Key == "page[number]" && collection:
			n, err := strconv.Atoi(p.Value)
			if err != nil {
				errs = append(errs, expected(p.Raw, "integer", p.Value))
			} else if n < 1 {
				errs = append(errs, BadParameter(p.Raw, TitleFilter, "The value should be greater than or equals to 1."))
			} else {
				lp.page = n
			}
		case p.Key == "page[size]" && collection:
			n, err := strconv.Atoi(p.Value)
			switch {
			case err != nil:
				errs = append(errs, expected(p.Raw, "integer", p.Value))
			case n == -1:
				lp.size = -1
			case n < 1:
				errs = append(errs, BadParameter(p.Raw, TitleFilter, "The value should be greater than or equals to 1, or -1 for every record."))
			case n > lim.MaxPageSize:
				errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The value should be less than or equals to %d.", lim.MaxPageSize)))
			default:
				lp.size = n
			}
		case p.Key == "sort" && collection:
			lp.sort, errs = parseSort(r, p, errs)
		case p.Key == "meta":
			for _, m := range strings.Split(p.Value, ",") {
				if m == "title" {
					lp.title = true
				} else {
					errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The %q is not known meta property. Known properties: title.", m)))
				}
			}
		case strings.HasPrefix(p.Key, "fields[") && strings.HasSuffix(p.Key, "]"):
			errs = parseFields(s, lp, p, errs)
		case p.Key == "include":
			var e Errors
			lp.include, e = parseInclude(r, p)
			errs = append(errs, e...)
		case strings.HasPrefix(p.Key, "filter[") && collection:
			c, e := parseFilter(r, p)
			errs = append(errs, e...)
			lp.conditions = append(lp.conditions, c...)
		}
	}
	return lp, errs
}

func expected(param, kind, given string) *Error {
	if strings.HasPrefix(kind, "one of ") { // an enum: the kind lists the values
		return BadParameter(param, TitleUnexpectedValue, fmt.Sprintf("Expected %s. Given %q.", kind, given))
	}
	return BadParameter(param, TitleUnexpectedValue, fmt.Sprintf("Expected %s value. Given %q.", kind, given))
}

func parseSort(r *Resource, p Param, errs Errors) ([]SortKey, Errors) {
	var keys []SortKey
	for _, f := range strings.Split(p.Value, ",") {
		desc := strings.HasPrefix(f, "-")
		name := strings.TrimPrefix(f, "-")
		i, ok := r.Sorts[name]
		if !ok {
			errs = append(errs, BadParameter(p.Raw, TitleSort, fmt.Sprintf("Sorting by %q field is not supported.", name)))
			continue
		}
		keys = append(keys, SortKey{Attr: i, Desc: desc})
	}
	return keys, errs
}

func parseFields(s *Schema, lp *listParams, p Param, errs Errors) Errors {
	typ := strings.TrimSuffix(strings.TrimPrefix(p.Key, "fields["), "]")
	t := s.Resource(typ)
	if t == nil {
		return append(errs, BadParameter(p.Raw, TitleFilter, "An entity type is not known."))
	}
	fs := &fieldSet{attrs: make([]bool, len(t.Attrs)), rels: make([]bool, len(t.Rels))}
	if p.Value != "" {
		for _, name := range strings.Split(p.Value, ",") {
			if i := t.AttrIndex(name); i >= 0 && !t.Attrs[i].WriteOnly {
				fs.attrs[i] = true
			} else if i := t.RelIndex(name); i >= 0 {
				fs.rels[i] = true
			} else if name != "id" && name != "type" {
				errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The field %q is not known for the entity type %q.", name, typ)))
			}
		}
	}
	if lp.fields == nil {
		lp.fields = map[*Resource]*fieldSet{}
	}
	lp.fields[t] = fs
	return errs
}

// xInclude holds the keys of the X-Include request header.
type xInclude struct {
	totalCount, deletedCount, noHateoas bool
}

func parseXInclude(r *http.Request) xInclude {
	var x xInclude
	for _, h := range r.Header.Values("X-Include") {
		for _, k := range strings.FieldsFunc(h, func(c rune) bool { return c == ';' || c == ',' }) {
			switch strings.TrimSpace(k) {
			case "totalCount":
				x.totalCount = true
			case "deletedCount":
				x.deletedCount = true
			case "noHateoas":
				x.noHateoas = true
			}
		}
	}
	return x
}
