package resources

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"webapi/server/jsonapi"
	"webapi/store/query"
)

// The records of one read come from blocks that hold a few ids' records whole, else start at
// four rows and double, and never exceed what the read can find; each record has values and
// linkage of its own, which do not change when the next record is made or a record's slices
// grow. A row without values or without linkage gets the plan's shared nil ones, and no block of
// them is made for it, unless the type derives values.
func TestRecordBlocks(t *testing.T) {
	t.Parallel()
	p := recordsPlan()
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
			b := p.records(&tc.q, false)
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
	t.Run("rows without values or linkage", func(t *testing.T) {
		b := p.records(&jsonapi.Query{Limit: 4}, false)
		ctx := context.Background()
		idOnly := query.Row{ID: "0", Values: []any{nil, nil, nil, nil}}
		valuesOnly := query.Row{ID: "1", Values: []any{int64(1), "v1", nil, nil}}
		linkageOnly := query.Row{ID: "2", Values: []any{nil, nil, "r2", []string{"m2"}}}
		r0 := b.record(ctx, idOnly)
		if len(b.vals) != 0 || len(b.links) != 0 || len(b.ones) != 0 {
			t.Fatalf("values or linkage made for a row of an id alone: %d, %d, %d", len(b.vals), len(b.links), len(b.ones))
		}
		r1, r2, r3 := b.record(ctx, valuesOnly), b.record(ctx, linkageOnly), b.record(ctx, row(3))
		shared := func(r *jsonapi.Record) (values, links bool) {
			return &r.Values[0] == &p.noValues[0], &r.Links[0] == &p.noLinks[0]
		}
		for _, tc := range []struct {
			rec           *jsonapi.Record
			values, links bool // shared
			want          jsonapi.Record
		}{
			{r0, true, true, jsonapi.Record{ID: "0", Values: []any{nil, nil}, Links: [][]string{nil, nil}}},
			{r1, false, true, jsonapi.Record{ID: "1", Values: []any{int64(1), "v1"}, Links: [][]string{nil, nil}}},
			{r2, true, false, jsonapi.Record{ID: "2", Values: []any{nil, nil}, Links: [][]string{{"r2"}, {"m2"}}}},
			{r3, false, false, jsonapi.Record{ID: "3", Values: []any{int64(3), "v3"}, Links: [][]string{{"r3"}, {"m3"}}}},
		} {
			if v, l := shared(tc.rec); v != tc.values || l != tc.links || !reflect.DeepEqual(*tc.rec, tc.want) {
				t.Errorf("record %s: %+v, shared values %v, linkage %v; want %+v, %v, %v", tc.rec.ID, *tc.rec, v, l, tc.want, tc.values, tc.links)
			}
		}
		if !reflect.DeepEqual(p.noValues, []any{nil, nil}) || !reflect.DeepEqual(p.noLinks, [][]string{nil, nil}) {
			t.Errorf("the shared values or linkage changed: %v, %v", p.noValues, p.noLinks)
		}
		// a type that derives values writes them: its records never share them
		derived := *p
		derived.decl = &Decl{Derive: func(_ context.Context, _ *jsonapi.Resource, rec *jsonapi.Record) { rec.Values[1] = "derived " + rec.ID }}
		rec := derived.records(&jsonapi.Query{Limit: 1}, false).record(ctx, idOnly)
		if want := []any{nil, "derived 0"}; !reflect.DeepEqual(rec.Values, want) || !reflect.DeepEqual(p.noValues, []any{nil, nil}) {
			t.Errorf("derived record: values %v, want %v; the shared values %v", rec.Values, want, p.noValues)
		}
	})
}

// recordsPlan is a plan of two attributes, a to-one and a to-many relationship; the select
// list: a0, a1, to-one, to-many.
func recordsPlan() *plan {
	return &plan{decl: &Decl{}, attrs: []attrMap{{sel: 0}, {sel: 1}}, rels: []relMap{{fk: "x_id", sel: 2}, {link: &query.Link{}, sel: 3}},
		cols: make([]query.Column, 4), attrCols: 2, noValues: make([]any, 2), noLinks: make([][]string, 2)}
}

// Where nothing keeps a record (Query.Transient), each row takes the last one's memory: the
// record is what a record of its own would be, with nothing left of the row before (values
// a type derives for some rows only, linkage, what the caller may do), and no allocation.
// (Not parallel: it counts allocations.)
func TestRecordsReused(t *testing.T) {
	p := recordsPlan()
	ctx := context.Background()
	// a third attribute, not a column, that the type derives for two of the rows
	derived := *p
	derived.attrs = append(slices.Clone(p.attrs), attrMap{sel: -1})
	derived.noValues = make([]any, 3)
	derived.decl = &Decl{Derive: func(_ context.Context, _ *jsonapi.Resource, rec *jsonapi.Record) {
		if rec.ID == "1" || rec.ID == "5" {
			rec.Values[2] = "derived " + rec.ID
		}
	}}
	rows := []query.Row{
		{ID: "0", Values: []any{nil, nil, nil, nil}},
		{ID: "1", Values: []any{int64(1), "v1", "r1", []string{"m1"}, int64(13)}},
		{ID: "2", Values: []any{int64(2), nil, nil, nil}},
		{ID: "3", Values: []any{nil, nil, "r3", []string{"m3", "n3"}}},
		{ID: "4", Values: []any{int64(4), "v4", nil, []string{}}},
		{ID: "5", Values: []any{nil, nil, nil, nil, int64(1)}},
	}
	for _, pl := range []*plan{p, &derived} {
		q := jsonapi.Query{Limit: 11, Transient: true}
		b := pl.records(&q, true)
		var first *jsonapi.Record
		for _, r := range rows {
			got := b.record(ctx, r)
			want := pl.records(&q, false).record(ctx, r)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("derived %v, row %s: %+v, want %+v", pl.decl.Derive != nil, r.ID, *got, *want)
			}
			if first == nil {
				first = got
			} else if got != first {
				t.Errorf("row %s: a record of its own, not the first one's", r.ID)
			}
		}
		if n := testing.AllocsPerRun(100, func() { b.record(ctx, rows[4]) }); n != 0 {
			t.Errorf("derived %v: %v allocations a row, want 0", pl.decl.Derive != nil, n)
		}
	}
}
