package resources

// Error translation: the database errors a client can cause, or that the database's state
// explains, become API errors.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"webapi/server/jsonapi"
	"webapi/store"
)

// translate turns the database errors a client can cause, or that the database's state
// explains, into API errors: 503 when the database cannot serve now, the error of the check a
// broken constraint stands for (p, when known, says which type was written), 400 for a value the
// database cannot hold. Anything else stays an internal error.
func (s *Store) translate(ctx context.Context, p *plan, err error) error {
	return translate(ctx, s.db, p, err)
}

// Translate is translate for errors of the database met outside a type's store (authentication,
// for one): 503 when the database cannot serve, and so on.
func Translate(ctx context.Context, db *store.DB, err error) error {
	return translate(ctx, db, nil, err)
}

func translate(ctx context.Context, db *store.DB, p *plan, err error) error {
	if err == nil {
		return nil
	}
	var ae *jsonapi.Error
	var aes jsonapi.Errors
	if errors.As(err, &ae) || errors.As(err, &aes) {
		return err
	}
	if u := store.Unavailable(ctx, err); u != nil {
		return unavailable(db.Limits(), u)
	}
	if ce := store.Constraint(err); ce != nil {
		return constraintError(p, ce)
	}
	if store.InvalidValue(err) {
		return &jsonapi.Error{Status: http.StatusBadRequest, Title: jsonapi.TitleValue, Detail: "A value cannot be stored: it is out of range or not valid text."}
	}
	return err
}

// unavailable is the 503 of api.md section 20, its detail saying why.
func unavailable(lim store.Limits, u *store.UnavailableError) error {
	var detail string
	switch u.Reason {
	case store.ReasonConnWait:
		detail = fmt.Sprintf("No database connection became free within %s.", lim.ConnWait)
	case store.ReasonWriteQueue:
		detail = fmt.Sprintf("Too many writes are waiting for the database (at most %d).", lim.WriteQueue)
	case store.ReasonWriteWait:
		detail = fmt.Sprintf("The database did not accept the write within %s.", lim.WriteWait)
	case store.ReasonDeadline:
		detail = "The request ran past its deadline."
	case store.ReasonCancelled:
		detail = "The request was cancelled."
	case store.ReasonContention:
		detail = "Concurrent writes kept colliding with this one."
	default:
		detail = "The database is unavailable."
	}
	return jsonapi.Unavailable(detail)
}

// constraintError is the error of the check that a broken constraint stands for: a concurrent
// request got past the check first (api.md section 20).
func constraintError(p *plan, ce *store.ConstraintError) error {
	switch ce.Kind {
	case store.Unique:
		if p != nil && (ce.Table == "" || ce.Table == p.decl.Table) {
			for _, c := range ce.Columns {
				if c == "id" {
					return jsonapi.Conflict("/data/id", "The entity already exists.")
				}
			}
			for i, m := range p.attrs {
				if m.column != "" && m.column != p.decl.UniqueScope && slices.Contains(ce.Columns, m.column) {
					return jsonapi.Unique(jsonapi.AttrPointer(p.res.Attrs[i].Name))
				}
			}
		}
		return &jsonapi.Error{Status: http.StatusBadRequest, Title: jsonapi.TitleUnique, Detail: "This value is already used."}
	case store.ForeignKey:
		if p != nil {
			if name := p.relOf(ce); name != "" {
				return jsonapi.EntityNotExist(jsonapi.RelPointer(name))
			}
		}
		return &jsonapi.Error{Status: http.StatusBadRequest, Title: jsonapi.TitleForm, Detail: "The entity does not exist."}
	}
	return &jsonapi.Error{Status: http.StatusConflict, Title: jsonapi.TitleConflict,
		Detail: "The operation conflicts with records that refer to this one (or that it refers to)."}
}

// relOf names the relationship of the plan's type that a broken reference belongs to: a
// foreign key column of its table, or the related column of a to-many's table.
func (p *plan) relOf(ce *store.ConstraintError) string {
	for i, m := range p.rels {
		switch {
		case m.link == nil && (ce.Table == "" || ce.Table == p.decl.Table) && slices.Contains(ce.Columns, m.fk):
			return p.res.Rels[i].Name
		case m.link != nil && ce.Table == m.link.Table && slices.Contains(ce.Columns, m.link.Other):
			return p.res.Rels[i].Name
		}
	}
	return ""
}
