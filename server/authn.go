package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"webapi/server/auth"
	"webapi/server/jsonapi"
	"webapi/server/resources"
	"webapi/server/settings"
)

// authenticator gives every API request its principal, from its credentials only (api.md
// section 16): the Authorization header names a scheme (Bearer, WSSE) whose Scheme verifies it.
// It runs before routing answers anything, so a request without valid credentials gets 401
// whatever it asks for. The sandbox and the documents (/api/doc…) need none, nor does an OPTIONS
// request without credentials (api.md section 3; CORS preflights carry none).
//
// It also applies the API's switch (api.md section 18, read through settings, at most a few
// seconds old): off everywhere, all of /api/ is 404, the documents included, whoever asks; off
// for the caller's organization, everything that caller asks is 404.
type authenticator struct {
	resolver *auth.Resolver
	schemes  []auth.Scheme
	settings *settings.Cache
}

// authenticate returns the caller of an API request (ctx is the request's), or the error that
// answers the request instead; nil for a request that needs no caller.
func (a *authenticator) authenticate(c echo.Context, ctx context.Context) (*auth.Principal, error) {
	r := c.Request()
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		return nil, nil
	}
	snap, err := a.settings.Snapshot(ctx)
	if err != nil {
		return nil, resources.Translate(ctx, a.resolver.DB, err)
	}
	if !snap.APIEnabledAnywhere() {
		return nil, pathNotFound()
	}
	if strings.HasPrefix(r.URL.Path, "/api/doc") || (r.Method == http.MethodOptions && r.Header.Get("Authorization") == "") {
		return nil, nil
	}
	id, err := identify(r, a.schemes)
	var p *auth.Principal
	if err == nil {
		p, err = a.resolver.Principal(ctx, id)
	}
	if err != nil {
		var f *auth.Failure
		if errors.As(err, &f) {
			for _, s := range a.schemes {
				c.Response().Header().Add("WWW-Authenticate", s.Challenge())
			}
			return nil, &jsonapi.Error{Status: http.StatusUnauthorized, Title: jsonapi.TitleAuthentication, Detail: f.Detail}
		}
		return nil, resources.Translate(ctx, a.resolver.DB, err)
	}
	if !snap.APIEnabled(p.OrganizationID) {
		return nil, pathNotFound()
	}
	return p, nil
}

// pathNotFound is the 404 of a path that does not exist; it is also the answer of the API where
// it is switched off, so that nothing tells that from a server without the API.
func pathNotFound() error {
	return &jsonapi.Error{Status: http.StatusNotFound, Title: jsonapi.TitleNotFound, Detail: "The requested resource does not exist."}
}

// identify finds the scheme of the request's Authorization header and lets it verify the
// credentials.
func identify(r *http.Request, schemes []auth.Scheme) (auth.Identity, error) {
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
