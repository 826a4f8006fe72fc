package server

import (
	"github.com/labstack/echo/v4"

	"webapi/server/jsonapi"
)

// handlers fills the generated server interface with calls into the engine.
type handlers struct {
	api *jsonapi.API
}

func (h *handlers) list(c echo.Context, typ string) error {
	h.api.List(c.Response(), c.Request(), typ)
	return nil
}

func (h *handlers) create(c echo.Context, typ string) error {
	h.api.Create(c.Response(), c.Request(), typ)
	return nil
}

func (h *handlers) deleteList(c echo.Context, typ string) error {
	h.api.DeleteList(c.Response(), c.Request(), typ)
	return nil
}

func (h *handlers) get(c echo.Context, typ, id string) error {
	h.api.Get(c.Response(), c.Request(), typ, id)
	return nil
}

func (h *handlers) update(c echo.Context, typ, id string) error {
	h.api.Update(c.Response(), c.Request(), typ, id)
	return nil
}

func (h *handlers) delete(c echo.Context, typ, id string) error {
	h.api.Delete(c.Response(), c.Request(), typ, id)
	return nil
}
