package resources

import (
	"fmt"

	"webapi/server/jsonapi"
	"webapi/store"
)

// New builds the schema of every declared type from the document and the store that serves it.
func New(db *store.DB, spec *Spec, limits jsonapi.Limits) (*jsonapi.Schema, *Store, error) {
	decls := Declarations()
	res := make([]*jsonapi.Resource, len(decls))
	for i, d := range decls {
		r, err := spec.resource(d)
		if err != nil {
			return nil, nil, err
		}
		res[i] = r
	}
	schema, err := jsonapi.NewSchema(res...)
	if err != nil {
		return nil, nil, err
	}
	st := &Store{db: db, schema: schema, plans: map[*jsonapi.Resource]*plan{}, limits: limits, decls: decls}
	for i, d := range decls {
		p, err := newPlan(db, d, res[i], limits.LinkageLimit)
		if err != nil {
			return nil, nil, err
		}
		p.store = st
		st.plans[res[i]] = p
	}
	for _, name := range schema.Types() {
		if st.plans[schema.Resource(name)] == nil {
			return nil, nil, fmt.Errorf("type %s has no declaration", name)
		}
	}
	return schema, st, nil
}
