package jsonapi

import (
	"context"
	"net/http"
)

// Ref names a record of a resource type.
type Ref struct{ Type, ID string }

// Resources renders the records refs name that the caller may view, as resource objects (all
// their fields, with links unless the request asks for none), keyed by Ref: for documents built
// outside the engine that include records (the JSON:API search). One query per type.
func (a *API) Resources(ctx context.Context, r *http.Request, refs []Ref) (map[Ref][]byte, error) {
	return a.resources(ctx, r, refs, nil)
}

// resources is Resources with sparse fieldsets (nil: every field).
func (a *API) resources(ctx context.Context, r *http.Request, refs []Ref, fields map[*Resource]*fieldSet) (map[Ref][]byte, error) {
	byType := map[string][]string{}
	var order []string
	for _, ref := range refs {
		if byType[ref.Type] == nil {
			order = append(order, ref.Type)
		}
		byType[ref.Type] = append(byType[ref.Type], ref.ID)
	}
	v := &view{base: baseURL(r), links: !parseXInclude(r).noHateoas, fields: fields}
	out := map[Ref][]byte{}
	for _, typ := range order {
		res := a.Schema.Resource(typ)
		if res == nil {
			continue
		}
		err := a.Store.Find(ctx, &Query{Resource: res, IDs: byType[typ], Limit: -1}, func(rec *Record) bool {
			out[Ref{typ, rec.ID}] = v.appendResource(nil, res, rec, nil)
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
