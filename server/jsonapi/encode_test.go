package jsonapi

import (
	"encoding/json"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The digits appendValue writes itself are those time.AppendFormat writes, for any instant, zone
// and year (outside 0–9999 it leaves them to AppendFormat).
func TestAppendTimes(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("east", 14*3600), time.FixedZone("west", -(9*3600 + 30*60))}
	times := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(-1, 6, 15, 12, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 1, 9, 5, 7, 0, zones[1]),
		time.Date(2026, 1, 1, 0, 30, 0, 0, zones[2]),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(253402300800+62135596800)-62135596800, r.Int64N(1e9)).In(zones[r.IntN(len(zones))]))
	}
	for _, tm := range times {
		if got, want := string(appendValue(nil, Date, tm)), `"`+tm.Format("2006-01-02")+`"`; got != want {
			t.Fatalf("date of %v: %s, want %s", tm, got, want)
		}
		if got, want := string(appendValue(nil, DateTime, tm)), `"`+tm.UTC().Format("2006-01-02T15:04:05Z")+`"`; got != want {
			t.Fatalf("date-time of %v: %s, want %s", tm, got, want)
		}
	}
}

// TestETagIsFNV1a checks that the entity tag is the quoted base-36 64-bit FNV-1a (hash/fnv) of
// the record's type, id, values and linkage, whether what is hashed fits the buffer on the stack
// or not (a long body): the tags clients hold stay valid across versions.
func TestETagIsFNV1a(t *testing.T) {
	t.Parallel()
	api, m := newBlog(t)
	res := api.Schema.Resource("articles")
	long := *m.get("articles", "1")
	long.Values = slices.Clone(long.Values)
	long.Values[1] = strings.Repeat("long body ", 100)
	for name, rec := range map[string]*Record{"short": m.get("articles", "1"), "long": &long} {
		h := fnv.New64a()
		in := etagInput(nil, res, rec)
		h.Write(in)
		want := `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
		if got := etag(res, rec); got != want {
			t.Errorf("%s (%d bytes hashed): etag %s, want %s", name, len(in), got, want)
		}
	}
	other := *m.get("articles", "1")
	other.ID = "9"
	if etag(res, &other) == etag(res, m.get("articles", "1")) {
		t.Error("two records with different ids have one tag")
	}
}

// A resource's links escape as the whole links would, whatever host the request named:
// appendResource escapes its self link in pieces, once, and copies the bytes into each
// relationship's two links.
func TestResourceLinksEscapeAsWholes(t *testing.T) {
	t.Parallel()
	api, m := newBlog(t)
	res := api.Schema.Resource("articles")
	rec := *m.get("articles", "1")
	for _, base := range []string{"http://h", `http://h"q\`, "http://h\x01\x7f", "http://é", "http://h\xc3", "http://h\u2028", "http://\xff\xfe", ""} {
		for _, id := range []string{"1", `a b/"c\`, "é\xc3"} {
			rec.ID = id
			got := string((&view{base: base, links: true}).appendResource(nil, res, &rec, nil))
			if !json.Valid([]byte(got)) {
				t.Fatalf("base %q, id %q: not JSON: %s", base, id, got)
			}
			self := base + "/api/articles/" + pathEscape(id)
			want := []string{`"links":{"self":` + string(appendString(nil, self)) + `}`}
			for _, r := range res.Rels {
				if !r.Hidden {
					want = append(want, `"links":{"self":`+string(appendString(nil, self+"/relationships/"+r.Name))+
						`,"related":`+string(appendString(nil, self+"/"+r.Name))+`}`)
				}
			}
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("base %q, id %q: no %s in\n%s", base, id, w, got)
				}
			}
			if n := strings.Count(got, `"links":`); n != len(want) {
				t.Errorf("base %q, id %q: %d links members, want %d", base, id, n, len(want))
			}
		}
	}
}
