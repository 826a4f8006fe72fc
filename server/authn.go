package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"webapi/server/auth"
	"webapi/server/jsonapi"
	"webapi/server/resources"
)

// authenticate gives every API request its principal, from its credentials only (api.md
// section 16): the Authorization header names a scheme (Bearer, WSSE) whose Scheme verifies it.
// It runs before routing answers anything, so a request without valid credentials gets 401
// whatever it asks for. The sandbox and the documents (/api/doc…) and OPTIONS (api.md
// section 3) need none.
func authenticate(resolver *auth.Resolver, schemes []auth.Scheme) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if !strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/api/doc") || r.Method == http.MethodOptions {
				return next(c)
			}
			id, err := identify(r, schemes)
			var p *auth.Principal
			if err == nil {
				p, err = resolver.Principal(r.Context(), id)
			}
			if err != nil {
				var f *auth.Failure
				if errors.As(err, &f) {
					for _, s := range schemes {
						c.Response().Header().Add("WWW-Authenticate", s.Challenge())
					}
					return &jsonapi.Error{Status: http.StatusUnauthorized, Title: jsonapi.TitleAuthentication, Detail: f.Detail}
				}
				return resources.Translate(r.Context(), resolver.DB, err)
			}
			c.SetRequest(r.WithContext(auth.With(r.Context(), p)))
			return next(c)
		}
	}
}

// identify finds the scheme of the request's Authorization header and lets it verify the
// credentials.
func identify(r *http.Request, schemes []auth.Scheme) (auth.Identity, error) {
	if len(schemes) == 0 {
		return auth.Identity{UserID: 1}, nil // until authentication exists: the administrator
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return auth.Identity{}, &auth.Failure{Detail: "The request has no credentials: send an Authorization header."}
	}
	name, _, _ := strings.Cut(h, " ")
	for _, s := range schemes {
		if strings.EqualFold(name, s.Name()) {
			return s.Verify(r)
		}
	}
	return auth.Identity{}, &auth.Failure{Detail: "The Authorization header names an unknown scheme."}
}
