package jsonapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The JSON:API search (api.md section 15): a paged list of resources of the type "search", one
// per record found (id "<type>-<id>", attribute entityName, relationship entity to the record,
// links.entityUrl), the records themselves includable. The finding is the Finder's; the
// protocol (negotiation, parameters, paging, links, included, counts) the engine's.

// SearchType is the resource type of search results.
const SearchType = "search"

// Found is one record found, with its title.
type Found struct {
	Ref
	Title string
}

// Finder finds the records of one page of a search.
type Finder interface {
	// Find returns the records of the page (offset, limit) and how many there are in all, for
	// the filters given (name → value, each a filter the caller declared); an *Error when the
	// filters cannot be searched.
	Find(ctx context.Context, filters map[string]string, offset, limit int) ([]Found, int, error)
}

// ListFound answers GET /api/search with the filters named (filter[name]) and find.
func (a *API) ListFound(w http.ResponseWriter, r *http.Request, filters []string, find Finder) {
	format, nerr := Negotiate(r)
	c := &call{api: a, w: w, r: r, format: format, x: parseXInclude(r)}
	if nerr != nil {
		c.fail(nerr)
		return
	}
	if c.plain() {
		c.format = FormatJSONAPI
		c.fail(&Error{Status: http.StatusNotAcceptable, Title: TitleNotAcceptable,
			Detail: `Search results are served as "application/vnd.api+json" only.`, Header: "Accept"})
		return
	}
	c.query = ParseQuery(r.URL.RawQuery)
	if errs := queryTextErrors(c.query); errs != nil {
		c.fail(errs)
		return
	}
	if a.Prepare != nil {
		pr, err := a.Prepare(r)
		if err != nil {
			c.fail(err)
			return
		}
		c.r = pr
	}
	got := map[string]string{}
	page, size := 1, a.Limits.DefaultPageSize
	include := false
	lp := &listParams{}
	showName, showEntity := true, true // fields[search]
	var errs Errors
	for _, p := range c.query {
		name, isFilter := strings.CutPrefix(p.Key, "filter[")
		name, _ = strings.CutSuffix(name, "]")
		switch {
		case isFilter && (p.Op == "" || p.Op == OpEq) && slices.Contains(filters, name):
			if _, twice := got[name]; twice {
				errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The filter %q may be given once.", name)))
			}
			got[name] = p.Value
		case isFilter:
			errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("Filter %q is not supported.", p.Raw)))
		case p.Key == "page[number]":
			n, err := strconv.Atoi(p.Value)
			switch {
			case err != nil || n < 1:
				errs = append(errs, BadParameter(p.Raw, TitleFilter, "The value should be greater than or equals to 1."))
			case n > maxPageNumber:
				errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The value should be less than or equals to %d.", maxPageNumber)))
			default:
				page = n
			}
		case p.Key == "page[size]":
			n, err := strconv.Atoi(p.Value)
			switch {
			case err != nil || n < 1:
				errs = append(errs, BadParameter(p.Raw, TitleFilter, "The value should be greater than or equals to 1."))
			case n > a.Limits.MaxPageSize:
				errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The value should be less than or equals to %d.", a.Limits.MaxPageSize)))
			default:
				size = n
			}
		case p.Key == "fields[search]":
			showName, showEntity = false, false
			for _, f := range strings.Split(p.Value, ",") {
				switch f {
				case "entityName":
					showName = true
				case "entity":
					showEntity = true
				case "", "id", "type":
				default:
					errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The field %q is not known for the entity type %q.", f, SearchType)))
				}
			}
		case strings.HasPrefix(p.Key, "fields["): // of the records included
			errs = parseFields(a.Schema, lp, p, errs)
		case p.Key == "include":
			for _, path := range strings.Split(p.Value, ",") {
				if path != "entity" {
					errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The relationship %q does not exist.", path)))
				}
			}
			include = true
		default:
			errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The query parameter %q is not supported here.", p.Key)))
		}
	}
	if errs != nil {
		c.fail(errs)
		return
	}
	ctx := c.r.Context()
	found, total, err := find.Find(ctx, got, (page-1)*size, size)
	if err != nil {
		c.fail(err)
		return
	}
	v := &view{base: baseURL(c.r), links: !c.x.noHateoas}
	b := append(make([]byte, 0, 1024), `{"data":[`...)
	refs := make([]Ref, len(found))
	for i, f := range found {
		refs[i] = f.Ref
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"search","id":`...)
		b = appendString(b, f.Type+"-"+f.ID)
		if v.links {
			b = append(b, `,"links":{"entityUrl":`...)
			b = appendString(b, v.base+"/api/"+f.Type+"/"+pathEscape(f.ID))
			b = append(b, '}')
		}
		if showName {
			b = append(b, `,"attributes":{"entityName":`...)
			b = appendString(b, f.Title)
			b = append(b, '}')
		}
		if showEntity {
			b = append(b, `,"relationships":{"entity":{"data":{"type":`...)
			b = appendString(b, f.Type)
			b = append(b, `,"id":`...)
			b = appendString(b, f.ID)
			b = append(b, `}}}`...)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	if include {
		objs, err := a.resources(ctx, c.r, refs, lp.fields)
		if err != nil {
			c.fail(err)
			return
		}
		b = append(b, `,"included":[`...)
		first := true
		for _, ref := range refs {
			if obj, ok := objs[ref]; ok {
				if !first {
					b = append(b, ',')
				}
				first = false
				b = append(b, obj...)
			}
		}
		b = append(b, ']')
	}
	if v.links {
		b = c.appendPageLinks(b, v, &listParams{page: page, size: size}, page*size < total)
	}
	b = append(b, '}')
	if c.x.totalCount {
		w.Header().Set("X-Include-Total-Count", strconv.Itoa(total))
	}
	c.send(http.StatusOK, b)
}

// BaseURL is the scheme and host of the request, as links use them.
func BaseURL(r *http.Request) string { return baseURL(r) }
