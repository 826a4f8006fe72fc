package jsonapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is one JSON:API error object. Handlers and stores return errors as values; the engine
// renders them (as a JSON:API error document or as the plain-format array).
type Error struct {
	Status    int
	Title     string
	Detail    string
	Pointer   string // JSON Pointer into the request body
	Parameter string // query parameter
	Header    string // request header
	RequestID string // only for 500: the id under which the error was logged
}

func (e *Error) Error() string {
	src := e.Pointer + e.Parameter + e.Header
	if src != "" {
		return fmt.Sprintf("%d %s: %s (%s)", e.Status, e.Title, e.Detail, src)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Title, e.Detail)
}

// Errors is a list of errors reported together (all validation problems of one request).
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Status is the HTTP status of the response that reports these errors: the common status, or
// 400 when they differ but are all client errors.
func (es Errors) Status() int {
	if len(es) == 0 {
		return http.StatusInternalServerError
	}
	s := es[0].Status
	for _, e := range es[1:] {
		if e.Status != s {
			if s >= 500 || e.Status >= 500 {
				return http.StatusInternalServerError
			}
			s = http.StatusBadRequest
		}
	}
	return s
}

// Titles of the problem types, as the reference implementation produces them. Clients match on
// these strings.
const (
	TitleNotBlank          = "not blank constraint"
	TitleNotNull           = "not null constraint"
	TitleLength            = "length constraint"
	TitleEmail             = "email constraint"
	TitleChoice            = "choice constraint"
	TitleRange             = "range constraint"
	TitleRegex             = "regex constraint"
	TitleType              = "type constraint"
	TitleUnique            = "unique entity constraint"
	TitleExtraFields       = "extra fields constraint"
	TitleForm              = "form constraint"
	TitleRequestData       = "request data constraint"
	TitleRequestType       = "request type constraint"
	TitleConflict          = "conflict constraint"
	TitleValue             = "value constraint"
	TitleFilter            = "filter constraint"
	TitleSort              = "sort constraint"
	TitleEntityType        = "entity type constraint"
	TitleEntityID          = "entity identifier constraint"
	TitleRelationship      = "relationship constraint"
	TitleUnexpectedValue   = "unexpected value exception"
	TitleBadRequest        = "bad request http exception"
	TitleNotFound          = "not found http exception"
	TitleAccessDenied      = "access denied exception"
	TitleActionNotAllowed  = "action not allowed exception"
	TitleNotAcceptable     = "not acceptable http exception"
	TitleUnsupportedMedia  = "unsupported media type http exception"
	TitleAuthentication    = "authentication exception"
	TitlePreconditionFail  = "precondition failed exception"
	TitlePayloadTooLarge   = "payload too large exception"
	TitleInternal          = "internal server error"
	TitleMethodNotAllowed  = "method not allowed http exception"
	TitleRequestTimeout    = "request timeout http exception"
	TitleTooManyErrors     = "too many errors" // the last of a capped error list (ours)
	detailNotFound         = "An entity with the requested identifier does not exist."
	detailEntityNotExist   = "The entity does not exist."
	detailPreconditionFail = "The resource has been modified: its ETag does not match If-Match."
)

// Invalid is a 400 validation error with a pointer into the request body.
func Invalid(pointer, title, detail string) *Error {
	return &Error{Status: http.StatusBadRequest, Title: title, Detail: detail, Pointer: pointer}
}

// BadParameter is a 400 error about a query parameter.
func BadParameter(param, title, detail string) *Error {
	return &Error{Status: http.StatusBadRequest, Title: title, Detail: detail, Parameter: param}
}

// BadHeader is a 400 error about a request header.
func BadHeader(header, title, detail string) *Error {
	return &Error{Status: http.StatusBadRequest, Title: title, Detail: detail, Header: header}
}

// NotFound is the 404 of a missing resource.
func NotFound() *Error {
	return &Error{Status: http.StatusNotFound, Title: TitleNotFound, Detail: detailNotFound}
}

// UnknownType is the 404 of a URL that names no resource type.
func UnknownType(name string) *Error {
	return &Error{Status: http.StatusNotFound, Title: TitleEntityType, Detail: fmt.Sprintf("Unknown entity type: %s.", name)}
}

// actionNames are the names of the roles' permissions, by Action.
var actionNames = [...]string{ActionView: "VIEW", ActionCreate: "CREATE", ActionEdit: "EDIT", ActionDelete: "DELETE"}

// Forbidden is the 403 of an action the caller has no permission for (api.md section 17); the
// pointer, if any, names the part of the request that asks for it (a related id, an owner).
func Forbidden(a Action, pointer string) *Error {
	return &Error{Status: http.StatusForbidden, Title: TitleAccessDenied,
		Detail: fmt.Sprintf("No access by %q permission to the entity.", actionNames[a]), Pointer: pointer}
}

// TitleUnavailable is the title of a 503: the database cannot serve the request now.
const TitleUnavailable = "service unavailable"

// Unavailable is the 503 of a request the database cannot serve now (api.md section 20); the
// response tells the client to try again in a second.
func Unavailable(detail string) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Title: TitleUnavailable, Detail: detail}
}

// Conflict is a 409 error.
func Conflict(pointer, detail string) *Error {
	return &Error{Status: http.StatusConflict, Title: TitleConflict, Detail: detail, Pointer: pointer}
}

// AttrPointer is the pointer at an attribute of the primary resource.
func AttrPointer(name string) string { return "/data/attributes/" + name }

// RelPointer is the pointer at the linkage of a relationship of the primary resource.
func RelPointer(name string) string { return "/data/relationships/" + name + "/data" }

// Unique is the error of a value that is already used by another record.
func Unique(pointer string) *Error {
	return Invalid(pointer, TitleUnique, "This value is already used.")
}

// EntityNotExist is the error of a relationship that points at a missing record.
func EntityNotExist(pointer string) *Error {
	return Invalid(pointer, TitleForm, detailEntityNotExist)
}

// validation returns the error objects err holds when it is an *Error or Errors (the errors a
// client is told as they are), and false for anything else.
func validation(err error) (Errors, bool) {
	var es Errors
	if errors.As(err, &es) {
		return es, true
	}
	var e *Error
	if errors.As(err, &e) {
		return Errors{e}, true
	}
	return nil, false
}

// asErrors turns any error into the list to render; unknown errors become a 500.
func asErrors(err error, requestID string) Errors {
	if es, ok := validation(err); ok {
		return es
	}
	return Errors{{Status: http.StatusInternalServerError, Title: TitleInternal,
		Detail: "An unexpected error occurred. Quote the request id " + requestID + " when you report it.", RequestID: requestID}}
}

// rebase moves pointers from the primary data to another place of the document (an included
// resource or a batch item): "/data/attributes/x" becomes prefix+"/attributes/x".
func rebase(errs Errors, prefix string) Errors {
	for _, e := range errs {
		if strings.HasPrefix(e.Pointer, "/data") {
			e.Pointer = prefix + strings.TrimPrefix(e.Pointer, "/data")
		}
	}
	return errs
}
