package jsonapi

import (
	"context"
	"net/http"
	"strconv"
	"sync"
)

// flushSize is how much of a collection is buffered before it is sent: large results stream,
// so memory does not grow with the number of records (page[size]=-1).
const flushSize = 64 << 10

// buffers recycles the buffers collections are rendered into: a page with its included
// resources is tens of kilobytes, otherwise allocated and grown again on every request.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func getBuffer() *[]byte { return buffers.Get().(*[]byte) }

// putBuffer returns b (grown from *buf) to the pool, unless it grew unusually large (a page of
// large records with many included ones): such a buffer is left to the garbage collector.
func putBuffer(buf *[]byte, b []byte) {
	if cap(b) > 4*flushSize {
		return
	}
	*buf = b[:0]
	buffers.Put(buf)
}

// writeItem sends a single-resource document whose self link is the request URL.
func (c *call) writeItem(ctx context.Context, status int, rec *Record, lp *listParams) {
	buf := getBuffer()
	body, err := c.itemBody(ctx, *buf, rec, lp, false, nil)
	if err != nil {
		c.fail(err)
		return
	}
	c.w.Header().Set("ETag", etag(c.res, rec))
	c.send(status, body)
	putBuffer(buf, body)
}

// itemBody appends a single-resource document to b. After a write (written) its self link is the
// resource's URL and the included resources the request wrote come first in `included`, each
// with meta.includeId.
func (c *call) itemBody(ctx context.Context, b []byte, rec *Record, lp *listParams, written bool, items []*item) ([]byte, error) {
	v := c.view(lp)
	if v.plain {
		return v.appendResource(b, c.res, rec, nil), nil
	}
	b = append(b, `{"data":`...)
	b = v.appendResource(b, c.res, rec, nil)
	if len(lp.include) > 0 || len(items) > 0 {
		inc := newIncluder(c.api, v, c.res, lp.include)
		inc.collect(rec)
		for _, it := range items {
			r, err := c.api.lookup(ctx, it.res, it.realID, NoLock) // as written
			if err != nil {
				return nil, err
			}
			if r != nil {
				inc.add(it.res, r, append([]byte(`"includeId":`), appendString(nil, it.reqID)...))
			}
		}
		var err error
		if b, err = inc.appendIncluded(ctx, b); err != nil {
			return nil, err
		}
	}
	if v.links {
		b = append(b, `,"links":{"self":`...)
		if written {
			b = appendString(b, v.base+"/api/"+c.res.Type+"/"+pathEscape(rec.ID))
		} else {
			b = appendLink(b, v.base, c.r.URL, 0)
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

func (c *call) send(status int, body []byte) {
	// the body is whole: its length lets it go out in one write, not chunked. Both values in
	// one slice, under keys in canonical form: one allocation where Set made two.
	v := []string{c.format.ContentType(), strconv.Itoa(len(body))}
	h := c.w.Header()
	h["Content-Type"], h["Content-Length"] = v[:1:1], v[1:]
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

// writeCollection writes a page of records, or everything (page[size]=-1), with its included
// resources and pagination links. Where the links are printed, the store reads one record more
// than the page size to know whether a next page exists (pageQuery).
//
// A page (at most the page size limit of records, and at most Limits.MaxIncluded included ones)
// is built whole before anything is sent, so that every problem is still an error response. An
// unpaged list is streamed: it is sent as it is read, in chunks that the store reads each on a
// connection it gives back before the chunk is written, so neither memory nor a connection is
// held for a client that reads slowly. Its included resources are found by a first pass over
// the records, so that too many of them is a 400 before anything is sent.
//
// empty, when not nil, is asked before an empty list is sent whether it is the answer (a
// subresource whose query checked its parent: false when it has answered 404 or 403 instead).
func (c *call) writeCollection(ctx context.Context, q *Query, lp *listParams, empty func() bool) {
	q.Transient = true // each record is rendered, or its linkage collected, as it comes
	v := c.view(lp)
	var inc *includer
	if len(lp.include) > 0 && !v.plain {
		inc = newIncluder(c.api, v, c.res, lp.include)
	}
	stream := lp.size < 0
	if stream && inc != nil {
		overflow := false
		err := c.api.Store.Find(ctx, q, func(rec *Record) bool {
			inc.collect(rec)
			overflow = inc.overflow()
			return !overflow
		})
		switch {
		case err == nil && overflow:
			err = inc.tooManyIncluded()
		case err == nil:
			err = inc.load(ctx)
		}
		if err != nil {
			c.fail(err)
			return
		}
		inc.primary = 0
	}
	buf := getBuffer()
	b := *buf
	defer func() { putBuffer(buf, b) }()
	if v.plain {
		b = append(b, '[')
	} else {
		b = append(b, `{"data":[`...)
	}
	n, hasNext, started := 0, false, false
	err := c.api.Store.Find(ctx, q, func(rec *Record) bool {
		if lp.size > 0 && n == lp.size {
			hasNext = true
			return false
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = v.appendResource(b, c.res, rec, nil)
		if inc != nil {
			inc.collect(rec)
		}
		n++
		if stream && len(b) >= flushSize {
			if !started {
				c.w.Header().Set("Content-Type", c.format.ContentType())
				c.w.WriteHeader(http.StatusOK)
				started = true
			}
			_, _ = c.w.Write(b)
			b = b[:0]
		}
		return true
	})
	if err == nil && n == 0 && empty != nil && !empty() {
		return
	}
	b = append(b, ']')
	if err == nil && inc != nil {
		b, err = inc.appendIncluded(ctx, b)
	}
	if err != nil {
		if !started {
			c.fail(err)
			return
		}
		// The status is sent already: log, and cut the connection so the client sees a broken
		// response rather than a truncated document that parses. (Only a failure of the
		// database mid-stream, or records changed between the two passes so that the included
		// resources no longer fit the limit, get here.)
		c.api.logger().ErrorContext(ctx, "streaming a collection failed", "request_id", c.w.Header().Get("X-Request-Id"), "error", err)
		panic(http.ErrAbortHandler)
	}
	if !v.plain {
		if v.links {
			b = c.appendPageLinks(b, v, lp, hasNext)
		}
		b = append(b, '}')
	}
	if !started {
		c.send(http.StatusOK, b)
		return
	}
	_, _ = c.w.Write(b)
}

// appendPageLinks adds self, first, prev and next (api.md section 1: first and prev are absent
// on page 1, next on the last page; there is no last).
func (c *call) appendPageLinks(b []byte, v *view, lp *listParams, hasNext bool) []byte {
	b = append(b, `,"links":{"self":`...)
	b = appendLink(b, v.base, c.r.URL, 0)
	if lp.size > 0 {
		if lp.page > 1 {
			b = append(b, `,"first":`...)
			b = appendLink(b, v.base, c.r.URL, 1)
			b = append(b, `,"prev":`...)
			b = appendLink(b, v.base, c.r.URL, lp.page-1)
		}
		if hasNext {
			b = append(b, `,"next":`...)
			b = appendLink(b, v.base, c.r.URL, lp.page+1)
		}
	}
	return append(b, '}')
}

// pageURL is the request URL with page[number] replaced (and dropped for page 1).
func (c *call) pageURL(v *view, page int) string { return requestLink(v.base, c.r.URL, page) }
