package jsonapi

import (
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// uriQuery is the query of an RFC 3986 URI: only the characters a query allows, or %XX.
var uriQuery = regexp.MustCompile(`^(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-F]{2})*$`)

func TestRequestLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target string
		page   int
		want   string
	}{
		{"/api/things", 0, "http://h/api/things"},
		{"/api/things?filter[id]>5", 0, "http://h/api/things?filter%5Bid%5D%3E5"},
		{"/api/things?filter%5Bid%5D%3E5", 0, "http://h/api/things?filter%5Bid%5D%3E5"},
		{"/api/things?filter[id]%3E%3D5&sort=-name,id", 0, "http://h/api/things?filter%5Bid%5D%3E=5&sort=-name,id"},
		{"/api/things?filter[name]~50%25&filter[name]!^a+b&filter[name]$%C3%A9", 0,
			"http://h/api/things?filter%5Bname%5D~50%25&filter%5Bname%5D!%5Ea%20b&filter%5Bname%5D$%C3%A9"},
		{"/api/things?filter[name]=a%26b%2Bc%23d&&include=parts", 0, "http://h/api/things?filter%5Bname%5D=a%26b%2Bc%23d&include=parts"},
		{"/api/things?bad%zz=1", 0, "http://h/api/things?bad%25zz=1"},
		{"/api/things?page[number]=3&page[size]=2", 4, "http://h/api/things?page%5Bsize%5D=2&page%5Bnumber%5D=4"},
		{"/api/things?page%5Bnumber%5D=3&page[size]=2", 1, "http://h/api/things?page%5Bsize%5D=2"},
		{"/api/things?page[number]=3", 1, "http://h/api/things"},
		{"/api/codes/a%2Fb%20c[1]/parts?x=1", 0, "http://h/api/codes/a%2Fb%20c%5B1%5D/parts?x=1"},
	}
	for _, tt := range tests {
		u, err := url.ParseRequestURI(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		if got := requestLink("http://h", u, tt.page); got != tt.want {
			t.Errorf("%s (page %d):\n got %s\nwant %s", tt.target, tt.page, got, tt.want)
		}
		if got, want := string(appendLink([]byte("x"), "http://h", u, tt.page)), "x"+string(appendString(nil, tt.want)); got != want {
			t.Errorf("%s (page %d) in a document:\n got %s\nwant %s", tt.target, tt.page, got, want)
		}
	}
}

// FuzzRequestLink: whatever the client sent, the self link's query is a valid RFC 3986 query
// and reads back, with the engine's own ParseQuery, as the parameters the client sent.
func FuzzRequestLink(f *testing.F) {
	for _, s := range []string{"filter[id]>8", "filter%5Bid%5D%3E8", "a=%zz&b=+&c=%2B", "filter[name]!~a%25", "x=é&y=\x00", "&&=&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		link := requestLink("", &url.URL{Path: "/api/things", RawQuery: raw}, 0)
		if got, want := string(appendLink(nil, "", &url.URL{Path: "/api/things", RawQuery: raw}, 0)), string(appendString(nil, link)); got != want {
			t.Fatalf("in a document %s, not %s", got, want) // the link needs no JSON escaping
		}
		_, query, _ := strings.Cut(link, "?")
		if !uriQuery.MatchString(query) {
			t.Fatalf("not an RFC 3986 query: %q", query)
		}
		if got, want := ParseQuery(query), ParseQuery(raw); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q reads back as\n%+v, not\n%+v", query, got, want)
		}
	})
}
