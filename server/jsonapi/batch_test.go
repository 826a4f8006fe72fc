package jsonapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestBatchChunks cuts batches of articles into units and chunks: records linked through
// included resources stay together, a group of included resources that several records need is
// copied into each chunk that needs it (and written once), and the limits of a chunk hold unless
// one unit is larger.
func TestBatchChunks(t *testing.T) {
	s := blog(t)
	api := &API{Schema: s}
	articles := s.Resource("articles")
	article := func(local string, tags ...string) string {
		var ids []string
		for _, tag := range tags {
			ids = append(ids, `{"type":"tags","id":"`+tag+`"}`)
		}
		id := ""
		if local != "" {
			id = `"id":"` + local + `",`
		}
		return `{"type":"articles",` + id + `"attributes":{"title":"t"},"relationships":{"tags":{"data":[` + strings.Join(ids, ",") + `]}}}`
	}
	tag := func(id string) string { return `{"type":"tags","id":"` + id + `","attributes":{"label":"l"}}` }
	chunk := func(data []string, included []string) *Chunk {
		ch := &Chunk{}
		for i, d := range data {
			ch.Data = append(ch.Data, ChunkItem{At: i, Raw: json.RawMessage(d)})
		}
		for i, d := range included {
			ch.Included = append(ch.Included, ChunkItem{At: i, Raw: json.RawMessage(d)})
		}
		return ch
	}
	// positions of each chunk: data, then included
	layout := func(chunks []*Chunk) string {
		var out []string
		for _, ch := range chunks {
			var d, in []string
			for _, it := range ch.Data {
				d = append(d, fmt.Sprint(it.At))
			}
			for _, it := range ch.Included {
				in = append(in, fmt.Sprint(it.At))
			}
			out = append(out, strings.Join(d, ",")+"|"+strings.Join(in, ","))
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		name           string
		data, included []string
		cfg            BatchConfig
		want           string
		unreachable    []string
	}{
		{name: "plain records in chunks of two", data: []string{article(""), article(""), article(""), article(""), article("")},
			cfg: BatchConfig{ChunkSize: 2, IncludedChunkSize: 50}, want: "0,1| 2,3| 4|"},
		{name: "a shared tag is copied into each chunk that needs it",
			data:     []string{article("", "go"), article(""), article("", "go"), article("", "web")},
			included: []string{tag("go"), tag("web")},
			cfg:      BatchConfig{ChunkSize: 2, IncludedChunkSize: 50}, want: "0,1|0 2,3|0,1"},
		{name: "the included limit starts a new chunk",
			data:     []string{article("", "a"), article("", "b"), article("", "c")},
			included: []string{tag("a"), tag("b"), tag("c")},
			cfg:      BatchConfig{ChunkSize: 10, IncludedChunkSize: 2}, want: "0,1|0,1 2|2"},
		{name: "a unit larger than a chunk is a chunk of its own",
			data:     []string{article(""), article("", "a", "b", "c"), article("")},
			included: []string{tag("a"), tag("b"), tag("c")},
			cfg:      BatchConfig{ChunkSize: 10, IncludedChunkSize: 2}, want: "0| 1|0,1,2 2|"},
		{name: "an included resource that reaches no record",
			data: []string{article("", "go")}, included: []string{tag("go"), tag("lost")},
			cfg: BatchConfig{ChunkSize: 10, IncludedChunkSize: 10}, want: "0|0", unreachable: []string{"/included/1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := api.nodes(articles, chunk(c.data, c.included), false)
			if got := layout(g.chunks(c.cfg)); got != c.want {
				t.Errorf("chunks %q, want %q", got, c.want)
			}
			var ptrs []string
			for _, e := range g.unreachable() {
				ptrs = append(ptrs, e.Pointer)
			}
			if !reflect.DeepEqual(ptrs, c.unreachable) {
				t.Errorf("unreachable %v, want %v", ptrs, c.unreachable)
			}
		})
	}
}

// TestBatchUnits: records that included resources link to each other form one unit, written
// together; records that only share a group of included resources do not.
func TestBatchUnits(t *testing.T) {
	s := blog(t)
	api := &API{Schema: s}
	tags := s.Resource("tags")
	// tags (client ids) as primary data, with included articles that point at them
	data := []string{`{"type":"tags","id":"a","attributes":{"label":"A"}}`, `{"type":"tags","id":"b","attributes":{"label":"B"}}`,
		`{"type":"tags","id":"c","attributes":{"label":"C"}}`}
	included := []string{`{"type":"articles","id":"x","attributes":{"title":"X"},"relationships":{"tags":{"data":[{"type":"tags","id":"a"},{"type":"tags","id":"b"}]}}}`}
	ch := &Chunk{}
	for i, d := range data {
		ch.Data = append(ch.Data, ChunkItem{At: i, Raw: json.RawMessage(d)})
	}
	ch.Included = append(ch.Included, ChunkItem{At: 0, Raw: json.RawMessage(included[0])})
	g := api.nodes(tags, ch, false)
	var units []string
	for _, u := range g.units {
		var ats []string
		for _, n := range u.nodes {
			p := "d"
			if !n.primary {
				p = "i"
			}
			ats = append(ats, fmt.Sprintf("%s%d", p, n.at))
		}
		units = append(units, strings.Join(ats, ","))
	}
	if want := []string{"d0,d1,i0", "d2"}; !reflect.DeepEqual(units, want) {
		t.Fatalf("units %v, want %v", units, want)
	}
}
