package server

import (
	"github.com/labstack/echo/v4"

	"webapi/gen"
	"webapi/server/jsonapi"
)

// engine serves the operations of the document (gen.RegisterOperations hands each one over
// with its kind, type, id and association) with the JSON:API engine.
type engine struct {
	api *jsonapi.API
}

var _ gen.Engine = (*engine)(nil)

// Serve implements gen.Engine.
func (e *engine) Serve(c echo.Context, op gen.Operation) error {
	w, r := c.Response(), c.Request()
	switch op.Kind {
	case gen.OpList:
		e.api.List(w, r, op.Type)
	case gen.OpCreate:
		e.api.Create(w, r, op.Type)
	case gen.OpDeleteList:
		e.api.DeleteList(w, r, op.Type)
	case gen.OpGet:
		e.api.Get(w, r, op.Type, op.ID)
	case gen.OpUpdate:
		e.api.Update(w, r, op.Type, op.ID)
	case gen.OpDelete:
		e.api.Delete(w, r, op.Type, op.ID)
	case gen.OpBatch:
		e.api.Batch(w, r, op.Type)
	case gen.OpRelated, gen.OpSubresource:
		e.api.Related(w, r, op.Type, op.ID, op.Association)
	case gen.OpRelationship:
		e.api.Relationship(w, r, op.Type, op.ID, op.Association)
	case gen.OpUpdateRelationship:
		e.api.UpdateRelationship(w, r, op.Type, op.ID, op.Association)
	case gen.OpAddRelationship:
		e.api.AddRelationship(w, r, op.Type, op.ID, op.Association)
	case gen.OpDeleteRelationship:
		e.api.DeleteRelationship(w, r, op.Type, op.ID, op.Association)
	default:
		return echo.ErrMethodNotAllowed
	}
	return nil
}
