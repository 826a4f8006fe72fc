package server

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// accessLog writes one structured line per request: to direct when it is set, appended by hand
// in the form of slog's JSON handler (access.appendJSON), else to log. It hands log's record to
// the handler itself: Logger.LogAttrs also records the caller's program counter
// (runtime.Callers), a third of the line's cost, for a source no handler here prints (the line
// always comes from here).
func accessLog(log *slog.Logger, direct io.Writer) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			r, w := c.Request(), c.Response()
			ctx := r.Context()
			if direct == nil && !log.Enabled(ctx, slog.LevelInfo) {
				return nil
			}
			end := time.Now()
			a := access{time: end, requestID: w.Header().Get(echo.HeaderXRequestID), method: r.Method, uri: r.RequestURI,
				status: w.Status, bytes: w.Size, duration: end.Sub(start), remote: c.RealIP()}
			if direct != nil {
				a.writeJSON(ctx, direct)
			} else {
				_ = log.Handler().Handle(ctx, a.record())
			}
			return nil
		}
	}
}

// access is what the access log says of a request.
type access struct {
	time      time.Time
	requestID string
	method    string
	uri       string
	status    int
	bytes     int64
	duration  time.Duration
	remote    string
}

func (a *access) record() slog.Record {
	line := slog.NewRecord(a.time, slog.LevelInfo, "request", 0)
	line.AddAttrs(slog.String("request_id", a.requestID), slog.String("method", a.method), slog.String("uri", a.uri),
		slog.Int("status", a.status), slog.Int64("bytes", a.bytes), slog.Duration("duration", a.duration),
		slog.String("remote", a.remote))
	return line
}

// writeJSON writes a's line to w as slog.NewJSONHandler(w, nil) would: appended by hand
// (appendJSON), or by the handler when a string needs its escaping.
func (a *access) writeJSON(ctx context.Context, w io.Writer) {
	buf := linePool.Get().(*[]byte)
	line, ok := a.appendJSON((*buf)[:0])
	if ok {
		_, _ = w.Write(line)
	} else {
		_ = slog.NewJSONHandler(w, nil).Handle(ctx, a.record())
	}
	if cap(line) <= 4<<10 { // a line of a long URI (up to a megabyte) is not kept
		*buf = line[:0]
		linePool.Put(buf)
	}
}

// linePool holds the buffers of access lines (a line is about 250 bytes).
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// appendJSON appends the line slog.NewJSONHandler(w, nil) writes for a.record(), byte for byte
// (TestAccessLineIsTheJSONHandlers checks it), or reports false when a string has a byte the
// handler escapes: a control character, a quote, a backslash or a byte outside ASCII (a request
// line that net/http accepts may hold any of them but the first).
func (a *access) appendJSON(b []byte) ([]byte, bool) {
	for _, s := range [...]string{a.requestID, a.method, a.uri, a.remote} {
		if !plainJSON(s) {
			return b, false
		}
	}
	if y := a.time.Year(); y < 0 || y > 9999 {
		return b, false // the handler adds an error to the line
	}
	b = append(b, `{"time":"`...)
	b = a.time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","request_id":"`...)
	b = append(b, a.requestID...)
	b = append(b, `","method":"`...)
	b = append(b, a.method...)
	b = append(b, `","uri":"`...)
	b = append(b, a.uri...)
	b = append(b, `","status":`...)
	b = strconv.AppendInt(b, int64(a.status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, a.bytes, 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(a.duration), 10)
	b = append(b, `,"remote":"`...)
	b = append(b, a.remote...)
	b = append(b, "\"}\n"...)
	return b, true
}

// plainJSON reports whether s goes into a JSON string as it is (the JSON handler's safe set:
// ASCII from the space on, but the quote and the backslash).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < ' ' || b >= 0x80 || b == '"' || b == '\\' {
			return false
		}
	}
	return true
}
