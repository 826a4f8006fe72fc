package resources

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"webapi/server/jsonapi"
	"webapi/store/query"
)

// The records of one read come from blocks that hold a few ids' records whole, else start at
// four rows and double, and never exceed what the read can find; each record has values and linkage of its own,
// which do not change when the next record is made or a record's slices grow. A row without
// linkage gets the plan's shared nil linkage, and no block of linkage is made for it.
func TestRecordBlocks(t *testing.T) {
	t.Parallel()
	// two attributes, a to-one and a to-many relationship; the select list: a0, a1, to-one, to-many
	p := &plan{decl: &Decl{}, attrs: []attrMap{{sel: 0}, {sel: 1}}, rels: []relMap{{fk: "x_id", sel: 2}, {link: &query.Link{}, sel: 3}},
		cols: make([]query.Column, 4), noLinks: make([][]string, 2)}
	row := func(i int) query.Row {
		return query.Row{ID: fmt.Sprint(i), Values: []any{int64(i), fmt.Sprint("v", i), fmt.Sprint("r", i), []string{fmt.Sprint("m", i)}}}
	}
	for _, tc := range []struct {
		name   string
		q      jsonapi.Query
		rows   int
		blocks []int // the rows of each block allocated
	}{
		{"one record by id", jsonapi.Query{IDs: []string{"1"}, Limit: 1}, 1, []int{1}},
		{"a page of ten (and one more)", jsonapi.Query{Limit: 11}, 11, []int{4, 7}},
		{"a page that finds fewer", jsonapi.Query{Limit: 101}, 3, []int{4}},
		{"ids of an include", jsonapi.Query{IDs: []string{"1", "2", "3"}, Limit: -1}, 3, []int{3}},
		{"many ids", jsonapi.Query{IDs: make([]string, 20), Limit: -1}, 20, []int{4, 8, 8}},
		{"everything", jsonapi.Query{Limit: -1}, 300, []int{4, 8, 16, 32, 64, 64, 64, 64}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := p.records(&tc.q)
			var recs []*jsonapi.Record
			var blocks []int
			for i := range tc.rows {
				if len(b.recs) == 0 {
					blocks = append(blocks, 0)
				}
				recs = append(recs, b.record(context.Background(), row(i)))
				blocks[len(blocks)-1]++
			}
			if len(b.recs) > 0 { // the rows left in the last block
				blocks[len(blocks)-1] += len(b.recs)
			}
			if !reflect.DeepEqual(blocks, tc.blocks) {
				t.Errorf("blocks %v, want %v", blocks, tc.blocks)
			}
			for _, rec := range recs {
				rec.Values = append(rec.Values, "grown")
				rec.Links[0] = append(rec.Links[0], "grown")
			}
			for i, rec := range recs {
				want := &jsonapi.Record{ID: fmt.Sprint(i), Values: []any{int64(i), fmt.Sprint("v", i), "grown"},
					Links: [][]string{{fmt.Sprint("r", i), "grown"}, {fmt.Sprint("m", i)}}}
				if !reflect.DeepEqual(rec, want) {
					t.Fatalf("record %d: %+v, want %+v", i, rec, want)
				}
			}
		})
	}
	t.Run("rows without linkage", func(t *testing.T) {
		b := p.records(&jsonapi.Query{Limit: 4})
		bare := func(i int) query.Row { return query.Row{ID: fmt.Sprint(i), Values: []any{int64(i), "v", nil, nil}} }
		r0 := b.record(context.Background(), bare(0))
		if len(b.links) != 0 || len(b.ones) != 0 {
			t.Fatalf("linkage made for a row without any: %d, %d", len(b.links), len(b.ones))
		}
		r1 := b.record(context.Background(), row(1))
		r2 := b.record(context.Background(), bare(2))
		r3 := b.record(context.Background(), row(3))
		for _, r := range []*jsonapi.Record{r0, r2} {
			if &r.Links[0] != &p.noLinks[0] || !reflect.DeepEqual(r.Links, [][]string{nil, nil}) {
				t.Errorf("record %s: linkage %v, not the plan's shared nil linkage", r.ID, r.Links)
			}
		}
		for i, r := range []*jsonapi.Record{r1, r3} {
			n := 2*i + 1
			if want := [][]string{{fmt.Sprint("r", n)}, {fmt.Sprint("m", n)}}; !reflect.DeepEqual(r.Links, want) {
				t.Errorf("record %d: linkage %v, want %v", n, r.Links, want)
			}
		}
		if !reflect.DeepEqual(p.noLinks, [][]string{nil, nil}) {
			t.Errorf("the shared linkage changed: %v", p.noLinks)
		}
	})
}
