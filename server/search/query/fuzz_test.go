package query

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzParse: Parse and ParseCondition never panic; every error is an *Error whose position lies
// in 1..len(input)+1; a parsed query's canonical form parses back to the same query.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range condTests {
		f.Add("where " + tt.in)
		f.Add(tt.in)
	}
	for _, tt := range errorTests {
		if len(tt.in) <= 200 {
			f.Add(tt.in)
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		q, err := Parse(in)
		checkError(t, in, err)
		e, cerr := ParseCondition(in)
		checkError(t, in, cerr)
		if err == nil {
			s := q.String()
			if len(s) <= MaxLength {
				q2, err := Parse(s)
				if err != nil {
					t.Fatalf("the canonical form %q of %q does not parse: %v", s, in, err)
				}
				clearPos(q.Where)
				clearPos(q2.Where)
				if !reflect.DeepEqual(q, q2) {
					t.Fatalf("the canonical form %q of %q parses differently", s, in)
				}
			}
		}
		if cerr == nil {
			s := e.String()
			if len(s) <= MaxLength {
				e2, err := ParseCondition(s)
				if err != nil {
					t.Fatalf("the canonical form %q of condition %q does not parse: %v", s, in, err)
				}
				clearPos(e)
				clearPos(e2)
				if !reflect.DeepEqual(e, e2) {
					t.Fatalf("the canonical form %q of condition %q parses differently", s, in)
				}
			}
		}
	})
}

func checkError(t *testing.T, in string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %v is a %T, not an *Error", in, err, err)
	}
	if e.Pos < 1 || e.Pos > len(in)+1 {
		t.Fatalf("%q: error position %d outside 1..%d", in, e.Pos, len(in)+1)
	}
	if e.Expected == "" || e.Found == "" {
		t.Fatalf("%q: error %#v without Expected or Found", in, e)
	}
}
