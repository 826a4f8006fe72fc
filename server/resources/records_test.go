package resources

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"webapi/server/jsonapi"
	"webapi/store/query"
)

// The records of one read come from blocks that double from one row and never exceed what the
// read can find; each record has values and linkage of its own, which do not change when the
// next record is made or a record's slices grow.
func TestRecordBlocks(t *testing.T) {
	t.Parallel()
	// two attributes, a to-one and a to-many relationship; the select list: a0, a1, to-one, to-many
	p := &plan{decl: &Decl{}, attrs: []attrMap{{sel: 0}, {sel: 1}}, rels: []relMap{{fk: "x_id", sel: 2}, {link: &query.Link{}, sel: 3}},
		cols: make([]query.Column, 4)}
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
		{"a page of ten (and one more)", jsonapi.Query{Limit: 11}, 11, []int{1, 2, 4, 4}},
		{"a page that finds fewer", jsonapi.Query{Limit: 101}, 3, []int{1, 2}},
		{"ids of an include", jsonapi.Query{IDs: []string{"1", "2", "3"}, Limit: -1}, 3, []int{1, 2}},
		{"everything", jsonapi.Query{Limit: -1}, 300, []int{1, 2, 4, 8, 16, 32, 64, 64, 64, 64}},
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
}
