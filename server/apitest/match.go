package apitest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// Any is the placeholder that matches any value (present, possibly null) in an expected document:
// use it for server-assigned values such as createdAt.
const Any = "<any>"

// Expect asserts the status and that the body equals want exactly (same members, same values,
// same array order), except where want has the string "<any>".
func (r *Response) Expect(t testing.TB, status int, want string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d\nbody: %s", r.Status, status, truncate(r.Body))
	}
	if want == "" {
		if len(r.Body) != 0 {
			t.Fatalf("want no body, got %s", truncate(r.Body))
		}
		return
	}
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("the expected document is not JSON: %v\n%s", err, want)
	}
	got := r.JSON(t)
	if diffs := diff("", w, got, nil); len(diffs) > 0 {
		t.Fatalf("document differs:\n  %s\nbody: %s", strings.Join(diffs, "\n  "), truncate(r.Body))
	}
}

// ExpectStatus asserts the status only (for responses whose document another assertion checks).
func (r *Response) ExpectStatus(t testing.TB, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d\nbody: %s", r.Status, status, truncate(r.Body))
	}
}

func diff(path string, want, got any, out []string) []string {
	if s, ok := want.(string); ok && s == Any {
		return out
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return append(out, fmt.Sprintf("%s: want an object, got %s", orRoot(path), short(got)))
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inG:
				out = append(out, fmt.Sprintf("%s/%s: missing (want %s)", path, k, short(wv)))
			case !inW:
				out = append(out, fmt.Sprintf("%s/%s: unexpected %s", path, k, short(gv)))
			default:
				out = diff(path+"/"+k, wv, gv, out)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return append(out, fmt.Sprintf("%s: want %s, got %s", orRoot(path), short(want), short(got)))
		}
		for i := range w {
			out = diff(fmt.Sprintf("%s/%d", path, i), w[i], g[i], out)
		}
		return out
	}
	if !reflect.DeepEqual(want, got) {
		out = append(out, fmt.Sprintf("%s: want %s, got %s", orRoot(path), short(want), short(got)))
	}
	return out
}

func orRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
