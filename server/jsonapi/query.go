package jsonapi

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Limits configures the bounds of requests (api.md sections 7 and 20). Each is checked while the
// request is parsed, before any database work, so that one client cannot hurt another.
type Limits struct {
	DefaultPageSize   int // 10
	MaxPageSize       int // 1000 (ours)
	DeleteLimit       int // records one DELETE of a collection may remove: 100
	LinkageLimit      int // identifiers of a to-many relationship inside a document: 1000
	MaxIncludeDepth   int // segments of one include path: 5
	MaxIncludePaths   int // include paths of a request, as written (implied prefixes not counted): 20
	MaxIncluded       int // included resources in one response: 10000
	MaxSortTerms      int // sort fields of a request: 10
	MaxFilters        int // filter parameters of a request, each occurrence counted: 50
	MaxFilterValues   int // values of one filter field, across its repeated parameters: 1000
	MaxWriteResources int // resources in one write document (data and included): 1000
	MaxErrors         int // error objects in one response (one more says how many were left out): 100
	MaxIDLength       int // characters of an id or code: 255
}

// DefaultLimits are the limits of api.md.
var DefaultLimits = Limits{DefaultPageSize: 10, MaxPageSize: 1000, DeleteLimit: 100, LinkageLimit: 1000,
	MaxIncludeDepth: 5, MaxIncludePaths: 20, MaxIncluded: 10000, MaxSortTerms: 10, MaxFilters: 50,
	MaxFilterValues: 1000, MaxWriteResources: 1000, MaxErrors: 100, MaxIDLength: 255}

// WithDefaults returns l with every bound that is not set (zero or less) taken from
// DefaultLimits, so that a configuration names only what it changes.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	for _, f := range []struct{ v, def *int }{
		{&l.DefaultPageSize, &d.DefaultPageSize}, {&l.MaxPageSize, &d.MaxPageSize}, {&l.DeleteLimit, &d.DeleteLimit},
		{&l.LinkageLimit, &d.LinkageLimit}, {&l.MaxIncludeDepth, &d.MaxIncludeDepth}, {&l.MaxIncludePaths, &d.MaxIncludePaths},
		{&l.MaxIncluded, &d.MaxIncluded}, {&l.MaxSortTerms, &d.MaxSortTerms}, {&l.MaxFilters, &d.MaxFilters},
		{&l.MaxFilterValues, &d.MaxFilterValues}, {&l.MaxWriteResources, &d.MaxWriteResources}, {&l.MaxErrors, &d.MaxErrors},
		{&l.MaxIDLength, &d.MaxIDLength},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return l
}

// maxPageNumber bounds page[number] (api.md section 20): the database reads and drops every row
// before the offset, and (page-1)*size must not overflow.
const maxPageNumber = 1_000_000

// Params names the query parameters an operation reads (api.md sections 7 and 9). Any other
// parameter is refused with a 400 (JSON:API: a server MUST answer 400 to a query parameter it
// cannot process), so that a misspelt one is never silently dropped: `filtr[id]=3` must not turn
// a DELETE of one record into a DELETE of everything the other filters match.
type Params uint8

// The parameter families, and the sets the operations read.
const (
	ParamFilter  Params = 1 << iota // filter[…]
	ParamPage                       // page[number], page[size]
	ParamSort                       // sort
	ParamInclude                    // include
	ParamFields                     // fields[…]
	ParamMeta                       // meta

	// CollectionParams: a list of resources.
	CollectionParams = ParamFilter | ParamPage | ParamSort | ParamInclude | ParamFields | ParamMeta
	// ResourceParams: one resource (GET, and the response of POST and PATCH).
	ResourceParams = ParamInclude | ParamFields | ParamMeta
	// LinkageParams: the identifiers of a to-many relationship.
	LinkageParams = ParamPage | ParamSort
	// DeleteParams: DELETE of a collection.
	DeleteParams = ParamFilter
	// NoParams: the writes of relationships, DELETE of a resource.
	NoParams Params = 0
)

// family is the family of a parameter's key, 0 for none.
func family(key string) Params {
	bracketed := func(prefix string) bool {
		return strings.HasPrefix(key, prefix) && strings.HasSuffix(key, "]") && len(key) > len(prefix)+1
	}
	switch {
	case key == "page[number]", key == "page[size]":
		return ParamPage
	case key == "sort":
		return ParamSort
	case key == "include":
		return ParamInclude
	case key == "meta":
		return ParamMeta
	case bracketed("filter["):
		return ParamFilter
	case bracketed("fields["):
		return ParamFields
	}
	return 0
}

// unsupported refuses the parameters of params that are not in the families allowed.
func unsupported(params []Param, allowed Params) Errors {
	var errs Errors
	for _, p := range params {
		if f := family(p.Key); f == 0 || allowed&f == 0 {
			errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The query parameter %q is not supported here.", p.Key)))
		}
	}
	return errs
}

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
func parseParams(s *Schema, r *Resource, params []Param, allowed Params, lim Limits) (*listParams, Errors) {
	if errs := unsupported(params, allowed); errs != nil {
		return nil, errs
	}
	if errs := checkCounts(params, lim); errs != nil {
		return nil, errs // nothing else is read: the work stays bounded whatever the query's length
	}
	lp := &listParams{params: params, page: 1, size: lim.DefaultPageSize}
	var errs Errors
	filterValues := map[string]int{} // values per filter field so far, across repeated parameters
	for _, p := range lp.params {
		switch {
		case p.Key == "page[number]":
			n, err := strconv.Atoi(p.Value)
			switch {
			case err != nil:
				errs = append(errs, expected(p.Raw, "integer", p.Value))
			case n < 1:
				errs = append(errs, BadParameter(p.Raw, TitleFilter, "The value should be greater than or equals to 1."))
			case n > maxPageNumber:
				errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The value should be less than or equals to %d.", maxPageNumber)))
			default:
				lp.page = n
			}
		case p.Key == "page[size]":
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
		case p.Key == "sort":
			lp.sort, errs = parseSort(r, p, lp.sort, errs)
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
			paths, e := parseInclude(r, p, lim.MaxIncludeDepth)
			lp.include = append(lp.include, paths...) // a repeated include adds its paths
			errs = append(errs, e...)
		case strings.HasPrefix(p.Key, "filter["):
			c, n, e := parseFilter(r, p, lim.MaxFilterValues-filterValues[p.Key], lim.MaxFilterValues)
			filterValues[p.Key] += n
			errs = append(errs, e...)
			lp.conditions = append(lp.conditions, c...)
		}
	}
	if lp.size > 0 && lp.page-1 > math.MaxInt/lp.size {
		// only reachable with a very large configured page size: the offset must stay a number
		errs = append(errs, BadParameter("page[number]", TitleFilter, fmt.Sprintf("The value should be less than or equals to %d.", math.MaxInt/lp.size+1)))
	}
	return lp, errs
}

// checkCounts applies the bounds on how many filter parameters, sort fields and include paths a
// request may have (api.md section 20), before any of them is read. Repeated parameters count
// together; include paths count as written (the prefixes they imply are not counted).
func checkCounts(params []Param, lim Limits) Errors {
	var filters, sorts, includes int
	for _, p := range params {
		switch {
		case p.Key == "include":
			for _, path := range strings.Split(p.Value, ",") {
				if path != "" {
					includes++
				}
			}
		case p.Key == "sort":
			sorts += strings.Count(p.Value, ",") + 1
		case strings.HasPrefix(p.Key, "filter["):
			filters++
		}
	}
	var errs Errors
	if filters > lim.MaxFilters {
		errs = append(errs, BadParameter("filter", TitleFilter, fmt.Sprintf("A request may have at most %d filter parameters.", lim.MaxFilters)))
	}
	if sorts > lim.MaxSortTerms {
		errs = append(errs, BadParameter("sort", TitleSort, fmt.Sprintf("Sorting accepts at most %d fields.", lim.MaxSortTerms)))
	}
	if includes > lim.MaxIncludePaths {
		errs = append(errs, BadParameter("include", TitleFilter, fmt.Sprintf("The include parameter accepts at most %d paths.", lim.MaxIncludePaths)))
	}
	return errs
}

func expected(param, kind, given string) *Error {
	if strings.HasPrefix(kind, "one of ") { // an enum: the kind lists the values
		return BadParameter(param, TitleUnexpectedValue, fmt.Sprintf("Expected %s. Given %q.", kind, given))
	}
	return BadParameter(param, TitleUnexpectedValue, fmt.Sprintf("Expected %s value. Given %q.", kind, given))
}

// parseSort appends the sort fields of p to keys (a repeated sort parameter continues the list).
func parseSort(r *Resource, p Param, keys []SortKey, errs Errors) ([]SortKey, Errors) {
	for _, f := range strings.Split(p.Value, ",") {
		desc := strings.HasPrefix(f, "-")
		name := strings.TrimPrefix(f, "-")
		i, ok := r.Sorts[name]
		if !ok {
			errs = append(errs, BadParameter(p.Raw, TitleSort, fmt.Sprintf("Sorting by %q field is not supported.", name)))
			continue
		}
		if slices.ContainsFunc(keys, func(k SortKey) bool { return k.Attr == i }) {
			// the second mention could never change the order: it is a mistake of the client
			errs = append(errs, BadParameter(p.Raw, TitleSort, fmt.Sprintf("Sorting by %q field is requested more than once.", name)))
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
	if prev := lp.fields[t]; prev != nil { // a repeated fields[type] adds its fields
		for i := range fs.attrs {
			fs.attrs[i] = fs.attrs[i] || prev.attrs[i]
		}
		for i := range fs.rels {
			fs.rels[i] = fs.rels[i] || prev.rels[i]
		}
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
