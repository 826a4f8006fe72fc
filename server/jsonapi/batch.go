package jsonapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The batch API (api.md sections 12 and 13): PATCH /api/{type} with an array of resource
// objects. The records are cut into units — a primary record with the included resources that
// are its own — and units into chunks. Each unit is written in a savepoint of its chunk's
// transaction, through the same pipeline as a single POST or PATCH, so that a record that fails
// leaves the others written. Included resources that several units need (a shared account of
// many contacts) are written once, by the first unit that needs them, and linked to all.

// BatchConfig bounds the batch API. Zero fields take the defaults of DefaultBatch.
type BatchConfig struct {
	ChunkSize         int // primary records of one chunk: 100
	IncludedChunkSize int // included records of one chunk: 50
	// MaxRecords bounds a batch document (data and included): 100,000.
	MaxRecords int
	// Sync is the limit of a synchronous batch, SyncPerType the types with another one.
	Sync        SyncLimit
	SyncPerType map[string]SyncLimit
	// SyncTimeout is how long a synchronous batch may run before it is handed over to the
	// asynchronous mode: 25 s.
	SyncTimeout time.Duration
}

// SyncLimit is how many records a synchronous batch may hold.
type SyncLimit struct{ Data, Included int }

// DefaultBatch is the configuration of api.md sections 12 and 13.
var DefaultBatch = BatchConfig{ChunkSize: 100, IncludedChunkSize: 50, MaxRecords: 100_000,
	Sync: SyncLimit{Data: 100, Included: 50}, SyncTimeout: 25 * time.Second}

// WithDefaults returns b with every bound that is not set taken from DefaultBatch.
func (b BatchConfig) WithDefaults() BatchConfig {
	d := DefaultBatch
	for _, f := range []struct{ v, def *int }{
		{&b.ChunkSize, &d.ChunkSize}, {&b.IncludedChunkSize, &d.IncludedChunkSize}, {&b.MaxRecords, &d.MaxRecords},
		{&b.Sync.Data, &d.Sync.Data}, {&b.Sync.Included, &d.Sync.Included},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if b.SyncTimeout <= 0 {
		b.SyncTimeout = d.SyncTimeout
	}
	return b
}

// sync returns the synchronous limit of type typ.
func (b BatchConfig) sync(typ string) SyncLimit {
	if l, ok := b.SyncPerType[typ]; ok {
		return l
	}
	return b.Sync
}

// Async stores asynchronous batches for workers to process.
type Async interface {
	// Enqueue stores an operation on records of type typ cut into chunks, and the jobs that
	// will process them, in the transaction ctx carries; it returns the operation's id (a
	// record of AsyncType).
	Enqueue(ctx context.Context, typ string, chunks []*Chunk) (string, error)
}

// AsyncType is the resource type of asynchronous operations.
const AsyncType = "asyncoperations"

// Chunk is the part of a batch written in one transaction: primary records and the included
// resources they need, as sent, with their positions in the request.
type Chunk struct {
	Data     []ChunkItem `json:"data"`
	Included []ChunkItem `json:"included,omitempty"`
}

// ChunkItem is one resource object of a batch and its position in data or included.
type ChunkItem struct {
	At  int             `json:"at"`
	Raw json.RawMessage `json:"raw"`
}

// Ledger remembers, for one operation, the records written for included resources shared by
// the units of several chunks (by position in `included`).
type Ledger interface {
	// Lock keeps other chunks from writing the shared group that starts at position at until
	// the transaction ends.
	Lock(ctx context.Context, at int) error
	// Written returns the ids written earlier for the positions given (those written).
	Written(ctx context.Context, ats []int) (map[int]string, error)
	// Keep records ids written now, in the transaction ctx carries.
	Keep(ctx context.Context, ids map[int]string) error
}

// ChunkResult is what writing a chunk did.
type ChunkResult struct {
	Read, Created, Updated int
	// Errors of the records that were not written, with pointers into the request.
	Errors Errors
	// written are the primary records written, in request order, and the included ones (for
	// the answer of a synchronous batch).
	written  []*item
	included []*item
}

// Batch answers PATCH /api/{type}: the batch API, asynchronous unless X-Mode says sync.
func (a *API) Batch(w http.ResponseWriter, r *http.Request, typ string) {
	c, lp := a.beginParams(w, r, typ, ResourceParams)
	if c == nil {
		return
	}
	r = c.r // with the context Prepare gave it
	mode := r.Header.Get("X-Mode")
	if mode != "" && mode != "sync" && mode != "async" {
		c.fail(&Error{Status: http.StatusBadRequest, Title: TitleValue, Header: "X-Mode",
			Detail: `The value of the "X-Mode" header should be "sync" or "async".`})
		return
	}
	if c.plain() {
		c.fail(&Error{Status: http.StatusUnsupportedMediaType, Title: TitleUnsupportedMedia,
			Detail: `The batch API accepts only "application/vnd.api+json" documents.`, Header: "Content-Type"})
		return
	}
	cfg := a.Batching.WithDefaults()
	chunk, g, err := a.readBatch(r, c.res, cfg)
	if err != nil {
		c.fail(err)
		return
	}
	if mode == "sync" {
		a.syncBatch(c, lp, chunk, g, cfg)
		return
	}
	a.enqueue(c, r.Context(), chunk, g, cfg)
}

// readBatch reads a batch document and checks its shape: data is a non-empty array of
// objects, every included resource is well-formed and reachable from some primary record.
// The records themselves are checked when they are written. The whole document is returned as
// one chunk.
func (a *API) readBatch(r *http.Request, res *Resource, cfg BatchConfig) (*Chunk, *graph, error) {
	if err := checkContentType(r); err != nil {
		return nil, nil, err
	}
	body, err := readJSON(r)
	if err != nil {
		return nil, nil, err
	}
	var doc struct {
		Data     json.RawMessage `json:"data"`
		Included json.RawMessage `json:"included"`
	}
	if !isObject(body) || json.Unmarshal(body, &doc) != nil {
		return nil, nil, Invalid("", TitleRequestData, "The request document should be an object.")
	}
	var data, included []json.RawMessage
	if len(doc.Data) == 0 || doc.Data[0] != '[' || json.Unmarshal(doc.Data, &data) != nil {
		return nil, nil, Invalid("/data", TitleRequestData, "The primary data should be an array of resource objects.")
	}
	if len(data) == 0 {
		return nil, nil, Invalid("/data", TitleRequestData, "The primary data should not be empty.")
	}
	if len(doc.Included) > 0 && string(doc.Included) != "null" {
		if doc.Included[0] != '[' || json.Unmarshal(doc.Included, &included) != nil {
			return nil, nil, Invalid("/included", TitleRequestData, "The included resources should be an array.")
		}
	}
	if n := len(data) + len(included); n > cfg.MaxRecords {
		return nil, nil, Invalid("/data", TitleRequestData,
			fmt.Sprintf("A batch document may hold at most %d resources (data and included).", cfg.MaxRecords))
	}
	chunk := &Chunk{Data: make([]ChunkItem, len(data)), Included: make([]ChunkItem, len(included))}
	var errs Errors
	for n, raw := range data {
		if !isObject(raw) {
			errs = append(errs, Invalid("/data/"+strconv.Itoa(n), TitleRequestData, "The resource object should be an object."))
		}
		chunk.Data[n] = ChunkItem{At: n, Raw: raw}
	}
	for n, raw := range included {
		if _, e := a.includedItem(raw, n); e != nil {
			errs = append(errs, e...)
		}
		chunk.Included[n] = ChunkItem{At: n, Raw: raw}
	}
	if errs != nil {
		return nil, nil, errs
	}
	g := a.nodes(res, chunk, false)
	if errs := g.unreachable(); errs != nil {
		return nil, nil, errs
	}
	return chunk, g, nil
}

// enqueue stores an asynchronous batch and answers 202 with the operation.
func (a *API) enqueue(c *call, ctx context.Context, all *Chunk, g *graph, cfg BatchConfig) {
	if a.Async == nil {
		c.fail(&Error{Status: http.StatusMethodNotAllowed, Title: TitleMethodNotAllowed, Detail: "The asynchronous batch API is not available."})
		return
	}
	chunks := g.chunks(cfg)
	// Shared included resources are copied into every chunk that needs them. Without a bound, a
	// large group of included resources that every record needs would be stored once per chunk.
	copies := 0
	for _, ch := range chunks {
		copies += len(ch.Included)
	}
	if copies > len(all.Included)+len(chunks)*cfg.IncludedChunkSize {
		c.fail(Invalid("/included", TitleRequestData, fmt.Sprintf("The records of the batch need more shared included resources "+
			"than its chunks can hold (%d per chunk): send them in separate batches.", cfg.IncludedChunkSize)))
		return
	}
	ops := a.Schema.Resource(AsyncType)
	var body []byte
	var id string
	err := a.Store.Tx(ctx, func(ctx context.Context) error {
		var err error
		if id, err = a.Async.Enqueue(ctx, c.res.Type, chunks); err != nil {
			return err
		}
		rec, err := a.lookup(ctx, ops, id, NoLock)
		if err != nil {
			return err
		}
		if rec == nil {
			return fmt.Errorf("jsonapi: the operation %s just stored is not found", id)
		}
		oc := *c
		oc.res = ops
		body, err = oc.itemBody(ctx, make([]byte, 0, 2048), rec, &listParams{}, true, nil)
		return err
	})
	if err != nil {
		c.fail(err)
		return
	}
	c.w.Header().Set("Content-Location", baseURL(c.r)+"/api/"+AsyncType+"/"+pathEscape(id))
	c.send(http.StatusAccepted, body)
}

// syncBatch writes a batch at once, all or nothing (api.md section 13); past the timeout it is
// handed over to the asynchronous mode, nothing of it written.
func (a *API) syncBatch(c *call, lp *listParams, all *Chunk, g *graph, cfg BatchConfig) {
	limit := cfg.sync(c.res.Type)
	if len(all.Data) > limit.Data {
		c.fail(Invalid("/data", TitleRequestData, fmt.Sprintf("The data limit for the synchronous operation exceeded. "+
			"The maximum number of records that can be processed by the synchronous operation is %d.", limit.Data)))
		return
	}
	if len(all.Included) > limit.Included {
		c.fail(Invalid("/included", TitleRequestData, fmt.Sprintf("The data limit for the synchronous operation exceeded for the section \"included\". "+
			"The maximum number of records that can be processed by the synchronous operation is %d.", limit.Included)))
		return
	}
	ctx, cancel := context.WithTimeout(c.r.Context(), cfg.SyncTimeout)
	defer cancel()
	var body []byte
	err := a.Store.Tx(ctx, func(ctx context.Context) error {
		res, err := a.RunChunk(ctx, c.res, all, nil)
		if err != nil {
			return err
		}
		if res.Errors != nil {
			return res.Errors // nothing is stored
		}
		body, err = c.batchBody(ctx, lp, res)
		return err
	})
	if err != nil && ctx.Err() != nil && c.r.Context().Err() == nil {
		// The timeout: the transaction is rolled back, so the asynchronous mode starts afresh.
		a.enqueue(c, c.r.Context(), all, g, cfg)
		return
	}
	if err != nil {
		c.fail(err)
		return
	}
	c.send(http.StatusOK, body)
}

// batchBody is the answer of a synchronous batch: the primary records in request order, each
// with meta.dataId when the request gave it an id, and the included ones with meta.includeId.
func (c *call) batchBody(ctx context.Context, lp *listParams, res *ChunkResult) ([]byte, error) {
	v := c.view(lp)
	inc := newIncluder(c.api, v, c.res, lp.include)
	b := append(make([]byte, 0, 4096), `{"data":[`...)
	for i, it := range res.written {
		rec, err := c.api.lookup(ctx, it.res, it.realID, NoLock) // as written
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return nil, fmt.Errorf("jsonapi: the %s %q just written is not found", it.res.Type, it.realID)
		}
		if i > 0 {
			b = append(b, ',')
		}
		var meta []byte
		if it.reqID != "" {
			meta = append([]byte(`"dataId":`), appendString(nil, it.reqID)...)
		}
		b = v.appendResource(b, c.res, rec, meta)
		inc.collect(rec)
	}
	b = append(b, ']')
	for _, it := range res.included {
		rec, err := c.api.lookup(ctx, it.res, it.realID, NoLock)
		if err != nil {
			return nil, err
		}
		if rec != nil {
			inc.add(it.res, rec, append([]byte(`"includeId":`), appendString(nil, it.reqID)...))
		}
	}
	b, err := inc.appendIncluded(ctx, b)
	if err != nil {
		return nil, err
	}
	if v.links {
		b = append(b, `,"links":{"self":`...)
		b = appendLink(b, v.base, c.r.URL, 0)
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// RunChunk writes the records of a chunk of a batch of type res in the transaction ctx
// carries, each unit in a savepoint: a unit that fails is reported in the result's Errors and
// the others are written. ledger shares included resources with the other chunks of an
// asynchronous operation (nil: the chunk is the whole batch). An error is returned only when
// the chunk as a whole could not be processed (the database failed): nothing of it is kept.
func (a *API) RunChunk(ctx context.Context, res *Resource, ch *Chunk, ledger Ledger) (*ChunkResult, error) {
	g := a.nodes(res, ch, true)
	out := &ChunkResult{Read: len(ch.Data)}
	// the records written for shared included resources, by position: by earlier chunks (and
	// by this one as it goes)
	shared := map[int]string{}
	if ledger != nil && len(g.shared) > 0 {
		var ats []int
		for _, at := range g.sharedOrder {
			if err := ledger.Lock(ctx, at); err != nil {
				return nil, err
			}
			for _, n := range g.shared[at] {
				ats = append(ats, n.at)
			}
		}
		var err error
		if shared, err = ledger.Written(ctx, ats); err != nil {
			return nil, err
		}
	}
	for i := 0; i < len(g.units); {
		// a run of plain creates is written with as few statements as the store can
		j := i
		for j < len(g.units) && plainCreate(res, g.units[j]) {
			j++
		}
		if j-i > 1 {
			written, err := a.createRun(ctx, res, g.units[i:j])
			if err != nil {
				return nil, err
			}
			if written != nil {
				out.Created += len(written)
				out.written = append(out.written, written...)
				i = j
				continue
			}
		}
		j = max(j, i+1) // otherwise one by one
		for _, u := range g.units[i:j] {
			if err := a.writeUnit(ctx, g, u, shared, ledger, out); err != nil {
				return nil, err
			}
		}
		i = j
	}
	slices.SortStableFunc(out.written, func(x, y *item) int { return x.pos - y.pos })
	return out, nil
}

// plainCreate reports whether a unit is one new primary record with nothing but attributes:
// no relationships, no meta options, no included resources (and an id the database assigns).
func plainCreate(res *Resource, u *unit) bool {
	if len(u.nodes) != 1 || len(u.deps) > 0 || res.ClientID {
		return false
	}
	n := u.nodes[0]
	return n.primary && n.err == nil && len(n.obj.Meta) == 0 && len(n.obj.Relationships) == 0
}

// createRun writes a run of plain creates together, in a savepoint; nil when one of them
// fails (they are then written one by one, which tells which).
func (a *API) createRun(ctx context.Context, res *Resource, units []*unit) ([]*item, error) {
	if !a.Store.Can(ctx, res, ActionCreate) {
		return nil, nil
	}
	items := make([]*item, len(units))
	writes := make([]*Write, len(units))
	rules := (&request{maxID: a.Limits.MaxIDLength}).idRules()
	for i, u := range units {
		it := u.nodes[0].item()
		if e := it.decode(rules); e != nil || utf8.RuneCountInString(it.reqID) > a.Limits.MaxIDLength {
			return nil, nil
		}
		items[i], writes[i] = it, it.write
	}
	err := a.Store.Savepoint(ctx, func(ctx context.Context) error {
		ids, err := a.Store.CreateMany(ctx, res, writes)
		for i := range ids {
			items[i].realID = ids[i]
		}
		return err
	})
	if err != nil {
		if _, ok := validation(err); ok {
			return nil, nil
		}
		return nil, err
	}
	return items, nil
}

// writeUnit writes one unit in a savepoint, adding what it did to out, or its errors.
func (a *API) writeUnit(ctx context.Context, g *graph, u *unit, shared map[int]string, ledger Ledger, out *ChunkResult) error {
	var written []*item
	var fresh map[int]string
	err := a.Store.Savepoint(ctx, func(ctx context.Context) error {
		req, owned, err := a.unitRequest(ctx, g, u, shared)
		if err != nil {
			return err
		}
		if _, err := a.execute(ctx, nil, req, false); err != nil {
			return err
		}
		fresh = map[int]string{}
		for _, it := range req.items {
			if owned[it] {
				fresh[it.pos] = it.realID
			}
		}
		if ledger != nil && len(fresh) > 0 {
			if err := ledger.Keep(ctx, fresh); err != nil {
				return err
			}
		}
		written = req.items
		return nil
	})
	if err != nil {
		errs, ok := validation(err)
		if !ok {
			return err
		}
		out.Errors = append(out.Errors, errs...)
		return nil
	}
	for at, id := range fresh {
		shared[at] = id
	}
	for _, it := range written {
		switch {
		case !it.primary:
			out.included = append(out.included, it)
		case it.create:
			out.Created++
			out.written = append(out.written, it)
		default:
			out.Updated++
			out.written = append(out.written, it)
		}
	}
	return nil
}

// unitRequest builds the write request of one unit: its primary records and included
// resources, and the shared included resources it needs that no earlier unit has written (the
// set returned); those written already are request-local ids of records that exist.
func (a *API) unitRequest(ctx context.Context, g *graph, u *unit, shared map[int]string) (*request, map[*item]bool, error) {
	req := &request{locals: map[string]*item{}, maxID: a.Limits.MaxIDLength}
	var errs Errors
	for _, n := range u.nodes {
		if n.err != nil {
			errs = append(errs, n.err...)
			continue
		}
		req.items = append(req.items, n.item())
	}
	owned := map[*item]bool{}
	var done []*item
	for _, at := range u.deps {
		for _, n := range g.shared[at] {
			it := n.item()
			if id, ok := shared[n.at]; ok {
				it.realID = id
				done = append(done, it)
				continue
			}
			owned[it] = true
			req.items = append(req.items, it)
		}
	}
	if errs != nil {
		return nil, nil, errs
	}
	if errs := a.prepare(req, false); errs != nil {
		return nil, nil, errs
	}
	for _, it := range done {
		// a record written by another unit: links to its request-local id resolve to it
		if string(it.in.Meta["update"]) != "true" {
			req.locals[it.key()] = it
		}
	}
	if errs := req.decode(); errs != nil {
		return nil, nil, a.checkAllLinks(ctx, req, errs)
	}
	req.save()
	return req, owned, nil
}

// bnode is one resource object of a batch, as far as cutting it into units needs.
type bnode struct {
	at      int // position in data or in included
	primary bool
	raw     json.RawMessage
	obj     *inResource
	res     *Resource
	err     Errors // a primary record that cannot be read: its problems are its own
	key     string // type and id ("" without an id)
	links   []string
}

// item makes a fresh write item of the node (items change as they are written).
func (n *bnode) item() *item {
	at := "/included/" + strconv.Itoa(n.at)
	if n.primary {
		at = "/data/" + strconv.Itoa(n.at)
	}
	it := &item{at: at, metaAt: at, res: n.res, in: n.obj, create: true, primary: n.primary, pos: n.at}
	if n.obj.ID != nil {
		it.reqID = *n.obj.ID
	}
	return it
}

// unit is what is written together: primary records linked to each other (directly or through
// included resources that point at them), with their own included resources, and the shared
// included groups they depend on (by the position of each group's first member).
type unit struct {
	nodes []*bnode
	deps  []int
	data  int // primary records
}

// graph is a batch cut into units.
type graph struct {
	units       []*unit
	shared      map[int][]*bnode // groups of included resources no primary record is part of
	sharedOrder []int
	all         []*bnode
}

// nodes reads the linkage of every resource object of a chunk and cuts it into units. A link
// from an included resource to a primary record, or between records of the same kind, puts
// them in one unit: they are written together. A link from a primary record to a group of
// included resources that holds no primary record makes that group a dependency: it is written
// once, by the first unit that needs it, and linked from the others.
//
// Only writing needs each record read whole (full): cutting a request into chunks reads no
// more of a record than its type, id and relationships.
func (a *API) nodes(res *Resource, ch *Chunk, full bool) *graph {
	var all []*bnode
	byKey := map[string]*bnode{}
	add := func(ci ChunkItem, primary bool) {
		n := &bnode{at: ci.At, primary: primary, raw: ci.Raw}
		var obj *inResource
		var err error
		switch {
		case !full:
			obj, err = linkage(ci.Raw)
			if err == nil && !primary {
				if n.res = a.Schema.Resource(*obj.Type); n.res == nil {
					err = errUnknownType
				}
			}
		case primary:
			obj, err = parseResourceObject(ci.Raw, "/data/"+strconv.Itoa(ci.At))
			if err == nil && *obj.Type != res.Type {
				err = Conflict("/data/"+strconv.Itoa(ci.At)+"/type", "The 'type' property of the primary data object does not match the requested resource type.")
			}
			n.res = res
		default:
			obj, err = parseResourceObject(ci.Raw, "/included/"+strconv.Itoa(ci.At))
			if err == nil {
				if n.res = a.Schema.Resource(*obj.Type); n.res == nil {
					err = Invalid("/included/"+strconv.Itoa(ci.At)+"/type", TitleEntityType, fmt.Sprintf("Unknown entity type: %s.", *obj.Type))
				}
			}
		}
		if err != nil {
			n.err = asErrors(err, "")
		} else {
			n.obj = obj
			if obj.ID != nil && *obj.ID != "" {
				n.key = *obj.Type + "\x00" + *obj.ID
				if byKey[n.key] == nil {
					byKey[n.key] = n
				}
			}
			n.links = linkKeys(obj)
		}
		all = append(all, n)
	}
	for _, ci := range ch.Data {
		add(ci, true)
	}
	for _, ci := range ch.Included {
		add(ci, false)
	}
	// union-find over the nodes
	parent := make(map[*bnode]*bnode, len(all))
	var find func(n *bnode) *bnode
	find = func(n *bnode) *bnode {
		for parent[n] != nil {
			if gp := parent[parent[n]]; gp != nil {
				parent[n] = gp
			}
			n = parent[n]
		}
		return n
	}
	union := func(x, y *bnode) {
		if rx, ry := find(x), find(y); rx != ry {
			parent[ry] = rx
		}
	}
	type edge struct{ from, to *bnode }
	var deps []edge
	for _, n := range all {
		for _, k := range n.links {
			m := byKey[k]
			switch {
			case m == nil || m == n:
			case n.primary && !m.primary:
				deps = append(deps, edge{n, m})
			default:
				union(n, m)
			}
		}
	}
	hasPrimary := map[*bnode]bool{}
	for _, n := range all {
		if n.primary {
			hasPrimary[find(n)] = true
		}
	}
	for _, e := range deps {
		if hasPrimary[find(e.to)] {
			union(e.from, e.to)
		}
	}
	hasPrimary = map[*bnode]bool{}
	for _, n := range all {
		if n.primary {
			hasPrimary[find(n)] = true
		}
	}
	g := &graph{shared: map[int][]*bnode{}, all: all}
	units := map[*bnode]*unit{}
	sharedAt := map[*bnode]int{}
	for _, n := range all { // primary records first, in request order
		root := find(n)
		if hasPrimary[root] {
			u := units[root]
			if u == nil {
				u = &unit{}
				units[root] = u
				g.units = append(g.units, u)
			}
			u.nodes = append(u.nodes, n)
			if n.primary {
				u.data++
			}
			continue
		}
		at, ok := sharedAt[root]
		if !ok {
			at = n.at
			sharedAt[root] = at
			g.sharedOrder = append(g.sharedOrder, at)
		}
		g.shared[at] = append(g.shared[at], n)
	}
	slices.Sort(g.sharedOrder)
	for _, e := range deps {
		if u := units[find(e.from)]; u != nil {
			if at, ok := sharedAt[find(e.to)]; ok && !slices.Contains(u.deps, at) {
				u.deps = append(u.deps, at)
			}
		}
	}
	for _, u := range g.units {
		slices.Sort(u.deps)
	}
	return g
}

// unreachable reports the included resources that no primary record reaches through
// relationships, in either direction (api.md section 10).
func (g *graph) unreachable() Errors {
	used := map[int]bool{}
	for _, u := range g.units {
		for _, at := range u.deps {
			used[at] = true
		}
	}
	var errs Errors
	for _, at := range g.sharedOrder {
		if used[at] {
			continue
		}
		for _, n := range g.shared[at] {
			errs = append(errs, Invalid("/included/"+strconv.Itoa(n.at), TitleRequestData,
				"The entity should have a relationship with the primary entity and this should be explicitly specified in the request."))
		}
	}
	return errs
}

// chunks cuts the units of a batch into chunks of at most cfg.ChunkSize primary records and
// cfg.IncludedChunkSize included ones (a unit larger than that is a chunk of its own), each
// with the shared included resources its units need.
func (g *graph) chunks(cfg BatchConfig) []*Chunk {
	var out []*Chunk
	var cur *Chunk
	var curData int
	var curIncluded map[int]bool
	for _, u := range g.units {
		var need []*bnode // the included resources the unit needs in its chunk
		for _, n := range u.nodes {
			if !n.primary {
				need = append(need, n)
			}
		}
		for _, at := range u.deps {
			need = append(need, g.shared[at]...)
		}
		added := 0
		for _, n := range need {
			if cur == nil || !curIncluded[n.at] {
				added++
			}
		}
		if cur != nil && (curData+u.data > cfg.ChunkSize || len(curIncluded)+added > cfg.IncludedChunkSize) {
			out = append(out, cur)
			cur = nil
		}
		if cur == nil {
			cur, curData, curIncluded = &Chunk{}, 0, map[int]bool{}
		}
		for _, n := range u.nodes {
			if n.primary {
				cur.Data = append(cur.Data, ChunkItem{At: n.at, Raw: n.raw})
			}
		}
		for _, n := range need {
			if !curIncluded[n.at] {
				curIncluded[n.at] = true
				cur.Included = append(cur.Included, ChunkItem{At: n.at, Raw: n.raw})
			}
		}
		curData += u.data
	}
	if cur != nil {
		out = append(out, cur)
	}
	for _, ch := range out {
		slices.SortFunc(ch.Data, func(x, y ChunkItem) int { return x.At - y.At })
		slices.SortFunc(ch.Included, func(x, y ChunkItem) int { return x.At - y.At })
	}
	return out
}

var errUnknownType = errors.New("jsonapi: unknown type")

// linkage reads what cutting a batch into units needs of a resource object: its type, id and
// relationships (without allocating its attributes).
func linkage(raw json.RawMessage) (*inResource, error) {
	var l struct {
		Type          *string                    `json:"type"`
		ID            *string                    `json:"id"`
		Relationships map[string]json.RawMessage `json:"relationships"`
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, err
	}
	if l.Type == nil {
		return nil, errUnknownType
	}
	return &inResource{Type: l.Type, ID: l.ID, Relationships: l.Relationships}, nil
}

// linkKeys lists the type and id of every resource identifier in the relationships of obj,
// read leniently: what is malformed is reported when the record is written.
func linkKeys(obj *inResource) []string {
	var keys []string
	type ident struct {
		Type *string `json:"type"`
		ID   *string `json:"id"`
	}
	for _, raw := range obj.Relationships {
		var rel struct {
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(raw, &rel) != nil || len(rel.Data) == 0 {
			continue
		}
		var ids []ident
		if rel.Data[0] == '[' {
			_ = json.Unmarshal(rel.Data, &ids)
		} else {
			var one ident
			if json.Unmarshal(rel.Data, &one) == nil {
				ids = append(ids, one)
			}
		}
		for _, id := range ids {
			if id.Type != nil && id.ID != nil {
				keys = append(keys, *id.Type+"\x00"+*id.ID)
			}
		}
	}
	return keys
}
