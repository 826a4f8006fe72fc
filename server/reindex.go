package server

import (
	"context"

	"webapi/server/jsonapi"
	"webapi/server/resources"
	"webapi/store"
)

// Reindex rebuilds the search index from the records, of the types given (every searchable
// type when none); progress, when set, is told how many of how many records are done. A
// rebuild of every type clears the mark a migration or the demo data leave (store.NeedsReindex).
func Reindex(ctx context.Context, db *store.DB, types []string, progress func(done, total int)) error {
	st, err := storeOf(db)
	if err != nil {
		return err
	}
	total, err := st.CountSearchable(ctx, types)
	if err != nil {
		return err
	}
	if err := st.Reindex(ctx, types, 500, func(done int) {
		if progress != nil {
			progress(done, total)
		}
	}); err != nil {
		return err
	}
	if len(types) == 0 {
		return db.SetReindex(ctx, false)
	}
	return nil
}

// Searchable lists the types of the search index.
func Searchable(db *store.DB) ([]string, error) {
	st, err := storeOf(db)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range st.Searchable() {
		out = append(out, d.Type)
	}
	return out, nil
}

// storeOf is the engine's store over db, for commands that need no server.
func storeOf(db *store.DB) (*resources.Store, error) {
	spec, err := embeddedSpec()
	if err != nil {
		return nil, err
	}
	_, st, err := resources.New(db, spec, jsonapi.DefaultLimits)
	return st, err
}
