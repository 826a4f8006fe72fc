package jsonapi

import (
	"reflect"
	"testing"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want []Param
	}{
		{"", nil},
		{"page[size]=5&page[number]=2", []Param{{Key: "page[size]", Value: "5", Raw: "page[size]"}, {Key: "page[number]", Value: "2", Raw: "page[number]"}}},
		{"filter[id]=5,7", []Param{{Key: "filter[id]", Value: "5,7", Raw: "filter[id]"}}},
		{"filter[id]>8", []Param{{Key: "filter[id]", Op: OpGt, Value: "8", Raw: "filter[id]"}}},
		{"filter[id]>=8", []Param{{Key: "filter[id]", Op: OpGte, Value: "8", Raw: "filter[id]"}}},
		{"filter[id]<8", []Param{{Key: "filter[id]", Op: OpLt, Value: "8", Raw: "filter[id]"}}},
		{"filter[id]<=8", []Param{{Key: "filter[id]", Op: OpLte, Value: "8", Raw: "filter[id]"}}},
		{"filter[id]!=2", []Param{{Key: "filter[id]", Op: OpNeq, Value: "2", Raw: "filter[id]"}}},
		{"filter[name]~foo", []Param{{Key: "filter[name]", Op: OpContains, Value: "foo", Raw: "filter[name]"}}},
		{"filter[name]!~foo", []Param{{Key: "filter[name]", Op: OpNotContains, Value: "foo", Raw: "filter[name]"}}},
		{"filter[name]^foo", []Param{{Key: "filter[name]", Op: OpStartsWith, Value: "foo", Raw: "filter[name]"}}},
		{"filter[name]!^foo", []Param{{Key: "filter[name]", Op: OpNotStartsWith, Value: "foo", Raw: "filter[name]"}}},
		{"filter[name]$foo", []Param{{Key: "filter[name]", Op: OpEndsWith, Value: "foo", Raw: "filter[name]"}}},
		{"filter[name]!$foo", []Param{{Key: "filter[name]", Op: OpNotEndsWith, Value: "foo", Raw: "filter[name]"}}},
		{"filter[name]*yes", []Param{{Key: "filter[name]", Op: OpExists, Value: "yes", Raw: "filter[name]"}}},
		{"filter[name]!*x", []Param{{Key: "filter[name]", Op: OpNeqOrNull, Value: "x", Raw: "filter[name]"}}},
		{"filter[name]~=foo", []Param{{Key: "filter[name]", Op: OpContains, Value: "foo", Raw: "filter[name]"}}},
		{"filter%5Bid%5D%3E8", []Param{{Key: "filter[id]", Op: OpGt, Value: "8", Raw: "filter[id]"}}},
		{"filter[id]%3E%3D8", []Param{{Key: "filter[id]", Op: OpGte, Value: "8", Raw: "filter[id]"}}},
		{"filter[id][gt]=1&filter[id][lt]=10", []Param{
			{Key: "filter[id]", Op: OpGt, Value: "1", Raw: "filter[id][gt]"},
			{Key: "filter[id]", Op: OpLt, Value: "10", Raw: "filter[id][lt]"}}},
		{"filter[name]=Zeta,%20Inc.", []Param{{Key: "filter[name]", Value: "Zeta, Inc.", Raw: "filter[name]"}}},
		{"filter[name]=a%3Db", []Param{{Key: "filter[name]", Value: "a=b", Raw: "filter[name]"}}},
		{"filter[name]=%3Ex", []Param{{Key: "filter[name]", Value: ">x", Raw: "filter[name]"}}},
		{"sort=-name,id&&include=contacts", []Param{{Key: "sort", Value: "-name,id", Raw: "sort"}, {Key: "include", Value: "contacts", Raw: "include"}}},
		{"fields[users]=username,email", []Param{{Key: "fields[users]", Value: "username,email", Raw: "fields[users]"}}},
		{"meta", []Param{{Key: "meta", Raw: "meta"}}},
		{"bad%zz=1", []Param{{Key: "bad%zz", Value: "1", Raw: "bad%zz"}}},
	}
	for _, tt := range tests {
		if got := ParseQuery(tt.raw); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseQuery(%q)\n got %+v\nwant %+v", tt.raw, got, tt.want)
		}
	}
}

// FuzzParseQuery: no query string may panic the parser, and every parameter it reports has a
// key (the engine reports unknown keys by name).
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"filter[id]>8", "filter%5Bid%5D%3E8", "filter[id][gt]=1&page[size]=2", "filter[name]!~a%", "sort=-a,b", "[[=]]&=&", "filter[", "filter[a]][b]=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, p := range ParseQuery(raw) {
			if p.Key == "" && p.Raw != "" {
				t.Fatalf("parameter without a key: %+v", p)
			}
		}
	})
}

// testSchema has one attribute of every kind and both kinds of relationships.
func testSchema(t testing.TB) (*Schema, *Resource) {
	things := &Resource{Type: "things", IntID: true,
		Attrs: []Attr{{Name: "name", Kind: String}, {Name: "count", Kind: Int}, {Name: "ratio", Kind: Float},
			{Name: "price", Kind: Decimal}, {Name: "on", Kind: Bool}, {Name: "day", Kind: Date},
			{Name: "at", Kind: DateTime}, {Name: "color", Kind: String, Enum: []string{"red", "blue"}}, {Name: "data", Kind: JSON}},
		Rels: []Rel{{Name: "owner", Target: "codes"}, {Name: "parts", Target: "things", ToMany: true}},
	}
	codes := &Resource{Type: "codes", Attrs: []Attr{{Name: "name", Kind: String}}}
	s, err := NewSchema(things, codes)
	if err != nil {
		t.Fatal(err)
	}
	all := []Operator{OpEq, OpNeq, OpLt, OpLte, OpGt, OpGte, OpExists, OpNeqOrNull, OpEmpty, OpContains, OpNotContains,
		OpStartsWith, OpNotStartsWith, OpEndsWith, OpNotEndsWith}
	things.Filters = map[string]*Filter{"id": {Name: "id", Attr: -1, Rel: -1, ID: true, Operators: all}}
	for i, a := range things.Attrs {
		things.Filters[a.Name] = &Filter{Name: a.Name, Attr: i, Rel: -1, Operators: all}
	}
	for i, r := range things.Rels {
		things.Filters[r.Name] = &Filter{Name: r.Name, Attr: -1, Rel: i, Operators: all}
	}
	things.Sorts = map[string]int{"id": -1, "name": 0}
	return s, things
}

// FuzzParseParams: no query string may panic the validation of parameters either.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{"filter[id]=5..7", "filter[at]=2024-03", "filter[parts][contains]=1,2", "filter[color]=red,blue",
		"filter[price]>1.5", "filter[on]=yes", "filter[day]=2024-01-01..2024-02-01", "page[size]=-1&sort=-name&meta=title",
		"include=parts.owner&fields[codes]=name", "filter[owner]*no", "filter[at]=2024..2025"} {
		f.Add(s)
	}
	s, r := testSchema(f)
	f.Fuzz(func(t *testing.T, raw string) {
		lp, errs := parseParams(s, r, ParseQuery(raw), CollectionParams, DefaultLimits)
		for _, e := range errs {
			if e.Status != 400 || e.Parameter == "" {
				t.Fatalf("error without a parameter: %+v", e)
			}
		}
		if errs == nil && lp == nil {
			t.Fatal("no result and no error")
		}
	})
}

// Only filters take operators, and only "=" separates any other key from its value: a part in
// another form is named as a whole (and no operation reads such a parameter).
func TestParseQueryMalformedParts(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]Param{
		"page[size]1":      {Key: "page[size]1", Raw: "page[size]1"},
		"sort!=name":       {Key: "sort!=name", Raw: "sort!=name"},
		"filter[name]Acme": {Key: "filter[name]Acme", Raw: "filter[name]Acme"},
		"include":          {Key: "include", Raw: "include"},
		"=0":               {Key: "=0", Raw: "=0"},
		"filter[name]~=a":  {Key: "filter[name]", Op: OpContains, Value: "a", Raw: "filter[name]"},
	} {
		got := ParseQuery(raw)
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q: %+v, want %+v", raw, got, want)
		}
	}
}
