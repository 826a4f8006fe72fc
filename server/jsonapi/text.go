package jsonapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text that can never be stored (api.md section 20): NUL and invalid UTF-8 are refused wherever
// a request carries text — body, query parameters, path, the headers the API reads — with one
// rule, before any database sees it. PostgreSQL refuses NUL (SQLSTATE 22021, a 500), SQLite
// stores it (and `filter[subject]~%00` then matches every row), and encoding/json silently turns
// invalid UTF-8 into U+FFFD, so that what is stored would not be what was sent.

// detailText is the detail of every text error; the source says where the text is.
const detailText = "This value should be valid UTF-8 text without NUL characters."

// validText reports whether s can be stored as text on every backend.
func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// printable makes a name taken from the request (a parameter, a body key) safe to echo in an
// error source: the offending bytes become U+FFFD.
func printable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// queryTextErrors checks every query parameter, known or not, key and value (as decoded).
func queryTextErrors(params []Param) Errors {
	var errs Errors
	for _, p := range params {
		if !validText(p.Raw) || !validText(p.Value) {
			errs = append(errs, BadParameter(printable(p.Raw), TitleValue, detailText))
		}
	}
	return errs
}

// pathTextError checks the decoded URL path (the ids in it): such an id could never be found,
// but the database must not see it either.
func pathTextError(path string) *Error {
	if validText(path) {
		return nil
	}
	return &Error{Status: http.StatusBadRequest, Title: TitleValue, Detail: "The URL path should be valid UTF-8 text without NUL characters."}
}

// apiHeaders are the request headers whose values the API reads, as errors name them.
var apiHeaders = []string{"X-Currency", "X-Localization-ID", "X-Mode", "X-Include", "If-Match", "If-None-Match"}

// apiHeaderKeys are apiHeaders in their canonical form, the keys of http.Header: looked up by a
// name that is not (X-Localization-ID), a header made a new string on every request.
var apiHeaderKeys = func() []string {
	keys := make([]string, len(apiHeaders))
	for i, name := range apiHeaders {
		keys[i] = http.CanonicalHeaderKey(name)
	}
	return keys
}()

// CheckHeaders refuses text that can never be stored in the headers the API reads. The server
// calls it at the start of every API request, before anything reads them (the currency and the
// localization are looked up in the database).
func CheckHeaders(h http.Header) error {
	var errs Errors
	for i, name := range apiHeaders {
		for _, v := range h[apiHeaderKeys[i]] {
			if !validText(v) {
				errs = append(errs, BadHeader(name, TitleValue, detailText))
				break
			}
		}
	}
	if errs == nil {
		return nil
	}
	return errs
}

// bodyTextError finds the first string (key or value) of a JSON body that is not storable text:
// invalid UTF-8, NUL (`\u0000`), or an unpaired surrogate escape (`\ud800`, which encoding/json
// turns into U+FFFD). body must be valid JSON. Almost every body is checked by one pass over its
// bytes; only a suspicious one is walked to find the pointer.
func bodyTextError(body []byte) *Error {
	if utf8.Valid(body) && !hasSuspiciousEscape(body) {
		return nil
	}
	w := &textWalker{b: body}
	if w.value() {
		return nil // a false alarm: an escaped backslash before "u0000", or a surrogate pair
	}
	return Invalid(w.pointer(), TitleValue, detailText)
}

// hasSuspiciousEscape reports whether body has a \u escape of NUL or of a surrogate.
func hasSuspiciousEscape(body []byte) bool {
	for i := 0; i+6 <= len(body); i++ {
		if body[i] == '\\' && body[i+1] == 'u' {
			if v, ok := hex4(body[i+2 : i+6]); ok && (v == 0 || v >= 0xD800 && v <= 0xDFFF) {
				return true
			}
		}
	}
	return false
}

func hex4(b []byte) (rune, bool) {
	n, err := strconv.ParseUint(string(b), 16, 32)
	return rune(n), err == nil
}

// textWalker walks a valid JSON text and stops at the first string that is not storable text,
// keeping the path to it. Its work is bounded by the body's length, its depth by the JSON nesting
// limit that json.Valid enforces.
type textWalker struct {
	b    []byte
	i    int
	path []segment
}

// segment is one step of the path: an object key as it is written (quoted), or an array index.
type segment struct {
	key   []byte
	index int
}

// value walks the value at w.i; false when it found bad text (w.path then leads to it).
func (w *textWalker) value() bool {
	w.space()
	switch w.b[w.i] {
	case '{':
		w.i++
		w.space()
		if w.b[w.i] == '}' {
			w.i++
			return true
		}
		for {
			w.space()
			key := w.str()
			w.path = append(w.path, segment{key: key})
			if !storable(key) {
				return false
			}
			w.space()
			w.i++ // ':'
			if !w.value() {
				return false
			}
			w.path = w.path[:len(w.path)-1]
			w.space()
			w.i++ // ',' or '}'
			if w.b[w.i-1] == '}' {
				return true
			}
		}
	case '[':
		w.i++
		w.space()
		if w.b[w.i] == ']' {
			w.i++
			return true
		}
		for n := 0; ; n++ {
			w.path = append(w.path, segment{index: n})
			if !w.value() {
				return false
			}
			w.path = w.path[:len(w.path)-1]
			w.space()
			w.i++ // ',' or ']'
			if w.b[w.i-1] == ']' {
				return true
			}
		}
	case '"':
		s := w.str()
		return storable(s)
	}
	// a number, true, false or null
	for w.i < len(w.b) && !strings.ContainsRune(",]} \t\r\n", rune(w.b[w.i])) {
		w.i++
	}
	return true
}

func (w *textWalker) space() {
	for w.i < len(w.b) && (w.b[w.i] == ' ' || w.b[w.i] == '\t' || w.b[w.i] == '\r' || w.b[w.i] == '\n') {
		w.i++
	}
}

// str returns the JSON string at w.i, quotes included, and moves past it.
func (w *textWalker) str() []byte {
	start := w.i
	for w.i++; w.b[w.i] != '"'; w.i++ {
		if w.b[w.i] == '\\' {
			w.i++
		}
	}
	w.i++
	return w.b[start:w.i]
}

// storable reports whether a JSON string (quoted, as written) holds storable text.
func storable(quoted []byte) bool {
	s := quoted[1 : len(quoted)-1]
	if !utf8.Valid(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if s[i+1] != 'u' {
			i++
			continue
		}
		v, _ := hex4(s[i+2 : i+6])
		switch {
		case v == 0, v >= 0xDC00 && v <= 0xDFFF:
			return false
		case v >= 0xD800 && v < 0xDC00:
			// a high surrogate must be followed by a low one
			if i+12 > len(s) || s[i+6] != '\\' || s[i+7] != 'u' {
				return false
			}
			if lo, _ := hex4(s[i+8 : i+12]); lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 6
		}
		i += 5
	}
	return true
}

// pointer is the JSON Pointer of the walker's path.
func (w *textWalker) pointer() string {
	var b strings.Builder
	for _, seg := range w.path {
		b.WriteByte('/')
		if seg.key == nil {
			b.WriteString(strconv.Itoa(seg.index))
			continue
		}
		var key string
		_ = json.Unmarshal(seg.key, &key)
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(printable(key)))
	}
	return b.String()
}
