package jsonapi

import (
	"mime"
	"net/http"
	"strings"
)

// MediaType is the JSON:API media type.
const MediaType = "application/vnd.api+json"

// plainType is the media type of the plain format.
const plainType = "application/json"

// Format is the representation a request asked for.
type Format uint8

// The formats.
const (
	FormatJSONAPI Format = iota
	FormatPlain
)

// ContentType is the Content-Type of responses in this format.
func (f Format) ContentType() string {
	if f == FormatPlain {
		return plainType
	}
	return MediaType
}

// Negotiate picks the response format from the Accept header (api.md section 2). A missing
// Accept, */* or application/* means JSON:API (ours: generated clients that send no Accept get the
// documented format). The plain format is chosen when Accept names application/json and not the
// JSON:API type, and the body (if any) is not JSON:API either.
func Negotiate(r *http.Request) (Format, *Error) {
	a := readAccept(r)
	if a.none {
		return FormatJSONAPI, nil
	}
	jsonapiSeen, jsonapiOK, plainOK, wildcard := a.jsonapiSeen, a.jsonapiOK, a.plainOK, a.wildcard
	switch {
	case jsonapiOK:
		return FormatJSONAPI, nil
	case plainOK && !strings.HasPrefix(r.Header.Get("Content-Type"), MediaType):
		return FormatPlain, nil
	case jsonapiSeen:
		return FormatJSONAPI, notAcceptable()
	case wildcard:
		return FormatJSONAPI, nil
	}
	if plainOK {
		return FormatPlain, notAcceptable()
	}
	return FormatJSONAPI, notAcceptable()
}

// AcceptsPlain reports whether the request's Accept allows plain JSON (no Accept does): for the
// endpoints that answer only that (the plain search).
func AcceptsPlain(r *http.Request) bool {
	a := readAccept(r)
	return a.none || a.plainOK || a.wildcard
}

// accept is what the Accept headers name (media ranges with q=0 left out).
type accept struct {
	none                                      bool // no Accept header
	jsonapiSeen, jsonapiOK, plainOK, wildcard bool
}

func readAccept(r *http.Request) accept {
	lines := r.Header.Values("Accept")
	switch {
	case len(lines) == 0:
		return accept{none: true}
	case len(lines) == 1 && lines[0] == MediaType:
		// what clients send: the parse below would split and allocate for it
		return accept{jsonapiSeen: true, jsonapiOK: true}
	}
	var jsonapiSeen, jsonapiOK, plainOK, wildcard bool
	for _, line := range lines {
		for _, part := range strings.Split(line, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			if q, ok := params["q"]; ok && (q == "0" || q == "0.0" || q == "0.00" || q == "0.000") {
				continue
			}
			switch mt {
			case MediaType:
				jsonapiSeen = true
				if onlyParams(params, "q", "ext", "profile") {
					jsonapiOK = true
				}
			case plainType:
				plainOK = true
			case "*/*", "application/*":
				wildcard = true
			}
		}
	}
	return accept{jsonapiSeen: jsonapiSeen, jsonapiOK: jsonapiOK, plainOK: plainOK, wildcard: wildcard}
}

func notAcceptable() *Error {
	return &Error{Status: http.StatusNotAcceptable, Title: TitleNotAcceptable,
		Detail: `Only JSON representation of the requested resource is supported (the "Accept" header names none that is acceptable).`}
}

// checkContentType validates the body's media type (api.md section 2): JSON:API with no
// parameters but ext and profile (ours: the reference rejects those too), or plain JSON.
func checkContentType(r *http.Request) *Error {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil {
		switch mt {
		case MediaType:
			if onlyParams(params, "ext", "profile") {
				return nil
			}
		case plainType:
			return nil
		}
	}
	return &Error{Status: http.StatusUnsupportedMediaType, Title: TitleUnsupportedMedia,
		Detail: `The "Content-Type" request header must be "application/vnd.api+json" (without media type parameters other than "ext" and "profile") or "application/json".`,
		Header: "Content-Type"}
}

func onlyParams(params map[string]string, allowed ...string) bool {
next:
	for k := range params {
		for _, a := range allowed {
			if k == a {
				continue next
			}
		}
		return false
	}
	return true
}
