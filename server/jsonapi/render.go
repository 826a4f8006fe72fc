package jsonapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// WriteError renders err as the response, in the format the request negotiated. Anything that
// is not an *Error or Errors is logged through the API's logger and answered with a 500 carrying
// the request id.
func (a *API) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	format, _ := Negotiate(r)
	writeErrors(a.logger(), w, r, format, err)
}

func writeErrors(log *slog.Logger, w http.ResponseWriter, r *http.Request, format Format, err error) {
	reqID := w.Header().Get("X-Request-Id")
	errs := asErrors(err, reqID)
	status := errs.Status()
	if status >= 500 && status != http.StatusServiceUnavailable { // a 503 is in the access log
		log.ErrorContext(r.Context(), "request failed", "request_id", reqID, "method", r.Method, "path", r.URL.Path, "error", err)
	}
	h := w.Header()
	h.Del("X-Include-Total-Count")
	h.Del("X-Include-Deleted-Count")
	h.Del("ETag")
	if status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "1")
	}
	h.Set("Content-Type", format.ContentType())
	w.WriteHeader(status)
	_, _ = w.Write(appendErrors(nil, errs, format == FormatPlain))
}

func appendErrors(b []byte, errs Errors, plain bool) []byte {
	if plain {
		b = append(b, '[')
	} else {
		b = append(b, `{"errors":[`...)
	}
	for i, e := range errs {
		if i > 0 {
			b = append(b, ',')
		}
		if plain {
			b = append(b, `{"code":`...)
			b = strconv.AppendInt(b, int64(e.Status), 10)
		} else {
			b = append(b, `{"status":`...)
			b = appendString(b, strconv.Itoa(e.Status))
		}
		b = append(b, `,"title":`...)
		b = appendString(b, e.Title)
		if e.Detail != "" {
			b = append(b, `,"detail":`...)
			b = appendString(b, e.Detail)
		}
		switch {
		case plain && plainPointer(e.Pointer)+e.Parameter+e.Header != "":
			b = append(b, `,"source":`...)
			b = appendString(b, plainPointer(e.Pointer)+e.Parameter+e.Header)
		case plain:
		case e.Pointer != "" || e.Parameter != "" || e.Header != "":
			b = append(b, `,"source":{`...)
			switch {
			case e.Pointer != "":
				b = append(b, `"pointer":`...)
				b = appendString(b, e.Pointer)
			case e.Parameter != "":
				b = append(b, `"parameter":`...)
				b = appendString(b, e.Parameter)
			default:
				b = append(b, `"header":`...)
				b = appendString(b, e.Header)
			}
			b = append(b, '}')
		}
		if e.RequestID != "" && !plain {
			b = append(b, `,"meta":{"requestId":`...)
			b = appendString(b, e.RequestID)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	if plain {
		return append(b, ']')
	}
	return append(b, "]}"...)
}

// plainPointer maps a JSON:API pointer to the flat body of a plain request:
// /data/attributes/name → /name, /data/relationships/owner/data → /owner.
func plainPointer(p string) string {
	switch {
	case strings.HasPrefix(p, "/data/attributes/"):
		return "/" + strings.TrimPrefix(p, "/data/attributes/")
	case strings.HasPrefix(p, "/data/relationships/"):
		rest := strings.TrimPrefix(p, "/data/relationships/")
		name, tail, _ := strings.Cut(rest, "/")
		if tail == "" {
			return "/" + name
		}
		return "/" + name + strings.TrimPrefix("/"+tail, "/data")
	case strings.HasPrefix(p, "/data"):
		return strings.TrimPrefix(p, "/data")
	}
	return p
}

// WritePlainError renders err in the plain error format whatever the request negotiated (the
// plain search endpoints answer only that format).
func (a *API) WritePlainError(w http.ResponseWriter, r *http.Request, err error) {
	writeErrors(a.logger(), w, r, FormatPlain, err)
}
