// Package logwriter is the writer under the server's log: lines collect in a buffer that goes out
// in one write when it is full, an interval after its first line, and when the writer is closed.
//
// The access log writes a line for every request. Written straight to stderr (what the server's
// JSON handler did), each line was a system call of its own: about 2.5 µs of CPU, 1–2% of the
// lightest requests (issue 13). Collected, a write carries a hundred lines or more under load.
// The price is that a process killed without Close loses the lines of its last interval; the
// serve and worker commands close the writer on every way out, signals included.
package logwriter

import (
	"io"
	"sync"
	"time"
)

// Size is how many bytes collect before they are written. Interval is the longest a line waits.
const (
	Size     = 32 << 10
	Interval = 100 * time.Millisecond
)

// Writer is safe for concurrent use. A line is never split across writes: a Write that would
// overflow the buffer first writes what the buffer holds. A timer armed by the first line that
// finds the buffer empty writes it an interval later: an idle server is never woken.
type Writer struct {
	mu       sync.Mutex
	out      io.Writer
	buf      []byte
	err      error // the first error of out: the writes after it fail with it
	interval time.Duration
	timer    *time.Timer // Flush, interval after the buffer last stopped being empty
}

// New returns a Writer over out that writes a line at most interval after it collected.
func New(out io.Writer, interval time.Duration) *Writer {
	w := &Writer{out: out, buf: make([]byte, 0, Size), interval: interval}
	w.timer = time.AfterFunc(time.Hour, func() { _ = w.Flush() })
	w.timer.Stop()
	return w
}

// Write collects p; a p larger than the buffer is written at once, after what collected.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	if len(w.buf)+len(p) > cap(w.buf) {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > cap(w.buf) {
			return w.write(p)
		}
	}
	if len(w.buf) == 0 && len(p) > 0 {
		w.timer.Reset(w.interval)
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// Flush writes what collected.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *Writer) flushLocked() error {
	if w.err != nil || len(w.buf) == 0 {
		return w.err
	}
	_, err := w.write(w.buf)
	w.buf = w.buf[:0]
	return err
}

func (w *Writer) write(p []byte) (int, error) {
	n, err := w.out.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	w.err = err
	return n, err
}

// Close writes what collected; it does not close out. Writes after Close go out at once.
func (w *Writer) Close() error {
	w.timer.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.flushLocked()
	w.buf = w.buf[:0:0] // no room: every later Write goes out at once
	return err
}
