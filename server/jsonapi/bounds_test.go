package jsonapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Tests of the bounds and input rules of api.md section 20, each with the exact error objects.

func param(name, title, detail string) *Error { return BadParameter(name, title, detail) }

// repeat joins n copies of s with sep.
func repeat(s string, n int, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = s
	}
	return strings.Join(parts, sep)
}

// numbers is "1,2,…,n".
func numbers(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprint(i + 1)
	}
	return strings.Join(parts, ",")
}

func TestParamBounds(t *testing.T) {
	t.Parallel()
	s, r := testSchema(t)
	huge := DefaultLimits
	huge.MaxPageSize = math.MaxInt / 2
	tests := []struct {
		name  string
		raw   string
		lim   Limits
		want  Errors
		check func(t *testing.T, lp *listParams)
	}{
		{name: "include 5 segments deep", raw: "include=parts.parts.parts.parts.owner"},
		{name: "include 6 segments deep", raw: "include=parts,parts.parts.parts.parts.parts.owner",
			want: Errors{param("include", TitleFilter, "An include path may have at most 5 segments.")}},
		{name: "include 60 segments deep", raw: "include=" + repeat("parts", 60, "."),
			want: Errors{param("include", TitleFilter, "An include path may have at most 5 segments.")}},
		{name: "20 include paths over two parameters", raw: "include=" + repeat("parts", 10, ",") + "&include=" + repeat("owner", 10, ",")},
		{name: "21 include paths over two parameters", raw: "include=" + repeat("parts", 10, ",") + "&include=" + repeat("owner", 11, ","),
			want: Errors{param("include", TitleFilter, "The include parameter accepts at most 20 paths.")}},
		{name: "implied prefixes are not counted", raw: "include=" + repeat("parts.parts.parts.owner", 20, ",")},
		{name: "empty include items are not counted", raw: "include=" + repeat("owner", 20, ",") + ",,,"},
		{name: "10 sort terms (read: the unknown ones are reported)", raw: "sort=id,-name" + strings.Repeat(",x", 8),
			want: slices.Repeat(Errors{param("sort", TitleSort, `Sorting by "x" field is not supported.`)}, 8)},
		{name: "11 sort terms", raw: "sort=" + repeat("id", 11, ","),
			want: Errors{param("sort", TitleSort, "Sorting accepts at most 10 fields.")}},
		{name: "2000 sort terms over two parameters", raw: "sort=" + repeat("id", 1000, ",") + "&sort=" + repeat("name", 1000, ","),
			want: Errors{param("sort", TitleSort, "Sorting accepts at most 10 fields.")}},
		{name: "a field sorted twice", raw: "sort=name,-name",
			want: Errors{param("sort", TitleSort, `Sorting by "name" field is requested more than once.`)}},
		{name: "50 filter parameters", raw: repeat("filter[id]=1", 50, "&")},
		{name: "51 filter parameters", raw: repeat("filter[id]=1", 51, "&"),
			want: Errors{param("filter", TitleFilter, "A request may have at most 50 filter parameters.")}},
		{name: "1500 repeated filters", raw: repeat("filter[name]=a", 1500, "&"),
			want: Errors{param("filter", TitleFilter, "A request may have at most 50 filter parameters.")}},
		{name: "1000 values of one filter", raw: "filter[id]=" + numbers(1000)},
		{name: "1001 values of one filter", raw: "filter[id]=" + numbers(1001),
			want: Errors{param("filter[id]", TitleFilter, "A filter accepts at most 1000 values.")}},
		{name: "1000 values of one field over repeated parameters", raw: "filter[id]=" + numbers(600) + "&filter[id][neq]=" + numbers(400)},
		{name: "1001 values of one field over repeated parameters", raw: "filter[id]=" + numbers(600) + "&filter[id][neq]=" + numbers(401),
			want: Errors{param("filter[id][neq]", TitleFilter, "A filter accepts at most 1000 values.")}},
		{name: "values of different fields count apart", raw: "filter[id]=" + numbers(1000) + "&filter[count]=" + numbers(1000)},
		{name: "page 1000000", raw: "page[number]=1000000", check: func(t *testing.T, lp *listParams) {
			if lp.page != 1000000 {
				t.Fatalf("page %d", lp.page)
			}
		}},
		{name: "page 1000001", raw: "page[number]=1000001",
			want: Errors{param("page[number]", TitleFilter, "The value should be less than or equals to 1000000.")}},
		{name: "page of the largest integer", raw: "page[number]=9223372036854775807",
			want: Errors{param("page[number]", TitleFilter, "The value should be less than or equals to 1000000.")}},
		{name: "page beyond integers", raw: "page[number]=99999999999999999999",
			want: Errors{param("page[number]", TitleUnexpectedValue, `Expected integer value. Given "99999999999999999999".`)}},
		{name: "an offset that overflows", lim: huge, raw: fmt.Sprintf("page[size]=%d&page[number]=4", math.MaxInt/2),
			want: Errors{param("page[number]", TitleFilter, "The value should be less than or equals to 3.")}},
		{name: "a decimal of 15+4 digits", raw: "filter[price]=-123456789012345.1234&filter[price][gt]=000000000000000001"},
		{name: "a decimal of 16 digits before the point", raw: "filter[price]=1234567890123456",
			want: Errors{param("filter[price]", TitleRange, "This value should have at most 15 digits before and 4 digits after the decimal point.")}},
		{name: "a decimal of 5 digits after the point", raw: "filter[price][lt]=1.12345",
			want: Errors{param("filter[price][lt]", TitleRange, "This value should have at most 15 digits before and 4 digits after the decimal point.")}},
		{name: "a decimal range too precise", raw: "filter[price]=1..2.00001",
			want: Errors{param("filter[price]", TitleRange, "This value should have at most 15 digits before and 4 digits after the decimal point.")}},
		{name: "a decimal range not a decimal", raw: "filter[price]=1..x",
			want: Errors{param("filter[price]", TitleUnexpectedValue, `Expected decimal value. Given "1..x".`)}},
		{name: "a date in year 0", raw: "filter[day]=0000-12-31",
			want: Errors{param("filter[day]", TitleRange, "This value should be between 0001-01-01 and 9999-12-31.")}},
		{name: "a date-time in year 10000 in UTC", raw: "filter[at]=9999-12-31T23:59:59-01:00",
			want: Errors{param("filter[at]", TitleRange, "This value should be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.")}},
		{name: "a date-time in year 0 in UTC", raw: "filter[at][gt]=0001-01-01T00:00:00%2B01:00",
			want: Errors{param("filter[at][gt]", TitleRange, "This value should be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.")}},
		{name: "year 0000", raw: "filter[at]=0000",
			want: Errors{param("filter[at]", TitleRange, "This value should be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.")}},
		{name: "year 10000", raw: "filter[at]=10000",
			want: Errors{param("filter[at]", TitleUnexpectedValue, `Expected datetime value. Given "10000".`)}},
		{name: "year 9999 has an open end", raw: "filter[at]=9999&filter[at]>9999-12&filter[at]=9999-12-31T23:59:59Z&filter[at]=2020..9999",
			check: func(t *testing.T, lp *listParams) {
				y9999 := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
				dec := time.Date(9999, 12, 1, 0, 0, 0, 0, time.UTC)
				last := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
				y2020 := Period{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
				want := [][]any{{Period{From: y9999}}, {Period{From: dec}}, {Period{From: last}}, {y2020, lastInstant}}
				for i, c := range lp.conditions {
					if !reflect.DeepEqual(c.Values, want[i]) {
						t.Errorf("condition %d: %v, want %v", i, c.Values, want[i])
					}
				}
			}},
		{name: "a date-time with a fraction is an instant", raw: "filter[at]=9999-12-31T23:59:59.5Z", check: func(t *testing.T, lp *listParams) {
			if want := []any{time.Date(9999, 12, 31, 23, 59, 59, 5e8, time.UTC)}; !reflect.DeepEqual(lp.conditions[0].Values, want) {
				t.Fatalf("%v, want %v", lp.conditions[0].Values, want)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lim := tt.lim
			if lim == (Limits{}) {
				lim = DefaultLimits
			}
			lp, errs := parseParams(s, r, ParseQuery(tt.raw), CollectionParams, lim)
			if !reflect.DeepEqual(errs, tt.want) {
				t.Fatalf("errors\n got %v\nwant %v", errs, tt.want)
			}
			if tt.check != nil {
				tt.check(t, lp)
			}
		})
	}
}

func TestQueryText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want Errors
	}{
		{"filter[name]=caf%C3%A9&sort=-name&include=owner", nil},
		{"filter[name]~%00", Errors{param("filter[name]", TitleValue, detailText)}},
		{"filter[name]=%FF", Errors{param("filter[name]", TitleValue, detailText)}},
		{"filter%5Bna%00me%5D=x", Errors{param("filter[na\uFFFDme]", TitleValue, detailText)}},
		{"fields[things]=na%C3me&include=own%00er&sort=%00&x%FF=1", Errors{param("fields[things]", TitleValue, detailText),
			param("include", TitleValue, detailText), param("sort", TitleValue, detailText), param("x\uFFFD", TitleValue, detailText)}},
		{"page[size]=1%00", Errors{param("page[size]", TitleValue, detailText)}},
	}
	for _, tt := range tests {
		if got := queryTextErrors(ParseQuery(tt.raw)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.raw, got, tt.want)
		}
	}
}

func TestCheckHeaders(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"X-Currency", "X-Localization-ID", "X-Mode", "X-Include", "If-Match", "If-None-Match"} {
		for _, bad := range []string{"EU\x00R", "\xff", "ok\xc3"} {
			h := http.Header{}
			h.Set("Accept", "\x00") // not read by the API as text
			h.Add(name, "fine")
			h.Add(name, bad)
			want := Errors{BadHeader(name, TitleValue, detailText)}
			if got := CheckHeaders(h); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %q: got %v", name, bad, got)
			}
		}
	}
	h := http.Header{"X-Currency": {"\x00"}, "If-Match": {"\xff"}}
	want := Errors{BadHeader("X-Currency", TitleValue, detailText), BadHeader("If-Match", TitleValue, detailText)}
	if got := CheckHeaders(h); !reflect.DeepEqual(got, want) {
		t.Errorf("two headers: got %v", got)
	}
	if got := CheckHeaders(http.Header{"X-Currency": {"EUR"}, "X-Localization-ID": {"2"}, "If-Match": {`"abc"`}}); got != nil {
		t.Errorf("valid headers: %v", got)
	}
}

func TestBodyText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body    string
		pointer string // "" = no error
	}{
		{`{"data":{"type":"things","attributes":{"name":"café ☕ \u00e9 \ud83d\ude00"}}}`, ""},
		{`{"data":{"type":"things","attributes":{"name":"a\\u0000b"}}}`, ""}, // an escaped backslash, then text
		{`{"data":{"type":"things","attributes":{"name":"a\\\u0000b"}}}`, "/data/attributes/name"},
		{`{"data":{"type":"things","attributes":{"name":"a\u0000"}}}`, "/data/attributes/name"},
		{`{"data":{"type":"things","attributes":{"count":1,"name":"ok","data":{"list":[1,"x",{"deep":["\u0000"]}]}}}}`, "/data/attributes/data/list/2/deep/0"},
		{"{\"data\":{\"type\":\"things\",\"attributes\":{\"name\":\"\xff\"}}}", "/data/attributes/name"},
		{"{\"data\":{\"type\":\"things\",\"attributes\":{\"na\xc3me\":\"x\"}}}", "/data/attributes/na\uFFFDme"},
		{`{"data":{"type":"things","attributes":{"a/b~c\u0000":1}}}`, "/data/attributes/a~1b~0c\uFFFD"},
		{`{"data":{"type":"things","id":"\u0000"}}`, "/data/id"},
		{`{"data":{"type":"things","meta":{"upsert":["\ud800"]}}}`, "/data/meta/upsert/0"},
		{`{"data":{"type":"things"},"included":[{"type":"things","id":"a"},{"type":"things","id":"b","attributes":{"name":"\udc00"}}]}`, "/included/1/attributes/name"},
		{`{"data":{"type":"things","attributes":{"name":"\ud800\u0041"}}}`, "/data/attributes/name"},
		{`{"data":{"type":"things","attributes":{"name":"\ud800"}}}`, "/data/attributes/name"},
		{` { "name" : [ ] , "x" : { } , "owner" : "\u0000" } `, "/owner"}, // plain, with spaces
		{`[{"type":"things","id":"1"},{"type":"things","id":"\u0000"}]`, "/1/id"},
		{`"\u0000"`, ""},
	}
	for _, tt := range tests {
		var want *Error
		if tt.pointer != "" || tt.body == `"\u0000"` {
			want = Invalid(tt.pointer, TitleValue, detailText)
		}
		if got := bodyTextError([]byte(tt.body)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.body, got, want)
		}
	}
}

// FuzzBodyText: the walk never panics on valid JSON, and a body it accepts decodes into text
// without NUL, unchanged by encoding/json (which turns invalid UTF-8 and unpaired surrogates
// into U+FFFD: such a body has U+FFFD only where it was sent).
func FuzzBodyText(f *testing.F) {
	for _, s := range []string{`{"a":"\u0000"}`, `["\ud83d\ude00",1,null,{"x":[]}]`, "{\"\xff\":1}", `"\\u0000"`, `{"a":"\udc00x"}`, `{"a":"\ufffd"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		e := bodyTextError(body)
		if e != nil {
			if e.Status != 400 || e.Title != TitleValue {
				t.Fatalf("unexpected error %v", e)
			}
			return
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber() // 1e700 is valid JSON
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		// every U+FFFD decoded was sent (raw or escaped), none comes from a replacement
		sent := bytes.Count(body, []byte("\uFFFD")) + len(fffdEscape.FindAll(body, -1))
		decoded := 0
		for _, s := range stringsOf(v, nil) {
			if !validText(s) {
				t.Fatalf("accepted %q", s)
			}
			decoded += strings.Count(s, "\uFFFD")
		}
		if decoded > sent {
			t.Fatalf("accepted a body that decodes with %d replacement characters, %d sent", decoded, sent)
		}
	})
}

var fffdEscape = regexp.MustCompile(`\\u[fF][fF][fF][dD]`)

func TestWriteBounds(t *testing.T) {
	t.Parallel()
	s, r := testSchema(t)
	r.Methods = Methods{Create: true, Update: true}
	codes := s.Resource("codes")
	codes.ClientID, codes.Methods = true, Methods{Create: true, Update: true}
	api := &API{Schema: s, Limits: DefaultLimits}
	long, max := strings.Repeat("é", 256), strings.Repeat("é", 255)
	tooLong := func(ptr string) *Error {
		return Invalid(ptr, TitleLength, "This value is too long. It should have 255 characters or less.")
	}
	// the primary thing and n included things it links to
	things := func(n int) string {
		var idents, included []string
		for i := range n {
			idents = append(idents, fmt.Sprintf(`{"type":"things","id":"t%d"}`, i))
			included = append(included, fmt.Sprintf(`{"type":"things","id":"t%d"}`, i))
		}
		return `{"data":{"type":"things","relationships":{"parts":{"data":[` + strings.Join(idents, ",") + `]}}},"included":[` + strings.Join(included, ",") + `]}`
	}
	tests := []struct {
		name string
		typ  string
		body string
		want error
	}{
		{name: "1000 resources", typ: "things", body: things(999)},
		{name: "1001 resources", typ: "things", body: things(1000),
			want: Errors{Invalid("/included", TitleRequestData, "A request document may hold at most 1000 resources (data and included).")}},
		{name: "a code of 255 characters", typ: "codes", body: `{"data":{"type":"codes","id":"` + max + `"}}`},
		{name: "a code of 256 characters", typ: "codes", body: `{"data":{"type":"codes","id":"` + long + `"}}`,
			want: Errors{tooLong("/data/id")}},
		{name: "an included id of 256 characters", typ: "things",
			body: `{"data":{"type":"things","relationships":{"owner":{"data":{"type":"codes","id":"` + long + `"}}}},"included":[{"type":"codes","id":"` + long + `"}]}`,
			want: Errors{tooLong("/included/0/id")}},
		{name: "related ids of 256 characters", typ: "things",
			body: `{"data":{"type":"things","relationships":{"owner":{"data":{"type":"codes","id":"` + long + `"}},"parts":{"data":[{"type":"things","id":"1"},{"type":"things","id":"` + long + `"}]}}}}`,
			want: Errors{tooLong("/data/relationships/owner/data/id"), tooLong("/data/relationships/parts/data/1/id")}},
		{name: "a date in year 0", typ: "things", body: `{"data":{"type":"things","attributes":{"day":"0000-01-01"}}}`,
			want: Errors{Invalid("/data/attributes/day", TitleRange, "This value should be between 0001-01-01 and 9999-12-31.")}},
		{name: "date-times outside 0001-9999 in UTC", typ: "things",
			body: `{"data":{"type":"things","attributes":{"at":"9999-12-31T23:59:59-01:00"}},"included":[{"type":"things","id":"a","attributes":{"at":"0001-01-01T00:00:00+01:00"},"relationships":{"parts":{"data":[]}}}]}`,
			want: Errors{Invalid("/data/attributes/at", TitleRange, "This value should be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z."),
				Invalid("/included/0/attributes/at", TitleRange, "This value should be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.")}},
		{name: "the last instant", typ: "things", body: `{"data":{"type":"things","attributes":{"at":"9999-12-31T23:59:59Z","day":"9999-12-31"}}}`},
		{name: "NUL in an attribute", typ: "things", body: `{"data":{"type":"things","attributes":{"name":"a\u0000"}}}`,
			want: Invalid("/data/attributes/name", TitleValue, detailText)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := s.Resource(tt.typ)
			req := httptest.NewRequest("POST", "/api/"+tt.typ, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", MediaType)
			in, included, err := readBody(req, res, false)
			if err == nil {
				var errs Errors
				if _, errs = api.parseRequest(res, in, included, false); errs != nil {
					err = errs
				}
			}
			if !reflect.DeepEqual(err, tt.want) {
				t.Fatalf("\n got %v\nwant %v", err, tt.want)
			}
		})
	}
}

func TestCapErrors(t *testing.T) {
	t.Parallel()
	var errs Errors
	for i := range 150 {
		errs = append(errs, Invalid(fmt.Sprintf("/data/%d", i), TitleNotBlank, "This value should not be blank."))
	}
	errs[120].Status = http.StatusConflict // left out, but its status counts
	got := capErrors(errs, 100).(Errors)
	if len(got) != 101 || !reflect.DeepEqual(got[:100], errs[:100]) {
		t.Fatalf("%d errors kept", len(got))
	}
	if want := (&Error{Status: 400, Title: TitleTooManyErrors, Detail: "50 more errors were left out: a response lists at most 100."}); !reflect.DeepEqual(got[100], want) {
		t.Fatalf("last error %v, want %v", got[100], want)
	}
	if got := capErrors(errs[:100], 100); !reflect.DeepEqual(got, errs[:100]) {
		t.Fatal("100 errors are not capped")
	}
	one := NotFound()
	if got := capErrors(one, 0); got != one {
		t.Fatal("a single error is not a list")
	}
}

// timeoutError is what a read past the connection's deadline returns.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestBodyError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want *Error
	}{
		{&http.MaxBytesError{Limit: 10}, &Error{Status: 413, Title: TitlePayloadTooLarge, Detail: "The request body is larger than 10 bytes."}},
		{fmt.Errorf("read: %w", timeoutError{}), &Error{Status: 408, Title: "request timeout http exception", Detail: "The request body did not arrive in time."}},
		{os.ErrDeadlineExceeded, &Error{Status: 408, Title: "request timeout http exception", Detail: "The request body did not arrive in time."}},
		{io.ErrUnexpectedEOF, &Error{Status: 400, Title: "request data constraint", Detail: "The request body could not be read completely."}},
		{errors.New("connection reset by peer"), &Error{Status: 400, Title: "request data constraint", Detail: "The request body could not be read completely."}},
	}
	for _, tt := range tests {
		if got := bodyError(tt.err); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: got %v, want %v", tt.err, got, tt.want)
		}
	}
}

// failingReader is a body whose reading fails after some bytes.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// unusedStore fails every call: the requests of these tests must be refused before any
// database work.
type unusedStore struct{}

var errStoreUsed = errors.New("the store was used")

func (unusedStore) Tx(ctx context.Context, fn func(ctx context.Context) error) error {
	return errStoreUsed
}
func (unusedStore) Read(ctx context.Context, fn func(ctx context.Context) error) error {
	return errStoreUsed
}
func (unusedStore) Find(context.Context, *Query, func(*Record) bool) error { return errStoreUsed }
func (unusedStore) Count(context.Context, *Query) (int, error)             { return 0, errStoreUsed }
func (unusedStore) Can(context.Context, *Resource, Action) bool            { return true }
func (unusedStore) Create(context.Context, *Resource, *Write) (string, error) {
	return "", errStoreUsed
}
func (unusedStore) Check(context.Context, *Resource, string, *Write) error  { return errStoreUsed }
func (unusedStore) Update(context.Context, *Resource, string, *Write) error { return errStoreUsed }
func (unusedStore) Delete(context.Context, *Resource, []string) error       { return errStoreUsed }
func (unusedStore) LockKey(context.Context, string) error                   { return errStoreUsed }
func (unusedStore) CreateMany(context.Context, *Resource, []*Write) ([]string, error) {
	return nil, errStoreUsed
}
func (unusedStore) Savepoint(context.Context, func(context.Context) error) error { return errStoreUsed }

// TestRefusedBeforeTheStore sends whole requests to the engine and asserts the documents.
func TestRefusedBeforeTheStore(t *testing.T) {
	t.Parallel()
	s, r := testSchema(t)
	r.Methods = Methods{List: true, Get: true, Create: true, Update: true}
	api := &API{Schema: s, Store: unusedStore{}, Limits: DefaultLimits}
	textError := `{"errors":[{"status":"400","title":"value constraint","detail":"This value should be valid UTF-8 text without NUL characters.","source":%s}]}`
	tests := []struct {
		name   string
		serve  func(w http.ResponseWriter, r *http.Request)
		path   string
		body   io.Reader
		status int
		want   string
	}{
		{name: "NUL in an id of the path", path: "/api/codes/a%00b", serve: func(w http.ResponseWriter, r *http.Request) { api.Get(w, r, "codes", "a\x00b") },
			status: 400, want: `{"errors":[{"status":"400","title":"value constraint","detail":"The URL path should be valid UTF-8 text without NUL characters."}]}`},
		{name: "invalid UTF-8 in an id of the path", path: "/api/codes/%FF/relationships/x", serve: func(w http.ResponseWriter, r *http.Request) { api.DeleteRelationship(w, r, "codes", "\xff", "x") },
			status: 400, want: `{"errors":[{"status":"400","title":"value constraint","detail":"The URL path should be valid UTF-8 text without NUL characters."}]}`},
		{name: "a code longer than the limit cannot exist", path: "/api/codes/" + strings.Repeat("a", 256),
			serve:  func(w http.ResponseWriter, r *http.Request) { api.Get(w, r, "codes", strings.Repeat("a", 256)) },
			status: 404, want: `{"errors":[{"status":"404","title":"not found http exception","detail":"An entity with the requested identifier does not exist."}]}`},
		{name: "NUL in a filter", path: "/api/things?filter[name]~%00", serve: func(w http.ResponseWriter, r *http.Request) { api.List(w, r, "things") },
			status: 400, want: fmt.Sprintf(textError, `{"parameter":"filter[name]"}`)},
		{name: "NUL in an ignored parameter of a DELETE", path: "/api/things/1?x=%00", serve: func(w http.ResponseWriter, r *http.Request) { api.Delete(w, r, "things", "1") },
			status: 400, want: fmt.Sprintf(textError, `{"parameter":"x"}`)},
		{name: "a truncated body", path: "/api/things", body: &failingReader{[]byte(`{"data":`), io.ErrUnexpectedEOF},
			serve:  func(w http.ResponseWriter, r *http.Request) { api.Create(w, r, "things") },
			status: 400, want: `{"errors":[{"status":"400","title":"request data constraint","detail":"The request body could not be read completely."}]}`},
		{name: "a body too slow", path: "/api/things/1/relationships/parts", body: &failingReader{[]byte(`{"data":`), timeoutError{}},
			serve:  func(w http.ResponseWriter, r *http.Request) { api.AddRelationship(w, r, "things", "1", "parts") },
			status: 408, want: `{"errors":[{"status":"408","title":"request timeout http exception","detail":"The request body did not arrive in time."}]}`},
		{name: "NUL in a relationship body", path: "/api/things/1/relationships/parts", body: strings.NewReader(`{"data":[{"type":"things","id":"1\u0000"}]}`),
			serve:  func(w http.ResponseWriter, r *http.Request) { api.UpdateRelationship(w, r, "things", "1", "parts") },
			status: 400, want: fmt.Sprintf(textError, `{"pointer":"/data/0/id"}`)},
		{name: "an id too long in a relationship body", path: "/api/things/1/relationships/owner",
			body:   strings.NewReader(`{"data":{"type":"codes","id":"` + strings.Repeat("a", 256) + `"}}`),
			serve:  func(w http.ResponseWriter, r *http.Request) { api.UpdateRelationship(w, r, "things", "1", "owner") },
			status: 400, want: `{"errors":[{"status":"400","title":"length constraint","detail":"This value is too long. It should have 255 characters or less.","source":{"pointer":"/data/id"}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := tt.body
			if body == nil {
				body = http.NoBody
			}
			req := httptest.NewRequest("POST", "http://api.test"+tt.path, body)
			req.Header.Set("Content-Type", MediaType)
			w := httptest.NewRecorder()
			tt.serve(w, req)
			if w.Code != tt.status || w.Body.String() != tt.want {
				t.Fatalf("%d %s\nwant %d %s", w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
}

// stringsOf lists every key and string value of a decoded JSON value.
func stringsOf(v any, out []string) []string {
	switch x := v.(type) {
	case string:
		return append(out, x)
	case []any:
		for _, e := range x {
			out = stringsOf(e, out)
		}
	case map[string]any:
		for k, e := range x {
			out = stringsOf(e, append(out, k))
		}
	}
	return out
}

func TestLimitsWithDefaults(t *testing.T) {
	t.Parallel()
	if got := (Limits{}).WithDefaults(); got != DefaultLimits {
		t.Fatalf("no limits set: %+v, want the defaults", got)
	}
	want := DefaultLimits
	want.MaxIncluded, want.MaxErrors = 5, 7
	if got := (Limits{MaxIncluded: 5, MaxErrors: 7}).WithDefaults(); got != want {
		t.Fatalf("two limits set: %+v, want %+v", got, want)
	}
}
